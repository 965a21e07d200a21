/**
 * The reporter's last step: logging the invocation, once saved in the run store, to MLflow. It
 * reads the saved runs back one file at a time and never changes the exit code: a server that is
 * down, slow or refusing becomes one warning line naming it and saying to run
 * `vitest-judge export --mlflow` later.
 */
import { existsSync, readFileSync } from 'node:fs'
import type { ResolvedMlflowOptions } from '../config.js'
import { type Env, processEnv } from '../env.js'
import { MlflowError } from '../errors.js'
import { exportInvocation, type InvocationArtifact } from '../export/mlflow/exporter.js'
import { mlflowClient } from '../export/mlflow/index.js'
import { redact } from '../redact.js'
import type { RunStore } from '../store/types.js'

/** Where the step writes. */
export interface MlflowStepLogger {
  log: (text: string) => void
  warn: (text: string) => void
}

/** Report files of the invocation to attach to the parent run (paths, or false when off). */
export interface MlflowStepFiles {
  junit: string | false
  markdown: string | false
}

function fileArtifact(path: string | false, name: string, contentType: string): InvocationArtifact[] {
  if (path === false) return []
  return [{ path: name, contentType, read: () => (existsSync(path) ? readFileSync(path) : undefined) }]
}

/** Logs invocation `invocationId` of `store` to MLflow; resolves once done or given up, never rejects. */
export async function logInvocationToMlflow(
  mlflow: ResolvedMlflowOptions | null,
  store: RunStore | undefined,
  invocationId: string,
  files: MlflowStepFiles,
  logger: MlflowStepLogger,
  env: Env = processEnv(),
): Promise<void> {
  if (mlflow === null) return
  if (mlflow.unusable !== undefined) {
    logger.warn(redact(`vitest-judge: not logging to MLflow: ${mlflow.unusable}`))
    return
  }
  const later = `run \`vitest-judge export --mlflow ${mlflow.trackingUri}\` later`
  if (store === undefined) {
    logger.warn(`vitest-judge: not logged to MLflow ${mlflow.trackingUri}: the run could not be saved locally first.`)
    return
  }
  try {
    const client = mlflowClient(mlflow.trackingUri, env)
    const invocation = await store.getInvocation(invocationId)
    const result = await exportInvocation(client, mlflow.experiment, {
      invocation,
      files: await store.getRunFiles(invocationId),
      loadRun: (file) => store.getRunByFile(invocationId, file),
      artifacts: [
        ...fileArtifact(files.junit, 'junit.xml', 'application/xml'),
        ...fileArtifact(files.markdown, 'summary.md', 'text/markdown'),
      ],
      redact,
    })
    const link = `${client.server}/#/experiments/${result.experimentId}/runs/${result.parentRunId}`
    logger.log(redact(`vitest-judge: logged to MLflow experiment "${mlflow.experiment}": ${link}`))
    for (const note of result.notes) logger.warn(redact(`vitest-judge: MLflow: ${note}`))
  } catch (error) {
    const reason =
      error instanceof MlflowError
        ? error.message
        : `MLflow server ${mlflow.trackingUri}: ${String((error as Error)?.message ?? error)}`
    // One line: the run is saved locally and the exit code is the tests' own.
    logger.warn(
      redact(
        `vitest-judge: not logged to MLflow (${reason.replace(/\s+/g, ' ').replace(/\.$/, '')}); the run is saved locally: ${later}.`,
      ),
    )
  }
}
