/**
 * `vitest-judge export --mlflow [URI] [SELECTOR...]`: logs past invocations to an MLflow tracking
 * server. Without a selector, every finished invocation of the store; an invocation already
 * logged (found by its `vitest_judge.invocation_id` tag) is left as it is, so a retry is safe.
 */

import { checkTrackingUri } from '../../config.js'
import { UsageError } from '../../errors.js'
import { exportInvocation, type InvocationSource } from '../../export/mlflow/exporter.js'
import { mlflowClient } from '../../export/mlflow/index.js'
import { redact } from '../../redact.js'
import { renderJunit } from '../../report/junit.js'
import { renderMarkdown } from '../../report/markdown.js'
import { runKey } from '../../report/run-key.js'
import type { JsonReport } from '../../report/types.js'
import { EXIT } from '../command.js'
import { type CliIo, clean, println } from '../io.js'
import type { State } from '../state.js'

/** Whether a positional of `export --mlflow` is the tracking URI rather than a selector. */
export function looksLikeUri(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
}

function reportSource(report: JsonReport): InvocationSource {
  const runs = new Map(report.runs.map((run) => [runKey(run), run]))
  return {
    invocation: report.invocation,
    files: report.runs.map(runKey),
    loadRun: (file) => runs.get(file),
    artifacts: [
      { path: 'junit.xml', contentType: 'application/xml', read: () => renderJunit(report) },
      { path: 'summary.md', contentType: 'text/markdown', read: () => renderMarkdown(report) },
    ],
    redact,
  }
}

/** Runs `export --mlflow` with the positionals after the flags. */
export async function exportToMlflow(
  io: CliIo,
  state: State,
  positionals: readonly string[],
  options: { experiment?: string | undefined },
): Promise<number> {
  const [first, ...rest] = positionals
  const uriArg = first !== undefined && looksLikeUri(first) ? first : undefined
  const selectors = uriArg !== undefined ? rest : [...positionals]
  const rawUri = uriArg ?? (io.env.MLFLOW_TRACKING_URI || undefined)
  if (rawUri === undefined) {
    throw new UsageError(
      '`vitest-judge export --mlflow` needs the tracking server: `export --mlflow http://host:5000 [SELECTOR...]`, or set MLFLOW_TRACKING_URI.',
    )
  }
  const trackingUri = checkTrackingUri(rawUri, uriArg !== undefined ? 'The tracking URI' : 'MLFLOW_TRACKING_URI')
  const client = mlflowClient(trackingUri, io.env)
  if (options.experiment !== undefined && options.experiment.trim() === '') {
    throw new UsageError('--experiment needs a non-empty MLflow experiment name.')
  }
  const experimentOf = (report: JsonReport) =>
    options.experiment ?? (io.env.MLFLOW_EXPERIMENT_NAME || undefined) ?? report.invocation.experiment ?? 'default'

  // Every selector is resolved before anything is sent: a typo fails without a half export. The
  // store's invocations are then read one at a time, as they are sent.
  const items: Array<{ id: string; status: string | undefined; load: () => JsonReport | Promise<JsonReport> }> = []
  if (selectors.length > 0) {
    for (const selector of selectors) {
      const { report } = await state.select(selector)
      items.push({ id: report.invocation.id, status: report.invocation.status, load: () => report })
    }
  } else {
    const store = await state.runs()
    const invocations = await store.listInvocations()
    for (const inv of [...invocations].reverse()) {
      items.push({ id: inv.id, status: inv.status, load: () => store.getReport(inv.id) })
    }
    if (items.length === 0) {
      println(io, `No invocation in ${state.runsFile}: nothing to log to MLflow.`)
      return EXIT.ok
    }
  }
  let logged = 0
  let already = 0
  for (const item of items) {
    const id = clean(item.id, 60)
    if (item.status === 'running') {
      println(io, `Invocation ${id} is still running: not logged (export it once it has finished).`)
      continue
    }
    const report = await item.load()
    const experiment = experimentOf(report)
    const result = await exportInvocation(client, experiment, reportSource(report))
    if (result.outcome === 'already') {
      already++
      println(io, `Invocation ${id} is already in MLflow (run ${result.parentRunId}): nothing sent.`)
      continue
    }
    logged++
    const files = Object.keys(result.childRunIds).length
    const traced = result.traces > 0 ? ` and ${result.traces} case trace(s)` : ''
    const redone = result.replaced > 0 ? `, replacing ${result.replaced} half-logged run(s)` : ''
    println(
      io,
      `Logged invocation ${id} to MLflow ${client.server}, experiment "${clean(experiment, 80)}": run ${result.parentRunId} with ${files} file run(s)${traced}${redone}.`,
    )
    for (const note of result.notes) println(io, `  note: ${note}`)
  }
  if (items.length > 1) println(io, `MLflow: ${logged} logged, ${already} already there.`)
  return EXIT.ok
}
