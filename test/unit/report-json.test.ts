import { describe, expect, test } from 'vitest'
import { ReportFormatError } from '../../src/errors.js'
import { aggregateRun } from '../../src/report/aggregate.js'
import { agreementOf, mergeAgreements } from '../../src/report/agreement.js'
import { buildReport, mergeReports, parseReport, validateReport } from '../../src/report/json.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'
import { variantMatrix } from '../../src/report/variant-matrix.js'

function scoreCase(name: string, score: number | null): ReportCase {
  return {
    name,
    pass: score !== null && score >= 0.75,
    scores: { answer_similarity: score },
    judgeErrors: score === null ? 1 : 0,
  }
}

function run(id: string, file: string, cases: ReportCase[]): ReportRun {
  return {
    id,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: cases.reduce((s, c) => s + c.judgeErrors, 0),
    cache: { hits: 2, misses: 1 },
    tokens: { input: 10, output: 4 },
    durationMs: 100,
  }
}

function shard(
  id: string,
  startedAt: string,
  runs: ReportRun[],
  params: Record<string, string | number | boolean>,
): JsonReport {
  return buildReport({
    invocation: {
      id,
      startedAt,
      endedAt: startedAt,
      git: { commit: `c-${id}`, branch: 'main' },
      params,
      status: 'complete',
    },
    runs,
  })
}

describe('mergeReports', () => {
  const one = shard(
    'shard1',
    '2025-01-01T10:00:05.000Z',
    [
      run('r1', 'evals/b.test.ts', [scoreCase('x', 1)]),
      run('r2', 'evals/shared.test.ts', [scoreCase('a', 1), scoreCase('b', 0.5)]),
    ],
    { model: 'gpt', shard: 1 },
  )
  const two = shard(
    'shard2',
    '2025-01-01T10:00:00.000Z',
    [
      run('r3', 'evals/a.test.ts', [scoreCase('y', 0.25)]),
      run('r4', 'evals/shared.test.ts', [scoreCase('b', 1), scoreCase('c', null)]),
    ],
    { shard: 2, prompt: 'v2' },
  )

  test('one invocation with runs sorted by file and shared files merged', () => {
    const merged = mergeReports([one, two])
    expect(merged.version).toBe(1)
    expect(merged.comparison).toBeNull()
    expect(merged.invocation.startedAt).toBe('2025-01-01T10:00:00.000Z')
    expect(merged.invocation.endedAt).toBe('2025-01-01T10:00:05.000Z')
    expect(merged.invocation.git.commit).toBe('c-shard1')
    expect(merged.invocation.params).toEqual({ model: 'gpt', shard: 2, prompt: 'v2' })
    expect(merged.runs.map((r) => r.file)).toEqual(['evals/a.test.ts', 'evals/b.test.ts', 'evals/shared.test.ts'])
    const shared = merged.runs[2]!
    expect(shared.cases.map((c) => [c.name, c.scores.answer_similarity])).toEqual([
      ['a', 1],
      ['b', 1], // the later report wins
      ['c', null],
    ])
    expect(shared.aggregates.answer_similarity).toMatchObject({ n: 2, mean: 1 })
    expect(shared.judgeErrors).toBe(1)
    expect(shared.cache).toEqual({ hits: 4, misses: 2 })
    expect(shared.tokens).toEqual({ input: 20, output: 8 })
    expect(shared.durationMs).toBe(200)
  })

  test('variants and agreement survive a merge: kept as the shard made them, or made again for a file in two shards', () => {
    const variantRun = (variant: string, score: number, human: number): ReportRun => {
      const cases = Array.from({ length: 8 }, (_, i) => ({
        name: `qa > [${variant}] case ${i}`,
        pass: score >= 0.5,
        scores: { answer_similarity: score },
        metrics: { answer_similarity: { score, raw: 1 + score * 4, kind: 'score' as const, pass: score >= 0.5 } },
        judgeErrors: 0,
        human: { answer_similarity: human },
      }))
      return {
        ...run(`v-${variant}`, 'evals/qa.eval.ts', cases),
        key: `evals/qa.eval.ts [${variant}]`,
        variant,
        params: { model: variant },
        retries: 1,
        agreement: agreementOf(cases, 'evals/qa.eval.ts'),
      }
    }
    const withVariants = (id: string, runs: ReportRun[], alpha: number): JsonReport => {
      const report = shard(id, '2025-01-01T11:00:00.000Z', runs, {})
      report.variants = [
        variantMatrix(
          'evals/qa.eval.ts',
          runs.map((r) => ({ label: r.variant as string, run: r })),
          { alpha },
        ),
      ]
      report.agreement = mergeAgreements(runs)
      return report
    }
    const variants = withVariants('v1', [variantRun('good', 1, 5), variantRun('bad', 0.25, 1)], 0.01)
    const merged = mergeReports([one, variants])
    expect(merged.variants).toEqual(variants.variants)
    expect(merged.agreement).toEqual(variants.agreement)
    expect(merged.runs.filter((r) => r.variant).map((r) => [r.file, r.key, r.variant, r.params])).toEqual([
      ['evals/qa.eval.ts', 'evals/qa.eval.ts [bad]', 'bad', { model: 'bad' }],
      ['evals/qa.eval.ts', 'evals/qa.eval.ts [good]', 'good', { model: 'good' }],
    ])
    // The same file in two shards: its variant runs merged, the matrix made again at the shard's alpha.
    const again = withVariants('v2', [variantRun('good', 1, 5), variantRun('bad', 0.5, 3)], 0.01)
    const twice = mergeReports([variants, again])
    const good = twice.runs.find((r) => r.variant === 'good')
    expect(good).toMatchObject({ variant: 'good', params: { model: 'good' }, retries: 2 })
    expect(good?.agreement?.answer_similarity?.n).toBe(8)
    expect(twice.variants).toHaveLength(1)
    expect(twice.variants?.[0]?.alpha).toBe(0.01)
    expect(twice.variants?.[0]?.metrics[0]?.cells.map((c) => c.mean)).toEqual([0.5, 1])
    expect(twice.agreement?.answer_similarity?.n).toBe(16)
  })

  test('the id is derived from the inputs: same inputs, same id, in the store format', () => {
    const a = mergeReports([one, two]).invocation.id
    expect(mergeReports([one, two]).invocation.id).toBe(a)
    expect(mergeReports([two, one]).invocation.id).toBe(a)
    expect(a).toMatch(/^[0-9a-hjkmnp-tv-z]{22}$/)
    expect(mergeReports([one]).invocation.id).not.toBe(a)
  })

  test('different versions or nothing to merge are ReportFormatErrors', () => {
    const future = { ...two, version: 2 } as unknown as JsonReport
    expect(() => mergeReports([one, future])).toThrow(ReportFormatError)
    expect(() => mergeReports([one, future])).toThrow(/versions 1 and 2/)
    expect(() => mergeReports([])).toThrow(ReportFormatError)
  })
})

describe('validateReport', () => {
  const good = shard('inv', '2025-01-01T00:00:00.000Z', [run('r', 'f.test.ts', [scoreCase('a', 1)])], {})

  test('accepts a report (through JSON) and keeps unknown fields', () => {
    const value = JSON.parse(JSON.stringify({ ...good, extra: { dashboard: true } }))
    const checked = validateReport(value, 'base.json')
    expect(checked.runs[0]!.aggregates).toEqual(good.runs[0]!.aggregates)
    expect((checked as unknown as { extra: unknown }).extra).toEqual({ dashboard: true })
  })

  test('fills in missing optional parts', () => {
    const minimal = {
      version: 1,
      invocation: { id: 'i', startedAt: '2025-01-01T00:00:00Z' },
      runs: [{ file: 'f.test.ts', cases: [{ name: 'a', pass: true, scores: { m: 0.5, n: null } }] }],
    }
    const r = validateReport(minimal, 'min.json')
    expect(r.invocation.git).toEqual({ commit: null, branch: null })
    expect(r.invocation.params).toEqual({})
    expect(r.comparison).toBeNull()
    expect(r.runs[0]).toMatchObject({ id: 'i:f.test.ts', judgeErrors: 1, cache: { hits: 0, misses: 0 } })
    expect(r.runs[0]!.cases[0]!.judgeErrors).toBe(1)
    expect(r.runs[0]!.aggregates.m).toMatchObject({ n: 1, mean: 0.5 })
  })

  test('names the source and the version found', () => {
    expect(() => validateReport({ ...good, version: 2 }, 'old.json')).toThrow(
      /old\.json is not a version 1 vitest-judge report \(found version 2\)/,
    )
    expect(() => validateReport({ runs: [] }, 'x.json')).toThrow(/x\.json .*found no `version` field/)
    expect(() => validateReport([], 'arr.json')).toThrow(ReportFormatError)
  })

  test('names the offending field', () => {
    const bad = JSON.parse(JSON.stringify(good))
    bad.runs[0].cases[0].scores.answer_similarity = 'high'
    expect(() => validateReport(bad, 'bad.json')).toThrow(
      'bad.json is not a valid vitest-judge report: `runs[0].cases[0].scores.answer_similarity` must be a number or null (found "high").',
    )
    const noFile = JSON.parse(JSON.stringify(good))
    delete noFile.runs[0].file
    expect(() => validateReport(noFile, 'nf.json')).toThrow(/`runs\[0\]\.file` must be a string \(it is missing\)/)
  })

  test('parseReport reports bad JSON', () => {
    expect(() => parseReport('{', 'broken.json')).toThrow(/broken\.json is not valid JSON/)
    expect(parseReport(JSON.stringify(good), 'ok.json').invocation.id).toBe('inv')
  })

  test('a report written before `key` existed (a variant keyed in `file`) reads with `file` the path and `key` set', () => {
    const cases = [scoreCase('qa > [mini] a', 1), scoreCase('qa > [mini] b', 0.5)]
    const old = {
      version: 1,
      invocation: { id: 'old', startedAt: '2025-01-01T10:00:00.000Z', git: { commit: null, branch: null }, params: {} },
      runs: [
        { ...run('r1', 'evals/qa.eval.ts [mini]', cases), variant: 'mini' },
        run('r2', 'evals/plain.eval.ts', [scoreCase('plain', 1)]),
      ],
      comparison: null,
    }
    const read = validateReport(JSON.parse(JSON.stringify(old)), 'old.json')
    expect(read.runs.map((r) => [r.file, r.key, r.variant])).toEqual([
      ['evals/qa.eval.ts', 'evals/qa.eval.ts [mini]', 'mini'],
      ['evals/plain.eval.ts', 'evals/plain.eval.ts', undefined],
    ])
    // Merged with a report of today's shape, the same variant's runs are one run.
    const today = shard(
      'new',
      '2025-01-02T10:00:00.000Z',
      [
        {
          ...run('r3', 'evals/qa.eval.ts', [scoreCase('qa > [mini] c', 1)]),
          key: 'evals/qa.eval.ts [mini]',
          variant: 'mini',
        },
      ],
      {},
    )
    const merged = mergeReports([old as JsonReport, today])
    const mini = merged.runs.filter((r) => r.variant === 'mini')
    expect(mini.map((r) => [r.file, r.key, r.cases.length])).toEqual([
      ['evals/qa.eval.ts', 'evals/qa.eval.ts [mini]', 3],
    ])
  })
})
