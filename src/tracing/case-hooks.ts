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
import { collectorOf, isArmed, runWithCollector } from './collector.js'
import { closeOpenSpans, installTracing } from './otel.js'

/**
 * Installs OpenTelemetry in this worker before a file's tests when spans can appear (a module of the
 * project mentions tracing, or something armed it already); otherwise `span()` and `traceClient()`
 * install it on first use. A worker that never traces never loads the OpenTelemetry API.
 */
export function installTracingOnce(): void {
  if (!runtimeOptions().traces.enabled || !isArmed()) return
  try {
    installTracing()
  } catch (error) {
    process.emitWarning(
      `vitest-judge traces: OpenTelemetry could not be installed (${(error as Error).message}); spans are not recorded.`,
    )
  }
}

/** Runs one test body with its collector, then files the trace into the case record. */
export function traceTest(task: { meta: object }, runTest: () => Promise<unknown>): Promise<unknown> {
  const options = runtimeOptions().traces
  if (!options.enabled) return runTest()
  return runWithCollector(task, options, runTest, (collector) => {
    try {
      closeOpenSpans(collector)
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
