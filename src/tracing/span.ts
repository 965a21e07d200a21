/** `span(name, fn, attributes?)`: a span of the current case made by hand (a retrieval, a tool, a step). */
import type { Attributes, Span } from '@opentelemetry/api'
import type { SpanKind } from '../report/trace-types.js'
import { otelApi } from './api.js'
import { armTracing } from './collector.js'
import { KIND_HINT, SOURCE_HINT, toOtelAttributes } from './normalize.js'
import { installTracing, ownTracer } from './otel.js'

/** Attributes of a span made by hand: any values (objects are kept as JSON text), and its `kind`. */
export type SpanAttributesInput = Record<string, unknown> & {
  /** What the span is; read from the GenAI attributes when not given (`gen_ai.tool.name` makes a tool span). @default derived, else `'other'` */
  kind?: SpanKind
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

/**
 * Runs `run` for span `s` and settles the span with its outcome, sync or async: a throw or a
 * rejection fails and ends the span (and reaches the caller unchanged); a value, awaited when a
 * promise, goes to `done`, which ends the span. Returns what `run` returned, as it is.
 */
export function settleSpan<T>(s: Span, run: () => T, done: (value: unknown) => void): T {
  let result: T
  try {
    result = run()
  } catch (error) {
    failSpan(s, error)
    s.end()
    throw error
  }
  if (isThenable(result)) {
    result.then(done, (error: unknown) => {
      failSpan(s, error)
      s.end()
    })
    return result
  }
  done(result)
  return result
}

/** Marks a span failed with the error's message. */
export function failSpan(s: Span, error: unknown): void {
  try {
    const message = error instanceof Error ? error.message : String(error)
    s.setStatus({ code: otelApi().SpanStatusCode.ERROR, message })
    if (error instanceof Error) s.recordException(error)
  } catch {
    // a tracing problem never fails the test
  }
}

/**
 * Runs `fn` inside a span of the current case and returns what `fn` returns (a promise is awaited
 * by the span, not changed). Spans started inside `fn` (an AI SDK call, a nested `span()`) are its
 * children. A throw or rejection marks the span failed and goes on to the caller.
 *
 * ```ts
 * const docs = await span('search', () => search(query), { kind: 'retriever', query })
 * ```
 */
export function span<T>(name: string, fn: (span: Span) => T, attributes?: SpanAttributesInput): T {
  armTracing()
  installTracing()
  const { kind, ...rest } = attributes ?? {}
  const attrs = toOtelAttributes(rest)
  attrs[SOURCE_HINT] = 'manual'
  if (kind !== undefined) attrs[KIND_HINT] = kind
  if (kind === 'tool') {
    attrs['gen_ai.tool.name'] ??= name
    attrs['gen_ai.operation.name'] ??= 'execute_tool'
  }
  // A tool span keeps what the tool returned, as the GenAI conventions' `gen_ai.tool.call.result`.
  const keepResult = (s: Span, value: unknown) => {
    if (kind !== 'tool' || value === undefined) return
    const v = toOtelAttributes({ value }).value
    if (v !== undefined) s.setAttribute('gen_ai.tool.call.result', v as string)
  }
  return ownTracer().startActiveSpan(name, { attributes: attrs as Attributes }, (s) =>
    settleSpan(
      s,
      () => fn(s),
      (value) => {
        keepResult(s, value)
        s.end()
      },
    ),
  )
}
