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

/**
 * Whether a span may be active: the API was loaded by us, or some copy of it registered a global
 * (a tracer provider or context manager set up by the user). Else there is no span to look up, and
 * the API is not loaded for nothing.
 */
export function tracingLoaded(): boolean {
  return loaded !== undefined || Symbol.for('opentelemetry.js.api.1') in globalThis
}
