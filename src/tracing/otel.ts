/**
 * OpenTelemetry in the test worker. `installTracing()` (from the setup file, before a file's tests)
 * either registers our tracer provider as the global one, or, when the user already registered
 * theirs, adds our span processor to it. Our processor assigns each span to the case whose async
 * context started it and records it when it ends (normalised, redacted, capped).
 *
 * The SDK (`@opentelemetry/sdk-trace-base`) loads on the first `getTracer` call, not at install:
 * a test file that makes no span pays for the API module only.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { createRequire } from 'node:module'
import type { Context, ContextManager, Span, Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api'
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { SpanAttributeValue, TraceSpan } from '../report/trace-types.js'
import { runtimeOptions } from '../runtime/runtime-options.js'
import { otelApi } from './api.js'
import { armTracing, type CaseCollector, currentCollector } from './collector.js'
import { CACHED_HINT, deriveKind, normalizeAttributes, SOURCE_HINT, withoutHints } from './normalize.js'

/** OpenTelemetry context through AsyncLocalStorage (what `@opentelemetry/context-async-hooks` does, for functions). */
class AsyncLocalStorageContext implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>()
  active(): Context {
    return this.storage.getStore() ?? otelApi().ROOT_CONTEXT
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args))
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target
    const manager = this
    const fn = target as unknown as (...args: unknown[]) => unknown
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args))
    } as unknown as T
  }
  enable(): this {
    return this
  }
  disable(): this {
    this.storage.disable()
    return this
  }
}

// SpanStatusCode.OK and .ERROR of the API (read without loading it).
const STATUS_OK = 1
const STATUS_ERROR = 2

function hrToMs(time: readonly [number, number]): number {
  return time[0] * 1000 + time[1] / 1e6
}

let warnedProcessor = false
function warnOnce(message: string): void {
  if (warnedProcessor) return
  warnedProcessor = true
  process.emitWarning(`vitest-judge traces: ${message} (said once; tests go on).`)
}

const owners = new WeakMap<object, CaseCollector>()

/** Turns an ended OpenTelemetry span into a recorded one. */
function toTraceSpan(span: ReadableSpan): TraceSpan {
  const attributes = normalizeAttributes(span.attributes as Record<string, unknown>)
  const kind = deriveKind(span.name, attributes)
  const source = attributes[SOURCE_HINT]
  const cached = attributes[CACHED_HINT] === true
  withoutHints(attributes)
  const parentId = span.parentSpanContext?.spanId
  const status = span.status.code === STATUS_ERROR ? 'error' : span.status.code === STATUS_OK ? 'ok' : 'unset'
  let error: string | undefined
  if (status === 'error') {
    const exception = span.events.find((e) => e.name === 'exception')?.attributes?.['exception.message']
    error = span.status.message || (typeof exception === 'string' ? exception : undefined) || 'error'
    error = normalizeAttributes({ e: error }).e as string
  }
  return {
    id: span.spanContext().spanId,
    ...(parentId ? { parentId } : {}),
    name: span.name,
    kind,
    start: hrToMs(span.startTime),
    end: hrToMs(span.endTime),
    status,
    ...(error !== undefined ? { error } : {}),
    attributes,
    source: source === 'client' || source === 'manual' ? source : 'otel',
    ...(cached ? { cached: true } : {}),
  }
}

/** Records a span into its collector; never throws (a tracing problem never fails a test). */
function record(collector: CaseCollector, span: ReadableSpan): void {
  if (collector.full) {
    collector.dropped++
    return
  }
  try {
    const recorded = toTraceSpan(span)
    collector.add(recorded, JSON.stringify(recorded).length)
  } catch (error) {
    collector.dropped++
    warnOnce(`a span could not be recorded (${(error as Error).message})`)
  }
}

/**
 * The span processor that files spans into cases. Exported as `spanProcessor()` for a provider the
 * user builds themselves: `new NodeTracerProvider({ spanProcessors: [spanProcessor(), ...] })`.
 */
export class CaseSpanProcessor implements SpanProcessor {
  onStart(span: Span): void {
    const collector = currentCollector()
    if (!collector) return
    owners.set(span, collector)
    collector.open.add(span)
  }
  onEnd(span: ReadableSpan): void {
    const collector = owners.get(span)
    if (!collector) return
    collector.open.delete(span)
    record(collector, span)
  }
  forceFlush(): Promise<void> {
    return Promise.resolve()
  }
  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** Records the spans still open when a test ends (end = now, status unset, marked unfinished). */
export function closeOpenSpans(collector: CaseCollector): void {
  if (collector.open.size === 0) return
  const now = Date.now()
  for (const span of collector.open) {
    const readable = span as unknown as ReadableSpan
    if (collector.full) {
      collector.dropped++
      continue
    }
    try {
      const recorded = toTraceSpan({
        ...readable,
        spanContext: () => readable.spanContext(),
        endTime: [Math.floor(now / 1000), (now % 1000) * 1e6],
        events: readable.events ?? [],
        status: readable.status ?? { code: 0 },
      } as ReadableSpan)
      recorded.attributes['vitest_judge.unfinished'] = true as SpanAttributeValue
      collector.add(recorded, JSON.stringify(recorded).length)
    } catch {
      collector.dropped++
    }
  }
  collector.open.clear()
}

const processor = new CaseSpanProcessor()
const MARK = Symbol.for('vitest-judge.tracer-provider')

/** A tracer provider that builds the SDK's provider on its first tracer. */
class LazyTracerProvider implements TracerProvider {
  readonly [MARK] = true
  private provider: TracerProvider | undefined
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    if (!this.provider) {
      armTracing()
      const require = createRequire(import.meta.url)
      const sdk = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base')
      this.provider = new sdk.BasicTracerProvider({ spanProcessors: [processor] })
    }
    return this.provider.getTracer(name, version, options)
  }
}

/** Adds our processor to a provider the user registered; false when it cannot be done. */
function attachTo(provider: unknown): boolean {
  const p = provider as {
    addSpanProcessor?: (processor: SpanProcessor) => void
    _activeSpanProcessor?: { _spanProcessors?: SpanProcessor[] }
  }
  if (typeof p.addSpanProcessor === 'function') {
    p.addSpanProcessor(processor)
    return true
  }
  const list = p._activeSpanProcessor?._spanProcessors
  if (Array.isArray(list)) {
    if (!list.includes(processor)) list.push(processor)
    return true
  }
  return false
}

let installed = false

/** Makes OpenTelemetry spans reach the cases: our provider, or our processor on the user's. Idempotent. */
export function installTracing(): void {
  if (installed || runtimeOptions().traces?.enabled === false) return
  installed = true
  try {
    // A context manager the user (or their SDK setup) registered stays; otherwise ours.
    const { context, trace } = otelApi()
    context.setGlobalContextManager(new AsyncLocalStorageContext())
    const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider }
    const delegate = global.getDelegate?.() ?? global
    if ((delegate as unknown as Record<symbol, unknown>)[MARK]) return
    if (trace.setGlobalTracerProvider(new LazyTracerProvider())) return
    // The user set OpenTelemetry up: spans are expected.
    armTracing()
    if (!attachTo(delegate)) {
      warnOnce(
        'a tracer provider is already registered and vitest-judge could not add its span processor to it: ' +
          "add it yourself, e.g. new NodeTracerProvider({ spanProcessors: [spanProcessor(), ...] }) with spanProcessor from 'vitest-judge'",
      )
    }
  } catch (error) {
    warnOnce(`tracing could not be installed (${(error as Error).message})`)
  }
}

/** The processor (one per worker). */
export function caseSpanProcessor(): CaseSpanProcessor {
  return processor
}

/** A tracer for our own spans (`span()`, `traceClient`). */
export function ownTracer(): Tracer {
  return otelApi().trace.getTracer('vitest-judge')
}
