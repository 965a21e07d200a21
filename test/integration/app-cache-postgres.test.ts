/**
 * The app cache shared through PostgreSQL (`cache.url`): what one machine (state folder) recorded,
 * another replays with no key and no request; the table holds no key or header.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type PgServer, startPostgres } from '../pg/server.js'
import { type FixtureRun, runFixture, tempStateDir } from './run-fixture.js'

let server: PgServer
let url: string
let admin: pg.Pool
let tenant: FakeTenant
let first: FixtureRun
let second: FixtureRun
let afterFirst = 0
const machineA = tempStateDir()
const machineB = tempStateDir()

beforeAll(async () => {
  server = await startPostgres()
  url = `${await server.createDatabase('team')}?schema=vj`
  admin = new pg.Pool({ connectionString: server.url('team'), max: 1 })
  tenant = fakeTenant(inject('fakeProviderUrl'))
  first = await runFixture('app-cache', {
    dir: machineA,
    env: {
      APP_BASE_URL: tenant.openaiBaseURL,
      APP_KEY: FAKE_API_KEY,
      VITEST_JUDGE_CACHE_URL: url,
      VITEST_JUDGE_APP_CACHE: 'record',
    },
  })
  afterFirst = (await tenant.stats()).requests
  // The second machine has no key and no provider: only the shared recordings.
  second = await runFixture('app-cache', {
    dir: machineB,
    env: { APP_BASE_URL: 'http://127.0.0.1:9/v1', VITEST_JUDGE_CACHE_URL: url, VITEST_JUDGE_APP_CACHE: 'replay' },
  })
})

afterAll(async () => {
  await tenant?.reset()
  await admin?.end()
  server?.dispose()
})

test('one machine records into the shared schema, not into its state folder', async () => {
  expect(first.exitCode, first.stderr).toBe(0)
  expect(afterFirst).toBe(3)
  const rows = await admin.query(
    'SELECT kind, count(*)::int AS n FROM vj.app_cache_entries GROUP BY kind ORDER BY kind',
  )
  expect(rows.rows).toEqual([
    { kind: 'model', n: 3 },
    { kind: 'tool', n: 3 },
  ])
  expect(existsSync(join(machineA, 'cache.db'))).toBe(false)
})

test('another machine replays them: same outputs, no request, no key', async () => {
  expect(second.exitCode, second.stderr).toBe(0)
  expect((await tenant.stats()).requests).toBe(afterFirst)
  const outputs = (run: FixtureRun) => run.report?.runs[0]?.cases.map((c) => [c.name, c.output])
  expect(outputs(second)).toEqual(outputs(first))
  expect(second.report?.runs[0]?.appCache).toMatchObject({ replayed: 6, replayedCases: 3, misses: 0 })
})

test('the shared table holds no key and no header', async () => {
  const dump = await admin.query('SELECT key, kind, name, value FROM vj.app_cache_entries')
  const text = JSON.stringify(dump.rows)
  expect(text).not.toContain(FAKE_API_KEY)
  expect(text.toLowerCase()).not.toContain('authorization')
  expect(text.toLowerCase()).not.toContain('x-request-id')
})
