import { describe, expect, test } from 'vitest'
import { parseMeasurements } from '../../src/cli/args.js'
import { resolveOptions } from '../../src/config.js'
import { ConfigError, UsageError } from '../../src/errors.js'
import { aggregateRun } from '../../src/report/aggregate.js'
import { casesNeeded, compareReports, correctFamily, evaluateGate } from '../../src/report/compare.js'
import { renderConsole } from '../../src/report/console.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { holmAdjust, pairedTest, taroneCount, taroneHolm } from '../../src/report/statistics.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

function scoreCase(name: string, scores: Record<string, number>): ReportCase {
  const metrics: NonNullable<ReportCase['metrics']> = {}
  for (const [metric, score] of Object.entries(scores)) {
    metrics[metric] =
      metric === 'latency' || metric === 'token_count'
        ? { score, kind: 'measurement', greaterIsBetter: false }
        : { score, kind: 'score', greaterIsBetter: true }
  }
  return { name, pass: true, scores, judgeErrors: 0, metrics }
}

function run(file: string, cases: ReportCase[]): ReportRun {
  return {
    id: `run-${file}`,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
  }
}

function report(id: string, runs: ReportRun[]): JsonReport {
  return {
    version: 1,
    invocation: { id, startedAt: '2026-12-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs,
    comparison: null,
  }
}

/** `n` cases of one file, the i-th scoring `score(i)`. */
function file(name: string, n: number, score: (i: number) => Record<string, number>): ReportRun {
  return run(
    name,
    Array.from({ length: n }, (_, i) => scoreCase(`case ${i}`, score(i))),
  )
}

describe('holmAdjust, against values computed by hand', () => {
  test('p_(i) * (m - i + 1), made monotone, in the input order', () => {
    // Sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04, raised to 0.06).
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005])
    expect(adjusted[0]).toBeCloseTo(0.03, 15)
    expect(adjusted[1]).toBeCloseTo(0.06, 15)
    expect(adjusted[2]).toBeCloseTo(0.06, 15)
    expect(adjusted[3]).toBeCloseTo(0.02, 15)
  })

  test('null and NaN entries stay null and do not count in m', () => {
    // m = 2: 0.2 x 2 = 0.4; 0.5 x 1 = 0.5.
    const adjusted = holmAdjust([null, 0.5, Number.NaN, 0.2])
    expect(adjusted[0]).toBeNull()
    expect(adjusted[2]).toBeNull()
    expect(adjusted[1]).toBeCloseTo(0.5, 15)
    expect(adjusted[3]).toBeCloseTo(0.4, 15)
  })

  test('capped at 1; ties share one value; empty stays empty', () => {
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1])
    const tied = holmAdjust([0.02, 0.02, 0.02])
    for (const p of tied) expect(p).toBeCloseTo(0.06, 15)
    expect(holmAdjust([])).toEqual([])
    expect(holmAdjust([0.01])).toEqual([0.01])
  })
})

describe("Tarone's procedure with Holm's step-down, against values computed by hand", () => {
  test("Tarone's count: the smallest K such that at most K tests can reach alpha / K", () => {
    // 3 tests that can reach anything, 27 whose smallest one-sided p is 1/256 (8 changed cases):
    // 1/256 = 0.0039 <= 0.05 / K up to K = 12, so K = 12 still has 30 > 12; K = 13 has 3.
    const minPs = [0, 0, 0, ...Array(27).fill(1 / 256)]
    expect(taroneCount(minPs, 0.05)).toBe(13)
    // Every test able to reach anything: K = the number of tests (Bonferroni's m).
    expect(taroneCount([0, 0, 0, 0], 0.05)).toBe(4)
    // None can reach alpha: K = 1.
    expect(taroneCount([0.1, 0.5, 1], 0.05)).toBe(1)
    expect(taroneCount([], 0.05)).toBe(1)
  })

  test("the issue's family: 3 live tests among 27 that cannot reach alpha/K; plain Holm over 30 would reject A only", () => {
    const tests = [
      { p: 0.001, minP: 0 },
      { p: 0.003, minP: 0 },
      { p: 0.02, minP: 0 },
      ...Array.from({ length: 27 }, () => ({ p: 0.5, minP: 1 / 256 })),
    ]
    const result = taroneHolm(tests, 0.05)
    // Step 1: K = 13, A: 13 x 0.001 = 0.013. Step 2: 2 live + 27 -> K = 13, B: 13 x 0.003 = 0.039.
    // Step 3: K = 13, C: 13 x 0.02 = 0.26. Then the 27: K = 13, 13 x 0.5 capped at 1.
    expect(result.tests).toBe(13)
    expect(result.adjusted[0]).toBeCloseTo(0.013, 12)
    expect(result.adjusted[1]).toBeCloseTo(0.039, 12)
    expect(result.adjusted[2]).toBeCloseTo(0.26, 12)
    expect(result.adjusted.slice(3)).toEqual(Array(27).fill(1))
    // 1/256 = 0.00391 > 0.05 / 13 = 0.00385: the 27 are out of the first step's family.
    expect(result.inFamily.filter(Boolean)).toHaveLength(3)
    const holm = holmAdjust(tests.map((t) => t.p))
    expect(holm[0]).toBeCloseTo(0.03, 12)
    expect(holm[1]).toBeCloseTo(0.087, 12)
  })

  test('with every test able to reach anything it is Holm', () => {
    const result = taroneHolm(
      [0.01, 0.04, 0.03, 0.005].map((p) => ({ p, minP: 0 })),
      0.05,
    )
    const holm = holmAdjust([0.01, 0.04, 0.03, 0.005])
    result.adjusted.forEach((p, i) => {
      expect(p).toBeCloseTo(holm[i] as number, 15)
    })
    expect(result.tests).toBe(4)
  })

  test("the count is taken again at each step over the tests not yet rejected (Hommel & Krummenauer's step-down)", () => {
    // X can reach anything; Y and Z no lower than 0.02.
    // Step 1: K = 1 has 3 > 1, K = 2 (0.025) has 3 > 2, K = 3 (0.0167) has 1: X 3 x 0.001 = 0.003.
    // Step 2 over Y, Z: K = 1 has 2 > 1, K = 2 (0.025) has 2: Y 2 x 0.02 = 0.04, rejected at 0.05.
    // Step 3 over Z: K = 1: Z 0.5.
    const result = taroneHolm(
      [
        { p: 0.001, minP: 0 },
        { p: 0.02, minP: 0.02 },
        { p: 0.5, minP: 0.02 },
      ],
      0.05,
    )
    expect(result.adjusted[0]).toBeCloseTo(0.003, 15)
    expect(result.adjusted[1]).toBeCloseTo(0.04, 15)
    expect(result.adjusted[2]).toBeCloseTo(0.5, 15)
    expect(result.tests).toBe(3)
    expect(result.inFamily).toEqual([true, false, false])
  })
})

describe('one-sided p-values of the sign-flip test', () => {
  test('8 cases down one grade: 1/256 one-sided, 2/256 two-sided; 7 down and 1 up: 9/256', () => {
    const down = pairedTest(Array(8).fill(1), Array(8).fill(0.75))
    expect(down.pValue).toBeCloseTo(2 / 256, 15)
    expect(down.oneSided.less).toBeCloseTo(1 / 256, 15)
    expect(down.oneSided.greater).toBeCloseTo(1, 15)
    const mixed = pairedTest([0.5, 1, 1, 1, 1, 1, 1, 1], Array(8).fill(0.75))
    expect(mixed.pValue).toBeCloseTo(18 / 256, 15)
    // T <= -6 steps: at most one of the 8 signs positive: (1 + 8) / 256.
    expect(mixed.oneSided.less).toBeCloseTo(9 / 256, 15)
    expect(mixed.oneSided.greater).toBeCloseTo(255 / 256, 15)
  })

  test('the same by enumeration (off any lattice) and by Monte Carlo', () => {
    const xs = [Math.PI, Math.E, Math.SQRT2].map((x) => x / 10)
    const enumerated = pairedTest(xs, [0, 0, 0])
    expect(enumerated.method).toBe('sign-flip exact')
    expect(enumerated.oneSided.less).toBeCloseTo(1 / 8, 15)
    expect(enumerated.oneSided.greater).toBe(1)
    const many = Array.from({ length: 40 }, (_, i) => Math.sqrt(i + 2) / 10)
    const mc = pairedTest(many, Array(40).fill(0))
    expect(mc.method).toBe('sign-flip monte carlo')
    expect(mc.oneSided.less).toBeCloseTo(1 / (1 + (mc.resamples as number)), 12)
    expect(mc.oneSided.greater).toBe(1)
  })
})

describe('family-wise correction over every file and metric', () => {
  // A: 8 cases all down one grade: one-sided p = 1/256 (two-sided 2/256). B: 7 down and 1 up:
  // one-sided 9/256 (two-sided 18/256). C: identical. D: 3 cases changed, smallest possible
  // one-sided p = 1/8 > alpha / K: left out of the count.
  const base = report('b', [
    file('a.eval.ts', 8, () => ({ answer_similarity: 1 })),
    file('b.eval.ts', 8, (i) => ({ answer_similarity: i === 0 ? 0.5 : 1 })),
    file('c.eval.ts', 8, () => ({ answer_similarity: 1 })),
    file('d.eval.ts', 8, () => ({ answer_similarity: 1 })),
  ])
  const head = report('h', [
    file('a.eval.ts', 8, () => ({ answer_similarity: 0.75 })),
    file('b.eval.ts', 8, (i) => ({ answer_similarity: i === 0 ? 0.75 : 0.75 })),
    file('c.eval.ts', 8, () => ({ answer_similarity: 1 })),
    file('d.eval.ts', 8, (i) => ({ answer_similarity: i < 3 ? 0 : 1 })),
  ])
  const comparison = compareReports(base, head, { alpha: 0.05 })
  const metric = (f: string) => comparison.runs.find((r) => r.file === f)?.metrics[0]

  const CORRECTION = { method: 'holm', tests: 2, excluded: 2, sided: 'one-sided', procedure: 'tarone-holm' }

  test('one-sided p-values, Tarone-Holm over the tests that could reach alpha / K, with the header recording it', () => {
    expect(comparison.correction).toEqual(CORRECTION)
    expect(metric('a.eval.ts')?.pValue).toBeCloseTo(2 / 256, 15)
    expect(metric('a.eval.ts')?.pOneSided).toBeCloseTo(1 / 256, 15)
    expect(metric('b.eval.ts')?.pValue).toBeCloseTo(18 / 256, 15)
    expect(metric('b.eval.ts')?.pOneSided).toBeCloseTo(9 / 256, 15)
    // Step 1: minima 1/256 (A, B), 1/8 (D), 1 (C): K = 2. A: 2 x 1/256 = 0.0078125.
    // Step 2 over B, C, D: only B can reach 0.05: K = 1. B: 9/256 = 0.03515625: regressed too,
    // where two-sided Holm over 2 gave 0.0703 (unchanged). Then D: 1/8; C: 1.
    expect(metric('a.eval.ts')).toMatchObject({ status: 'regressed', significant: true })
    expect(metric('a.eval.ts')?.pAdjusted).toBeCloseTo(0.0078125, 15)
    expect(metric('b.eval.ts')?.pAdjusted).toBeCloseTo(0.03515625, 15)
    expect(metric('b.eval.ts')?.status).toBe('regressed')
    expect(metric('c.eval.ts')).toMatchObject({ pAdjusted: 1, status: 'unchanged' })
    expect(metric('d.eval.ts')).toMatchObject({ pAdjusted: 0.125, status: 'unchanged' })
  })

  test('the gate names file, metric, delta, the one-sided and the adjusted p', () => {
    const failures = evaluateGate(comparison, head, { maxDrop: 0.1, alpha: 0.05, minMean: {} })
    expect(failures.map((f) => f.file)).toEqual(['a.eval.ts', 'b.eval.ts'])
    expect(failures[0]?.pAdjusted).toBeCloseTo(0.0078125, 15)
    expect(failures[0]?.pOneSided).toBeCloseTo(1 / 256, 15)
    expect(failures[0]?.pValue).toBeCloseTo(2 / 256, 15)
    expect(failures[0]?.message).toBe(
      'a.eval.ts: answer_similarity mean 1.000 -> 0.750 (-0.250, one-sided p=0.004, Tarone-Holm-adjusted p=0.008 over 2 tests) ' +
        'dropped more than gate.maxDrop 0.1 at alpha 0.05',
    )
  })

  test('a drop over maxDrop but not significant does not fail; B passes a maxDrop it does not exceed', () => {
    // B's paired drop is 6 x 0.25 / 8 = 0.1875.
    expect(evaluateGate(comparison, head, { maxDrop: 0.2, alpha: 0.05, minMean: {} }).map((f) => f.file)).toEqual([
      'a.eval.ts',
    ])
    // At alpha 0.01: K = 2 (0.005 still within A's and B's reach), A 0.0078 fails; then B alone, 0.035, does not.
    const strict = compareReports(base, head, { alpha: 0.01 })
    expect(evaluateGate(strict, head, { maxDrop: 0, alpha: 0.01, minMean: {} }).map((f) => f.file)).toEqual([
      'a.eval.ts',
    ])
  })

  test('a comparison stitched from per-file comparisons is corrected again as a whole', () => {
    const perFile = base.runs.map(
      (r, i) =>
        compareReports(report('b', [r]), report('h', [head.runs[i] as ReportRun]), { alpha: 0.05 })
          .runs[0] as NonNullable<(typeof comparison.runs)[0]>,
    )
    // Each file alone is its own family: A's adjusted p is its one-sided p.
    expect(perFile[0]?.metrics[0]?.pAdjusted).toBeCloseTo(1 / 256, 15)
    const stitched = correctFamily({ ...comparison, runs: perFile })
    expect(stitched.correction).toEqual(CORRECTION)
    expect(stitched.runs.map((r) => r.metrics[0]?.pAdjusted)).toEqual(
      comparison.runs.map((r) => r.metrics[0]?.pAdjusted),
    )
  })

  test('console and markdown show both p-values and the correction in the header', () => {
    const shown: JsonReport = { ...head, comparison }
    const failures = evaluateGate(comparison, head, { maxDrop: 0.1, alpha: 0.05, minMean: {} })
    const text = renderConsole(shown, { color: false, gateFailures: failures })
    expect(text).toContain('(alpha 0.05, one-sided Tarone-Holm over 2 of 4 tests)')
    expect(text).toMatch(/ p\(2s\) +p1 adj/)
    expect(text).toMatch(/answer_similarity .* -0\.250 ▼ {3}0\.008 {3}0\.008/)
    const md = renderMarkdown(shown, { gateFailures: failures })
    expect(md).toContain(
      "p is two-sided; the gate's p-values are one-sided (each metric's worse direction), adjusted by Tarone's procedure with Holm's step-down over 2 tests",
    )
    expect(md).toContain('| 0.008, one-sided adj. **0.008** (paired) |')
    expect(md).toContain('| 0.070, one-sided adj. **0.035** (paired) |')
  })
})

describe('too few cases to decide is said', () => {
  test('three matched cases: cannot detect a drop, in JSON, console and markdown', () => {
    const base = report('b', [file('tiny.eval.ts', 3, () => ({ answer_similarity: 1 }))])
    const head = report('h', [file('tiny.eval.ts', 3, () => ({ answer_similarity: 0 }))])
    const comparison = compareReports(base, head, { alpha: 0.05 })
    const m = comparison.runs[0]?.metrics[0]
    expect(m?.tooFewCases).toEqual({ cases: 3, needed: 5 })
    expect(m?.status).toBe('unchanged')
    expect(evaluateGate(comparison, head, { maxDrop: 0, alpha: 0.05, minMean: {} })).toEqual([])
    const shown: JsonReport = { ...head, comparison }
    expect(renderConsole(shown, { color: false })).toContain(
      'answer_similarity: cannot detect a drop with 3 cases (needs 5)',
    )
    expect(renderMarkdown(shown)).toContain('⚠️ cannot detect a drop with 3 cases (needs 5)')
  })

  test('the threshold follows the family: one-sided, 1 test needs 5 cases, 30 tests 10', () => {
    // 1/2^5 = 0.031 <= 0.05 < 1/2^4; 1/2^10 = 0.00098 <= 0.05/30 = 0.00167 < 1/2^9.
    expect(casesNeeded(0.05)).toBe(5)
    expect(casesNeeded(0.05 / 30)).toBe(10)
    expect(casesNeeded(1)).toBe(1)
  })

  test('twenty cases of which two changed for the worse: said as changed cases', () => {
    const base = report('b', [file('f.eval.ts', 20, () => ({ answer_similarity: 1 }))])
    const head = report('h', [file('f.eval.ts', 20, (i) => ({ answer_similarity: i < 2 ? 0 : 1 }))])
    const m = compareReports(base, head, { alpha: 0.05 }).runs[0]?.metrics[0]
    expect(m?.tooFewCases).toEqual({ cases: 2, needed: 5 })
    expect(renderMarkdown({ ...head, comparison: compareReports(base, head, { alpha: 0.05 }) })).toContain(
      'cannot detect a drop with 2 changed cases (needs 5)',
    )
  })
})

describe('measurements are not gated by maxDrop', () => {
  // Same answers and scores; the app got twice as slow.
  const base = report('b', [file('qa.eval.ts', 10, (i) => ({ answer_similarity: 1, latency: 100 + i }))])
  const head = report('h', [file('qa.eval.ts', 10, (i) => ({ answer_similarity: 1, latency: 200 + 2 * i }))])

  test('a slower app passes a score gate; latency is shown, unadjusted and not gated', () => {
    const comparison = compareReports(base, head, { alpha: 0.05 })
    const latency = comparison.runs[0]?.metrics.find((m) => m.metric === 'latency')
    expect(latency).toMatchObject({ kind: 'measurement', pAdjusted: null, status: 'regressed' })
    expect(evaluateGate(comparison, head, { maxDrop: 0.05, alpha: 0.05, minMean: {} })).toEqual([])
    expect(evaluateGate(comparison, head, { maxDrop: 0, alpha: 0.05, minMean: {} })).toEqual([])
    expect(renderMarkdown({ ...head, comparison })).toContain('(paired, not gated)')
  })

  test('gate.measurements.latency 0.5 fails on +100%; a limit of 2 (+200%) passes', () => {
    const measurements = { latency: 0.5 }
    const comparison = compareReports(base, head, { alpha: 0.05, measurements })
    const latency = comparison.runs[0]?.metrics.find((m) => m.metric === 'latency')
    // In the family with the identical score test left out (K = 1): adjusted p = one-sided p = 1/1024.
    expect(latency?.pAdjusted).toBeCloseTo(1 / 1024, 15)
    const failures = evaluateGate(comparison, head, { maxDrop: 0.05, alpha: 0.05, minMean: {}, measurements })
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({ kind: 'measurement', metric: 'latency', threshold: 0.5 })
    expect(failures[0]?.message).toBe(
      'qa.eval.ts: latency mean 104.5 -> 209.0 (+104.5, +100%, one-sided p<0.001, Tarone-Holm-adjusted p<0.001 over 1 test) ' +
        'rose more than gate.measurements.latency 0.5 (50% of the baseline mean) at alpha 0.05',
    )
    expect(
      evaluateGate(comparison, head, { maxDrop: 0, alpha: 0.05, minMean: {}, measurements: { latency: 2 } }),
    ).toEqual([])
  })

  test('a faster app never fails a measurement gate', () => {
    const comparison = compareReports(head, base, { alpha: 0.05, measurements: { latency: 0 } })
    expect(
      evaluateGate(comparison, base, { maxDrop: 0, alpha: 0.05, minMean: {}, measurements: { latency: 0 } }),
    ).toEqual([])
  })
})

describe('gate.measurements as options, CLI flags and action input', () => {
  test('parseMeasurements reads metric=fraction pairs', () => {
    expect(parseMeasurements('latency=0.5,token_count=0.2')).toEqual({ latency: 0.5, token_count: 0.2 })
    expect(parseMeasurements(' latency = 0.5 , ')).toEqual({ latency: 0.5 })
    expect(parseMeasurements('')).toEqual({})
    expect(() => parseMeasurements('latency')).toThrow(UsageError)
    expect(() => parseMeasurements('latency=-1')).toThrow(/--measurements latency must be a number >= 0/)
    expect(() => parseMeasurements('latency=fast')).toThrow(UsageError)
  })

  test('the plugin option is checked', () => {
    const resolved = resolveOptions({ gate: { measurements: { latency: 0.5 } } }, { root: '/tmp', env: {} })
    expect(resolved.gate?.measurements).toEqual({ latency: 0.5 })
    expect(resolveOptions({ gate: {} }, { root: '/tmp', env: {} }).gate?.measurements).toEqual({})
    expect(() => resolveOptions({ gate: { measurements: { latency: -0.5 } } }, { root: '/tmp', env: {} })).toThrow(
      ConfigError,
    )
  })
})
