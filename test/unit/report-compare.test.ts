import { describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import {
  baselineForComparison,
  compareReports,
  evaluateGate,
  replayedText,
  unknownGateMetrics,
} from '../../src/report/compare.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

function scoreCase(name: string, scores: Record<string, number | null>, extra: Partial<ReportCase> = {}): ReportCase {
  const metrics: NonNullable<ReportCase['metrics']> = {}
  for (const [metric, score] of Object.entries(scores)) {
    const latency = metric === 'latency'
    metrics[metric] = latency
      ? { score, kind: 'measurement', greaterIsBetter: false }
      : { score, kind: 'score', threshold: 0.75, pass: score === null ? null : score >= 0.75, greaterIsBetter: true }
  }
  return { name, pass: true, scores, judgeErrors: 0, metrics, ...extra }
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
    invocation: {
      id,
      startedAt: '2025-01-01T00:00:00.000Z',
      git: { commit: 'abcdef1234', branch: 'main' },
      params: {},
    },
    runs,
    comparison: null,
  }
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `case ${i + 1}`)

describe('compareReports', () => {
  test('paired: six cases dropping from 1.0 to 0.25 regress significantly', () => {
    const base = report('base', [
      run(
        'evals/qa.test.ts',
        names(6).map((n) => scoreCase(n, { answer_similarity: 1 })),
      ),
    ])
    const head = report('head', [
      run(
        'evals/qa.test.ts',
        names(6).map((n, i) => scoreCase(n, { answer_similarity: 0.25 }, { output: `answer ${i}\nsecond line` })),
      ),
    ])
    const cmp = compareReports(base, head, { alpha: 0.05 })
    expect(cmp.base.label).toBe('main@abcdef1')
    expect(cmp.runs).toHaveLength(1)
    const m = cmp.runs[0]!.metrics[0]!
    expect(m).toMatchObject({
      metric: 'answer_similarity',
      baseMean: 1,
      headMean: 0.25,
      test: 'paired',
      significant: true,
      status: 'regressed',
      n: { base: 6, head: 6, paired: 6 },
      greaterIsBetter: true,
    })
    expect(m.delta).toBeCloseTo(-0.75, 12)
    expect(m.pValue).toBeCloseTo(0.03125, 12)
    const regressed = cmp.runs[0]!.regressedCases
    expect(regressed).toHaveLength(6)
    expect(regressed[0]).toMatchObject({ name: 'case 1', metric: 'answer_similarity', base: 1, head: 0.25 })
    expect(regressed[0]!.output).toBe('answer 0 second line')
  })

  test('paired: one of 20 dropping is not significant, regressed cases still listed', () => {
    const base = report('b', [
      run(
        'f.test.ts',
        names(20).map((n) => scoreCase(n, { answer_similarity: 1 })),
      ),
    ])
    const head = report('h', [
      run(
        'f.test.ts',
        names(20).map((n, i) => scoreCase(n, { answer_similarity: i === 7 ? 0 : 1 })),
      ),
    ])
    const r = compareReports(base, head, { alpha: 0.05 }).runs[0]!
    expect(r.metrics[0]).toMatchObject({ status: 'unchanged', significant: false, pValue: 1, test: 'paired' })
    expect(r.regressedCases).toEqual([
      { name: 'case 8', metric: 'answer_similarity', base: 1, head: 0, delta: -1, kind: 'score' },
    ])
  })

  test('identical reports: p = 1, unchanged, nothing regressed', () => {
    const r = report('x', [
      run(
        'f.test.ts',
        names(5).map((n, i) => scoreCase(n, { answer_similarity: i / 4 })),
      ),
    ])
    const cmp = compareReports(r, r, { alpha: 0.05 })
    expect(cmp.runs[0]!.metrics[0]).toMatchObject({ pValue: 1, delta: 0, status: 'unchanged' })
    expect(cmp.runs[0]!.regressedCases).toEqual([])
  })

  test('unpaired when fewer than two cases match by name', () => {
    const base = report('b', [
      run(
        'f.test.ts',
        ['a', 'b', 'c'].map((n) => scoreCase(n, { answer_similarity: 1 })),
      ),
    ])
    const head = report('h', [
      run(
        'f.test.ts',
        ['x', 'y', 'z'].map((n) => scoreCase(n, { answer_similarity: 0.25 })),
      ),
    ])
    const r = compareReports(base, head, { alpha: 0.05 }).runs[0]!
    // Two-sided 2 of 20 splits; the gate's one-sided test (worse direction) 1 of 20: at alpha, so regressed.
    expect(r.metrics[0]).toMatchObject({ test: 'unpaired', method: 'permutation exact', status: 'regressed' })
    expect(r.metrics[0]!.pValue).toBeCloseTo(0.1, 12)
    expect(r.metrics[0]!.pOneSided).toBeCloseTo(0.05, 12)
    expect(r.newCases).toEqual(['x', 'y', 'z'])
    expect(r.removedCases).toEqual(['a', 'b', 'c'])
  })

  test('new and removed files and metrics, sorted by file', () => {
    const base = report('b', [
      run('b.test.ts', [scoreCase('a', { exact_match: 1, answer_similarity: 1 })]),
      run('old.test.ts', [scoreCase('a', { exact_match: 1 })]),
    ])
    const head = report('h', [
      run('new.test.ts', [scoreCase('a', { exact_match: 0 })]),
      run('b.test.ts', [scoreCase('a', { answer_similarity: 1, faithfulness: 0.5 })]),
    ])
    const cmp = compareReports(base, head, { alpha: 0.05 })
    expect(cmp.runs.map((r) => [r.file, r.status])).toEqual([
      ['b.test.ts', 'matched'],
      ['new.test.ts', 'new'],
      ['old.test.ts', 'removed'],
    ])
    const b = cmp.runs[0]!
    expect(b.metrics.map((m) => [m.metric, m.status])).toEqual([
      ['answer_similarity', 'unchanged'],
      ['faithfulness', 'new'],
      ['exact_match', 'removed'],
    ])
    // One case on each side: too little for any test.
    expect(b.metrics[0]).toMatchObject({ test: 'unpaired', pValue: 1 })
    expect(cmp.runs[1]!.metrics[0]).toMatchObject({ metric: 'exact_match', status: 'new', headMean: 0, baseMean: null })
    expect(cmp.runs[1]!.newCases).toEqual(['a'])
    expect(cmp.runs[2]!.metrics[0]).toMatchObject({ status: 'removed', baseMean: 1, headMean: null })
    expect(cmp.runs[2]!.removedCases).toEqual(['a'])
  })

  test('lower-is-better latency: a rise is a regression, a fall an improvement', () => {
    const base = report('b', [
      run(
        'f.test.ts',
        names(8).map((n) => scoreCase(n, { latency: 100 })),
      ),
    ])
    const slower = report('h', [
      run(
        'f.test.ts',
        names(8).map((n, i) => scoreCase(n, { latency: 200 + i })),
      ),
    ])
    const faster = report('h', [
      run(
        'f.test.ts',
        names(8).map((n) => scoreCase(n, { latency: 50 })),
      ),
    ])
    const up = compareReports(base, slower, { alpha: 0.05 }).runs[0]!
    expect(up.metrics[0]).toMatchObject({ metric: 'latency', greaterIsBetter: false, status: 'regressed' })
    expect(up.metrics[0]!.pValue).toBeCloseTo(2 / 256, 12)
    // Per-case latency drops are listed only because the metric regressed; the slowest first.
    expect(up.regressedCases[0]).toMatchObject({ name: 'case 8', metric: 'latency', head: 207, kind: 'measurement' })
    const down = compareReports(base, faster, { alpha: 0.05 }).runs[0]!
    expect(down.metrics[0]).toMatchObject({ status: 'improved', delta: -50 })
    expect(down.regressedCases).toEqual([])
  })

  test('latency without a recorded direction still counts as lower-is-better', () => {
    const bare = (value: number) =>
      names(6).map((n) => ({ name: n, pass: true, judgeErrors: 0, scores: { latency: value } }))
    const cmp = compareReports(report('b', [run('f', bare(100))]), report('h', [run('f', bare(300))]), { alpha: 0.05 })
    expect(cmp.runs[0]!.metrics[0]).toMatchObject({ greaterIsBetter: false, status: 'regressed' })
  })

  test('an old report without recorded directions: every built-in metric keeps its own (toxicity, reading grade)', () => {
    const bare = (scores: (i: number) => Record<string, number>) =>
      names(8).map((n, i) => ({ name: n, pass: true, judgeErrors: 0, scores: scores(i) }))
    const base = report('b', [
      run(
        'f',
        bare(() => ({ toxicity: 0, flesch_kincaid_grade: 6, answer_similarity: 0.25 })),
      ),
    ])
    const head = report('h', [
      run(
        'f',
        bare((i) => ({ toxicity: 0.5 + i / 100, flesch_kincaid_grade: 12 + i, answer_similarity: 0.75 + i / 100 })),
      ),
    ])
    const cmp = compareReports(base, head, { alpha: 0.05 })
    const byMetric = Object.fromEntries(cmp.runs[0]!.metrics.map((m) => [m.metric, m]))
    expect(byMetric.toxicity).toMatchObject({ greaterIsBetter: false, kind: 'score', status: 'regressed' })
    expect(byMetric.flesch_kincaid_grade).toMatchObject({ greaterIsBetter: false, kind: 'measurement' })
    expect(byMetric.answer_similarity).toMatchObject({ greaterIsBetter: true, status: 'improved' })
    // The gate fails on the toxicity rise (a score); the reading grade, a measurement, is not gated by maxDrop.
    const failures = evaluateGate(cmp, head, { maxDrop: 0, alpha: 0.05, minMean: {}, measurements: {} })
    expect(failures.map((f) => f.metric)).toEqual(['toxicity'])
  })

  test('metric keys name#2 fold into the metric; judge errors are not paired', () => {
    const base = report('b', [
      run(
        'f',
        names(6).map((n) => scoreCase(n, { answer_similarity: 1, 'answer_similarity#2': 1 })),
      ),
    ])
    const head = report('h', [
      run(
        'f',
        names(6).map((n, i) => scoreCase(n, { answer_similarity: i === 0 ? null : 0.5, 'answer_similarity#2': 0.5 })),
      ),
    ])
    const m = compareReports(base, head, { alpha: 0.05 }).runs[0]!.metrics[0]!
    expect(m).toMatchObject({ metric: 'answer_similarity', n: { base: 12, head: 11, paired: 6 }, status: 'regressed' })
  })

  test('regressed cases carry a CI from trials and are bounded', () => {
    const base = report('b', [
      run(
        'f',
        names(30).map((n) => scoreCase(n, { answer_similarity: 1 })),
      ),
    ])
    const headCases = names(30).map((n, i) => {
      const c = scoreCase(n, { answer_similarity: 1 - (i % 4) / 4 })
      c.metrics!.answer_similarity!.trials = [1 - (i % 4) / 4, 1 - (i % 4) / 4, 1 - (i % 4) / 4]
      return c
    })
    headCases[1]!.metrics!.answer_similarity!.trials = [0.5, 1, 0.75]
    const r = compareReports(base, report('h', [run('f', headCases)]), { alpha: 0.05, maxRegressedCases: 4 }).runs[0]!
    expect(r.regressedCases).toHaveLength(4)
    expect(r.regressedCases.map((c) => c.delta)).toEqual([-0.75, -0.75, -0.75, -0.75])
    const withSpread = compareReports(base, report('h', [run('f', headCases)]), {
      alpha: 0.05,
      maxRegressedCases: 30,
    }).runs[0]!.regressedCases.find((c) => c.name === 'case 2')!
    expect(withSpread.ci![0]).toBeCloseTo(0.12896557206241743, 8)
    expect(withSpread.ci![1]).toBe(1)
  })
})

describe('evaluateGate', () => {
  const base = report('b', [
    run(
      'evals/qa.test.ts',
      names(6).map((n) => scoreCase(n, { answer_similarity: 1 })),
    ),
  ])
  const head = report('h', [
    run(
      'evals/qa.test.ts',
      names(6).map((n) => scoreCase(n, { answer_similarity: 0.25 })),
    ),
  ])
  const cmp = compareReports(base, head, { alpha: 0.05 })

  test('a significant drop over maxDrop fails with a message naming everything', () => {
    const failures = evaluateGate(cmp, head, { maxDrop: 0.1, alpha: 0.05, minMean: {} })
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({
      file: 'evals/qa.test.ts',
      metric: 'answer_similarity',
      kind: 'regression',
      baseMean: 1,
      headMean: 0.25,
      threshold: 0.1,
    })
    expect(failures[0]!.message).toBe(
      'evals/qa.test.ts: answer_similarity mean 1.000 -> 0.250 (-0.750, one-sided p=0.016, Tarone-Holm-adjusted p=0.016 over 1 test) dropped more than gate.maxDrop 0.1 at alpha 0.05',
    )
  })

  test('a drop under maxDrop, or not significant at the gate alpha, passes', () => {
    expect(evaluateGate(cmp, head, { maxDrop: 0.8, alpha: 0.05, minMean: {} })).toEqual([])
    expect(evaluateGate(cmp, head, { maxDrop: 0.1, alpha: 0.01, minMean: {} })).toEqual([])
  })

  test('maxDrop null: any significant drop fails', () => {
    const failures = evaluateGate(cmp, head, { maxDrop: null, alpha: 0.05, minMean: {} })
    expect(failures[0]?.threshold).toBe(0)
    expect(failures[0]?.message).toContain('any significant drop fails')
  })

  test('an improvement never fails the regression gate', () => {
    const back = compareReports(head, base, { alpha: 0.05 })
    expect(evaluateGate(back, base, { maxDrop: 0, alpha: 0.05, minMean: {} })).toEqual([])
  })

  test('minMean applies to score metrics per file, with or without a baseline', () => {
    const mixed = report('m', [
      run(
        'evals/qa.test.ts',
        names(4).map((n) => scoreCase(n, { answer_similarity: 0.5, latency: 900 })),
      ),
      run(
        'evals/other.test.ts',
        names(4).map((n) => scoreCase(n, { exact_match: 0 })),
      ),
    ])
    const failures = evaluateGate(null, mixed, {
      maxDrop: null,
      alpha: 0.05,
      minMean: { answer_similarity: 0.75, latency: 10, faithfulness: 0.9 },
    })
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({ kind: 'min-mean', metric: 'answer_similarity', headMean: 0.5, threshold: 0.75 })
    expect(failures[0]!.message).toBe(
      'evals/qa.test.ts: answer_similarity mean 0.500 is under gate.minMean.answer_similarity 0.75 (no baseline)',
    )
    const withBase = evaluateGate(cmp, head, { maxDrop: 1, alpha: 0.05, minMean: { answer_similarity: 0.5 } })
    expect(withBase[0]!.message).toBe(
      'evals/qa.test.ts: answer_similarity mean 0.250 is under gate.minMean.answer_similarity 0.5 (baseline 1.000, -0.750)',
    )
    expect(unknownGateMetrics(mixed, { minMean: { answer_similarity: 1, faithfulness: 1 } })).toEqual(['faithfulness'])
  })
})

describe('replayed cases in the comparison (app cache)', () => {
  const replayed = { replayed: 1, recorded: 0, misses: 0, replayedLatencyMs: 120, savedTokens: { input: 5, output: 2 } }
  test('counts, per side, the cases whose app calls were replayed, and says it in one sentence', () => {
    const base = report('base', [
      run(
        'a.eval.ts',
        names(3).map((n) => scoreCase(n, { quality: 0.9 })),
      ),
    ])
    const head = report('head', [
      run(
        'a.eval.ts',
        names(3).map((n, i) => scoreCase(n, { quality: 0.9 }, i < 2 ? { appCache: replayed } : {})),
      ),
    ])
    const comparison = compareReports(base, head, { alpha: 0.05 })
    const file = comparison.runs[0]
    expect(file?.replayed).toEqual({ base: 0, head: 2, baseCases: 3, headCases: 3 })
    expect(file && replayedText(file)).toBe(
      "app calls replayed: 2 of 3 cases (baseline 0 of 3): their outputs are recordings, their latency and cost not the live app's",
    )
  })

  test('is absent when neither side replayed anything', () => {
    const side = (id: string) =>
      report(id, [
        run(
          'a.eval.ts',
          names(3).map((n) => scoreCase(n, { quality: 0.9 })),
        ),
      ])
    const file = compareReports(side('base'), side('head'), { alpha: 0.05 }).runs[0]
    expect(file?.replayed).toBeUndefined()
    expect(file && replayedText(file)).toBeNull()
  })
})

describe('baselineForComparison', () => {
  // Deterministic pseudo-random numbers, so that a failure names its seed.
  function rng(seed: number) {
    let state = seed >>> 0
    return () => {
      state = (state * 1664525 + 1013904223) >>> 0
      return state / 2 ** 32
    }
  }

  /** A varied pair of runs of one file: trials, a lower-is-better custom metric, texts that change, app cache. */
  function pair(seed: number): { base: ReportRun; head: ReportRun } {
    const random = rng(seed)
    const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)] as T
    const side = (headSide: boolean): ReportRun => {
      const cases: ReportCase[] = []
      const count = 6 + Math.floor(random() * 10)
      for (let i = 0; i < count; i++) {
        // Repeated names, cases only on one side.
        const name = i === 3 ? 'case 2' : `case ${headSide && i === count - 1 ? 'new' : i}`
        const similarity = pick([0, 0.25, 0.5, 0.75, 1, null])
        const cost = 5 + Math.floor(random() * 4)
        const c = scoreCase(name, {
          answer_similarity: similarity,
          'answer_similarity#2': pick([0.5, 1]),
          latency: 100 + random() * 50,
        })
        // A lower-is-better metric the head sometimes no longer has: its direction then comes from the baseline.
        const dropped = headSide && seed % 3 === 0
        if (!dropped) c.scores.edits = cost
        const metrics = c.metrics as NonNullable<ReportCase['metrics']>
        if (!dropped)
          metrics.edits = {
            score: cost,
            kind: 'score',
            greaterIsBetter: false,
            threshold: 6,
            pass: cost <= 6,
            justification: 'counted',
          }
        metrics.answer_similarity = {
          ...(metrics.answer_similarity as NonNullable<ReportCase['metrics']>[string]),
          trials: [similarity ?? 0, 1],
          justification: `a long justification ${i}`,
          judge: 'openai:gpt-4.1-mini',
          raw: 3,
        }
        c.pass = similarity === null || similarity >= 0.5
        c.output = `output ${i} ${headSide ? 'head' : 'base'}`
        c.trace = { spans: [], dropped: 0 } as unknown as ReportCase['trace']
        if (random() < 0.7) c.input = `question ${i}${headSide && random() < 0.2 ? ' (edited)' : ''}`
        if (random() < 0.7) c.expected = `answer ${i}${headSide && random() < 0.2 ? ' (edited)' : ''}`
        if (random() < 0.3) c.contextDigest = headSide && random() < 0.3 ? 'ffff' : `d${i}`
        if (random() < 0.3) {
          c.appCache = {
            replayed: random() < 0.5 ? 1 : 0,
            recorded: 0,
            misses: 0,
            replayedLatencyMs: 10,
            savedTokens: { input: 1, output: 1 },
          } as ReportCase['appCache']
        }
        cases.push(c)
      }
      return {
        ...run('evals/qa.test.ts', cases),
        id: headSide ? 'head-run' : 'base-run',
        datasetDigest: headSide ? 'h' : 'b',
      }
    }
    return { base: side(false), head: side(true) }
  }

  test('comparing with it gives what comparing with the whole baseline run gives', () => {
    let changed = 0
    let regressed = 0
    for (let seed = 1; seed <= 60; seed++) {
      const { base, head } = pair(seed)
      const whole = compareReports(report('base', [base]), report('head', [head]), {
        alpha: 0.2,
        measurements: { latency: 0.1 },
      })
      const part = compareReports(report('base', [baselineForComparison(base)]), report('head', [head]), {
        alpha: 0.2,
        measurements: { latency: 0.1 },
      })
      expect(part, `seed ${seed}`).toEqual(whole)
      changed += whole.runs[0]?.changedCases?.length ?? 0
      regressed += whole.runs[0]?.regressedCases.length ?? 0
    }
    // The pairs exercise what the comparison reads of the baseline's cases.
    expect(changed).toBeGreaterThan(0)
    expect(regressed).toBeGreaterThan(0)
  })

  test('keeps no texts but the ones the comparison reads', () => {
    const { base } = pair(7)
    const part = baselineForComparison(base)
    expect(part.cases).toHaveLength(base.cases.length)
    for (const c of part.cases) {
      expect(c.output).toBeUndefined()
      expect(c.trace).toBeUndefined()
      for (const m of Object.values(c.metrics ?? {})) {
        expect(m.justification).toBeUndefined()
        expect(m.trials).toBeUndefined()
      }
    }
    expect(part.aggregates).toBe(base.aggregates)
  })
})
