/**
 * A team sharing one PostgreSQL store: real Vitest on fixtures/eval-suite from two "machines" (two
 * state folders, one URL), the CLI with --store, and a server that is down at start.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type PgServer, startPostgres } from '../pg/server.js'
import { type FixtureRun, REPO, runFixture, tempStateDir } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')

let server: PgServer
let url: string
let admin: pg.Pool
let tenant: FakeTenant
const machineA = tempStateDir()
const machineB = tempStateDir()
let first: FixtureRun
let second: FixtureRun
let requestsAfterFirst = 0
let requestsAfterSecond = 0

const env = () => ({
  OPENAI_API_KEY: FAKE_API_KEY,
  OPENAI_BASE_URL: tenant.openaiBaseURL,
  VITEST_JUDGE: 'openai:fake-judge',
  VITEST_JUDGE_STORE_URL: url,
})

function cli(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: machineB,
    env: { ...process.env },
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

beforeAll(async () => {
  server = await startPostgres()
  url = `${await server.createDatabase('team')}?schema=vj`
  admin = new pg.Pool({ connectionString: server.url('team'), max: 1 })
  tenant = fakeTenant(inject('fakeProviderUrl'))
  first = await runFixture('eval-suite', { env: env(), dir: machineA })
  requestsAfterFirst = (await tenant.stats()).requests
  second = await runFixture('eval-suite', { env: env(), dir: machineB })
  requestsAfterSecond = (await tenant.stats()).requests
})

afterAll(async () => {
  await tenant?.reset()
  await admin?.end()
  server?.dispose()
})

describe('two machines, one PostgreSQL store', () => {
  test('the first machine records its run in the database, not in local files', async () => {
    expect(first.stderr).not.toMatch(/vitest-judge: (runs are not recorded|cannot)/)
    expect(first.tests).toHaveLength(8)
    expect(requestsAfterFirst).toBe(8)
    const counts = await admin.query(
      'SELECT (SELECT count(*) FROM vj.invocations)::int AS inv, (SELECT count(*) FROM vj.cases)::int AS cases, (SELECT count(*) FROM vj.cache_entries)::int AS cached',
    )
    expect(counts.rows[0]).toEqual({ inv: 2, cases: 16, cached: 8 })
    expect(existsSync(join(machineA, 'runs.db'))).toBe(false)
    expect(existsSync(join(machineA, 'cache.db'))).toBe(false)
  })

  test('the second machine makes no provider call for what the first judged, and compares with its run', () => {
    expect(second.stderr).not.toMatch(/vitest-judge: (runs are not recorded|cannot)/)
    expect(requestsAfterSecond).toBe(requestsAfterFirst)
    expect(second.report?.runs[0]?.cache).toEqual({ hits: 8, misses: 0 })
    // The baseline (`previous`) is the first machine's invocation, read from the database.
    expect(second.report?.comparison?.base.invocationId).toBe(first.report?.invocation.id)
  })

  test('the CLI reads and tags the shared store with --store', () => {
    const runs = cli(['runs', '--json', '--store', url])
    expect(runs.stderr, runs.stdout).toBe('')
    const listed = JSON.parse(runs.stdout) as { id: string }[]
    expect(listed.map((i) => i.id)).toEqual([second.report?.invocation.id, first.report?.invocation.id])
    expect(cli(['show', 'latest', '--store', url]).stdout).toContain('answer_similarity')
    const tagged = cli(['tag', first.report?.invocation.id ?? '', 'baseline', '--store', url])
    expect(tagged.code).toBe(0)
    const compared = cli(['compare', '--base', 'tag:baseline', '--format', 'json', '--store', url])
    expect(compared.code).toBe(0)
    expect(JSON.parse(compared.stdout).comparison.base.invocationId).toBe(first.report?.invocation.id)
    const exported = cli(['export', 'latest', '--out', '-', '--store', url])
    expect(JSON.parse(exported.stdout).runs[0].cases).toHaveLength(8)
    const stats = cli(['cache', 'stats', '--json', '--store', url])
    expect(JSON.parse(stats.stdout)).toMatchObject({ entries: 8, hits: 8 })
  })

  test('ui --store serves the newest invocation of the shared store, whatever the local folder holds', async () => {
    const ui = spawn(process.execPath, [CLI, 'ui', '--port', '0', '--dir', tempStateDir(), '--store', url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VITEST_JUDGE_STORE_URL: '' },
    })
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = ''
        ui.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
          if (found?.[1]) resolve(found[1])
        })
        ui.on('exit', (code) => reject(new Error(`ui exited with ${code}: ${out}`)))
      })
      const state = (await (await fetch(`${base}api/state`)).json()) as { latest: string | null }
      expect(state.latest).toBe(second.report?.invocation.id)
      const page = await fetch(`${base}?inv=${first.report?.invocation.id}`)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('id="vj-data"')
    } finally {
      ui.kill('SIGTERM')
    }
  })
})

test('a server that is down at start stops the run before any judge call, naming host and database', async () => {
  const secret = 'Pa55word-never-shown'
  const before = (await tenant.stats()).requests
  const down = await runFixture('eval-suite', {
    env: { ...env(), VITEST_JUDGE_STORE_URL: `postgres://vj:${secret}@127.0.0.1:1/teamdb?schema=vj` },
    dir: tempStateDir(),
  })
  const output = down.stdout + down.stderr
  expect(down.exitCode).not.toBe(0)
  expect(output).toMatch(/Cannot reach the PostgreSQL store at 127\.0\.0\.1:1, database "teamdb"/)
  expect(output).not.toContain(secret)
  expect(down.tests.filter((t) => t.state === 'passed')).toEqual([])
  expect((await tenant.stats()).requests).toBe(before)
})
