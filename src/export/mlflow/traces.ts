/**
 * Sends cases' traces to MLflow through its trace API (MLflow 2.17.2: `POST /mlflow/traces`, the
 * span data `traces.json` through the artifact proxy, `PATCH /mlflow/traces/{request_id}`), each
 * linked to its test file's child run by the `mlflow.sourceRun` metadata, so the run's Traces tab
 * and the experiment's Traces view list them.
 */
import type { ReportInvocation, ReportRun } from '../../report/types.js'
import { artifactPath, type MlflowClient, type MlflowKeyValue } from './client.js'
import { traceCasesOf } from './conversation-traces.js'
import { caseTraceContent, MLFLOW_TRACE_KEY, TRACE_DATA_FILE, type TraceTagsFor } from './trace-content.js'

/** A trace as the trace API answers with it. */
export interface MlflowTraceInfo {
  request_id: string
  experiment_id?: string
  timestamp_ms?: number | string
  execution_time_ms?: number | string
  status?: string
  request_metadata?: MlflowKeyValue[]
  tags?: MlflowKeyValue[]
}

/** What logging one run's traces did. */
export interface TracesLogged {
  /** Traces logged. */
  traces: number
  /** Traces whose span data could not be stored (the server does not proxy artifacts). */
  withoutData: number
  /** Tag names a case gave that MLflow would refuse (left out). */
  skippedTags: string[]
}

/** How many cases' traces are sent at once (each is three requests). */
const PARALLEL = 4

function keyValues(record: Record<string, string>): MlflowKeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }))
}

/** Logs the traces of `run`'s cases (those with spans) against the child run `sourceRunId`. */
export async function logRunTraces(
  client: MlflowClient,
  experimentId: string,
  invocation: ReportInvocation,
  run: ReportRun,
  sourceRunId: string,
  options: { redact: (text: string) => string; traceTags?: TraceTagsFor | undefined },
): Promise<TracesLogged> {
  const result: TracesLogged = { traces: 0, withoutData: 0, skippedTags: [] }
  // A conversation is logged as one trace per turn, grouped by MLflow's session tag.
  const cases = run.cases
    .flatMap((c) => traceCasesOf(run, c))
    .filter((c) => c.trace !== undefined && c.trace.spans.length > 0)
  let next = 0
  const worker = async () => {
    while (next < cases.length) {
      const testCase = cases[next++]
      if (testCase === undefined) break
      const content = caseTraceContent(invocation, run, testCase, sourceRunId, options.traceTags?.(run, testCase) ?? {})
      if (!content) continue
      for (const key of content.skippedTags) if (!result.skippedTags.includes(key)) result.skippedTags.push(key)
      const redactValues = (record: Record<string, string>) =>
        Object.fromEntries(Object.entries(record).map(([k, v]) => [k, options.redact(v)]))
      const started = await client.call<{ trace_info: MlflowTraceInfo }>('POST', 'traces', {
        experiment_id: experimentId,
        timestamp_ms: content.timestampMs,
        request_metadata: keyValues(redactValues(content.requestMetadata)),
        tags: keyValues(redactValues(content.tags)),
      })
      const info = started.trace_info
      const location = info.tags?.find((t) => t.key === MLFLOW_TRACE_KEY.artifactLocation)?.value
      const path = artifactPath(location, TRACE_DATA_FILE)
      if (path !== undefined) {
        const body = options.redact(JSON.stringify(content.data(info.request_id)))
        await client.putArtifact(path, body, 'application/json')
      } else result.withoutData++
      await client.call('PATCH', `traces/${encodeURIComponent(info.request_id)}`, {
        request_id: info.request_id,
        timestamp_ms: content.endMs,
        status: content.status,
        request_metadata: [],
        tags: [],
      })
      result.traces++
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, cases.length) }, worker))
  return result
}

/** Every trace of `experimentId` linked to run `runId` (all pages). */
export async function searchRunTraces(
  client: MlflowClient,
  experimentId: string,
  runId: string,
): Promise<MlflowTraceInfo[]> {
  const found: MlflowTraceInfo[] = []
  let pageToken: string | undefined
  do {
    const page: { traces?: MlflowTraceInfo[]; next_page_token?: string } = await client.call('GET', 'traces', {
      experiment_ids: [experimentId],
      filter: `run_id = '${runId.replace(/'/g, '')}'`,
      max_results: 500,
      ...(pageToken ? { page_token: pageToken } : {}),
    })
    found.push(...(page.traces ?? []))
    pageToken = page.next_page_token || undefined
  } while (pageToken)
  return found
}

/** Deletes the traces linked to run `runId` (a half-logged run being replaced); returns how many. */
export async function deleteRunTraces(client: MlflowClient, experimentId: string, runId: string): Promise<number> {
  const traces = await searchRunTraces(client, experimentId, runId)
  let deleted = 0
  for (let i = 0; i < traces.length; i += 100) {
    const ids = traces.slice(i, i + 100).map((t) => t.request_id)
    const answer = await client.call<{ traces_deleted?: number }>('POST', 'traces/delete-traces', {
      experiment_id: experimentId,
      request_ids: ids,
    })
    deleted += answer.traces_deleted ?? ids.length
  }
  return deleted
}
