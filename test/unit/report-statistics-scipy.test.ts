import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { aggregate } from '../../src/report/aggregate.js'
import { meanConfidenceInterval, monteCarloResamples, pairedTest, welchP } from '../../src/report/statistics.js'

/**
 * Reference values made once with SciPy by scripts/scipy-reference.py (its header says how; the
 * `generated` field names the versions). The tests need no Python.
 */
interface Reference {
  generated: string
  paired: { source: string; base: number[]; head: number[]; p: number }[]
  welch: { source: string; base: number[]; head: number[]; p: number }[]
  intervals: { source: string; values: number[]; interval: [number, number] }[]
  variances: { source: string; values: number[]; mean: number; variance: number; numpyVariance: number }[]
}

const reference = JSON.parse(readFileSync(new URL('./scipy-reference.json', import.meta.url), 'utf8')) as Reference

describe(`statistics against SciPy (${reference.generated})`, () => {
  test.each(reference.paired.map((r) => [r.source, r] as const))('paired: %s', (_source, r) => {
    const result = pairedTest(r.base, r.head)
    if (result.method === 'sign-flip monte carlo') {
      // Within 4 standard errors of the exact value, and the error is what R resamples give.
      expect(result.error).toBeDefined()
      expect(result.resamples).toBe(monteCarloResamples(result.n))
      expect(Math.abs(result.pValue - r.p)).toBeLessThanOrEqual(
        4 * Math.sqrt((r.p * (1 - r.p)) / (result.resamples ?? 1)) + 1 / (result.resamples ?? 1),
      )
    } else {
      expect(result.method).toBe('sign-flip exact')
      expect(result.pValue).toBeCloseTo(r.p, 12)
    }
  })

  test('the issue 12 inputs give the exact answers (lattice rounding fixed)', () => {
    expect(pairedTest([0, 0], [1, 1e-7]).pValue).toBeCloseTo(0.5, 15)
    expect(pairedTest([0, 0, 0], [0.5, 3e-7, 3e-7]).pValue).toBeCloseTo(0.25, 15)
    // 25 continuous differences are now enumerated exactly (up to 30), 40 go to the Monte Carlo.
    const dominated = reference.paired[2] as Reference['paired'][number]
    expect(pairedTest(dominated.base, dominated.head)).toMatchObject({ method: 'sign-flip exact', n: 25 })
    const forty = reference.paired.find((r) => r.base.length === 40) as Reference['paired'][number]
    expect(pairedTest(forty.base, forty.head).method).toBe('sign-flip monte carlo')
  })

  test('the Monte Carlo p-value is deterministic and its error bounded', () => {
    const r = reference.paired.find((x) => x.base.length === 40) as Reference['paired'][number]
    expect(pairedTest(r.base, r.head)).toEqual(pairedTest(r.base, r.head))
    expect(monteCarloResamples(25)).toBe(200_000)
    expect(monteCarloResamples(10_000)).toBe(10_000)
    // Worst error at p = 0.05 with the fewest resamples.
    expect(Math.sqrt((0.05 * 0.95) / monteCarloResamples(1e6))).toBeLessThan(0.0022)
  })

  test.each(reference.welch.map((r) => [r.source, r] as const))('welch: %s', (_source, r) => {
    expect(welchP(r.base, r.head)).toBeCloseTo(r.p, 10)
  })

  test.each(reference.intervals.map((r) => [r.values.join(', '), r] as const))('t interval of %s', (_v, r) => {
    const ci = meanConfidenceInterval(r.values, 0.95)
    expect(ci?.[0]).toBeCloseTo(r.interval[0], 9)
    expect(ci?.[1]).toBeCloseTo(r.interval[1], 9)
  })

  test.each(reference.variances.map((r) => [r.source, r] as const))('variance: %s', (_source, r) => {
    const a = aggregate(r.values)
    expect(Math.abs(a.mean - r.mean) / r.mean).toBeLessThan(1e-15)
    // Against the exact value; numpy's own mean is off by ~1e-7 here, so its variance only to 1e-6.
    expect(Math.abs(a.variance - r.variance) / r.variance).toBeLessThan(1e-12)
    expect(Math.abs(a.variance - r.numpyVariance) / r.variance).toBeLessThan(1e-6)
  })
})
