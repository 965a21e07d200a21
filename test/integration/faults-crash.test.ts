/**
 * `kill -9` of `vitest` (and its workers) in the middle of a slow run of fixtures/faults-crash:
 * runs.db and cache.db stay readable, the CLI lists the half-done invocation as interrupted (never
 * complete), the next run is green, and the judge results cached before the kill are reused.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import type { InvocationSummary } from '../../src/store/run-store.js'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, REPO, runFixture, tempStateDir } from './run-fixture.js'

const ROOT = join(REPO, 'fixtures/faults-crash')
const CASES = 4 + 8 + 8
const dir = tempStateDir()
let tenant: FakeTenant
let env: Record<string, string>
let killedAfterMs = 0
let killedStderr = ''
let cachedBeforeRerun = 0
let savedRunsAtKill = 0
let cliAfterKill: { status: number | null; stdout: string; stderr: string }
let cliTextAfterKill: { status: number | null; stdout: string; stderr: string }
let cacheStatsAfterKill: { status: number | null; stdout: string; stderr: string }
const integrity: string[] = []
let requestsBeforeRerun = 0
let rerun: FixtureRun
let requestsOfRerun = 0

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), ...args, '--dir', dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Reads a number from a database without writing to it; undefined while the file or table is not there. */
function query(file: string, sql: string): number | undefined {
  if (!existsSync(file)) return undefined
  let db: BetterSqlite3.Database | undefined
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
    return db.prepare(sql).pluck().get() as number
  } catch {
    return undefined
  } finally {
    db?.close()
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

beforeAll(async () => {
  tenant = fakeTenant(inject('fakeProviderUrl'))
  await tenant.configure({ delayMs: 500 })
  env = {
    OPENAI_API_KEY: FAKE_API_KEY,
    OPENAI_BASE_URL: tenant.openaiBaseURL,
    VITEST_JUDGE: 'openai:fake-judge',
    VITEST_JUDGE_DIR: dir,
    NO_COLOR: '1',
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env }
  for (const name of Object.keys(childEnv))
    if (/^(VITEST|OPENAI_|GEMINI_|GOOGLE_|TEST$|NODE_ENV$)/.test(name)) delete childEnv[name]
  Object.assign(childEnv, env)
  // Its own process group, so that one kill(-pid) takes the workers too.
  const child = spawn(process.execPath, [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--root', ROOT], {
    cwd: ROOT,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr?.on('data', (d: Buffer) => {
    killedStderr += d.toString()
  })
  const started = Date.now()
  const runsDb = join(dir, 'runs.db')
  while (Date.now() - started < 40_000 && child.exitCode === null) {
    if ((query(runsDb, 'SELECT count(*) FROM runs') ?? 0) >= 1) break
    await new Promise((r) => setTimeout(r, 100))
  }
  // Let the next file get some judge results cached, then kill everything at once.
  await new Promise((r) => setTimeout(r, 700))
  killedAfterMs = Date.now() - started
  if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
  await exited(child)
  savedRunsAtKill = query(runsDb, 'SELECT count(*) FROM runs') ?? 0

  for (const file of ['runs.db', 'cache.db']) {
    const db = new BetterSqlite3(join(dir, file), { readonly: true, fileMustExist: true })
    integrity.push(db.pragma('integrity_check', { simple: true }) as string)
    db.close()
  }
  cliAfterKill = cli('runs', '--json')
  cliTextAfterKill = cli('runs')
  cacheStatsAfterKill = cli('cache', 'stats')
  cachedBeforeRerun = query(join(dir, 'cache.db'), 'SELECT count(*) FROM entries') ?? 0

  await tenant.configure({})
  requestsBeforeRerun = (await tenant.stats()).requests
  rerun = await runFixture(ROOT, { env, dir })
  requestsOfRerun = (await tenant.stats()).requests - requestsBeforeRerun
}, 120_000)

afterAll(async () => {
  await tenant?.reset()
  rmSync(dir, { recursive: true, force: true })
})

test('the kill landed in the middle of the run', () => {
  expect(killedAfterMs).toBeLessThan(40_000)
  expect(savedRunsAtKill).toBeGreaterThanOrEqual(1)
  expect(savedRunsAtKill).toBeLessThan(3)
  expect(cachedBeforeRerun).toBeGreaterThan(0)
  expect(cachedBeforeRerun).toBeLessThan(CASES)
  expect(killedStderr).not.toMatch(/SQLITE_|database disk image/i)
})

test('runs.db and cache.db are intact and readable after the kill', () => {
  expect(integrity).toEqual(['ok', 'ok'])
  expect(cacheStatsAfterKill.stderr).toBe('')
  expect(cacheStatsAfterKill.status).toBe(0)
})

test('the CLI lists the killed invocation as interrupted, never complete', () => {
  expect(cliAfterKill.stderr).toBe('')
  expect(cliAfterKill.status).toBe(0)
  const invocations = JSON.parse(cliAfterKill.stdout) as InvocationSummary[]
  expect(invocations).toHaveLength(1)
  expect(invocations[0]?.status).toBe('interrupted')
  expect(invocations[0]?.runs.length).toBe(savedRunsAtKill)
  expect(cliTextAfterKill.status).toBe(0)
  expect(cliTextAfterKill.stdout).toMatch(/interrupted/)
  expect(cliTextAfterKill.stdout).not.toMatch(/complete/)
})

test('the next run is green and reuses what was cached before the kill', () => {
  expect(rerun.exitCode).toBe(0)
  expect(rerun.tests).toHaveLength(CASES)
  expect(rerun.tests.every((t) => t.state === 'passed')).toBe(true)
  const runs = rerun.report?.runs ?? []
  const hits = runs.reduce((n, r) => n + r.cache.hits, 0)
  const misses = runs.reduce((n, r) => n + r.cache.misses, 0)
  expect(hits).toBe(cachedBeforeRerun)
  expect(hits + misses).toBe(CASES)
  expect(requestsOfRerun).toBe(misses)
  expect(requestsOfRerun).toBeLessThan(CASES)
})

test('after the next run, the killed invocation still reads as interrupted', () => {
  const listed = cli('runs', '--json')
  expect(listed.stderr).toBe('')
  expect(listed.status).toBe(0)
  const invocations = JSON.parse(listed.stdout) as InvocationSummary[]
  expect(invocations.map((i) => i.status)).toEqual(['complete', 'interrupted'])
})
