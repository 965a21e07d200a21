import { describe, expect, test } from 'vitest'
import { parseMeasurements } from '../../src/cli/args.js'
import { resolveOptions } from '../../src/config.js'
import { ConfigError, UsageError } from '../../src/errors.js'
import { aggregateRun } from '../../src/report/aggregate.js'
import { casesNeeded, compareReports, correctFamily, evaluateGate } from '../../src/report/compare.js'
import { renderConsole } from '../../src/report/console.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { holmAdjust } from '../../src/report/statistics.js'
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

describe('family-wise correction over every file and metric', () => {
  // A: 8 cases all down one grade, p = 2/256. B: 7 down and 1 up, p = 18/256. C: identical.
  // D: 3 cases changed, smallest possible p = 2/8 > alpha: left out of the family.
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

  test('Holm over the tests that could reach alpha, with the header recording it', () => {
    expect(comparison.correction).toEqual({ method: 'holm', tests: 2, excluded: 2 })
    expect(metric('a.eval.ts')?.pValue).toBeCloseTo(2 / 256, 15)
    expect(metric('b.eval.ts')?.pValue).toBeCloseTo(18 / 256, 15)
    // Holm: A 2/256 x 2 = 0.015625; B 18/256 x 1 = 0.0703125.
    expect(metric('a.eval.ts')).toMatchObject({ status: 'regressed', significant: true })
    expect(metric('a.eval.ts')?.pAdjusted).toBeCloseTo(0.015625, 15)
    expect(metric('b.eval.ts')?.pAdjusted).toBeCloseTo(0.0703125, 15)
    expect(metric('b.eval.ts')?.status).toBe('unchanged')
    expect(metric('c.eval.ts')).toMatchObject({ pAdjusted: 1, status: 'unchanged' })
    expect(metric('d.eval.ts')).toMatchObject({ pAdjusted: 1, status: 'unchanged' })
  })

  test('the gate names file, metric, delta, raw and adjusted p', () => {
    const failures = evaluateGate(comparison, head, { maxDrop: 0.1, alpha: 0.05, minMean: {} })
    expect(failures.map((f) => f.file)).toEqual(['a.eval.ts'])
    expect(failures[0]?.pAdjusted).toBeCloseTo(0.015625, 15)
    expect(failures[0]?.message).toBe(
      'a.eval.ts: answer_similarity mean 1.000 -> 0.750 (-0.250, p=0.008, Holm-adjusted p=0.016 over 2 tests) ' +
        'dropped more than gate.maxDrop 0.1 at alpha 0.05',
    )
  })

  test('without the correction the same data would have failed twice more often: B alone at p = 0.07 does not', () => {
    const alone = compareReports(report('b', [base.runs[1] as ReportRun]), report('h', [head.runs[1] as ReportRun]), {
      alpha: 0.1,
    })
    // At alpha 0.1, B alone is significant; in the family it is still judged at its adjusted p.
    expect(alone.runs[0]?.metrics[0]?.status).toBe('regressed')
    expect(evaluateGate(comparison, head, { maxDrop: 0, alpha: 0.05, minMean: {} })).toHaveLength(1)
  })

  test('a comparison stitched from per-file comparisons is corrected again as a whole', () => {
    const perFile = base.runs.map(
      (r, i) =>
        compareReports(report('b', [r]), report('h', [head.runs[i] as ReportRun]), { alpha: 0.05 })
          .runs[0] as NonNullable<(typeof comparison.runs)[0]>,
    )
    // Each file alone is its own family: A's adjusted p is its raw p.
    expect(perFile[0]?.metrics[0]?.pAdjusted).toBeCloseTo(2 / 256, 15)
    const stitched = correctFamily({ ...comparison, runs: perFile })
    expect(stitched.correction).toEqual({ method: 'holm', tests: 2, excluded: 2 })
    expect(stitched.runs.map((r) => r.metrics[0]?.pAdjusted)).toEqual(
      comparison.runs.map((r) => r.metrics[0]?.pAdjusted),
    )
  })

  test('console and markdown show both p-values and the correction in the header', () => {
    const shown: JsonReport = { ...head, comparison }
    const failures = evaluateGate(comparison, head, { maxDrop: 0.1, alpha: 0.05, minMean: {} })
    const text = renderConsole(shown, { color: false, gateFailures: failures })
    expect(text).toContain('(alpha 0.05, Holm over 2 of 4 tests)')
    expect(text).toMatch(/ p +p adj/)
    expect(text).toMatch(/answer_similarity .* -0\.250 ▼ {3}0\.008 {3}0\.016/)
    const md = renderMarkdown(shown, { gateFailures: failures })
    expect(md).toContain("Holm's step-down correction over 2 tests")
    expect(md).toContain('| 0.008, adj. **0.016** (paired) |')
    expect(md).toContain('| 0.070, adj. 0.070 (paired) |')
  })
})

describe('too few cases to decide is said', () => {
  test('three matched cases: cannot detect a drop, in JSON, console and markdown', () => {
    const base = report('b', [file('tiny.eval.ts', 3, () => ({ answer_similarity: 1 }))])
    const head = report('h', [file('tiny.eval.ts', 3, () => ({ answer_similarity: 0 }))])
    const comparison = compareReports(base, head, { alpha: 0.05 })
    const m = comparison.runs[0]?.metrics[0]
    expect(m?.tooFewCases).toEqual({ cases: 3, needed: 6 })
    expect(m?.status).toBe('unchanged')
    expect(evaluateGate(comparison, head, { maxDrop: 0, alpha: 0.05, minMean: {} })).toEqual([])
    const shown: JsonReport = { ...head, comparison }
    expect(renderConsole(shown, { color: false })).toContain(
      'answer_similarity: cannot detect a drop with 3 cases (needs 6)',
    )
    expect(renderMarkdown(shown)).toContain('⚠️ cannot detect a drop with 3 cases (needs 6)')
  })

  test('the threshold follows the family: 30 tests need 11 cases', () => {
    expect(casesNeeded(0.05)).toBe(6)
    expect(casesNeeded(0.05 / 30)).toBe(11)
    expect(casesNeeded(1)).toBe(1)
  })

  test('twenty cases of which two changed for the worse: said as changed cases', () => {
    const base = report('b', [file('f.eval.ts', 20, () => ({ answer_similarity: 1 }))])
    const head = report('h', [file('f.eval.ts', 20, (i) => ({ answer_similarity: i < 2 ? 0 : 1 }))])
    const m = compareReports(base, head, { alpha: 0.05 }).runs[0]?.metrics[0]
    expect(m?.tooFewCases).toEqual({ cases: 2, needed: 6 })
    expect(renderMarkdown({ ...head, comparison: compareReports(base, head, { alpha: 0.05 }) })).toContain(
      'cannot detect a drop with 2 changed cases (needs 6)',
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
    // In the family with the identical score test left out: adjusted p = raw p = 2/1024.
    expect(latency?.pAdjusted).toBeCloseTo(2 / 1024, 15)
    const failures = evaluateGate(comparison, head, { maxDrop: 0.05, alpha: 0.05, minMean: {}, measurements })
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({ kind: 'measurement', metric: 'latency', threshold: 0.5 })
    expect(failures[0]?.message).toBe(
      'qa.eval.ts: latency mean 104.5 -> 209.0 (+104.5, +100%, p=0.002, Holm-adjusted p=0.002 over 1 test) ' +
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
