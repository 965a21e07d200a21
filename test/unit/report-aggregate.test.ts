import { describe, expect, test } from 'vitest'
import { aggregate, aggregateRun, createAggregator, percentileSorted } from '../../src/report/aggregate.js'
import type { ReportCase } from '../../src/report/types.js'

describe('aggregate', () => {
  test('matches numpy on [0, 0.25, 0.5, 1]', () => {
    // numpy: mean 0.4375; var = mean of squared deviations
    //   (0.4375² + 0.1875² + 0.0625² + 0.5625²) / 4 = (0.19140625 + 0.03515625 + 0.00390625 + 0.31640625) / 4 = 0.13671875
    // percentile(90): h = (4 - 1) * 0.9 = 2.7 -> 0.5 + 0.7 * (1 - 0.5) = 0.85; median (0.25 + 0.5) / 2 = 0.375
    const a = aggregate([0, 0.25, 0.5, 1])
    expect(a.n).toBe(4)
    expect(a.mean).toBeCloseTo(0.4375, 12)
    expect(a.variance).toBeCloseTo(0.13671875, 12)
    expect(a.p90).toBeCloseTo(0.85, 12)
    expect(a.median).toBeCloseTo(0.375, 12)
    expect(a.min).toBe(0)
    expect(a.max).toBe(1)
    expect(a.pass_rate).toBe(1)
  })

  test('matches numpy on unsorted integers [3, 1, 4, 1, 5, 9, 2, 6]', () => {
    // np.var -> 6.609375, np.percentile(.., 90) -> 6.9 (h = 6.3 between 6 and 9), np.median -> 3.5
    const a = aggregate([3, 1, 4, 1, 5, 9, 2, 6])
    expect(a.mean).toBeCloseTo(3.875, 12)
    expect(a.variance).toBeCloseTo(6.609375, 12)
    expect(a.p90).toBeCloseTo(6.9, 12)
    expect(a.median).toBeCloseTo(3.5, 12)
  })

  test('one value and no value', () => {
    expect(aggregate([0.75])).toEqual({
      n: 1,
      mean: 0.75,
      variance: 0,
      p90: 0.75,
      min: 0.75,
      max: 0.75,
      median: 0.75,
      pass_rate: 1,
    })
    expect(aggregate([]).n).toBe(0)
  })

  test('pass_rate counts true among the marked values, ignoring nulls', () => {
    expect(aggregate([1, 0.5, 0.25, 1], [true, false, null, true]).pass_rate).toBeCloseTo(2 / 3, 12)
    expect(aggregate([1, 0.5], [null, null]).pass_rate).toBe(1)
    expect(aggregate([0, 0], [false, false]).pass_rate).toBe(0)
  })

  test('streaming aggregator gives the same figures as the two-pass formulas', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => ((i * 7919) % 1000) / 999)
    const agg = createAggregator()
    for (const v of values) agg.add(v)
    const r = agg.result()
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length
    expect(r.n).toBe(10_000)
    expect(r.mean).toBeCloseTo(mean, 12)
    expect(r.variance).toBeCloseTo(variance, 12)
    expect(r.p90).toBeCloseTo(
      percentileSorted(
        [...values].sort((a, b) => a - b),
        0.9,
      ),
      12,
    )
  })

  test('non-finite values are ignored', () => {
    expect(aggregate([1, Number.NaN, 0]).n).toBe(2)
  })
})

describe('aggregateRun', () => {
  const cases: ReportCase[] = [
    {
      name: 'a',
      pass: true,
      judgeErrors: 0,
      scores: { answer_similarity: 1, 'answer_similarity#2': 0.5, latency: 120 },
      metrics: {
        answer_similarity: { score: 1, kind: 'score', threshold: 0.75, pass: true },
        'answer_similarity#2': { score: 0.5, kind: 'score', threshold: 0.75, pass: false },
        latency: { score: 120, kind: 'measurement', greaterIsBetter: false },
      },
    },
    {
      name: 'b',
      pass: false,
      judgeErrors: 1,
      scores: { answer_similarity: null, latency: 80 },
      metrics: {
        answer_similarity: { score: null, kind: 'score', error: { code: 'VJ_JUDGE_HTTP', message: '429' } },
        latency: { score: 80, kind: 'measurement', greaterIsBetter: false },
      },
    },
    { name: 'c', pass: true, judgeErrors: 0, scores: { answer_similarity: 0.75 } },
  ]

  test('folds name#k into name, skips judge errors, uses per-case pass marks', () => {
    const aggregates = aggregateRun(cases)
    expect(Object.keys(aggregates)).toEqual(['answer_similarity', 'latency'])
    const sim = aggregates.answer_similarity!
    expect(sim.n).toBe(3)
    expect(sim.mean).toBeCloseTo((1 + 0.5 + 0.75) / 3, 12)
    // Marked: true, false (case c has no metrics record, so no mark)
    expect(sim.pass_rate).toBeCloseTo(0.5, 12)
    expect(aggregates.latency).toMatchObject({ n: 2, mean: 100, min: 80, max: 120, pass_rate: 1 })
  })

  test('a metric whose every value errored has n = 0', () => {
    const aggregates = aggregateRun([cases[1]!].map((c) => ({ ...c, scores: { answer_similarity: null } })))
    expect(aggregates.answer_similarity?.n).toBe(0)
  })
})
