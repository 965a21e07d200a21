/**
 * One collector per test, bound to the test's async context (an AsyncLocalStorage run around the
 * test body, from the setup file's `aroundEach`): every span started while the test runs, by any
 * source, lands in that test's collector, so `test.concurrent` cases never mix their spans. The
 * collector applies the per-case caps as spans arrive; nothing is made for a test without spans.
 */
import type { ResolvedTracesOptions } from '../config.js'
import type { CaseTrace, TraceSpan } from '../report/trace-types.js'
import { LazyScope } from '../runtime/lazy-scope.js'

/** The spans of one test, capped. */
export class CaseCollector {
  /** Kept spans, in the order they ended (sorted by start when read). */
  readonly spans: TraceSpan[] = []
  dropped = 0
  private bytes = 0
  /** Spans started in this test and not ended yet (finished as `unset` when the test ends). */
  readonly open = new Set<object>()

  constructor(readonly limits: Pick<ResolvedTracesOptions, 'maxSpans' | 'maxBytes'>) {}

  /** Whether the next span would be dropped by count (checked before any conversion work). */
  get full(): boolean {
    return this.spans.length >= this.limits.maxSpans
  }

  /** Keeps a span, or counts it as dropped when a cap is reached. */
  add(span: TraceSpan, size: number): void {
    if (this.full || this.bytes + size > this.limits.maxBytes) {
      this.dropped++
      return
    }
    this.bytes += size
    this.spans.push(span)
  }

  /** The trace so far (from span `from` on), or undefined when there is none. */
  snapshot(from = 0): CaseTrace | undefined {
    const spans = from === 0 ? this.spans.slice() : this.spans.slice(from)
    if (spans.length === 0 && this.dropped === 0) return undefined
    spans.sort((a, b) => a.start - b.start)
    // A parent outside this trace (the user's own outer span, a span dropped at the cap) is no parent here.
    const ids = new Set(spans.map((s) => s.id))
    const out = spans.map((s) => {
      if (s.parentId === undefined || ids.has(s.parentId)) return s
      const { parentId: _p, ...rest } = s
      return rest
    })
    return { spans: out, dropped: from === 0 ? this.dropped : 0 }
  }
}

const byTask = new WeakMap<object, CaseCollector>()

/** Set on `globalThis` by a project module that mentions tracing (appended by the plugin's transform). */
export const TRACES_MARK = '__vitestJudgeTraces'
/**
 * Called (if set) by a project module that mentions tracing, once it has set {@link TRACES_MARK}
 * (appended by the plugin's transform): the setup file sets it to give every test of the file its
 * collector, a hook only projects that trace pay for.
 */
export const TRACES_HOOK = '__vitestJudgeHookTraces'

/** A running test, and its collector once it has one. */
interface Running {
  task: object
  limits: Pick<ResolvedTracesOptions, 'maxSpans' | 'maxBytes'>
  collector?: CaseCollector
}

/**
 * Tests run in their own async context only once spans can appear: from the first `span()`,
 * `traceClient()`, tracer asked of our provider, user provider found, or a module of the project that
 * mentions tracing (the plugin marks it when Vite transforms it, see `TRACES_MARK`).
 */
const scope = new LazyScope<Running>(
  TRACES_MARK,
  'vitest-judge traces: spans made by concurrent tests that started before any tracing was seen in this worker are not recorded; later tests are traced (said once).',
)

/** Makes the following tests run in their own async context. */
export function armTracing(): void {
  scope.arm()
}

/** Whether spans can appear in this worker (see `armTracing`). */
export function isArmed(): boolean {
  return scope.isArmed()
}

/**
 * The collector of the test whose async context this is, if any. A span made before tracing was
 * armed belongs to the one running test; with several running (concurrent tests) it cannot be told
 * whose it is and is not recorded (said once).
 */
export function currentCollector(): CaseCollector | undefined {
  const running = scope.current()
  if (!running) return undefined
  if (!running.collector) {
    running.collector = new CaseCollector(running.limits)
    byTask.set(running.task, running.collector)
  }
  return running.collector
}

/** The collector of a Vitest task (works from any context, e.g. a matcher in a concurrent test). */
export function collectorOf(task: object | undefined): CaseCollector | undefined {
  return task ? byTask.get(task) : undefined
}

/** Runs a test body with its own collector; `finish` runs after it, in every case. */
export async function runWithCollector<T>(
  task: object,
  limits: Pick<ResolvedTracesOptions, 'maxSpans' | 'maxBytes'>,
  body: () => Promise<T>,
  finish: (collector: CaseCollector) => void,
): Promise<T> {
  // A describeEval case is wrapped by its suite and, in a project that traces, by the setup file's
  // aroundEach too: the outer wrapping is the one.
  if (wrapping.has(task)) return body()
  wrapping.add(task)
  try {
    return await runWrapped(task, limits, body, finish)
  } finally {
    wrapping.delete(task)
  }
}

/** Tasks whose body runs inside `runWithCollector` right now. */
const wrapping = new WeakSet<object>()

async function runWrapped<T>(
  task: object,
  limits: Pick<ResolvedTracesOptions, 'maxSpans' | 'maxBytes'>,
  body: () => Promise<T>,
  finish: (collector: CaseCollector) => void,
): Promise<T> {
  const running: Running = { task, limits }
  if (scope.isArmed()) {
    running.collector = new CaseCollector(limits)
    byTask.set(task, running.collector)
  }
  try {
    return await scope.run(running, body)
  } finally {
    if (running.collector) finish(running.collector)
  }
}

/**
 * Runs `fn` outside any case: spans it makes (a judge's own model calls under an instrumented SDK)
 * belong to no case's trace. The judge is the evaluation, not the system under test.
 */
export function outsideCase<T>(fn: () => T): T {
  return scope.outside(fn)
}
