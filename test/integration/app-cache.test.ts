/**
 * The app cache (issue 27) as a user meets it: a real Vitest run of fixtures/app-cache, whose app is
 * built on the AI SDK (ai 6 + @ai-sdk/openai 3) against the fake provider, run twice.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, REPO, runFixture, tempStateDir } from './run-fixture.js'

/** `vitest-judge <args>` as a process. */
function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' }
  delete env.VITEST_JUDGE_DIR
  const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), ...args], { env, encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const outputs = (run: FixtureRun) => run.report?.runs[0]?.cases.map((c) => [c.name, c.output]) ?? []

function toolRuns(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
}

/** Every byte of the state folder's files, as text (the store files must hold no key or header). */
function stateBytes(dir: string): string {
  return readdirSync(dir)
    .filter((name) => name.startsWith('cache.db'))
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n')
}

describe('auto: the second run makes no app request', () => {
  let tenant: FakeTenant
  let dir: string
  let log: string
  let first: FixtureRun
  let second: FixtureRun
  let afterFirst = 0
  let afterSecond = 0
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    dir = tempStateDir()
    log = join(dir, 'tools.log')
    const env = {
      APP_BASE_URL: tenant.openaiBaseURL,
      APP_KEY: FAKE_API_KEY,
      TOOL_LOG: log,
      VITEST_JUDGE_APP_CACHE: 'auto',
    }
    first = await runFixture('app-cache', { env, dir })
    afterFirst = (await tenant.stats()).requests
    // A live call would now answer differently: a replay must give the first run's outputs.
    await tenant.configure({ score: 5 })
    second = await runFixture('app-cache', { env, dir })
    afterSecond = (await tenant.stats()).requests
  })
  afterAll(() => tenant?.reset())

  test('the first run calls the app model once per case and records each call', () => {
    expect(first.exitCode, first.stderr).toBe(0)
    expect(afterFirst).toBe(3)
    expect(toolRuns(log)).toHaveLength(3)
    const app = first.report?.runs[0]?.appCache
    expect(app).toMatchObject({ replayed: 0, recorded: 6, misses: 0, replayedCases: 0 })
  })

  test('the second run makes zero app requests, runs no tool, and gives the same outputs', () => {
    expect(second.exitCode, second.stderr).toBe(0)
    expect(afterSecond).toBe(afterFirst)
    expect(toolRuns(log)).toHaveLength(3)
    expect(outputs(second)).toEqual(outputs(first))
    expect(outputs(first).every(([, output]) => typeof output === 'string' && output.length > 0)).toBe(true)
  })

  test('the replayed cases say so, with the recorded latency apart and the tokens saved', () => {
    const run = second.report?.runs[0]
    expect(run?.appCache).toMatchObject({ replayed: 6, recorded: 0, replayedCases: 3 })
    for (const c of run?.cases ?? []) {
      expect(c.appCache?.replayed).toBe(2)
      expect(c.appCache?.savedTokens.input).toBeGreaterThan(0)
      expect(c.appCache?.replayedLatencyMs).toBeGreaterThan(0)
    }
    // The AI SDK's own model-call spans (experimental_telemetry) are marked as answered by the cache.
    const llm = (r: FixtureRun | undefined) =>
      r?.report?.runs[0]?.cases
        .flatMap((c) => c.trace?.spans ?? [])
        .filter((s) => s.kind === 'llm' && /doGenerate|doStream/.test(s.name)) ?? []
    expect(llm(first)).toHaveLength(3)
    expect(llm(first).some((s) => s.cached)).toBe(false)
    expect(llm(second)).toHaveLength(3)
    expect(llm(second).every((s) => s.cached === true)).toBe(true)
    // Streamed and generated calls alike report the recorded usage to the app.
    expect(run?.cases.map((c) => c.tokens)).toEqual(first.report?.runs[0]?.cases.map((c) => c.tokens))
  })

  test('the comparison with the live first run counts the replayed cases of each side', () => {
    expect(second.report?.comparison?.runs[0]?.replayed).toEqual({ base: 0, head: 3, baseCases: 3, headCases: 3 })
    expect(second.stdout).toMatch(/replayed.*3 of 3 cases/i)
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain(
      'app calls replayed: 3 of 3 cases (baseline 0 of 3)',
    )
  })

  test('no key and no header reach the store files', () => {
    const bytes = stateBytes(dir)
    expect(bytes).toContain('app_entries')
    expect(bytes).not.toContain(FAKE_API_KEY)
    expect(bytes.toLowerCase()).not.toContain('authorization')
    expect(bytes.toLowerCase()).not.toContain('x-request-id')
  })

  test('replay with a changed temperature or tool definition is a miss: VJ_REPLAY_MISS, no request', async () => {
    for (const change of [{ APP_TEMPERATURE: '0.7' }, { APP_TOOL_DESC: 'Search the whole web' }]) {
      const replay = await runFixture('app-cache', {
        dir,
        env: { APP_BASE_URL: tenant.openaiBaseURL, TOOL_LOG: log, VITEST_JUDGE_APP_CACHE: 'replay', ...change },
      })
      expect(replay.exitCode).not.toBe(0)
      const failed = replay.tests.filter((t) => t.state === 'failed')
      expect(failed).toHaveLength(3)
      for (const t of failed)
        expect(t.errors.join('\n')).toMatch(
          /No recording of the app's call openai\.chat gpt-4\.1-mini (generate|stream)/,
        )
      expect((await tenant.stats()).requests).toBe(afterFirst)
      expect(toolRuns(log)).toHaveLength(3)
    }
  })

  test('replay of what was recorded needs no key and no provider', async () => {
    const replay = await runFixture('app-cache', {
      dir,
      env: { APP_BASE_URL: 'http://127.0.0.1:9/v1', TOOL_LOG: log, VITEST_JUDGE_APP_CACHE: 'replay' },
    })
    expect(replay.exitCode, replay.stderr).toBe(0)
    expect(outputs(replay)).toEqual(outputs(first))
  })

  test('cache stats counts the app entries apart; cache clear keeps them unless --app', () => {
    const stats = cli(['cache', 'stats', '--json', '--dir', dir])
    expect(stats.code, stats.stderr).toBe(0)
    const figures = JSON.parse(stats.stdout) as { entries: number; app: { entries: number; byKind: object } }
    expect(figures.entries).toBe(0) // the local judge caches nothing
    expect(figures.app.entries).toBe(6)
    expect(figures.app.byKind).toEqual({
      model: { entries: 3, bytes: expect.any(Number) },
      tool: { entries: 3, bytes: expect.any(Number) },
    })
    expect(cli(['cache', 'stats', '--dir', dir]).stdout).toMatch(/App cache[^\n]*\n\s+entries 6 \(model 3 · tool 3\)/)
    expect(cli(['cache', 'clear', '--dir', dir]).stdout).toContain('Deleted 0 entries')
    expect(JSON.parse(cli(['cache', 'stats', '--json', '--dir', dir]).stdout).app.entries).toBe(6)
    const cleared = cli(['cache', 'clear', '--app', '--dir', dir])
    expect(cleared.stdout).toMatch(/Deleted 6 app cache entries from .*cache\.db; 0 left\./)
    expect(JSON.parse(cli(['cache', 'stats', '--json', '--dir', dir]).stdout).app.entries).toBe(0)
    expect(cli(['cache', 'stats', '--app', '--dir', dir]).code).not.toBe(0)
  })
})

describe('replay with nothing recorded', () => {
  test('fails every case with VJ_REPLAY_MISS naming the call, and makes no request', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const dir = tempStateDir()
    const run = await runFixture('app-cache', {
      dir,
      env: {
        APP_BASE_URL: tenant.openaiBaseURL,
        APP_KEY: FAKE_API_KEY,
        APP_CACHE_OPTION: 'replay',
        APP_WRAP: 'middleware',
      },
    })
    expect(run.exitCode).not.toBe(0)
    expect(run.tests.map((t) => t.state)).toEqual(['failed', 'failed', 'failed'])
    // The tool is the first call of each case: its miss names it, with the request's start.
    expect(run.tests[0]?.errors.join('\n')).toContain("No recording of the app's call tool lookup")
    expect(run.tests[0]?.errors.join('\n')).toContain('What is the capital of France?')
    expect((await tenant.stats()).requests).toBe(0)
    expect(run.report?.runs[0]?.appCache?.misses).toBe(3)
  })
})

describe('which mode a call gets', () => {
  test("a suite's appCache: 'off' keeps it live over the plugin option; VITEST_JUDGE_APP_CACHE wins over both", async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const dir = tempStateDir()
    const base = { APP_BASE_URL: tenant.openaiBaseURL, APP_KEY: FAKE_API_KEY, APP_FILES: 'suite-mode.eval.ts' }
    const run = (env: Record<string, string>) => runFixture('app-cache', { dir, env: { ...base, ...env } })
    // Plugin option auto, suite off: both trials live, twice.
    await run({ APP_CACHE_OPTION: 'auto' })
    await run({ APP_CACHE_OPTION: 'auto' })
    expect((await tenant.stats()).requests).toBe(4)
    // The variable wins: the first run records each trial's call (two entries), the second replays both.
    const recorded = await run({ VITEST_JUDGE_APP_CACHE: 'auto' })
    expect(recorded.report?.runs[0]?.cases[0]?.appCache).toMatchObject({ recorded: 2, replayed: 0 })
    const replayed = await run({ VITEST_JUDGE_APP_CACHE: 'auto' })
    expect(replayed.report?.runs[0]?.cases[0]?.appCache).toMatchObject({ recorded: 0, replayed: 2 })
    expect((await tenant.stats()).requests).toBe(6)
  })
})

describe('traceClient: the real openai SDK', () => {
  test('auto: a second run makes zero requests, gives the same outputs, and its llm spans say cached', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const dir = tempStateDir()
    const env = {
      APP_BASE_URL: tenant.openaiBaseURL,
      APP_KEY: FAKE_API_KEY,
      APP_FILES: 'client.eval.ts',
      VITEST_JUDGE_APP_CACHE: 'auto',
    }
    const first = await runFixture('app-cache', { dir, env })
    expect(first.exitCode, first.stderr).toBe(0)
    const afterFirst = (await tenant.stats()).requests
    expect(afterFirst).toBe(2)
    await tenant.configure({ score: 5 })
    const second = await runFixture('app-cache', { dir, env })
    expect(second.exitCode, second.stderr).toBe(0)
    expect((await tenant.stats()).requests).toBe(afterFirst)
    expect(outputs(second)).toEqual(outputs(first))
    const spans = (run: FixtureRun) => run.report?.runs[0]?.cases.flatMap((c) => c.trace?.spans ?? []) ?? []
    expect(spans(first).filter((s) => s.kind === 'llm')).toHaveLength(2)
    expect(spans(first).some((s) => s.cached)).toBe(false)
    const replayedSpans = spans(second).filter((s) => s.kind === 'llm')
    expect(replayedSpans).toHaveLength(2)
    expect(replayedSpans.every((s) => s.cached === true)).toBe(true)
    // The recorded usage is on the replayed span; its cost is saved, not spent.
    expect(replayedSpans.every((s) => Number(s.attributes['gen_ai.usage.input_tokens']) > 0)).toBe(true)
    for (const c of second.report?.runs[0]?.cases ?? []) expect(c.appCostUsd ?? 0).toBe(0)
    expect(second.report?.runs[0]?.appCache).toMatchObject({ replayed: 2, replayedCases: 2 })

    // replay: a changed temperature is a miss, with no request.
    const miss = await runFixture('app-cache', {
      dir,
      env: { ...env, VITEST_JUDGE_APP_CACHE: 'replay', APP_TEMPERATURE: '0.5' },
    })
    expect(miss.tests.map((t) => t.state)).toEqual(['failed', 'failed'])
    expect(miss.tests[0]?.errors.join('\n')).toContain(
      "No recording of the app's call openai gpt-4.1-mini chat.completions.create",
    )
    expect((await tenant.stats()).requests).toBe(afterFirst)
  })

  test('a streamed SDK call is refused with an error naming the way out, and no request', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const run = await runFixture('app-cache', {
      env: {
        APP_BASE_URL: tenant.openaiBaseURL,
        APP_KEY: FAKE_API_KEY,
        APP_FILES: 'client.eval.ts',
        APP_STREAM: '1',
        VITEST_JUDGE_APP_CACHE: 'auto',
      },
    })
    expect(run.tests.map((t) => t.state)).toEqual(['failed', 'failed'])
    expect(run.tests[0]?.errors.join('\n')).toMatch(/does not record streamed SDK calls .*appCacheMiddleware\(\)/)
    expect((await tenant.stats()).requests).toBe(0)
  })
})
