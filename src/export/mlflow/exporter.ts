/**
 * Logs one vitest-judge invocation to MLflow: a parent run for the invocation and a nested child
 * run per test file, with params, tags, metrics and artifacts (`eval_results_table.json`,
 * `junit.xml`, `summary.md`). Idempotent: the parent is found by its `vitest_judge.invocation_id`
 * tag first; a parent marked `vitest_judge.logged=complete` is left as it is, and one left half
 * logged (the server went away) is deleted with its children and logged again.
 */
import { renderJunit } from '../../report/junit.js'
import type { ReportInvocation, ReportRun } from '../../report/types.js'
import {
  artifactPath,
  type MlflowClient,
  type MlflowKeyValue,
  type MlflowMetricEntity,
  type MlflowRun,
} from './client.js'
import { EVAL_TABLE_FILE, evalResultsTable, loggedArtifactsTag } from './eval-table.js'
import { fileRunContent, InvocationContentBuilder, type RunContent, TAG } from './run-content.js'
import type { TraceTagsFor } from './trace-content.js'
import { deleteRunTraces, logRunTraces } from './traces.js'

export { artifactPath }

/** An artifact of the parent run (the invocation's JUnit XML, its markdown summary). */
export interface InvocationArtifact {
  path: string
  contentType: string
  /** The content, read when it is sent; `undefined` skips it (e.g. a report turned off). */
  read: () => string | Uint8Array | undefined
}

/** An invocation to log, its runs read one at a time. */
export interface InvocationSource {
  invocation: ReportInvocation
  /** The test files of its runs, in the order to log them. */
  files: readonly string[]
  /** Reads the run of one file (with its cases). */
  loadRun: (file: string) => ReportRun | undefined | Promise<ReportRun | undefined>
  /** Artifacts of the parent run. */
  artifacts?: readonly InvocationArtifact[]
  /** Redacts text before it leaves the process (report text may hold what a model wrote). */
  redact?: (text: string) => string
  /**
   * Extra MLflow trace tags per case, merged over the case's own `trace.tags` (e.g.
   * `{ 'mlflow.trace.session': conversationId }` to group a conversation's traces).
   */
  traceTags?: TraceTagsFor
  /** Whether to log the cases' traces (default true). */
  traces?: boolean
}

/** What an export did. */
export interface MlflowExportResult {
  /** `logged` now, or `already` logged by an earlier export (nothing was sent). */
  outcome: 'logged' | 'already'
  experimentId: string
  parentRunId: string
  /** File -> child run id (empty when `already`). */
  childRunIds: Record<string, string>
  /** Half-logged runs of an earlier attempt that were deleted before logging again. */
  replaced: number
  /** Case traces logged (MLflow's trace API), linked to their file's child run. */
  traces: number
  /** Things that did not stop the export, e.g. artifacts the server cannot store. */
  notes: string[]
}

/** MLflow's log-batch limits (`mlflow/utils/validation.py`). */
const BATCH = { params: 100, tags: 100, metrics: 1000, entities: 1000 }

/** Escapes a value for a single-quoted MLflow search filter string. */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** Finds or creates the MLflow experiment `name`; returns its id. */
export async function ensureExperiment(client: MlflowClient, name: string): Promise<string> {
  const found = await findExperiment(client, name)
  if (found !== undefined) return found
  try {
    const created = await client.call<{ experiment_id: string }>('POST', 'experiments/create', { name })
    return created.experiment_id
  } catch (error) {
    // Another process created it in between.
    if ((error as { mlflowCode?: string }).mlflowCode === 'RESOURCE_ALREADY_EXISTS') {
      const again = await findExperiment(client, name)
      if (again !== undefined) return again
    }
    throw error
  }
}

async function findExperiment(client: MlflowClient, name: string): Promise<string | undefined> {
  try {
    const got = await client.call<{ experiment?: { experiment_id: string; lifecycle_stage?: string } }>(
      'GET',
      'experiments/get-by-name',
      { experiment_name: name },
    )
    return got.experiment?.experiment_id
  } catch (error) {
    if ((error as { mlflowCode?: string }).mlflowCode === 'RESOURCE_DOES_NOT_EXIST') return undefined
    throw error
  }
}

/** Every run of `experimentId` matching `filter` (all pages). */
export async function searchRuns(client: MlflowClient, experimentId: string, filter: string): Promise<MlflowRun[]> {
  const runs: MlflowRun[] = []
  let pageToken: string | undefined
  do {
    const page: { runs?: MlflowRun[]; next_page_token?: string } = await client.call('POST', 'runs/search', {
      experiment_ids: [experimentId],
      filter,
      max_results: 1000,
      ...(pageToken ? { page_token: pageToken } : {}),
    })
    runs.push(...(page.runs ?? []))
    pageToken = page.next_page_token || undefined
  } while (pageToken)
  return runs
}

function tagOf(run: MlflowRun, key: string): string | undefined {
  return run.data?.tags?.find((t) => t.key === key)?.value
}

/** The parent runs logged for an invocation (complete or not). */
export async function findInvocationRuns(
  client: MlflowClient,
  experimentId: string,
  invocationId: string,
): Promise<MlflowRun[]> {
  return searchRuns(
    client,
    experimentId,
    `tags.\`${TAG.invocationId}\` = ${quoted(invocationId)} and tags.\`${TAG.level}\` = 'invocation'`,
  )
}

function keyValues(record: Record<string, string>): MlflowKeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }))
}

async function logBatch(
  client: MlflowClient,
  runId: string,
  batch: { params?: MlflowKeyValue[]; tags?: MlflowKeyValue[]; metrics?: MlflowMetricEntity[] },
): Promise<void> {
  const params = batch.params ?? []
  const tags = batch.tags ?? []
  const metrics = batch.metrics ?? []
  // One request when it fits MLflow's limits (the usual case), else each kind in chunks.
  if (
    params.length <= BATCH.params &&
    tags.length <= BATCH.tags &&
    metrics.length <= BATCH.metrics &&
    params.length + tags.length + metrics.length <= BATCH.entities
  ) {
    await client.call('POST', 'runs/log-batch', { run_id: runId, params, tags, metrics })
    return
  }
  for (let i = 0; i < params.length; i += BATCH.params) {
    await client.call('POST', 'runs/log-batch', { run_id: runId, params: params.slice(i, i + BATCH.params) })
  }
  for (let i = 0; i < tags.length; i += BATCH.tags) {
    await client.call('POST', 'runs/log-batch', { run_id: runId, tags: tags.slice(i, i + BATCH.tags) })
  }
  for (let i = 0; i < metrics.length; i += BATCH.metrics) {
    await client.call('POST', 'runs/log-batch', { run_id: runId, metrics: metrics.slice(i, i + BATCH.metrics) })
  }
}

function metricEntities(content: RunContent, timestamp: number): MlflowMetricEntity[] {
  return content.metrics.map((m) => ({ key: m.key, value: m.value, timestamp, step: 0 }))
}

async function createRun(
  client: MlflowClient,
  experimentId: string,
  head: Pick<RunContent, 'runName' | 'startTime' | 'tags'>,
): Promise<{ runId: string; artifactUri: string | undefined }> {
  const created = await client.call<{ run: MlflowRun }>('POST', 'runs/create', {
    experiment_id: experimentId,
    run_name: head.runName,
    start_time: head.startTime,
    tags: keyValues({ ...head.tags, 'mlflow.runName': head.runName }),
  })
  return { runId: created.run.info.run_id, artifactUri: created.run.info.artifact_uri }
}

async function finishRun(client: MlflowClient, runId: string, content: RunContent): Promise<void> {
  await client.call('POST', 'runs/update', {
    run_id: runId,
    status: content.status,
    ...(content.endTime !== null ? { end_time: content.endTime } : {}),
  })
  // Last: a run without this tag is redone by the next export.
  await client.call('POST', 'runs/set-tag', { run_id: runId, key: TAG.logged, value: 'complete' })
}

/** Logs `source` to `experimentName` (created when missing). */
export async function exportInvocation(
  client: MlflowClient,
  experimentName: string,
  source: InvocationSource,
): Promise<MlflowExportResult> {
  const redact = source.redact ?? ((text: string) => text)
  const invocation = source.invocation
  const experimentId = await ensureExperiment(client, experimentName)
  const notes: string[] = []
  const existing = await findInvocationRuns(client, experimentId, invocation.id)
  const done = existing.find((run) => tagOf(run, TAG.logged) === 'complete')
  if (done) {
    return {
      outcome: 'already',
      experimentId,
      parentRunId: done.info.run_id,
      childRunIds: {},
      replaced: 0,
      traces: 0,
      notes,
    }
  }
  let replaced = 0
  for (const stale of existing) {
    const children = await searchRuns(
      client,
      experimentId,
      `tags.\`mlflow.parentRunId\` = ${quoted(stale.info.run_id)}`,
    )
    for (const child of children) {
      // Its traces too: the new child run gets its own.
      await deleteRunTraces(client, experimentId, child.info.run_id)
      await client.call('POST', 'runs/delete', { run_id: child.info.run_id })
      replaced++
    }
    await client.call('POST', 'runs/delete', { run_id: stale.info.run_id })
    replaced++
  }

  const builder = new InvocationContentBuilder(invocation)
  const parent = await createRun(client, experimentId, builder.head())
  let artifactsSkipped = false
  const upload = async (artifactUri: string | undefined, file: string, content: string | Uint8Array, type: string) => {
    const path = artifactPath(artifactUri, file)
    if (path === undefined) {
      artifactsSkipped = true
      return false
    }
    await client.putArtifact(path, typeof content === 'string' ? redact(content) : content, type)
    return true
  }

  const childRunIds: Record<string, string> = {}
  let traces = 0
  let tracesWithoutData = 0
  const skippedTraceTags = new Set<string>()
  for (const file of source.files) {
    const run = await source.loadRun(file)
    if (!run) continue
    builder.addRun(run)
    const content = fileRunContent(invocation, run)
    const child = await createRun(client, experimentId, {
      ...content,
      tags: { ...content.tags, 'mlflow.parentRunId': parent.runId },
    })
    childRunIds[file] = child.runId
    // The table tag goes with the params and metrics: the run is not marked logged until the table is up.
    const proxied = artifactPath(child.artifactUri, EVAL_TABLE_FILE) !== undefined
    await logBatch(client, child.runId, {
      params: keyValues(content.params),
      metrics: metricEntities(content, content.endTime ?? content.startTime),
      ...(proxied ? { tags: [{ key: 'mlflow.loggedArtifacts', value: loggedArtifactsTag([EVAL_TABLE_FILE]) }] } : {}),
    })
    await upload(child.artifactUri, EVAL_TABLE_FILE, JSON.stringify(evalResultsTable(run)), 'application/json')
    const junit = renderJunit({ version: 1, invocation, runs: [run], comparison: null })
    await upload(child.artifactUri, 'junit.xml', junit, 'application/xml')
    if (source.traces !== false) {
      const logged = await logRunTraces(client, experimentId, invocation, run, child.runId, {
        redact,
        traceTags: source.traceTags,
      })
      traces += logged.traces
      tracesWithoutData += logged.withoutData
      for (const key of logged.skippedTags) skippedTraceTags.add(key)
    }
    await finishRun(client, child.runId, content)
  }

  const content = builder.content()
  await logBatch(client, parent.runId, {
    params: keyValues(content.params),
    metrics: metricEntities(content, content.endTime ?? content.startTime),
  })
  for (const artifact of source.artifacts ?? []) {
    const body = artifact.read()
    if (body !== undefined) await upload(parent.artifactUri, artifact.path, body, artifact.contentType)
  }
  if (artifactsSkipped) {
    notes.push(
      'artifacts were not sent: the server does not proxy artifacts (start it with --serve-artifacts, the default since MLflow 2.0)',
    )
  }
  if (tracesWithoutData > 0) {
    notes.push(
      `${tracesWithoutData} trace(s) were logged without their spans: the server does not proxy artifacts (start it with --serve-artifacts)`,
    )
  }
  if (skippedTraceTags.size > 0) {
    notes.push(
      `trace tags left out (MLflow takes names of letters, digits, _ . - / and spaces, up to 250 characters): ${[...skippedTraceTags].slice(0, 5).join(', ')}`,
    )
  }
  await finishRun(client, parent.runId, content)
  return { outcome: 'logged', experimentId, parentRunId: parent.runId, childRunIds, replaced, traces, notes }
}
