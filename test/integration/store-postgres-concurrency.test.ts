/**
 * Six `vitest` processes of four workers each (forks and threads pools, each with its own state
 * folder, as on six CI machines) run fixtures/store-postgres-wide at the same moment into one PostgreSQL
 * database: the schema is created once, every invocation, run and case is there exactly once, and
 * the shared judge cache holds each judge call once.
 */
import { rmSync } from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import { openJudgeCache, openRunStore } from '../../src/store/open.js'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type PgServer, startPostgres } from '../pg/server.js'
import { type FixtureRun, runFixture, tempStateDir } from './run-fixture.js'

// Six processes (24 workers on a 2-core machine); each runs the fixture's four files on four workers.
const POOLS = ['forks', 'threads', 'forks', 'threads', 'forks', 'threads'] as const
const FILES = 4
const CASES_PER_FILE = 10
const dirs = POOLS.map(() => tempStateDir())
let server: PgServer
let url: string
let admin: pg.Pool
let tenant: FakeTenant
let runs: FixtureRun[] = []

beforeAll(async () => {
  server = await startPostgres()
  url = `${await server.createDatabase('concurrency')}?schema=team`
  admin = new pg.Pool({ connectionString: server.url('concurrency'), max: 1 })
  tenant = fakeTenant(inject('fakeProviderUrl'))
  // A little latency so that the processes' judge calls and writes overlap.
  await tenant.configure({ delayMs: 30 })
  runs = await Promise.all(
    POOLS.map((pool, i) =>
      runFixture('store-postgres-wide', {
        dir: dirs[i] ?? '',
        env: {
          FAULTS_POOL: pool,
          WIDE_MACHINE: `machine-${i}`,
          OPENAI_API_KEY: FAKE_API_KEY,
          OPENAI_BASE_URL: tenant.openaiBaseURL,
          VITEST_JUDGE: 'openai:fake-judge',
          VITEST_JUDGE_STORE_URL: url,
        },
        timeoutMs: 270_000,
      }),
    ),
  )
}, 300_000)

afterAll(async () => {
  await tenant?.reset()
  await admin?.end()
  server?.dispose()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

test('every process passes, with no store failure', () => {
  for (const run of runs) {
    const output = `${run.stdout}\n${run.stderr}`
    expect(output).not.toMatch(/VJ_STORE|runs are not recorded|cannot save|cannot record|deadlock|duplicate key/i)
    expect(run.exitCode).toBe(0)
    expect(run.tests).toHaveLength(FILES * CASES_PER_FILE)
  }
})

test('the database holds every invocation, run and case of every process exactly once', async () => {
  const count = async (table: string) =>
    (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM team.${table}`)).rows[0]?.n
  expect(await count('invocations')).toBe(POOLS.length)
  expect(await count('runs')).toBe(POOLS.length * FILES)
  expect(await count('cases')).toBe(POOLS.length * FILES * CASES_PER_FILE)
  const store = await openRunStore({ dir: dirs[0] ?? '', url, readonly: true })
  try {
    const invocations = await store.listInvocations({ limit: 20 })
    expect(invocations).toHaveLength(POOLS.length)
    expect(invocations.every((i) => i.status === 'complete')).toBe(true)
    expect(invocations.map((i) => i.params.machine).sort()).toEqual(POOLS.map((_, i) => `machine-${i}`))
    expect(invocations.map((i) => i.params.pool).sort()).toEqual([...POOLS].sort())
    expect(new Set(invocations.map((i) => i.id)).size).toBe(POOLS.length)
    for (const invocation of invocations) {
      const report = await store.getReport(invocation.id)
      expect(report.runs.map((r) => r.file).sort()).toEqual(['a.eval.ts', 'b.eval.ts', 'c.eval.ts', 'd.eval.ts'])
      const cases = report.runs.flatMap((r) => r.cases)
      expect(cases).toHaveLength(FILES * CASES_PER_FILE)
      expect(new Set(cases.map((c) => c.name)).size).toBe(FILES * CASES_PER_FILE)
      expect(cases.every((c) => c.scores.answer_similarity === 1 && c.scores.token_f1 === 1)).toBe(true)
    }
    // Every process reported its own invocation, and it is one of those recorded.
    expect(runs.map((r) => r.report?.invocation.id).sort()).toEqual(invocations.map((i) => i.id).sort())
  } finally {
    await store.close()
  }
})

test('the shared cache holds each judge call once, and every call was a hit or a miss', async () => {
  const cache = await openJudgeCache({ dir: dirs[0] ?? '', url, readonly: true })
  try {
    expect((await cache.stats()).entries).toBe(FILES * CASES_PER_FILE)
  } finally {
    await cache.close()
  }
  const figures = runs.flatMap((r) => r.report?.runs ?? []).map((r) => r.cache)
  const hits = figures.reduce((n, c) => n + c.hits, 0)
  const misses = figures.reduce((n, c) => n + c.misses, 0)
  expect(hits + misses).toBe(POOLS.length * FILES * CASES_PER_FILE)
  expect((await tenant.stats()).requests).toBe(misses)
})
