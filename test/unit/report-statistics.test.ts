import { describe, expect, test } from 'vitest'
import {
  meanConfidenceInterval,
  pairedTest,
  signFlipTest,
  studentQuantile,
  studentTwoSidedP,
  unpairedTest,
  welchP,
} from '../../src/report/statistics.js'

const repeat = (value: number, n: number) => Array.from({ length: n }, () => value)

describe('pairedTest (sign-flip permutation test)', () => {
  test('one of 20 cases dropping from 1.0 to 0.0 is not significant', () => {
    const base = repeat(1, 20)
    const head = [0, ...repeat(1, 19)]
    const r = pairedTest(base, head)
    // One non-zero difference: both of its signs are as extreme as observed.
    expect(r.pValue).toBe(1)
    expect(r.pValue).toBeGreaterThan(0.05)
  })

  test('20 cases all dropping from 1.0 to 0.25 is significant', () => {
    const r = pairedTest(repeat(1, 20), repeat(0.25, 20))
    expect(r.pValue).toBeCloseTo(2 / 2 ** 20, 15)
    expect(r.method).toBe('sign-flip exact')
  })

  test('6 cases all dropping from 1.0 to 0.25 is significant: p = 2/64', () => {
    const r = pairedTest(repeat(1, 6), repeat(0.25, 6))
    expect(r.pValue).toBeCloseTo(0.03125, 15)
    expect(r.pValue).toBeLessThan(0.05)
  })

  test('5 cases cannot reach 0.05: p = 2/32', () => {
    expect(pairedTest(repeat(1, 5), repeat(0, 5)).pValue).toBeCloseTo(0.0625, 15)
  })

  test('identical runs give p = 1', () => {
    const scores = [1, 0.75, 0.5, 0.25, 0, 1]
    expect(pairedTest(scores, scores)).toEqual({
      pValue: 1,
      oneSided: { less: 1, greater: 1 },
      method: 'identical',
      n: 0,
    })
    // Float noise is not a difference.
    expect(pairedTest([0.3, 0.3], [0.1 + 0.2, 0.3]).pValue).toBe(1)
  })

  test('matches brute-force enumeration on real-valued differences', () => {
    // Python: itertools.product over 2^8 signs, |Σ s·d| >= |Σ d| -> 52 of 256
    const d = [0.25, -0.5, 0.75, 0.25, 0.5, 0.125, 1.0, -0.25]
    expect(signFlipTest(d).pValue).toBeCloseTo(52 / 256, 15)
    // Same differences off any lattice (scaled by π): the meet-in-the-middle enumeration.
    const r = signFlipTest(d.map((x) => x * Math.PI))
    expect(r.method).toBe('sign-flip exact')
    expect(r.pValue).toBeCloseTo(52 / 256, 15)
  })

  test('lattice DP is exact for large suites and agrees with enumeration', () => {
    const d = Array.from({ length: 22 }, (_, i) => ((i % 5) - 1) * 0.25)
    const lattice = signFlipTest(d)
    const enumerated = signFlipTest(d.map((x) => x * Math.E)) // same p, no lattice
    expect(lattice.pValue).toBeCloseTo(enumerated.pValue, 12)
    const large = signFlipTest(Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? 0.25 : i % 3 === 0 ? -0.25 : 0)))
    expect(large.method).toBe('sign-flip exact')
    expect(large.pValue).toBeGreaterThan(0)
    expect(large.pValue).toBeLessThanOrEqual(1)
  })

  test('continuous differences on many cases use a seeded Monte Carlo with its standard error', () => {
    const d = Array.from({ length: 40 }, (_, i) => Math.sin(i + 1) * 0.1 - 0.02)
    const r = signFlipTest(d)
    expect(r.method).toBe('sign-flip monte carlo')
    expect(r.resamples).toBe(200_000)
    expect(r.error).toBeCloseTo(Math.sqrt((r.pValue * (1 - r.pValue)) / 200_000), 15)
    expect(r.pValue).toBeGreaterThan(0)
    expect(r.pValue).toBeLessThan(1)
    expect(signFlipTest(d)).toEqual(r)
    // All 40 the same way: (1 + hits) / (1 + R), never 0.
    expect(signFlipTest(d.map((x) => Math.abs(x) + 0.01)).pValue).toBeCloseTo(1 / 200_001, 15)
  })

  test('is deterministic', () => {
    const base = Array.from({ length: 30 }, (_, i) => (i % 4) / 4)
    const head = base.map((x, i) => (i % 3 === 0 ? Math.max(0, x - 0.25) : x))
    expect(pairedTest(base, head)).toEqual(pairedTest(base, head))
  })
})

describe('unpairedTest', () => {
  test('exact two-sample permutation test on small samples', () => {
    // Python itertools.combinations: 2 of the C(6,3) = 20 splits are as extreme.
    // One-sided: only the observed split is as low (1 of 20); every split is at least as high.
    expect(unpairedTest([1, 1, 1], [0.25, 0.25, 0.25])).toEqual({
      pValue: 0.1,
      oneSided: { less: 0.05, greater: 1 },
      method: 'permutation exact',
      n: 6,
    })
    // 10 of C(7,3) = 35 splits.
    expect(unpairedTest([0.5, 0.75, 1], [0.25, 0.5, 0.5, 0.75])?.pValue).toBeCloseTo(10 / 35, 12)
  })

  test('identical values give p = 1 and empty sides give null', () => {
    expect(unpairedTest([1, 1], [1, 1, 1])?.pValue).toBe(1)
    expect(unpairedTest([], [1])).toBeNull()
  })

  test('Welch t-test on large samples matches scipy', () => {
    const a = [0.5, 0.75, 1, 1, 0.25, 0.5, 0.75, 1, 1, 1, 0.5, 0.75, 0.75, 1, 1, 0.5, 0.25, 1, 1, 0.75]
    const b = [
      0.25, 0.5, 0.5, 0.75, 0.25, 0.5, 0.25, 0.75, 0.5, 0.5, 0.25, 0.5, 0.75, 0.25, 0.5, 0.5, 0.25, 0.5, 0.75, 0.5,
    ]
    // scipy.stats.ttest_ind(a, b, equal_var=False).pvalue = 0.00029117531429223245
    expect(welchP(a, b)).toBeCloseTo(0.00029117531429223245, 9)
    const r = unpairedTest(a, b)
    expect(r?.method).toBe('welch t')
    expect(r?.pValue).toBeCloseTo(0.00029117531429223245, 9)
  })
})

describe('Student t distribution', () => {
  test('quantiles match scipy.stats.t.ppf', () => {
    expect(studentQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 8)
    expect(studentQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 8)
    expect(studentQuantile(0.975, 1)).toBeCloseTo(12.706204736174698, 6)
  })

  test('two-sided p of t = 0 is 1', () => {
    expect(studentTwoSidedP(0, 5)).toBeCloseTo(1, 12)
  })
})

describe('meanConfidenceInterval', () => {
  test('t-interval of trial scores, clamped to [0, 1]', () => {
    // scipy.stats.t.interval(0.95, 2, loc=mean, scale=sem) -> (0.12896557, 1.37103443)
    const [lo, hi] = meanConfidenceInterval([0.75, 1, 0.5], 0.95, [0, 1])!
    expect(lo).toBeCloseTo(0.12896557206241743, 8)
    expect(hi).toBe(1)
    // -> (0.54028734, 1.05971266), clamped above
    const ci = meanConfidenceInterval([0.75, 1, 0.5, 0.75, 1], 0.95, [0, 1])!
    expect(ci[0]).toBeCloseTo(0.5402873415791081, 8)
    expect(ci[1]).toBe(1)
    expect(meanConfidenceInterval([0.75, 1, 0.5])![1]).toBeCloseTo(1.3710344279375826, 8)
  })

  test('needs two values; equal trials give a point interval', () => {
    expect(meanConfidenceInterval([1])).toBeNull()
    expect(meanConfidenceInterval([0.5, 0.5, 0.5])).toEqual([0.5, 0.5])
  })
})
