import { describe, expect, it } from 'vitest'
import { PRICE_TABLE, PRICES_AS_OF, priceOf } from '../../src/judges/pricing.js'
import { type CaseMeta, emptyCaseMeta } from '../../src/report/case-meta.js'
import { buildRun } from '../../src/report/collect.js'
import { renderConsole } from '../../src/report/console.js'
import { caseCost, costLines, costSummary, describeCost, formatUsd, recordedCost } from '../../src/report/cost.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import type { JsonReport } from '../../src/report/types.js'

const tally = (calls: number, input: number, output: number, cached = 0, cachedInput = 0, cachedOutput = 0) => ({
  calls,
  input,
  output,
  cached,
  cachedInput,
  cachedOutput,
})

describe('prices', () => {
  it('has the default model of every provider, dated', () => {
    for (const spec of ['openai:gpt-4.1-mini', 'gemini:gemini-2.5-flash', 'anthropic:claude-haiku-4-5']) {
      expect(PRICE_TABLE[spec]).toBeDefined()
    }
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  it('looks up the pricing option by spec, then by model, then the table; local is free; the rest unknown', () => {
    const pricing = { 'openai:gpt-4.1-mini': { input: 1, output: 2 }, 'my-model': { input: 3, output: 4 } }
    expect(priceOf('openai:gpt-4.1-mini', pricing)).toEqual({ input: 1, output: 2 })
    expect(priceOf('openai:my-model', pricing)).toEqual({ input: 3, output: 4 })
    expect(priceOf('gemini:gemini-2.5-flash', pricing)).toEqual({ input: 0.3, output: 2.5 })
    expect(priceOf('local')).toEqual({ input: 0, output: 0 })
    expect(priceOf('openai:gpt-unknown')).toBeNull()
  })
})

describe('cost', () => {
  it('matches hand-computed figures, cache hits as saved', () => {
    // gpt-4.1-mini: $0.40 / $1.60 per million tokens.
    // spent: (1000 * 0.40 + 200 * 1.60) / 1e6 = 0.00072; saved: (500 * 0.40 + 100 * 1.60) / 1e6 = 0.00036
    // claude-haiku-4-5: $1 / $5. spent: (2000 * 1 + 300 * 5) / 1e6 = 0.0035
    const cost = costSummary({
      'openai:gpt-4.1-mini': tally(2, 1000, 200, 1, 500, 100),
      'anthropic:claude-haiku-4-5': tally(1, 2000, 300),
    })
    expect(cost?.usd).toBeCloseTo(0.00072 + 0.0035, 12)
    expect(cost?.savedUsd).toBeCloseTo(0.00036, 12)
    expect(cost).toMatchObject({ calls: 3, cachedCalls: 1, pricesAsOf: PRICES_AS_OF })
    expect(cost?.byJudge['openai:gpt-4.1-mini']?.usd).toBeCloseTo(0.00072, 12)
    expect(cost?.unpriced).toBeUndefined()
    expect(describeCost(cost as NonNullable<typeof cost>)).toBe('cost $0.0042 · saved $0.0004 by 1 cache hit')
  })

  it('says unknown, never 0, when a judge has no price, and names it', () => {
    const cost = costSummary({ 'openai:fake-judge': tally(3, 900, 90), 'openai:gpt-4.1-mini': tally(1, 10, 1) })
    expect(cost?.usd).toBeNull()
    expect(cost?.savedUsd).toBeNull()
    expect(cost?.unpriced).toEqual(['openai:fake-judge'])
    expect(formatUsd(cost?.usd)).toBe('unknown')
    expect(describeCost(cost as NonNullable<typeof cost>)).toContain('cost unknown (no price for openai:fake-judge')
    expect(caseCost({ x: tally(1, 1, 1) })?.usd).toBeNull()
    // The pricing option makes it known.
    expect(
      costSummary({ 'openai:fake-judge': tally(3, 900, 90) }, { 'fake-judge': { input: 1000, output: 1000 } })?.usd,
    ).toBeCloseTo(0.99, 12)
  })

  it('is absent for a case or run without judge calls; the local judge costs $0', () => {
    expect(caseCost(undefined)).toBeUndefined()
    expect(costSummary({})).toBeUndefined()
    expect(caseCost({ local: tally(4, 0, 0) })).toEqual({ usd: 0, savedUsd: 0, calls: 4, cachedCalls: 0 })
  })

  it('flows from the case records into cases, the run and the invocation', () => {
    const meta = (judgeCalls: CaseMeta['judgeCalls']): CaseMeta => ({ ...emptyCaseMeta(), judgeCalls })
    const run = buildRun('r1', 'a.eval.ts', [
      { name: 'one', state: 'passed', meta: meta({ 'openai:gpt-4.1-mini': tally(1, 1000, 100) }) },
      { name: 'two', state: 'passed', meta: meta({ 'openai:gpt-4.1-mini': tally(0, 0, 0, 1, 1000, 100) }) },
      { name: 'three', state: 'passed', meta: emptyCaseMeta() },
    ])
    // (1000 * 0.40 + 100 * 1.60) / 1e6 = 0.00056
    expect(run.cases[0]?.cost?.usd).toBeCloseTo(0.00056, 12)
    expect(run.cases[1]?.cost).toMatchObject({ usd: 0, calls: 0, cachedCalls: 1 })
    expect(run.cases[1]?.cost?.savedUsd).toBeCloseTo(0.00056, 12)
    expect(run.cases[2]?.cost).toBeUndefined()
    expect(run.cost?.usd).toBeCloseTo(0.00056, 12)
    expect(run.cost?.savedUsd).toBeCloseTo(0.00056, 12)
    const total = recordedCost([run, { ...run, id: 'r2' }])
    expect(total?.usd).toBeCloseTo(0.00112, 12)
    expect(total?.byJudge['openai:gpt-4.1-mini']).toMatchObject({ calls: 2, cached: 2, input: 2000 })
  })

  it('shows in the console and markdown summaries, with the budget', () => {
    const run = buildRun('r1', 'a.eval.ts', [
      {
        name: 'one',
        state: 'passed',
        meta: { ...emptyCaseMeta(), judgeCalls: { 'openai:gpt-4.1-mini': tally(2, 10_000, 1000, 1, 5000, 500) } },
      },
    ])
    const cost = recordedCost([run])
    const report: JsonReport = {
      version: 1,
      invocation: { id: 'i', startedAt: '2026-12-01T00:00:00Z', git: { commit: null, branch: null }, params: {} },
      runs: [run],
      comparison: null,
      ...(cost
        ? { cost: { ...cost, budget: { maxUsd: 0.01, maxCalls: 5, calls: 5, spentUsd: 0.0112, refused: 3 } } }
        : {}),
    }
    // spent (10000 * 0.4 + 1000 * 1.6) / 1e6 = 0.0056; saved half of it
    const lines = costLines(report.cost as NonNullable<JsonReport['cost']>)
    expect(lines).toEqual([
      `judge cost $0.0056 · saved $0.0028 by 1 cache hit (prices as of ${PRICES_AS_OF})`,
      'budget: spent $0.0112 of $0.0100, 5 of 5 calls, 3 calls refused (VJ_BUDGET)',
    ])
    const text = renderConsole(report, { color: false })
    for (const line of lines) expect(text).toContain(line)
    expect(text).toContain('cost $0.0056')
    const markdown = renderMarkdown(report)
    // Markdown escapes `$` as an entity.
    expect(markdown).toContain('judge cost &#36;0.0056 · saved &#36;0.0028 by 1 cache hit')
    expect(markdown).toContain('3 calls refused (VJ_BUDGET)')
    expect(markdown).toContain('cost &#36;0.0056 · saved &#36;0.0028 by 1 cache hit\n')
  })
})
