/**
 * The glue between Vitest and the collectors, used by the setup file: each test body runs in its
 * own collector (`aroundEach`), and when it ends, a test that is a case (it has a case record: a
 * `describeEval` case, a judge or trace matcher was used) gets its trace in the record, which
 * reaches the reporter through `task.meta`. A test that made no span gets nothing.
 */
import { type CaseMeta, META_KEY } from '../report/case-meta.js'
import { summary } from '../report/trace.js'
import type { CaseTrace } from '../report/trace-types.js'
import { runtimeOptions } from '../runtime/runtime-options.js'
import { type CaseCollector, collectorOf, runWithCollector } from './collector.js'

let closeOpen: ((collector: CaseCollector) => void) | undefined
let installing: Promise<void> | undefined

/** Installs OpenTelemetry in this worker when traces are on (once; the SDK itself loads on the first span). */
export function installTracingOnce(): Promise<void> {
  if (!runtimeOptions().traces.enabled) return Promise.resolve()
  installing ??= import('./otel.js').then(
    (otel) => {
      otel.installTracing()
      closeOpen = otel.closeOpenSpans
    },
    (error: unknown) => {
      process.emitWarning(
        `vitest-judge traces: OpenTelemetry could not be loaded (${(error as Error).message}); spans are not recorded.`,
      )
    },
  )
  return installing
}

/** Runs one test body with its collector, then files the trace into the case record. */
export function traceTest(task: { meta: object }, runTest: () => Promise<unknown>): Promise<unknown> {
  const options = runtimeOptions().traces
  if (!options.enabled) return runTest()
  return runWithCollector(task, options, runTest, (collector) => {
    try {
      closeOpen?.(collector)
      const trace = collector.snapshot()
      if (!trace) return
      const meta = (task.meta as Record<string, unknown>)[META_KEY] as CaseMeta | undefined
      if (!meta) return
      meta.trace = trace
      // The app's tokens, read from its model calls when the task did not report them.
      if (!meta.tokens) {
        const { tokens } = summary(trace)
        if (tokens.input + tokens.output > 0) meta.tokens = { input: tokens.input, output: tokens.output }
      }
    } catch (error) {
      process.emitWarning(`vitest-judge traces: a case's trace could not be kept (${(error as Error).message}).`)
    }
  })
}

/**
 * The current test's trace so far: `getTrace(context)` with Vitest's test context (`test('...', async (context) => ...)`).
 * Empty (no spans) when the test made none or traces are off.
 */
export function getTrace(context: { task: object } | undefined): CaseTrace {
  return collectorOf(context?.task)?.snapshot() ?? { spans: [], dropped: 0 }
}
