/** Git commit and branch of the invocation, and the CI it runs in, when known. */
import { execFileSync } from 'node:child_process'
import { type Env, processEnv } from '../env.js'

function git(root: string, args: string[]): string | null {
  try {
    const out = execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 })
    const text = out.toString('utf8').trim()
    return text === '' ? null : text
  } catch {
    return null
  }
}

/** Commit and branch: CI variables first (a PR checkout is a detached HEAD), then git itself. */
export function gitInfo(root: string, env: Env = processEnv()) {
  const commit = env.GITHUB_SHA ?? git(root, ['rev-parse', 'HEAD'])
  let branch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || git(root, ['rev-parse', '--abbrev-ref', 'HEAD'])
  if (branch === 'HEAD') branch = null
  return { commit: commit ?? null, branch: branch ?? null }
}

/** The CI provider and run, when any. */
export function ciInfo(env: Env = processEnv()) {
  if (env.GITHUB_ACTIONS === 'true') {
    return { provider: 'github-actions', runId: env.GITHUB_RUN_ID ?? null, ref: env.GITHUB_REF ?? null }
  }
  if (env.CI && env.CI !== 'false') return { provider: 'ci', runId: null, ref: null }
  return null
}
