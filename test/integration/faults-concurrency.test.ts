/**
 * Three `vitest` processes at once on one state folder (two in the forks pool, one in the threads
 * pool) running fixtures/faults-concurrency: no row is lost, no SQLITE_BUSY reaches anyone, and
 * the shared judge cache holds each judge call once.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import { SqliteJudgeCache } from '../../src/store/judge-cache.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture, tempStateDir } from './run-fixture.js'

const POOLS = ['forks', 'threads', 'forks'] as const
const FILES = 2
const CASES_PER_FILE = 10
const dir = tempStateDir()
let tenant: FakeTenant
let runs: FixtureRun[] = []

beforeAll(async () => {
  tenant = fakeTenant(inject('fakeProviderUrl'))
  // A little latency so that the processes' judge calls and writes overlap.
  await tenant.configure({ delayMs: 30 })
  runs = await Promise.all(
    POOLS.map((pool) =>
      runFixture('faults-concurrency', {
        dir,
        env: {
          FAULTS_POOL: pool,
          OPENAI_API_KEY: FAKE_API_KEY,
          OPENAI_BASE_URL: tenant.openaiBaseURL,
          VITEST_JUDGE: 'openai:fake-judge',
        },
        timeoutMs: 90_000,
      }),
    ),
  )
}, 120_000)

afterAll(async () => {
  await tenant?.reset()
  rmSync(dir, { recursive: true, force: true })
})

test('every process passes, with no SQLITE_BUSY or store failure', () => {
  for (const run of runs) {
    const output = `${run.stdout}\n${run.stderr}`
    expect(output).not.toMatch(/SQLITE_BUSY|database is locked|runs are not recorded|cannot save|cannot record/i)
    expect(run.exitCode).toBe(0)
    expect(run.tests).toHaveLength(FILES * CASES_PER_FILE)
  }
})

test('runs.db holds every invocation, run, case and metric of the three processes', async () => {
  const store = new SqliteRunStore(dir, { readonly: true })
  try {
    const invocations = await store.listInvocations({ limit: 10 })
    expect(invocations).toHaveLength(POOLS.length)
    expect(invocations.every((i) => i.status === 'complete')).toBe(true)
    expect(invocations.map((i) => i.params.pool).sort()).toEqual(['forks', 'forks', 'threads'])
    for (const invocation of invocations) {
      const report = await store.getReport(invocation.id)
      expect(report.runs.map((r) => r.file)).toEqual(['a.eval.ts', 'b.eval.ts'])
      const cases = report.runs.flatMap((r) => r.cases)
      expect(cases).toHaveLength(FILES * CASES_PER_FILE)
      expect(cases.every((c) => c.scores.answer_similarity === 1 && c.scores.token_f1 === 1)).toBe(true)
      expect(report.runs.every((r) => r.aggregates.answer_similarity?.n === CASES_PER_FILE)).toBe(true)
    }
  } finally {
    await store.close()
  }
})

test('the shared cache holds each judge call once, and every call was either a hit or a miss', async () => {
  const cache = new SqliteJudgeCache(dir, { readonly: true })
  try {
    expect((await cache.stats()).entries).toBe(FILES * CASES_PER_FILE)
  } finally {
    await cache.close()
  }
  // From runs.db: the three processes share the folder, so report.json is the last one's.
  const store = new SqliteRunStore(dir, { readonly: true })
  const figures = (await store.listInvocations({ limit: 10 })).flatMap((i) => i.runs).map((r) => r.cache)
  await store.close()
  const hits = figures.reduce((n, c) => n + c.hits, 0)
  const misses = figures.reduce((n, c) => n + c.misses, 0)
  expect(hits + misses).toBe(POOLS.length * FILES * CASES_PER_FILE)
  expect((await tenant.stats()).requests).toBe(misses)
})
