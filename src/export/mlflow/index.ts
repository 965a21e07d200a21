/** Logging vitest-judge invocations to an MLflow tracking server (main process and CLI only). */
import { mlflowCredentials, mlflowHttpSettings } from '../../config.js'
import { MlflowClient } from './client.js'

export { MlflowClient, type MlflowClientOptions, type MlflowRun } from './client.js'
export { EVAL_TABLE_FILE, evalResultsTable, loggedArtifactsTag, type SplitTable } from './eval-table.js'
export {
  artifactPath,
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

/** A client for `trackingUri` with MLflow's env variables for credentials and retries. */
export function mlflowClient(trackingUri: string, env: Record<string, string | undefined>): MlflowClient {
  return new MlflowClient({ trackingUri, credentials: mlflowCredentials(env), http: mlflowHttpSettings(env) })
}
