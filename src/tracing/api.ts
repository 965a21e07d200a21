/**
 * The OpenTelemetry API, loaded on first use (synchronously, its CommonJS build): a worker whose
 * project never traces never loads it. Its global registry (tracer provider, context manager) is
 * shared with every other copy of the API in the process (the ESM build an instrumentation imports).
 */
import { createRequire } from 'node:module'

type Api = typeof import('@opentelemetry/api')
let loaded: Api | undefined

/** `@opentelemetry/api`. */
export function otelApi(): Api {
  loaded ??= createRequire(import.meta.url)('@opentelemetry/api') as Api
  return loaded
}
