import { describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { runFixture } from './run-fixture.js'

// 4 files of 10 cases, 4 worker processes, 2 judge calls in flight per worker: at most 8 in flight.
const IN_FLIGHT = 4 * 2

async function budgetRun(budget: Record<string, string>) {
  const tenant = fakeTenant(inject('fakeProviderUrl'))
  // A slow provider keeps calls in flight while the budget runs out.
  await tenant.configure({ delayMs: 150 })
  const run = await runFixture('budget', {
    env: {
      OPENAI_API_KEY: FAKE_API_KEY,
      OPENAI_BASE_URL: tenant.openaiBaseURL,
      VITEST_JUDGE: 'openai:fake-judge',
      VITEST_JUDGE_BASELINE: 'false',
      ...budget,
    },
  })
  return { run, stats: await tenant.stats() }
}

describe('a budget shared by 4 worker processes', () => {
  test('maxCalls: the provider sees exactly the budgeted calls; the rest fail with VJ_BUDGET, never as a score', async () => {
    const { run, stats } = await budgetRun({ BUDGET_MAX_CALLS: '10' })
    const report = run.report
    expect(report?.runs).toHaveLength(4)
    // Counted when they start: no call beyond the budget reaches the provider, in-flight ones included.
    expect(stats.requests).toBe(10)
    expect(report?.cost?.budget).toMatchObject({ maxCalls: 10, calls: 10, refused: 30 })
    const cases = report?.runs.flatMap((r) => r.cases) ?? []
    expect(cases).toHaveLength(40)
    const refused = cases.filter((c) => c.metrics?.answer_similarity?.error?.code === 'VJ_BUDGET')
    expect(refused).toHaveLength(30)
    for (const c of refused) {
      expect(c.scores.answer_similarity).toBeNull()
      expect(c.pass).toBe(false)
      expect(c.judgeErrors).toBe(1)
      // What needs no judge still runs.
      expect(c.scores.token_f1).toBeTypeOf('number')
    }
    expect(cases.filter((c) => c.scores.answer_similarity === 1)).toHaveLength(10)
    expect(run.stdout).toContain('budget: spent')
    expect(run.stdout).toContain('10 of 10 calls, 30 calls refused (VJ_BUDGET)')
    expect(run.exitCode).toBe(1)
  })

  test('maxUsd: spending stops once the budget is gone, overshooting by at most the calls in flight', async () => {
    const { run, stats } = await budgetRun({ BUDGET_MAX_USD: '1' })
    const budget = run.report?.cost?.budget
    const cases = run.report?.runs.flatMap((r) => r.cases) ?? []
    const paid = cases.filter((c) => (c.cost?.calls ?? 0) > 0)
    const perCall = paid.map((c) => (c.cost?.usd ?? 0) / (c.cost?.calls ?? 1))
    const cheapest = Math.min(...perCall)
    const dearest = Math.max(...perCall)
    expect(cheapest).toBeGreaterThan(0)
    // Every call that started was counted, and the provider saw no other.
    expect(stats.requests).toBe(budget?.calls)
    expect(budget?.refused).toBe(40 - (budget?.calls ?? 0))
    expect(budget?.refused).toBeGreaterThan(0)
    expect(budget?.spentUsd).toBeGreaterThanOrEqual(1)
    // Calls that start while under budget: at most ceil(1 / cheapest); the others were already in flight.
    expect(budget?.calls).toBeLessThanOrEqual(Math.ceil(1 / cheapest) + IN_FLIGHT)
    expect((budget?.spentUsd ?? 0) - 1).toBeLessThan(IN_FLIGHT * dearest)
    // The invocation's cost agrees with the budget's count.
    expect(run.report?.cost?.usd).toBeCloseTo(budget?.spentUsd ?? 0, 9)
  })
})

test('maxUsd with a default judge that has no price stops before any test, naming the pricing option', async () => {
  const tenant = fakeTenant(inject('fakeProviderUrl'))
  const run = await runFixture('budget', {
    env: {
      OPENAI_API_KEY: FAKE_API_KEY,
      OPENAI_BASE_URL: tenant.openaiBaseURL,
      VITEST_JUDGE: 'openai:unpriced-model',
      VITEST_JUDGE_BASELINE: 'false',
      BUDGET_MAX_USD: '1',
    },
  })
  expect(run.exitCode).not.toBe(0)
  expect(`${run.stdout}\n${run.stderr}`).toMatch(
    /Option `budget.maxUsd` needs the price of the judge openai:unpriced-model.*add it to the `pricing` option/,
  )
  expect(run.tests.filter((t) => t.state === 'passed')).toEqual([])
  expect((await tenant.stats()).requests).toBe(0)
})
