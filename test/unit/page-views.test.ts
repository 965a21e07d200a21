// The page's view logic, in Node: the pure functions the views are made of (the DOM part is
// covered by the Chromium tests in test/integration/html-*.test.ts).
import { describe, expect, test } from 'vitest'
import { worse } from '../../src/report/case-index.js'
import { costLines, costSummary } from '../../src/report/cost.js'
import { caseColumns, sortCases } from '../../src/report/html/page/cases/columns.js'
import { caseFacts, trialsText } from '../../src/report/html/page/cases/detail-text.js'
import {
  type CaseItem,
  casesOf,
  indexPage,
  type LoadedInvocation,
  scoresDiffer,
  searchText,
  unionKeys,
} from '../../src/report/html/page/data.js'
import { cellExcerpt, gitText, variantParams } from '../../src/report/html/page/format.js'
import { histogram } from '../../src/report/html/page/views/histogram.js'
import { agreementLines, costText, judgesOf, overviewTotals } from '../../src/report/html/page/views/overview-model.js'
import { wordDiff } from '../../src/report/html/page/word-diff.js'
import { bundlePageSync } from '../../src/report/html/page-bundle.js'
import { meanConfidenceInterval } from '../../src/report/statistics.js'
import type { ReportCase, ReportRun } from '../../src/report/types.js'

function testCase(name: string, scores: Record<string, number | null>, extra: Partial<ReportCase> = {}): ReportCase {
  return { name, pass: true, scores, judgeErrors: 0, ...extra }
}

function run(file: string, cases: ReportCase[], extra: Partial<ReportRun> = {}): ReportRun {
  return {
    id: `r-${file}`,
    file,
    cases,
    aggregates: {},
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
    ...extra,
  }
}

function invocation(id: string, runs: ReportRun[]): LoadedInvocation {
  return { invocation: { id, startedAt: '2026-01-01', git: { commit: null, branch: null }, params: {} }, runs }
}

describe('the page index', () => {
  const head = invocation('h', [
    run('a.eval.ts', [
      testCase('one', { sim: 0.5, latency: 900 }),
      testCase('two', { sim: 0.9, 'sim#2': 0.2 }),
      testCase('new', { sim: 0.1 }),
    ]),
  ])
  const base = invocation('b', [
    run('a.eval.ts', [testCase('one', { sim: 0.7, latency: 1000 }), testCase('two', { sim: 0.8, 'sim#2': 0.2 })]),
  ])

  test('a case is regressed when some metric is worse than its baseline case; latency is lower-is-better by name', () => {
    const index = indexPage(head, base)
    const byName = new Map(index.headCases.map((item) => [item.c.name, item]))
    expect(byName.get('one')?.regressed).toBe(true)
    expect(byName.get('two')?.regressed).toBe(false)
    expect(byName.get('new')?.regressed).toBe(false)
    expect(byName.get('new')?.base).toBeUndefined()
    // 900 ms against 1000 ms is better, not worse: the rule of report/case-index.ts, not "smaller is worse".
    expect(worse(byName.get('one')?.c as ReportCase, byName.get('one')?.base, 'latency')).toBe(false)
  })

  test('metric keys in order met, kinds from the shared rule (latency a measurement), names without #k', () => {
    const index = indexPage(head, null)
    expect(index.caseKeys).toEqual(['sim', 'latency', 'sim#2'])
    expect(index.kinds.get('latency')).toBe('measurement')
    expect(index.kinds.get('sim')).toBe('score')
    expect(index.metricNames).toEqual(['sim', 'latency'])
  })

  test('a recorded direction wins over the name', () => {
    const h = testCase(
      'c',
      { latency: 900 },
      { metrics: { latency: { score: 900, kind: 'measurement', greaterIsBetter: true } } },
    )
    expect(worse(h, testCase('c', { latency: 1000 }), 'latency')).toBe(true)
    expect(worse(h, testCase('c', { latency: null }), 'latency')).toBe(false)
  })

  test('search text holds name, input, output and justifications, lower-cased', () => {
    const [item] = casesOf(
      invocation('x', [
        run('f.ts', [
          testCase(
            'Alpha',
            { m: 1 },
            {
              input: 'What IS',
              metrics: { m: { score: 1, kind: 'score', justification: 'Because REASONS' } },
            },
          ),
        ]),
      ]),
    )
    expect(searchText(item as CaseItem)).toContain('because reasons')
    expect(searchText(item as CaseItem)).toContain('what is')
    expect(searchText(item as CaseItem)).toContain('f.ts')
  })

  test('side by side: rows whose scores differ, keys in the order first met', () => {
    const a = casesOf(invocation('a', [run('f', [testCase('x', { m: 1 })])]))[0]
    const b = casesOf(invocation('b', [run('f', [testCase('x', { m: 0.5 })])]))[0]
    expect(scoresDiffer([a, a])).toBe(false)
    expect(scoresDiffer([a, b])).toBe(true)
    expect(scoresDiffer([a, undefined])).toBe(true)
    expect(
      unionKeys([
        new Map([
          ['k2', 1],
          ['k1', 1],
        ]),
        new Map([
          ['k3', 1],
          ['k1', 1],
        ]),
      ]),
    ).toEqual(['k2', 'k1', 'k3'])
  })
})

describe('the cases table', () => {
  const index = indexPage(
    invocation('h', [
      run('f', [testCase('b', { m: 0.5 }), testCase('a', { m: null }), testCase('c', { m: 0.9 }, { pass: false })]),
    ]),
    invocation('b', [run('f', [testCase('b', { m: 0.6 })])]),
  )

  test('columns are declared in order: status, file, case, a column per metric key, latency', () => {
    expect(caseColumns(['m', 'k']).map((c) => c.id)).toEqual(['status', 'file', 'name', 'm:m', 'm:k', 'latency'])
    expect(caseColumns(Array.from({ length: 12 }, (_, i) => `k${i}`))).toHaveLength(3 + 8 + 1)
  })

  test('a metric cell says error, marks a regression, and sorts errors first', () => {
    const metric = caseColumns(index.caseKeys).find((c) => c.id === 'm:m')
    if (!metric) throw new Error('no metric column')
    const [b, a, c] = index.headCases as [CaseItem, CaseItem, CaseItem]
    expect(metric.cell(b)).toEqual({ text: '0.500', cls: 'regressed' })
    expect(metric.cell(a)).toEqual({ text: 'error', cls: 'warn' })
    expect(metric.cell(c)).toEqual({ text: '0.900', cls: '' })
    expect(sortCases(index.headCases, metric, false).map((i) => i.c.name)).toEqual(['a', 'b', 'c'])
    expect(sortCases(index.headCases, metric, true).map((i) => i.c.name)).toEqual(['c', 'b', 'a'])
  })
})

describe('the case detail', () => {
  test('trials with the 95% Student t interval of statistics.ts, clamped to 0-1 for scores only', () => {
    const trials = [0.8, 0.9, 1]
    const ci = meanConfidenceInterval(trials, 0.95, [0, 1]) as [number, number]
    expect(trialsText(trials, 'score')).toBe(`0.800, 0.900, 1.000 [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]`)
    expect(ci[1]).toBe(1)
    // A measurement is not clamped: 110 ± 12.706 × 10.
    expect(trialsText([100, 120], 'measurement')).toBe('100.0, 120.0 [-17.062, 237.1]')
    expect(trialsText([0.5], 'score')).toBe('0.500')
    expect(trialsText(undefined, 'score')).toBe('')
  })

  test('the facts line', () => {
    const [item] = casesOf(
      invocation('x', [
        run('f.ts', [testCase('a', {}, { pass: false, latencyMs: 1234, tokens: { input: 3, output: 4 }, retries: 2 })]),
      ]),
    )
    expect(caseFacts(item as CaseItem)).toBe('failed · file f.ts · latency 1234.0 ms · tokens 3 in / 4 out · 2 retries')
    const appCache = {
      replayed: 2,
      recorded: 0,
      misses: 0,
      replayedLatencyMs: 312,
      savedTokens: { input: 40, output: 12 },
    }
    const [replayed] = casesOf(invocation('y', [run('f.ts', [testCase('a', {}, { latencyMs: 3, appCache })])]))
    expect(caseFacts(replayed as CaseItem)).toBe(
      "passed · file f.ts · latency 3.000 ms · app cache: 2 calls replayed (recorded latency 312.0 ms, not this run's; 40 in / 12 out tokens saved)",
    )
  })

  test('word diff: kept, removed and added words; too long is null', () => {
    expect(wordDiff('the cat sat', 'the dog sat')).toEqual([
      ['=', 'the'],
      ['=', ' '],
      ['-', 'cat'],
      ['+', 'dog'],
      ['=', ' '],
      ['=', 'sat'],
    ])
    expect(wordDiff('a '.repeat(15000), 'b '.repeat(15000))).toBeNull()
  })
})

describe('overview, distributions, labels', () => {
  test('totals over the runs; judges named by the metrics', () => {
    const runs = [
      run('a', [testCase('x', {}, { pass: false, metrics: { m: { score: 1, kind: 'score', judge: 'openai:b' } } })], {
        judgeErrors: 2,
        cache: { hits: 3, misses: 4 },
        tokens: { input: 5, output: 6 },
      }),
      run('b', [testCase('y', {}, { metrics: { m: { score: 1, kind: 'score', judge: 'gemini:a' } } })], { retries: 1 }),
    ]
    expect(overviewTotals(runs)).toEqual({
      files: 2,
      cases: 2,
      failed: 1,
      judgeErrors: 2,
      retries: 1,
      hits: 3,
      misses: 4,
      tokensIn: 5,
      tokensOut: 6,
    })
    expect(judgesOf(runs)).toEqual(['gemini:a', 'openai:b'])
  })

  test("the cost is the report's, in the console's words: the page adds nothing up", () => {
    const cost = costSummary({
      'openai:gpt-4.1-mini': { calls: 2, input: 1000, output: 200, cached: 1, cachedInput: 500, cachedOutput: 100 },
    })
    if (!cost) throw new Error('no cost')
    expect(costText(cost)).toBe(costLines(cost).join(' · '))
    expect(costText(cost)).toContain('saved $0.0004 by 1 cache hit')
    expect(costText(null)).toBe('cost not recorded')
    expect(agreementLines(null)).toEqual([])
  })

  test('histograms: raw grades when recorded, 10 bins of scores, 20 bins over a measurement range', () => {
    const cases = casesOf(
      invocation('x', [
        run('f', [
          testCase('a', { s: 0.05, t: 10 }),
          testCase('b', { s: 0.95, t: 30 }),
          testCase('c', { s: 1, t: 20, g: 0.75 }, { metrics: { g: { score: 0.75, raw: 4, kind: 'score' } } }),
        ]),
      ]),
    )
    expect(histogram(cases, 's', 'score')?.counts).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 2])
    const t = histogram(cases, 't', 'measurement')
    expect(t?.counts).toHaveLength(20)
    expect(t?.counts[0]).toBe(1)
    expect(t?.counts[19]).toBe(1)
    expect(histogram(cases, 'g', 'score')).toMatchObject({ what: 'raw judge grades (1-5)', counts: [0, 0, 0, 1, 0] })
    expect(histogram(cases, 'none', 'score')).toBeNull()
  })

  test('labels: git, excerpts keep every character, a variant shows only its own params', () => {
    expect(gitText({ commit: '0123456789', branch: 'main' })).toBe('main @ 01234567')
    expect(gitText({ commit: null, branch: null })).toBe('no commit')
    expect(cellExcerpt('a\u202e  b\n c', 10)).toBe('a\u202e b c')
    expect(cellExcerpt('x'.repeat(20), 5)).toBe('xxxxx …')
    const inv = { id: 'i', startedAt: '', git: { commit: null, branch: null }, params: { model: 'm', t: 1 } }
    expect(variantParams(run('f', [], { params: { model: 'm', t: 2, variant: 'v' } }), inv)).toBe('t=2')
  })
})

describe('the page bundle', () => {
  test('one IIFE that imports the report rules instead of copying them, with no Node built-in and no </script', () => {
    const { script, inputs } = bundlePageSync()
    expect(script).toMatch(/^"use strict";\s*\(\(\)\s*=>\s*\{/)
    for (const rule of [
      'formatValue',
      'formatDelta',
      'metricBaseName',
      'worse',
      'kindOf',
      'meanConfidenceInterval',
      'matchName',
    ]) {
      expect(script.match(new RegExp(`function ${rule}\\(`, 'g')), rule).toHaveLength(1)
    }
    for (const module of ['text', 'case-index', 'statistics', 'variant-match', 'cost']) {
      expect(inputs).toContain(`src/report/${module}.ts`)
    }
    expect(inputs.filter((input) => !input.startsWith('src/'))).toEqual([])
    expect(script).not.toMatch(/\brequire\(|node:|<\/script/i)
  })
})
