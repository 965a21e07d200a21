/**
 * The reporter's GitHub Actions annotations: where the Vitest root sits in the repository, and the
 * commands for a finished run (rendered by the pure `renderGithubAnnotations`).
 */
import { isAbsolute, relative } from 'node:path'
import { type Env, processEnv } from '../env.js'
import type { GateFailure } from '../report/compare.js'
import { renderGithubAnnotations } from '../report/github-annotations.js'
import type { SummaryInput } from '../report/summary.js'

/** The Vitest root relative to `GITHUB_WORKSPACE` (forward slashes), or '' when it is the workspace or outside it. */
export function workspacePrefix(root: string, env: Record<string, string | undefined>): string {
  const workspace = env.GITHUB_WORKSPACE
  if (!workspace) return ''
  const rel = relative(workspace, root)
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return ''
  return rel.split('\\').join('/')
}

/** The workflow commands for a run's failed cases and gate failures ('' when none failed). */
export function githubAnnotationText(
  report: Pick<SummaryInput, 'runs'>,
  gateFailures: readonly GateFailure[],
  root: string,
  env: Env = processEnv(),
): string {
  return renderGithubAnnotations(report, gateFailures, { pathPrefix: workspacePrefix(root, env) })
}
