/** Git commit and branch of the invocation, and the CI it runs in, when known. */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { type Env, processEnv } from '../env.js'

/** Commit and branch from one `git` process (the fallback when the files cannot tell). */
function fromGit(root: string): { commit: string | null; branch: string | null } {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD', '--abbrev-ref', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 3000,
    })
    const [commit, branch] = out.toString('utf8').trim().split('\n')
    return { commit: commit || null, branch: branch || null }
  } catch {
    return { commit: null, branch: null }
  }
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/

/** The repository's git folder and its common folder (a worktree's `.git` is a file naming its own). */
function gitDirs(root: string): { gitDir: string; commonDir: string } | undefined {
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git')
    if (existsSync(dotGit)) {
      let gitDir = dotGit
      if (!statSync(dotGit).isDirectory()) {
        const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim()
        if (!pointer) return undefined
        gitDir = isAbsolute(pointer) ? pointer : resolve(dir, pointer)
      }
      const common = join(gitDir, 'commondir')
      const commonDir = existsSync(common) ? resolve(gitDir, readFileSync(common, 'utf8').trim()) : gitDir
      return { gitDir, commonDir }
    }
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * Commit and branch read from the git files (HEAD, the branch's ref or `packed-refs`): no process
 * is started, which a `vitest` start would wait for. Undefined when the files do not say plainly.
 */
export function gitFromFiles(root: string): { commit: string | null; branch: string | null } | undefined {
  try {
    const dirs = gitDirs(root)
    if (!dirs) return undefined
    const head = readFileSync(join(dirs.gitDir, 'HEAD'), 'utf8').trim()
    if (SHA.test(head)) return { commit: head, branch: null }
    const ref = /^ref: (refs\/heads\/.+)$/.exec(head)?.[1]
    if (!ref) return undefined
    const branch = ref.slice('refs/heads/'.length)
    const loose = join(dirs.commonDir, ref)
    if (existsSync(loose)) {
      const commit = readFileSync(loose, 'utf8').trim()
      return SHA.test(commit) ? { commit, branch } : undefined
    }
    const packed = join(dirs.commonDir, 'packed-refs')
    if (!existsSync(packed)) return { commit: null, branch } // a branch with no commit yet
    for (const line of readFileSync(packed, 'utf8').split('\n')) {
      const [commit, name] = line.trim().split(' ')
      if (name === ref && commit && SHA.test(commit)) return { commit, branch }
    }
    return { commit: null, branch }
  } catch {
    return undefined
  }
}

/** Commit and branch: CI variables first (a PR checkout is a detached HEAD), then git's files, then git itself. */
export function gitInfo(root: string, env: Env = processEnv()) {
  const ciBranch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME
  let found: { commit: string | null; branch: string | null } | undefined
  const local = () => {
    found ??= gitFromFiles(root) ?? fromGit(root)
    return found
  }
  const commit = env.GITHUB_SHA ?? local().commit
  let branch = ciBranch || local().branch
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
