import { describe, expect, test } from 'vitest'
import { onlyFiles } from '../../src/cli/state.js'
import { PRICES_AS_OF } from '../../src/judges/pricing.js'
import { agreementFromConfusion, mergeAgreements } from '../../src/report/agreement.js'
import { caseCost, costSummary, recordedCost } from '../../src/report/cost.js'
import { mergeReports } from '../../src/report/json.js'
import type { CostSummary, JsonReport, JudgeCallTally, ReportRun } from '../../src/report/types.js'
import { pricedAfresh } from '../cost-oracle.js'

const pricing = { 'openai:gpt-4.1-mini': { input: 0.37, output: 1.9 } }

function tally(calls: number, cached = 0): JudgeCallTally {
  return {
    calls,
    input: 1234 * calls + 17,
    output: 321 * calls + 5,
    cached,
    cachedInput: 999 * cached,
    cachedOutput: 77 * cached,
  }
}

function run(file: string, tallies: Record<string, JudgeCallTally>, cost = costSummary(tallies, pricing)): ReportRun {
  return {
    id: `run-${file}`,
    file,
    status: 'complete',
    cases: [{ name: `${file} > c`, pass: true, scores: {}, judgeErrors: 0, cost: caseCost(tallies, pricing) }],
    aggregates: {},
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
    ...(cost ? { cost } : {}),
  }
}

function report(id: string, runs: ReportRun[], cost?: JsonReport['cost']): JsonReport {
  return {
    version: 1,
    invocation: { id, startedAt: '2026-12-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs,
    comparison: null,
    ...(cost ? { cost } : {}),
  }
}

describe('recordedCost', () => {
  test("one run's cost is given back as it was recorded", () => {
    const one = run('a', { 'openai:gpt-4.1-mini': tally(3, 1), 'gemini:gemini-2.5-flash': tally(2) })
    expect(recordedCost([one])).toStrictEqual(one.cost)
  })

  test("the runs' cost adds up to what the reporter computes for the invocation, to the last bit", () => {
    const runs = [
      run('a', { 'openai:gpt-4.1-mini': tally(3, 1), 'gemini:gemini-2.5-flash': tally(2) }),
      run('b', { 'openai:gpt-4.1-mini': tally(5, 2) }),
      run('c', {}),
    ]
    const summed = recordedCost(runs)
    expect(summed).toStrictEqual(pricedAfresh(runs, pricing))
    expect(summed?.calls).toBe(10)
    expect(summed?.cachedCalls).toBe(3)
  })

  test("a judge is priced as recorded, not with the reading process's prices", () => {
    // Recorded by a process with no price for gpt-4.1 (say, a table that lacked it): it stays unknown.
    const recorded: CostSummary = {
      usd: null,
      savedUsd: null,
      calls: 2,
      cachedCalls: 0,
      unpriced: ['openai:gpt-4.1'],
      byJudge: { 'openai:gpt-4.1': { ...tally(2), price: null, usd: null, savedUsd: null } },
      pricesAsOf: '2025-01-01',
    }
    const cost = recordedCost([run('a', {}, recorded)])
    expect(cost).toStrictEqual(recorded)
    // Priced again with today's table it would have a price: that is not what was recorded.
    expect(pricedAfresh([{ cost: recorded }])?.usd).not.toBeNull()
  })

  test('a judge recorded at two prices keeps the sum of what was recorded, with no single price', () => {
    const a = run('a', { 'openai:gpt-4.1-mini': tally(1) })
    const b = run('b', { 'openai:gpt-4.1-mini': tally(1) }, costSummary({ 'openai:gpt-4.1-mini': tally(1) }))
    const aUsd = a.cost?.usd as number
    const bUsd = b.cost?.usd as number
    expect(aUsd).not.toBe(bUsd)
    const cost = recordedCost([a, b])
    expect(cost?.byJudge['openai:gpt-4.1-mini']).toMatchObject({ calls: 2, price: null, usd: aUsd + bUsd })
    expect(cost?.usd).toBe(aUsd + bUsd)
    expect(cost).not.toHaveProperty('unpriced')
  })

  test('the price dates the runs recorded are all named', () => {
    const a = run('a', { 'openai:gpt-4.1-mini': tally(1) })
    const b = run('b', {}, { ...(a.cost as CostSummary), pricesAsOf: '2024-05-01' })
    expect(recordedCost([a, b])?.pricesAsOf).toBe(`2024-05-01, ${PRICES_AS_OF}`)
  })

  test('no run with a cost: no cost', () => {
    expect(recordedCost([run('a', {}), run('b', {})])).toBeUndefined()
    expect(recordedCost([])).toBeUndefined()
  })
})

describe('merge keeps the judge cost', () => {
  const budget = { maxUsd: 1, maxCalls: null, calls: 4, spentUsd: 0.01, refused: 0 }

  test("shards of different files: every run keeps its cost, the invocation's is theirs added up, without a budget", () => {
    const a = run('evals/a.test.ts', { 'openai:gpt-4.1-mini': tally(3, 1) })
    const b = run('evals/b.test.ts', { 'openai:gpt-4.1-mini': tally(2), 'gemini:gemini-2.5-flash': tally(1) })
    const merged = mergeReports([
      report('s1', [a], { ...(pricedAfresh([a], pricing) as CostSummary), budget }),
      report('s2', [b], { ...(pricedAfresh([b], pricing) as CostSummary), budget }),
    ])
    // A merged run carries its run key (report.json `key`), the file for a run without a variant.
    expect(merged.runs).toStrictEqual([
      { ...a, key: a.file },
      { ...b, key: b.file },
    ])
    expect(merged.cost).toStrictEqual(pricedAfresh([a, b], pricing))
    expect(merged.cost).not.toHaveProperty('budget')
  })

  test('a file in two shards costs what both spent; its cases keep their own cost', () => {
    const a1 = run('evals/a.test.ts', { 'openai:gpt-4.1-mini': tally(3, 1) })
    const a2 = { ...run('evals/a.test.ts', { 'openai:gpt-4.1-mini': tally(2) }), id: 'run-a2' }
    a2.cases = [{ ...(a2.cases[0] as ReportRun['cases'][number]), name: 'other' }]
    const merged = mergeReports([report('s1', [a1]), report('s2', [a2])])
    expect(merged.runs).toHaveLength(1)
    const cost = merged.runs[0]?.cost
    expect(cost).toStrictEqual(pricedAfresh([a1, a2], pricing))
    expect(cost?.calls).toBe(5)
    expect(merged.runs[0]?.cases.map((c) => c.cost)).toStrictEqual([a1.cases[0]?.cost, a2.cases[0]?.cost])
    expect(merged.cost).toStrictEqual(cost)
  })

  test('reports without cost merge without cost', () => {
    const merged = mergeReports([report('s1', [run('a', {})]), report('s2', [run('b', {})])])
    expect(merged).not.toHaveProperty('cost')
    expect(merged.runs[0]).not.toHaveProperty('cost')
  })
})

describe('one run of an invocation (show <run id>)', () => {
  test("the invocation's cost becomes that of the run shown; the whole invocation keeps its own", () => {
    const a = run('a', { 'openai:gpt-4.1-mini': tally(3, 1) })
    const b = run('b', { 'openai:gpt-4.1-mini': tally(2) })
    const whole = report('i', [a, b], {
      ...(pricedAfresh([a, b], pricing) as CostSummary),
      budget: { maxUsd: null, maxCalls: 10, calls: 5, spentUsd: 0, refused: 0 },
    })
    expect(onlyFiles(whole, new Set(['a', 'b']))).toBe(whole)
    const one = onlyFiles(whole, new Set(['b']))
    expect(one.runs).toEqual([b])
    expect(one.cost).toStrictEqual(b.cost)
    expect(onlyFiles(report('i', [a, run('c', {})]), new Set(['c']))).not.toHaveProperty('cost')
    expect(onlyFiles({ ...whole, runs: [a, run('c', {})] }, new Set(['c']))).not.toHaveProperty('cost')
  })

  test("the invocation's judge-human agreement becomes that of the run shown (the page header carries it)", () => {
    const labelled = (file: string, grades: Array<[number, number]>): ReportRun => ({
      ...run(file, {}),
      agreement: {
        m: agreementFromConfusion(
          'm',
          Array.from({ length: 5 }, (_, h) =>
            Array.from(
              { length: 5 },
              (_, j) => grades.filter(([human, judge]) => human === h + 1 && judge === j + 1).length,
            ),
          ),
          [],
        ),
      },
    })
    const a = labelled('a', [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ])
    const b = labelled('b', [
      [1, 5],
      [5, 1],
      [2, 4],
      [4, 2],
      [3, 3],
    ])
    const whole = { ...report('i', [a, b]), agreement: mergeAgreements([a, b]) }
    const one = onlyFiles(whole, new Set(['a']))
    expect(one.agreement?.m?.kappa).toBe(a.agreement?.m?.kappa)
    expect(one.agreement?.m?.kappa).not.toBe(whole.agreement.m?.kappa)
    expect(onlyFiles(whole, new Set(['a', 'b']))).toBe(whole)
    expect(onlyFiles({ ...whole, runs: [a, run('c', {})] }, new Set(['c']))).not.toHaveProperty('agreement')
  })
})
