/** The tracing API for test files (re-exported by `vitest-judge`). */
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { caseSpanProcessor } from './otel.js'

export { getTrace } from './case-hooks.js'
export type { ModelCallInterceptor, ModelCallRequest } from './client.js'
export { callModel, markActiveSpanCached, setModelCallInterceptor, traceClient } from './client.js'
export type { SpanAttributesInput } from './span.js'
export { span } from './span.js'

/**
 * The span processor that files OpenTelemetry spans into the current case, for a tracer provider
 * you register yourself (the plugin tries to add it to a registered provider on its own, and says
 * so when it cannot): `new NodeTracerProvider({ spanProcessors: [spanProcessor(), yourExporter] })`.
 */
export function spanProcessor(): SpanProcessor {
  return caseSpanProcessor()
}
