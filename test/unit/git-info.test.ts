/** The invocation's commit and branch, read from git's files (no process), as `git` itself gives them. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { gitFromFiles, gitInfo } from '../../src/reporter/git-info.js'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim()
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vj-git-'))
  dirs.push(dir)
  git(dir, 'init', '-q', '-b', 'main')
  writeFileSync(join(dir, 'a.txt'), 'a')
  git(dir, 'add', 'a.txt')
  git(dir, 'commit', '-q', '-m', 'one')
  return dir
}

const asGit = (dir: string) => ({
  commit: git(dir, 'rev-parse', 'HEAD'),
  branch: git(dir, 'rev-parse', '--abbrev-ref', 'HEAD'),
})

describe('commit and branch from the git files', () => {
  test('a branch with a loose ref, from a subfolder', () => {
    const dir = repo()
    expect(gitFromFiles(join(dir, 'nested', 'deeper'))).toEqual(asGit(dir))
  })

  test('packed refs, a detached HEAD, and a worktree (its .git is a file)', () => {
    const dir = repo()
    git(dir, 'pack-refs', '--all')
    expect(gitFromFiles(dir)).toEqual(asGit(dir))
    const sha = git(dir, 'rev-parse', 'HEAD')
    git(dir, 'checkout', '-q', '--detach')
    expect(gitFromFiles(dir)).toEqual({ commit: sha, branch: null })
    git(dir, 'checkout', '-q', 'main')
    const tree = join(dir, 'wt')
    git(dir, 'worktree', 'add', '-q', '-b', 'feature', tree)
    expect(gitFromFiles(tree)).toEqual(asGit(tree))
    expect(gitFromFiles(tree)?.branch).toBe('feature')
  })

  test('not a repository: no commit, no branch; CI variables win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vj-nogit-'))
    dirs.push(dir)
    expect(gitInfo(dir, {})).toEqual(gitFromFiles(dir) ?? { commit: null, branch: null })
    expect(gitInfo(repo(), { GITHUB_SHA: 'abc', GITHUB_HEAD_REF: 'pr-branch' })).toEqual({
      commit: 'abc',
      branch: 'pr-branch',
    })
  })
})
