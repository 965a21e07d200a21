import { describe, expect, test } from 'vitest'
import { emptyCaseMeta } from '../../src/report/case-meta.js'
import { buildRuns, type CollectedTest, runSourceFile, toReportCase } from '../../src/report/collect.js'
import { palette } from '../../src/report/console.js'
import { pageVariants } from '../../src/report/html/page-data.js'
import { escapeMarkdown, renderMarkdown } from '../../src/report/markdown.js'
import type { ReportCase, ReportRun } from '../../src/report/types.js'
import { matchName, variantMatricesOf, variantMatrix } from '../../src/report/variant-matrix.js'
import { renderVariantMatrixMarkdown, renderVariantMatrixText, verdictText } from '../../src/report/variant-render.js'

function run(variant: string, scores: number[], extra: (i: number) => Partial<ReportCase> = () => ({})): ReportRun {
  return {
    id: `run-${variant}`,
    file: 'qa.eval.ts',
    key: `qa.eval.ts [${variant}]`,
    variant,
    cases: scores.map((score, i) => ({
      name: `qa > [${variant}] case ${i}`,
      pass: score >= 0.5,
      scores: { answer_similarity: score },
      metrics: { answer_similarity: { score, kind: 'score', pass: score >= 0.5, threshold: 0.5 } },
      judgeErrors: 0,
      output: `${variant} answer ${i}`,
      ...extra(i),
    })),
    aggregates: {},
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 100, output: 20 },
  }
}

const EIGHT = (value: number) => Array.from({ length: 8 }, () => value)

describe('variantMatrix', () => {
  test('a variant worse on every case is shown worse; the two equal ones are a tie (Holm over 3 pairs)', () => {
    const matrix = variantMatrix('qa.eval.ts', [
      { label: 'good', run: run('good', EIGHT(1)) },
      { label: 'vague', run: run('vague', EIGHT(0.25)) },
      { label: 'copy', run: run('copy', EIGHT(1)) },
    ])
    const row = matrix.metrics[0]
    expect(row?.metric).toBe('answer_similarity')
    expect(row?.cells.map((c) => c.mean)).toEqual([1, 0.25, 1])
    expect(row?.cells.map((c) => c.passRate)).toEqual([1, 0, 1])
    expect(row?.cells[0]?.n).toBe(8)
    expect(row?.verdict).toBe('tie')
    expect(row?.best).toBeNull()
    expect(row?.leaders).toEqual([0, 2])
    expect(row?.worse).toEqual([1])
    const goodVsVague = row?.pairs.find((p) => p.a === 0 && p.b === 1)
    expect(goodVsVague?.n).toBe(8)
    expect(goodVsVague?.delta).toBeCloseTo(0.75, 10)
    // Eight differences of one sign: exact sign-flip p = 2/256; Holm multiplies the smallest by 3.
    expect(goodVsVague?.pValue).toBeCloseTo(2 / 256, 10)
    expect(goodVsVague?.pAdjusted).toBeCloseTo((3 * 2) / 256, 10)
    expect(row?.pairs.find((p) => p.a === 0 && p.b === 2)?.pAdjusted).toBe(1)
  })

  test('one variant better than every other, significantly after correction, is the best', () => {
    const matrix = variantMatrix('qa.eval.ts', [
      { label: 'a', run: run('a', EIGHT(0.5)) },
      { label: 'b', run: run('b', EIGHT(1)) },
    ])
    expect(matrix.metrics[0]?.verdict).toBe('best')
    expect(matrix.metrics[0]?.best).toBe(1)
    expect(matrix.metrics[0]?.leaders).toEqual([1])
  })

  test('a difference the data cannot decide is a tie, not a best', () => {
    // Better on 3 cases of 8: the exact p-value is 0.25.
    const matrix = variantMatrix('qa.eval.ts', [
      { label: 'a', run: run('a', [1, 1, 1, 0.75, 0.75, 0.75, 0.75, 0.75]) },
      { label: 'b', run: run('b', EIGHT(0.75)) },
    ])
    const row = matrix.metrics[0]
    expect(row?.cells[0]?.mean).toBeGreaterThan(row?.cells[1]?.mean ?? 1)
    expect(row?.pairs[0]?.pValue).toBeCloseTo(0.25, 10)
    expect(row?.verdict).toBe('tie')
    expect(row?.leaders).toEqual([0, 1])
    expect(row?.worse).toEqual([])
  })

  test('smaller is better for latency; the interval is a Student t interval over cases', () => {
    const lat = (variant: string, ms: number[]) =>
      run(variant, EIGHT(1), (i) => ({
        scores: { answer_similarity: 1, latency: ms[i] ?? 0 },
        metrics: {
          answer_similarity: { score: 1, kind: 'score' },
          latency: { score: ms[i] ?? 0, kind: 'measurement', greaterIsBetter: false },
        },
        latencyMs: ms[i] ?? 0,
        tokens: { input: 10, output: i },
      }))
    const matrix = variantMatrix('qa.eval.ts', [
      { label: 'slow', run: lat('slow', [200, 210, 190, 205, 195, 200, 220, 180]) },
      { label: 'fast', run: lat('fast', [100, 110, 90, 105, 95, 100, 120, 80]) },
    ])
    const latency = matrix.metrics.find((m) => m.metric === 'latency')
    expect(latency?.greaterIsBetter).toBe(false)
    expect(latency?.verdict).toBe('best')
    expect(latency?.best).toBe(1)
    const [lo, hi] = latency?.cells[1]?.ci ?? [0, 0]
    // mean 100, sample sd 12.247, t(0.975, 7) = 2.3646: half width 10.24.
    expect(lo).toBeCloseTo(100 - 10.2389, 3)
    expect(hi).toBeCloseTo(100 + 10.2389, 3)
    expect(matrix.metrics.find((m) => m.metric === 'answer_similarity')?.verdict).toBe('tie')
    expect(matrix.usage.latencyMs).toEqual([200, 100])
    expect(matrix.usage.taskTokens).toEqual([13.5, 13.5])
    expect(matrix.usage.judgeTokens).toEqual([120, 120])
    expect(matrix.usage.judgeCostUsd).toEqual([null, null])
  })

  test('cases are matched by name without the variant tag; unmatched ones are not paired', () => {
    expect(matchName('qa > [flash] case 3', 'flash')).toBe('qa > case 3')
    expect(matchName('[flash] case 3', 'flash')).toBe('case 3')
    expect(matchName('qa > case 3', 'flash')).toBe('qa > case 3')
    expect(matchName('qa > [flash] case 3', undefined)).toBe('qa > [flash] case 3')
    const a = run('a', EIGHT(1))
    const b = run('b', EIGHT(0))
    b.cases = b.cases.map((c, i) => ({ ...c, name: `qa > [b] other ${i}` }))
    const row = variantMatrix('qa.eval.ts', [
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]).metrics[0]
    expect(row?.pairs[0]?.n).toBe(0)
    expect(row?.pairs[0]?.pValue).toBeNull()
    expect(row?.verdict).toBe('undecided')
  })

  test('one column is undecided; the most divergent cases come with every output', () => {
    expect(variantMatrix('f', [{ label: 'a', run: run('a', EIGHT(1)) }]).metrics[0]?.verdict).toBe('undecided')
    const matrix = variantMatrix(
      'qa.eval.ts',
      [
        { label: 'a', run: run('a', [1, 1, 1, 0.5]) },
        { label: 'b', run: run('b', [1, 0.75, 0, 0.5]) },
      ],
      { maxCases: 5 },
    )
    expect(matrix.divergentCases.map((c) => [c.name, c.spread])).toEqual([
      ['qa > case 2', 1],
      ['qa > case 1', 0.25],
    ])
    expect(matrix.divergentCases[0]?.outputs).toEqual(['a answer 2', 'b answer 2'])
    expect(matrix.method).toEqual({
      test: 'paired sign-flip (cases matched by name)',
      correction: 'holm',
      interval: 'Student t 95% over cases',
    })
  })
})

describe('variantMatricesOf (an invocation read back from the store)', () => {
  test('one matrix per test file with variants, columns in run order, the same numbers as variantMatrix', () => {
    const good = run('good', EIGHT(1))
    const vague = run('vague', EIGHT(0.25))
    const other = { ...run('x', EIGHT(0.5)), id: 'run-other', file: 'b.eval.ts', key: 'b.eval.ts [x]', variant: 'x' }
    // A run read from a report written before `key` existed: the key in `file`.
    const otherY = { ...run('y', EIGHT(0.75)), id: 'run-other-y', file: 'b.eval.ts [y]', key: undefined, variant: 'y' }
    const plain: ReportRun = { ...run('p', EIGHT(1)), id: 'plain', file: 'plain.eval.ts', key: 'plain.eval.ts' }
    delete plain.variant
    const matrices = variantMatricesOf([other, good, plain, vague, otherY])
    expect(matrices.map((m) => m.file)).toEqual(['b.eval.ts', 'qa.eval.ts'])
    expect(matrices[1]).toEqual(
      variantMatrix('qa.eval.ts', [
        { label: 'good', run: good },
        { label: 'vague', run: vague },
      ]),
    )
    expect(variantMatricesOf([plain])).toEqual([])
  })

  test('the page gets each matrix unchanged with its verdicts in the words the console prints', () => {
    const matrix = variantMatrix('qa.eval.ts', [
      { label: 'good', run: run('good', EIGHT(1)) },
      { label: 'vague', run: run('vague', EIGHT(0.25)) },
    ])
    const [shown] = pageVariants([matrix])
    const { verdicts, ...rest } = shown ?? { verdicts: [] }
    expect(rest).toEqual(matrix)
    const row = matrix.metrics[0]
    if (!row) throw new Error('no metric row')
    expect(verdicts).toEqual([verdictText(matrix, row, (i) => ['good', 'vague'][i] ?? '')])
    expect(verdicts[0]).toMatch(/^answer_similarity: best good, better than vague \(p_adj /)
    expect(pageVariants(undefined)).toEqual([])
  })
})

describe('buildRuns', () => {
  const test_ = (name: string, variant?: string): CollectedTest => {
    const meta = emptyCaseMeta()
    if (variant) {
      meta.variant = variant
      meta.variantParams = { variant, model: `${variant}-model` }
    }
    return { name, state: 'passed', durationMs: 5, meta }
  }

  test('one run without variants, as before', () => {
    const runs = buildRuns(() => 'id', 'qa.eval.ts', [test_('a'), test_('b')], { durationMs: 99, params: { p: 1 } })
    expect(runs).toHaveLength(1)
    expect(runs[0]?.file).toBe('qa.eval.ts')
    expect(runs[0]?.durationMs).toBe(99)
    expect(runs[0]?.variant).toBeUndefined()
    expect(runs[0]?.params).toBeUndefined()
  })

  test('one run per variant, keyed `file [variant]`, params merged, plain tests in their own run', () => {
    let n = 0
    const runs = buildRuns(
      () => `id${++n}`,
      'qa.eval.ts',
      [test_('x > [a] 1', 'a'), test_('x > [b] 1', 'b'), test_('plain'), test_('x > [a] 2', 'a')],
      { durationMs: 99, params: { model: 'default', suite: 'qa' } },
    )
    expect(runs.map((r) => [r.file, r.key, r.variant, r.cases.length])).toEqual([
      ['qa.eval.ts', 'qa.eval.ts', undefined, 1],
      ['qa.eval.ts', 'qa.eval.ts [a]', 'a', 2],
      ['qa.eval.ts', 'qa.eval.ts [b]', 'b', 1],
    ])
    expect(runs[1]?.params).toEqual({ model: 'a-model', suite: 'qa', variant: 'a' })
    expect(runs[1]?.durationMs).toBeUndefined()
    expect(runs.map(runSourceFile)).toEqual(['qa.eval.ts', 'qa.eval.ts', 'qa.eval.ts'])
  })

  test('report cases made as the results arrived are the ones the runs hold, in file order', () => {
    const tests = [
      test_('x > [a] 1', 'a'),
      test_('plain'),
      test_('x > [a] 2', 'a'),
      { ...test_('gone'), state: 'skipped' as const },
    ]
    const made = new WeakMap<CollectedTest, ReportCase | undefined>(tests.map((t) => [t, toReportCase(t)]))
    const runs = buildRuns(() => 'id', 'qa.eval.ts', tests, { made })
    expect(runs.map((r) => r.cases.map((c) => c.name))).toEqual([['plain'], ['x > [a] 1', 'x > [a] 2']])
    expect(runs[1]?.cases[1]).toBe(made.get(tests[2] as CollectedTest))
    expect(runs[0]?.cases[0]).toBe(made.get(tests[1] as CollectedTest))
  })
})

describe('matrix renderings', () => {
  const matrix = variantMatrix('qa.eval.ts', [
    { label: 'good', run: run('good', EIGHT(1)) },
    { label: 'vague', run: run('vague', EIGHT(0.25)) },
  ])

  test('text: cells with intervals and marks, pass rate, usage and the verdict', () => {
    const text = renderVariantMatrixText(matrix, palette(false))
    expect(text).toContain(' variants  qa.eval.ts · 2 columns · 8 cases')
    expect(text).toMatch(/answer_similarity\s+1\.000 \[1\.000, 1\.000\] ★\s+0\.250 \[0\.250, 0\.250\] ▼/)
    expect(text).toMatch(/pass rate\s+100\.0%\s+0\.0%/)
    expect(text).toMatch(/judge tokens\s+120\s+120/)
    expect(text).toContain('★ answer_similarity: best good, better than vague (p_adj 0.008)')
  })

  test('markdown: a table per file, the best in bold, hostile labels and metric names escaped', () => {
    const hostile = variantMatrix('qa.eval.ts', [
      { label: '<img src=x onerror=alert(1)>', run: run('a', EIGHT(1)) },
      { label: '| pipe', run: run('b', EIGHT(0)) },
    ])
    const md = renderVariantMatrixMarkdown(hostile, escapeMarkdown)
    expect(md).not.toContain('<img')
    expect(md).toContain('&#124; pipe')
    expect(md).toContain('| answer_similarity | **1.000 [1.000, 1.000] ★**<br>pass 100.0% |')
    const report = renderMarkdown({
      version: 1,
      invocation: { id: 'i', startedAt: '2026-12-01T00:00:00Z', git: { commit: null, branch: null }, params: {} },
      runs: [],
      comparison: null,
      variants: [matrix],
    })
    expect(report).toContain('#### Variants: qa.eval.ts')
    // A file name markdown would read (a pipe) is escaped, and shown as text, not inside a code span.
    const piped = renderVariantMatrixMarkdown(
      variantMatrix('a|b.eval.ts', [
        ...hostile.columns.map((c, i) => ({ label: c.label, run: run(String(i), EIGHT(i)) })),
      ]),
      escapeMarkdown,
    )
    expect(piped).toContain('#### Variants: a&#124;b.eval.ts')
    expect(report).toContain('- ★ answer_similarity: best good, better than vague (p_adj 0.008)')
  })
})

test('GitHub annotations of a variant run point at its test file', async () => {
  const { renderGithubAnnotations } = await import('../../src/report/github-annotations.js')
  const text = renderGithubAnnotations({ runs: [run('vague', [0])] }, [
    { file: 'qa.eval.ts', key: 'qa.eval.ts [vague]', metric: 'answer_similarity', message: 'dropped' } as never,
  ])
  expect(text).toContain('file=qa.eval.ts,')
  expect(text).not.toContain('[vague],')
  expect(text.match(/file=qa\.eval\.ts[,:]/g)).toHaveLength(2)
})
