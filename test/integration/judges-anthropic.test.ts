import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture, tempStateDir } from './run-fixture.js'

describe('the Anthropic judge in a real Vitest run, through @anthropic-ai/sdk', () => {
  let tenant: FakeTenant
  let dir: string
  let first: FixtureRun
  let second: FixtureRun
  let requestsAfterFirst: number
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    dir = tempStateDir()
    // Only the Anthropic key is set: the default judge comes from the provider registry.
    const env = {
      ANTHROPIC_API_KEY: FAKE_API_KEY,
      ANTHROPIC_BASE_URL: tenant.anthropicBaseURL,
      VITEST_JUDGE_BASELINE: 'false',
    }
    first = await runFixture('gate', { dir, env })
    requestsAfterFirst = (await tenant.stats()).requests
    second = await runFixture('gate', { dir, env })
  })
  afterAll(async () => {
    await tenant.reset()
  })

  test('grades every case with anthropic:<default model> and passes', async () => {
    expect(first.exitCode).toBe(0)
    const cases = first.report?.runs.flatMap((r) => r.cases) ?? []
    expect(cases).toHaveLength(26)
    for (const c of cases) {
      expect(c.scores.answer_similarity).toBe(1)
      expect(c.metrics?.answer_similarity?.judge).toBe('anthropic:claude-haiku-4-5')
    }
    const stats = await tenant.stats()
    expect(stats.byRoute['anthropic.messages']).toBe(26)
    expect(stats.log.every((e) => e.responseFormat === 'tool:verdict' && e.model === 'claude-haiku-4-5')).toBe(true)
  })

  test('a second identical run is answered from the cache', async () => {
    expect(second.exitCode).toBe(0)
    expect((await tenant.stats()).requests).toBe(requestsAfterFirst)
    expect(second.report?.runs.reduce((n, r) => n + r.cache.hits, 0)).toBe(26)
  })

  test('VITEST_JUDGE=anthropic:<model> without ANTHROPIC_API_KEY stops before any test, naming the variable', async () => {
    const run = await runFixture('gate', {
      env: { VITEST_JUDGE: 'anthropic:claude-sonnet-4-5', OPENAI_API_KEY: FAKE_API_KEY },
    })
    expect(run.exitCode).not.toBe(0)
    expect(run.tests).toHaveLength(0)
    expect(`${run.stdout}\n${run.stderr}`).toMatch(/anthropic judge needs an API key: set ANTHROPIC_API_KEY/)
  })
})
