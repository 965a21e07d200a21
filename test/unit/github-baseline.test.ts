import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { looksLikePath } from '../../src/cli/commands/github-baseline.js'
import { GitHubClient } from '../../src/github/api.js'
import {
  type ArtifactInfo,
  type BaselineCandidate,
  findBaselineArtifact,
  findBaselineReport,
  isBaselineArtifact,
  nameRank,
  pickArtifact,
  pickBaseline,
  toArtifact,
} from '../../src/github/baseline.js'
import { parseRepo, type RepoRef } from '../../src/github/repo.js'
import { makeReport, tempDir } from '../fake-github/fixtures.js'
import { ACTIONS_BOT, type FakeGitHub, startFakeGitHub } from '../fake-github/server.js'

function candidate(path: string, time: string | null, mtimeMs = 0): BaselineCandidate {
  return { path, time, mtimeMs }
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value))
}

describe('pickBaseline (pure)', () => {
  test('a merged report beats report.json, which beats any other name', () => {
    expect(nameRank('/a/merged-report.json')).toBe(0)
    expect(nameRank('/a/report.merged.json')).toBe(0)
    expect(nameRank('/a/report.json')).toBe(1)
    expect(nameRank('/a/compared.json')).toBe(2)
    const picked = pickBaseline([
      candidate('/x/report.json', '2025-03-01T00:00:00Z'),
      candidate('/x/merged.json', '2025-01-01T00:00:00Z'),
      candidate('/x/other.json', '2025-06-01T00:00:00Z'),
    ])
    expect(picked?.path).toBe('/x/merged.json')
  })

  test('among equal names the newest invocation wins, then the newest file, then the path', () => {
    expect(
      pickBaseline([
        candidate('/a/report.json', '2025-01-01T00:00:00Z', 9),
        candidate('/b/report.json', '2025-02-01T00:00:00Z', 1),
      ])?.path,
    ).toBe('/b/report.json')
    expect(pickBaseline([candidate('/a/report.json', null, 1), candidate('/b/report.json', null, 2)])?.path).toBe(
      '/b/report.json',
    )
    expect(pickBaseline([candidate('/b/report.json', null, 1), candidate('/a/report.json', null, 1)])?.path).toBe(
      '/a/report.json',
    )
    expect(
      pickBaseline([candidate('/a/report.json', 'not a date', 5), candidate('/b/report.json', null, 1)])?.path,
    ).toBe('/a/report.json')
    expect(pickBaseline([])).toBeUndefined()
  })
})

describe('findBaselineReport (a downloaded artifact folder)', () => {
  test('picks the newest report.json in nested folders and skips what is not a report', () => {
    const dir = tempDir()
    writeJson(join(dir, 'shard-1', 'report.json'), makeReport('old', 1, { startedAt: '2025-01-01T00:00:00Z' }))
    writeJson(
      join(dir, 'shard-2', 'deeper', 'report.json'),
      makeReport('new', 1, { startedAt: '2025-02-01T00:00:00Z' }),
    )
    writeJson(join(dir, 'compared.json'), makeReport('compared', 1, { startedAt: '2025-03-01T00:00:00Z' }))
    writeJson(join(dir, 'package.json'), { name: 'not-a-report' })
    writeJson(join(dir, 'broken.json'), '{ nope')
    writeJson(
      join(dir, 'node_modules', 'x', 'report.json'),
      makeReport('ignored', 1, { startedAt: '2030-01-01T00:00:00Z' }),
    )
    writeFileSync(join(dir, 'junit.xml'), '<testsuites/>')
    const search = findBaselineReport(dir)
    expect(search.picked?.path).toBe(join(dir, 'shard-2', 'deeper', 'report.json'))
    expect(search.picked?.report.invocation.id).toBe('new')
    expect(search.candidates).toHaveLength(3)
    expect(search.skipped.map((s) => s.path).sort()).toEqual([join(dir, 'broken.json'), join(dir, 'package.json')])
    expect(search.skipped.find((s) => s.path.endsWith('broken.json'))?.reason).toMatch(/broken\.json is not valid JSON/)
    expect(search.skipped.find((s) => s.path.endsWith('package.json'))?.reason).toMatch(
      /not a version 1 vitest-judge report/,
    )
  })

  test('prefers a merged report over the shards it came from', () => {
    const dir = tempDir()
    writeJson(join(dir, 'report-shard-1.json'), makeReport('s1', 1, { startedAt: '2025-02-01T00:00:00Z' }))
    writeJson(join(dir, 'merged', 'merged-report.json'), makeReport('m', 1, { startedAt: '2025-01-01T00:00:00Z' }))
    expect(findBaselineReport(dir).picked?.report.invocation.id).toBe('m')
  })

  test('uses the end of the invocation, then the file time, to order reports', () => {
    const dir = tempDir()
    writeJson(
      join(dir, 'a', 'report.json'),
      makeReport('long', 1, { startedAt: '2025-01-01T00:00:00Z', endedAt: '2025-01-03T00:00:00Z' }),
    )
    writeJson(join(dir, 'b', 'report.json'), makeReport('short', 1, { startedAt: '2025-01-02T00:00:00Z' }))
    expect(findBaselineReport(dir).picked?.report.invocation.id).toBe('long')
    const same = tempDir()
    writeJson(join(same, 'a', 'report.json'), makeReport('first', 1))
    writeJson(join(same, 'b', 'report.json'), makeReport('second', 1))
    utimesSync(join(same, 'a', 'report.json'), new Date(), new Date(Date.now() + 60_000))
    expect(findBaselineReport(same).picked?.report.invocation.id).toBe('first')
  })

  test('an empty or missing folder has nothing', () => {
    expect(findBaselineReport(tempDir()).picked).toBeUndefined()
    expect(findBaselineReport(join(tempDir(), 'missing')).candidates).toEqual([])
  })
})

describe('looksLikePath', () => {
  test('slashes, a leading dot or a .json ending make a path; anything else is an artifact name', () => {
    expect(looksLikePath('baseline/report.json')).toBe(true)
    expect(looksLikePath('.vitest-judge')).toBe(true)
    expect(looksLikePath('main-report.json')).toBe(true)
    expect(looksLikePath('C:\\reports')).toBe(true)
    expect(looksLikePath('vitest-judge-report')).toBe(false)
    expect(looksLikePath('evals baseline')).toBe(false)
  })
})

function artifact(overrides: Partial<ArtifactInfo>): ArtifactInfo {
  return {
    id: 1,
    name: 'vitest-judge-report',
    expired: false,
    createdAt: '2025-01-01T00:00:00Z',
    runId: 100,
    headBranch: 'main',
    headSha: 'b'.repeat(40),
    repositoryId: 1,
    headRepositoryId: 1,
    ...overrides,
  }
}

describe('choosing the baseline artifact (pure)', () => {
  test('only unexpired artifacts of the name, from a run on the branch of this repository', () => {
    const name = 'vitest-judge-report'
    expect(isBaselineArtifact(artifact({}), name, 'main')).toBe(true)
    expect(isBaselineArtifact(artifact({ expired: true }), name, 'main')).toBe(false)
    expect(isBaselineArtifact(artifact({ headBranch: 'feature' }), name, 'main')).toBe(false)
    expect(isBaselineArtifact(artifact({ name: 'other' }), name, 'main')).toBe(false)
    expect(isBaselineArtifact(artifact({ runId: null }), name, 'main')).toBe(false)
    // A fork's pull request from its own branch called main.
    expect(isBaselineArtifact(artifact({ headRepositoryId: 777 }), name, 'main')).toBe(false)
  })

  test('the newest one wins', () => {
    const picked = pickArtifact(
      [
        artifact({ id: 1, createdAt: '2025-01-01T00:00:00Z' }),
        artifact({ id: 2, createdAt: '2025-03-01T00:00:00Z', headRepositoryId: 777 }),
        artifact({ id: 3, createdAt: '2025-02-01T00:00:00Z' }),
      ],
      'vitest-judge-report',
      'main',
    )
    expect(picked?.id).toBe(3)
  })

  test('toArtifact reads the API shape', () => {
    expect(
      toArtifact({
        id: 11,
        name: 'Rails',
        expired: false,
        created_at: '2020-01-10T14:59:22Z',
        workflow_run: {
          id: 2332938,
          repository_id: 1296269,
          head_repository_id: 1296269,
          head_branch: 'main',
          head_sha: 'abc',
        },
      }),
    ).toEqual({
      id: 11,
      name: 'Rails',
      expired: false,
      createdAt: '2020-01-10T14:59:22Z',
      runId: 2332938,
      headBranch: 'main',
      headSha: 'abc',
      repositoryId: 1296269,
      headRepositoryId: 1296269,
    })
    expect(toArtifact({ name: 'no id' })).toBeUndefined()
  })
})

describe('findBaselineArtifact against the fake GitHub API', () => {
  const TOKEN = 'ghs_artifactReader000001'
  const FULL = 'octo-org/artifacts'
  let github: FakeGitHub
  let repo: RepoRef
  beforeAll(async () => {
    github = await startFakeGitHub()
    github.addToken(TOKEN, { user: ACTIONS_BOT, installation: true })
    repo = parseRepo(FULL) as RepoRef
  })
  afterAll(() => github?.close())

  test('walks the pages until the newest main artifact, past pull request and fork artifacts', async () => {
    github.addArtifact(FULL, { name: 'vitest-judge-report', runId: 1, headBranch: 'main' })
    const newestMain = github.addArtifact(FULL, { name: 'vitest-judge-report', runId: 2, headBranch: 'main' })
    for (let i = 0; i < 120; i++) {
      github.addArtifact(FULL, { name: 'vitest-judge-report', runId: 1000 + i, headBranch: `feature-${i}` })
    }
    github.addArtifact(FULL, { name: 'vitest-judge-report', runId: 5000, headBranch: 'main', headRepositoryId: 777 })
    github.addArtifact(FULL, { name: 'vitest-judge-report', runId: 5001, headBranch: 'main', expired: true })
    github.addArtifact(FULL, { name: 'something-else', runId: 5002, headBranch: 'main' })
    const client = new GitHubClient({ token: TOKEN, apiUrl: github.url, retryDelayMs: 0 })
    const found = await findBaselineArtifact(client, repo, { name: 'vitest-judge-report', branch: 'main' })
    expect(found.artifact).toMatchObject({ id: newestMain.id, runId: 2 })
    expect(found.scanned).toBe(123)
    const lists = github.requestsOf('GET', /actions\/artifacts$/)
    expect(lists.map((r) => [r.query.name, r.query.page ?? '1'])).toEqual([
      ['vitest-judge-report', '1'],
      ['vitest-judge-report', '2'],
    ])
  })

  test('none on the branch: nothing found', async () => {
    const client = new GitHubClient({ token: TOKEN, apiUrl: github.url, retryDelayMs: 0 })
    const found = await findBaselineArtifact(client, repo, { name: 'vitest-judge-report', branch: 'release' })
    expect(found.artifact).toBeUndefined()
    expect(found.scanned).toBe(124)
  })
})
