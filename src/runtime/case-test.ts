/**
 * One case of a dataset suite (`describeEval`, `describeConversation`) declared as a Vitest test: a
 * concurrent test, its case record (with its variant) on the task for the reporter, and its span
 * collector around it (the suites wrap their cases themselves: the setup file's `aroundEach` is only
 * added in projects that trace).
 */
import { type TestContext, test } from 'vitest'
import { type CaseMeta, emptyCaseMeta, META_KEY } from '../report/case-meta.js'
import { traceTest } from '../tracing/case-hooks.js'

// Vitest makes a new chain (a function with its modifiers as getters) on each `test.concurrent` read:
// read once, not once per case.
const concurrentTest = test.concurrent

/** Declares the case `title`; `body` runs it with its task, abort signal and (empty) record. */
export function caseTest(
  title: string,
  timeout: number,
  variant: { name: string; params: Record<string, string | number | boolean> } | undefined,
  body: (task: TestContext['task'], signal: AbortSignal, meta: CaseMeta) => Promise<void>,
): void {
  concurrentTest(
    title,
    { timeout },
    ({ task, signal }) =>
      traceTest(task, () => {
        const meta: CaseMeta = emptyCaseMeta()
        if (variant) {
          meta.variant = variant.name
          meta.variantParams = variant.params
        }
        ;(task.meta as Record<string, unknown>)[META_KEY] = meta
        return body(task, signal, meta)
      }) as Promise<void>,
  )
}
