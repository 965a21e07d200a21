/**
 * One collector per test, bound to the test's async context (an AsyncLocalStorage run around the
 * test body, from the setup file's `aroundEach`): every span started while the test runs, by any
 * source, lands in that test's collector, so `test.concurrent` cases never mix their spans. The
 * collector applies the per-case caps as spans arrive; nothing is made for a test without spans.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { ResolvedTracesOptions } from '../config.js'
import type { CaseTrace, TraceSpan } from '../report/trace-types.js'

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

const storage = new AsyncLocalStorage<CaseCollector | undefined>()
const byTask = new WeakMap<object, CaseCollector>()

/** The collector of the test whose async context this is, if any. */
export function currentCollector(): CaseCollector | undefined {
  return storage.getStore()
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
  const collector = new CaseCollector(limits)
  byTask.set(task, collector)
  try {
    return await storage.run(collector, body)
  } finally {
    finish(collector)
  }
}

/**
 * Runs `fn` outside any case: spans it makes (a judge's own model calls under an instrumented SDK)
 * belong to no case's trace. The judge is the evaluation, not the system under test.
 */
export function outsideCase<T>(fn: () => T): T {
  if (storage.getStore() === undefined) return fn()
  return storage.run(undefined, fn)
}
