import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture, tempStateDir } from './run-fixture.js'

describe('the judge cache pays each judge call once', () => {
  let tenant: FakeTenant
  let dir: string
  let first: FixtureRun
  let second: FixtureRun
  let requestsAfterFirst = 0
  let requestsAfterSecond = 0
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    dir = tempStateDir()
    const env = {
      OPENAI_API_KEY: FAKE_API_KEY,
      OPENAI_BASE_URL: tenant.openaiBaseURL,
      VITEST_JUDGE: 'openai:fake-judge',
    }
    first = await runFixture('eval-suite', { env, dir })
    requestsAfterFirst = (await tenant.stats()).requests
    second = await runFixture('eval-suite', { env, dir })
    requestsAfterSecond = (await tenant.stats()).requests
  })
  afterAll(() => tenant?.reset())

  test('the first run asks the provider once per judged case', () => {
    expect(requestsAfterFirst).toBe(8)
    expect(first.report?.runs[0]?.cache).toEqual({ hits: 0, misses: 8 })
  })

  test('an identical second run makes no provider request and gives the same scores', () => {
    expect(requestsAfterSecond).toBe(requestsAfterFirst)
    expect(second.report?.runs[0]?.cache).toEqual({ hits: 8, misses: 0 })
    const scores = (run: FixtureRun) => run.report?.runs[0]?.cases.map((c) => [c.name, c.scores.answer_similarity])
    expect(scores(second)).toEqual(scores(first))
  })

  test('readonly replays the suite with the provider out of reach and no key', async () => {
    const replay = await runFixture('eval-suite', {
      dir,
      env: {
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        VITEST_JUDGE: 'openai:fake-judge',
        VITEST_JUDGE_CACHE: 'readonly',
      },
    })
    const run = replay.report?.runs[0]
    expect(run?.judgeErrors).toBe(0)
    expect(run?.cache).toEqual({ hits: 8, misses: 0 })
    expect(replay.tests.filter((t) => t.state === 'failed').map((t) => t.name)).toEqual(['factual QA > boiling-point'])
  })

  test('readonly with nothing cached fails each case with an error naming the mode', async () => {
    const replay = await runFixture('eval-suite', {
      env: {
        OPENAI_API_KEY: FAKE_API_KEY,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        VITEST_JUDGE: 'openai:fake-judge',
        VITEST_JUDGE_CACHE: 'readonly',
      },
    })
    expect(replay.tests.every((t) => t.state === 'failed')).toBe(true)
    expect(replay.tests[0]?.errors.join('\n')).toMatch(/readonly.*VITEST_JUDGE_CACHE/s)
    expect(replay.report?.runs[0]?.judgeErrors).toBe(8)
  })

  test('refresh ignores hits and asks again', async () => {
    const before = (await tenant.stats()).requests
    const refreshed = await runFixture('eval-suite', {
      dir,
      env: {
        OPENAI_API_KEY: FAKE_API_KEY,
        OPENAI_BASE_URL: tenant.openaiBaseURL,
        VITEST_JUDGE: 'openai:fake-judge',
        VITEST_JUDGE_CACHE: 'refresh',
      },
    })
    expect((await tenant.stats()).requests - before).toBe(8)
    expect(refreshed.report?.runs[0]?.cache).toEqual({ hits: 0, misses: 8 })
  })
})

test('six files of 25 cases in the forks pool persist all 150 cases', async () => {
  const tenant = fakeTenant(inject('fakeProviderUrl'))
  const run = await runFixture('many-files', {
    env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
  })
  expect(run.exitCode).toBe(0)
  const store = new SqliteRunStore(run.dir, { readonly: true })
  try {
    const [latest] = await store.listInvocations({ limit: 1 })
    expect(latest?.status).toBe('complete')
    const report = await store.getReport(latest?.id ?? '')
    expect(report.runs.map((r) => r.file)).toEqual([
      'a.eval.ts',
      'b.eval.ts',
      'c.eval.ts',
      'd.eval.ts',
      'e.eval.ts',
      'f.eval.ts',
    ])
    expect(report.runs.reduce((n, r) => n + r.cases.length, 0)).toBe(150)
    expect(report.runs.every((r) => r.aggregates.answer_similarity?.n === 25)).toBe(true)
  } finally {
    await store.close()
  }
  await tenant.reset()
})
