/** Logging vitest-judge invocations to an MLflow tracking server (main process and CLI only). */
import { mlflowCredentials, mlflowHttpSettings } from '../../config.js'
import { MlflowClient } from './client.js'

export { artifactPath, MlflowClient, type MlflowClientOptions, type MlflowRun } from './client.js'
export { EVAL_TABLE_FILE, evalResultsTable, loggedArtifactsTag, type SplitTable } from './eval-table.js'
export {
  ensureExperiment,
  exportInvocation,
  findInvocationRuns,
  type InvocationArtifact,
  type InvocationSource,
  type MlflowExportResult,
  searchRuns,
} from './exporter.js'
export { mlflowEvaluateMetrics, mlflowKey, mlflowMetricName, OWN_PREFIX } from './metric-names.js'
export { fileRunContent, InvocationContentBuilder, type RunContent, TAG } from './run-content.js'
export {
  caseTraceContent,
  MLFLOW_TRACE_KEY,
  type MlflowSpanDict,
  type MlflowTraceContent,
  type MlflowTraceData,
  TRACE_DATA_FILE,
  TRACE_TAG,
  type TraceTagsFor,
} from './trace-content.js'
export { deleteRunTraces, logRunTraces, type MlflowTraceInfo, searchRunTraces, type TracesLogged } from './traces.js'

/** A client for `trackingUri` with MLflow's env variables for credentials and retries. */
export function mlflowClient(trackingUri: string, env: Record<string, string | undefined>): MlflowClient {
  return new MlflowClient({ trackingUri, credentials: mlflowCredentials(env), http: mlflowHttpSettings(env) })
}
