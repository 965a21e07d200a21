/**
 * The shared PostgreSQL store going away in the middle of a real Vitest run (fixtures/store-outage:
 * four files one after the other, judged by the fake provider through the real SDK):
 * - restarted mid-run: the writes are retried, the run completes, every row is there once;
 * - stopped mid-run and kept down: the run completes with its exit code, the console says the runs
 *   are kept in <dir>/store-spool (no password in it), and `vitest-judge store flush` (a process)
 *   or the next `vitest` run writes them once the server is back, every row once. The judge cache
 *   follows the store and goes away with it: the workers skip it and ask the judge.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import type { TestModule, Vitest } from 'vitest/node'
import { JudgeReporter } from '../../src/reporter/judge-reporter.js'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type PgServer, startPostgres } from '../pg/server.js'
import { caseMeta } from './drive-reporter.js'
import { type FixtureRun, REPO, runFixture, tempStateDir } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')
const FILES = 4
const CASES_PER_FILE = 4
/** Never sent (the test server trusts loopback), and never written anywhere. */
const PASSWORD = 'outage-pw-7f3a9c2e'

let server: PgServer
let admin: pg.Pool
let tenant: FakeTenant
const dirs: string[] = []

beforeAll(async () => {
  server = await startPostgres()
  await server.createDatabase('outage')
  admin = new pg.Pool({ connectionString: server.url('outage'), max: 1 })
  // Idle connections are dropped when the server stops.
  admin.on('error', () => {})
  tenant = fakeTenant(inject('fakeProviderUrl'))
  // Each judge call takes a while, so that the run is still going when the server goes away.
  await tenant.configure({ delayMs: 250 })
}, 120_000)

afterAll(async () => {
  await tenant?.reset()
  await admin?.end()
  server?.dispose()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function storeUrl(schema: string): string {
  return `postgres://vj:${PASSWORD}@127.0.0.1:${server.port}/outage?schema=${schema}`
}

function stateDir(): string {
  const dir = tempStateDir()
  dirs.push(dir)
  return dir
}

function runEnv(schema: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPENAI_API_KEY: FAKE_API_KEY,
    OPENAI_BASE_URL: tenant.openaiBaseURL,
    VITEST_JUDGE: 'openai:fake-judge',
    VITEST_JUDGE_STORE_URL: storeUrl(schema),
    ...extra,
  }
}

async function count(schema: string, table: string): Promise<number> {
  const result = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".${table}`)
  return result.rows[0]?.n ?? 0
}

/** Waits until the run has saved `n` runs (the tables exist once the reporter has started). */
async function waitForRuns(schema: string, n: number): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if ((await count(schema, 'runs').catch(() => 0)) >= n) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`no ${n} saved runs in schema ${schema} after 60 s`)
}

/** Every invocation, run and case of the schema, counted and checked for duplicates. */
async function rows(schema: string) {
  const invocations = await admin.query<{ id: string; status: string }>(
    `SELECT id, status FROM "${schema}".invocations ORDER BY started_ms`,
  )
  const runs = await admin.query<{ invocation_id: string; file: string }>(
    `SELECT invocation_id, file FROM "${schema}".runs ORDER BY invocation_id, file`,
  )
  const cases = await admin.query<{ name: string; n: number }>(
    `SELECT r.invocation_id || ' ' || r.file || ' ' || c.name AS name, count(*)::int AS n FROM "${schema}".cases c
     JOIN "${schema}".runs r ON r.id = c.run_id GROUP BY 1`,
  )
  return {
    invocations: invocations.rows,
    runs: runs.rows.map((r) => `${r.invocation_id} ${r.file}`),
    caseCount: cases.rows.reduce((n, c) => n + c.n, 0),
    duplicatedCases: cases.rows.filter((c) => c.n !== 1).map((c) => c.name),
  }
}

function cli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 60_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name)
      return { path, text: readFileSync(path, 'utf8') }
    })
}

function output(run: FixtureRun | { stdout: string; stderr: string }): string {
  return `${run.stdout}\n${run.stderr}`
}

describe('the server restarts in the middle of the run', () => {
  const schema = 'restart'
  let run: FixtureRun
  let savedAtStop = 0
  let endedWhileDown = true

  beforeAll(async () => {
    let ended = false
    const running = runFixture('store-outage', { dir: stateDir(), env: runEnv(schema), timeoutMs: 150_000 })
    running.then(() => {
      ended = true
    })
    await waitForRuns(schema, 1)
    savedAtStop = await count(schema, 'runs')
    server.stop()
    await new Promise((resolve) => setTimeout(resolve, 2500))
    endedWhileDown = ended
    server.start()
    run = await running
  }, 180_000)

  test('the restart fell in the middle of the run: runs were still to be saved, and the run waited for the server', () => {
    expect(savedAtStop).toBeLessThan(FILES)
    expect(endedWhileDown).toBe(false)
  })

  test('the run completes with the exit code of a run without the fault, nothing spooled', () => {
    expect(run.exitCode, output(run)).toBe(0)
    expect(run.tests).toHaveLength(FILES * CASES_PER_FILE)
    expect(run.tests.every((t) => t.state === 'passed')).toBe(true)
    expect(output(run)).not.toMatch(/VJ_STORE|cannot save|cannot record|cannot finish|store-spool|was away/i)
    expect(existsSync(join(run.dir, 'store-spool'))).toBe(false)
  })

  test('every invocation, run and case is in the database exactly once', async () => {
    const stored = await rows(schema)
    expect(stored.invocations).toEqual([{ id: run.report?.invocation.id, status: 'complete' }])
    expect(stored.runs).toHaveLength(FILES)
    expect(new Set(stored.runs).size).toBe(FILES)
    expect(stored.caseCount).toBe(FILES * CASES_PER_FILE)
    expect(stored.duplicatedCases).toEqual([])
  })
})

describe('the server stops in the middle of the run and stays down', () => {
  const schema = 'down'
  const dir = stateDir()
  let run: FixtureRun
  let savedBeforeStop = 0
  let spoolFiles: { path: string; text: string }[] = []
  let flushDown: ReturnType<typeof cli>
  let flush: ReturnType<typeof cli>
  let runsBefore: ReturnType<typeof cli>
  let runsAfter: ReturnType<typeof cli>
  let flushAgain: ReturnType<typeof cli>
  let afterFlush: Awaited<ReturnType<typeof rows>>

  beforeAll(async () => {
    const running = runFixture('store-outage', {
      dir,
      // A short retry window, so that the test does not wait 30 s per write. The judge cache follows
      // the store (the default): it goes away too.
      env: runEnv(schema, { VITEST_JUDGE_STORE_RETRY_MS: '1500' }),
      timeoutMs: 150_000,
    })
    await waitForRuns(schema, 1)
    savedBeforeStop = await count(schema, 'runs')
    server.stop()
    run = await running
    spoolFiles = filesUnder(join(dir, 'store-spool'))
    flushDown = cli(['store', 'flush', '--dir', dir], {
      VITEST_JUDGE_STORE_URL: storeUrl(schema),
      VITEST_JUDGE_STORE_RETRY_MS: '300',
    })
    server.start()
    runsBefore = cli(['runs', '--dir', dir], { VITEST_JUDGE_STORE_URL: storeUrl(schema) })
    flush = cli(['store', 'flush', '--dir', dir, '--store', storeUrl(schema)], {})
    afterFlush = await rows(schema)
    runsAfter = cli(['runs', '--dir', dir], { VITEST_JUDGE_STORE_URL: storeUrl(schema) })
    flushAgain = cli(['store', 'flush', '--dir', dir], { VITEST_JUDGE_STORE_URL: storeUrl(schema) })
  }, 240_000)

  test('the run completes with its exit code, its reports written, and the console says the runs are kept', () => {
    expect(run.exitCode, output(run)).toBe(0)
    expect(run.tests).toHaveLength(FILES * CASES_PER_FILE)
    expect(run.report?.runs).toHaveLength(FILES)
    const id = run.report?.invocation.id ?? ''
    const kept = spoolFiles.filter((f) => /run-\d+-.*\.json$/.test(f.path)).length
    expect(kept).toBeGreaterThanOrEqual(FILES - savedBeforeStop)
    const text = output(run)
    expect(text).toMatch(
      /cannot save the run of [a-d]\.eval\.ts: Cannot reach the PostgreSQL store at 127\.0\.0\.1:\d+, database "outage"/,
    )
    expect(text).toContain(
      `the run store postgres://vj@127.0.0.1:${server.port}/outage?schema=down was away: ${kept} runs of invocation ${id} are kept in ${join(dir, 'store-spool', id)}, nothing is lost`,
    )
    expect(text).toContain('vitest-judge store flush')
    expect(text).not.toContain(PASSWORD)
  })

  test('the shared judge cache, away too, is skipped: every case is judged and passes, as said on the console', () => {
    expect(run.tests.every((t) => t.state === 'passed')).toBe(true)
    expect(output(run)).toMatch(
      /the shared judge cache is away \(Cannot reach the PostgreSQL store at 127\.0\.0\.1:\d+, database "outage".*go to the provider, uncached/,
    )
  })

  test('the spool holds the invocation, its runs and its end, and never the password or the URL', () => {
    const id = run.report?.invocation.id ?? ''
    const names = spoolFiles.map((f) => f.path.slice(join(dir, 'store-spool', id).length + 1)).sort()
    expect(names).toContain('invocation.json')
    expect(names).toContain('end.json')
    expect(JSON.parse(spoolFiles.find((f) => f.path.endsWith('end.json'))?.text ?? '{}').status).toBe('complete')
    for (const file of spoolFiles) {
      expect(file.text).not.toContain(PASSWORD)
      expect(file.text).not.toContain('postgres://')
    }
  })

  test('store flush with the server still down fails with VJ_STORE and keeps the spool', () => {
    expect(flushDown.code).toBe(2)
    expect(flushDown.stderr).toMatch(/Cannot reach the PostgreSQL store at 127\.0\.0\.1:\d+, database "outage"/)
    expect(flushDown.stderr).toMatch(/Nothing was lost: what is not written stays in .*store-spool/)
    expect(output(flushDown)).not.toContain(PASSWORD)
  })

  test('store flush with the server back writes every row once, says so, and empties the spool', () => {
    const id = run.report?.invocation.id ?? ''
    const kept = spoolFiles.filter((f) => /run-\d+-.*\.json$/.test(f.path)).length
    expect(flush.code, output(flush)).toBe(0)
    expect(flush.stdout).toContain(`Wrote invocation ${id}: ${kept} runs, complete.`)
    expect(flush.stdout).toMatch(
      new RegExp(`Wrote ${kept} runs of 1 invocation to postgres://vj@127\\.0\\.0\\.1:\\d+/outage\\?schema=down\\.`),
    )
    expect(output(flush)).not.toContain(PASSWORD)
    expect(afterFlush.invocations).toEqual([{ id, status: 'complete' }])
    expect(afterFlush.runs).toHaveLength(FILES)
    expect(new Set(afterFlush.runs).size).toBe(FILES)
    expect(afterFlush.caseCount).toBe(FILES * CASES_PER_FILE)
    expect(afterFlush.duplicatedCases).toEqual([])
    expect(existsSync(join(dir, 'store-spool'))).toBe(false)
  })

  test('`runs` says that an invocation waits in the spool, until it is flushed', () => {
    expect(runsBefore.code).toBe(0)
    expect(runsBefore.stderr).toMatch(
      /1 invocation is kept in .*store-spool while the shared store was away, and not listed here: `vitest-judge store flush` writes them\./,
    )
    expect(runsAfter.code).toBe(0)
    expect(runsAfter.stderr).not.toMatch(/store-spool/)
    expect(runsAfter.stdout).toContain(run.report?.invocation.id ?? '?')
  })

  test('a second flush has nothing to flush', () => {
    expect(flushAgain.code).toBe(0)
    expect(flushAgain.stdout).toMatch(/Nothing to flush: no runs are kept in .*store-spool\./)
  })
})

describe('the next vitest run writes what the last one kept', () => {
  const schema = 'next_run'
  const dir = stateDir()
  let down: FixtureRun
  let next: FixtureRun
  let kept = 0

  beforeAll(async () => {
    const env = runEnv(schema, { VITEST_JUDGE_STORE_RETRY_MS: '1500' })
    const running = runFixture('store-outage', { dir, env, timeoutMs: 150_000 })
    await waitForRuns(schema, 1)
    server.stop()
    down = await running
    kept = filesUnder(join(dir, 'store-spool')).filter((f) => /run-\d+-.*\.json$/.test(f.path)).length
    server.start()
    next = await runFixture('store-outage', { dir, env, timeoutMs: 150_000 })
  }, 240_000)

  test('the next run writes the spool first, says so, and records itself', async () => {
    expect(down.exitCode, output(down)).toBe(0)
    expect(kept).toBeGreaterThan(0)
    expect(next.exitCode, output(next)).toBe(0)
    expect(output(next)).toMatch(
      new RegExp(`wrote ${kept} runs of 1 invocation kept in .*store-spool while the store was away to postgres://vj@`),
    )
    expect(existsSync(join(dir, 'store-spool'))).toBe(false)
    const stored = await rows(schema)
    expect(stored.invocations).toEqual([
      { id: down.report?.invocation.id, status: 'complete' },
      { id: next.report?.invocation.id, status: 'complete' },
    ])
    expect(stored.runs).toHaveLength(2 * FILES)
    expect(new Set(stored.runs).size).toBe(2 * FILES)
    expect(stored.caseCount).toBe(2 * FILES * CASES_PER_FILE)
    expect(stored.duplicatedCases).toEqual([])
  })
})

describe('store flush usage', () => {
  test('without a shared store URL it says what to pass (exit 2); an unknown subcommand too', () => {
    const noUrl = cli(['store', 'flush', '--dir', stateDir()], { VITEST_JUDGE_STORE_URL: '' })
    expect(noUrl.code).toBe(2)
    expect(noUrl.stderr).toMatch(/`store flush` writes into the shared store: pass --store postgres:/)
    const unknown = cli(['store', 'push'], {})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/Unknown subcommand "push": use `vitest-judge store flush`/)
  })
})

describe('watch mode: one reporter, the store away during the first invocation', () => {
  const schema = 'watch'
  const dir = stateDir()
  const logged: string[] = []
  const ids: string[] = []

  /** A finished test file shaped like Vitest's, with `count` judged cases. */
  function finishedModule(file: string, count: number): TestModule {
    const tests = Array.from({ length: count }, (_, i) => ({
      fullName: `case ${i}`,
      result: () => ({ state: 'passed' }),
      diagnostic: () => ({ duration: 5 }),
      meta: () => ({ vitestJudge: caseMeta(file, i, 0) }),
    }))
    return {
      moduleId: join(dir, file),
      children: { allTests: () => tests[Symbol.iterator]() },
      diagnostic: () => ({ duration: 50 }),
    } as unknown as TestModule
  }

  beforeAll(async () => {
    const saved = process.env.VITEST_JUDGE_STORE_RETRY_MS
    process.env.VITEST_JUDGE_STORE_RETRY_MS = '500'
    const log = (t: string) => logged.push(t)
    const vitest = {
      config: { root: dir, reporters: [['default', {}]] },
      logger: { log, error: log, warn: log },
    } as unknown as Vitest
    const reporter = new JudgeReporter({ dir: join(dir, 'state'), store: storeUrl(schema), experiment: 'watch' })
    try {
      await reporter.onInit(vitest)
      for (const down of [true, false]) {
        await reporter.onTestRunStart()
        if (down) server.stop()
        const modules = [finishedModule('a.eval.ts', 3), finishedModule('b.eval.ts', 2)]
        for (const module of modules) await reporter.onTestModuleEnd(module)
        await reporter.onTestRunEnd(modules, [], 'passed')
        ids.push(JSON.parse(readFileSync(join(dir, 'state', 'report.json'), 'utf8')).invocation.id)
        if (down) server.start()
      }
    } finally {
      if (saved === undefined) delete process.env.VITEST_JUDGE_STORE_RETRY_MS
      else process.env.VITEST_JUDGE_STORE_RETRY_MS = saved
    }
  }, 120_000)

  test('the next invocation of the same process writes what the first kept, every row once', async () => {
    const text = logged.join('\n')
    expect(text).toMatch(/runs of invocation \S+ are kept in .*store-spool/)
    expect(text).toMatch(/wrote 2 runs of 1 invocation kept in .*store-spool while the store was away/)
    expect(existsSync(join(dir, 'state', 'store-spool'))).toBe(false)
    const stored = await rows(schema)
    expect(stored.invocations.map((i) => i.id).sort()).toEqual([...ids].sort())
    expect(stored.invocations.every((i) => i.status === 'complete')).toBe(true)
    expect(stored.runs).toHaveLength(4)
    expect(stored.caseCount).toBe(10)
    expect(stored.duplicatedCases).toEqual([])
  })
})
