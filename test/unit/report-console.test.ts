import { describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { compareReports, evaluateGate } from '../../src/report/compare.js'
import { renderConsole } from '../../src/report/console.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

const NASTY = 'ok\u001b[2J\u001b]0;title\u0007\u0000\u0008\r\nnext \u202eevil\u009b31m'

function scoreCase(name: string, score: number, output = 'answer'): ReportCase {
  return {
    name,
    pass: score >= 0.75,
    scores: { answer_similarity: score, latency: 100 },
    judgeErrors: 0,
    output,
    metrics: {
      answer_similarity: { score, kind: 'score', threshold: 0.75, pass: score >= 0.75 },
      latency: { score: 100, kind: 'measurement', greaterIsBetter: false },
    },
  }
}

function run(file: string, cases: ReportCase[]): ReportRun {
  return {
    id: `r-${file}`,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 12, misses: 3 },
    tokens: { input: 1500, output: 200 },
  }
}

function report(runs: ReportRun[]): JsonReport {
  return {
    version: 1,
    invocation: {
      id: 'inv',
      startedAt: '2025-01-01T00:00:00.000Z',
      git: { commit: 'abc1234', branch: 'main' },
      params: {},
    },
    runs,
    comparison: null,
  }
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `case ${i + 1}`)
// biome-ignore lint/suspicious/noControlCharactersInRegex: checking none is left
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/

describe('renderConsole', () => {
  test('a table of every metric aggregate per file, cache and tokens', () => {
    const out = renderConsole(
      report([
        run(
          'evals/qa.test.ts',
          names(4).map((n, i) => scoreCase(n, i / 4 + 0.25)),
        ),
      ]),
      {
        color: false,
        filesWritten: ['.vitest-judge/junit.xml'],
        notes: ['No baseline to compare with'],
      },
    )
    expect(out).toContain('4 cases · 2 failed · cache 12/3 · tokens 1500/200')
    expect(out).toMatch(/metric\s+n\s+mean\s+var\s+p90\s+min\s+max\s+pass/)
    // mean 0.625, var 0.078125, p90 0.925, pass 50%
    expect(out).toMatch(/answer_similarity\s+4\s+0\.625\s+0\.078\s+0\.925\s+0\.250\s+1\.000\s+50\.0%/)
    expect(out).toMatch(/latency\s+4\s+100\.0\s+0\.000/)
    expect(out).toContain('note No baseline to compare with')
    expect(out).toContain('reports .vitest-judge/junit.xml')
    expect(out).not.toContain('\u001b')
  })

  test('comparison columns, significant marker and top regressed cases', () => {
    const base = report([
      run(
        'evals/qa.test.ts',
        names(6).map((n) => scoreCase(n, 1)),
      ),
    ])
    const head = report([
      run(
        'evals/qa.test.ts',
        names(6).map((n) => scoreCase(n, 0.25, NASTY)),
      ),
    ])
    head.comparison = compareReports(base, head, { alpha: 0.05 })
    const gateFailures = evaluateGate(head.comparison, head, { maxDrop: 0.1, alpha: 0.05, minMean: {} })
    const out = renderConsole(head, { color: false, gateFailures })
    expect(out).toContain('1 metric regressed')
    expect(out).toMatch(/answer_similarity .* -0\.750 ▼\s+0\.031/)
    expect(out.match(/↓ case/g)).toHaveLength(3)
    expect(out).toContain('3 more regressed cases in the report')
    expect(out).toContain('✗ gate evals/qa.test.ts: answer_similarity mean 1.000 -> 0.250')
    expect(out).not.toMatch(CONTROL)
    // The OSC title sequence goes whole, title included.
    expect(out).toContain('"ok next evil31m"')
  })

  test('colors only when asked, and only ANSI SGR codes', () => {
    const r = report([run('f.test.ts', [scoreCase(`x${NASTY}`, 0.5, NASTY)])])
    const colored = renderConsole(r, { color: true })
    expect(colored).toContain('\u001b[31m')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping our own color codes
    const stripped = colored.replace(/\u001b\[\d+m/g, '')
    expect(stripped).not.toMatch(CONTROL)
    expect(renderConsole(r, { color: false })).not.toContain('\u001b')
  })

  test('50 files x 200 cases stay short: only files with problems beyond maxFiles', () => {
    const runs = Array.from({ length: 50 }, (_, f) =>
      run(
        `evals/${'deeply/nested/'.repeat(f % 3)}suite-${String(f).padStart(2, '0')}.test.ts`,
        names(200).map((n, i) =>
          scoreCase(`${n} ${'long name '.repeat(20)}`, f % 5 === 0 && i % 9 === 0 ? 0 : 1, NASTY),
        ),
      ),
    )
    const head = report(runs)
    const base = report(
      runs.map((r) => ({ ...r, cases: r.cases.map((c) => ({ ...c, scores: { ...c.scores, answer_similarity: 1 } })) })),
    )
    head.comparison = compareReports(base, head, { alpha: 0.05 })
    const out = renderConsole(head, { color: false, width: 100 })
    const lines = out.split('\n')
    expect(lines.length).toBeLessThan(120)
    expect(out).toContain('50 files · 10000 cases')
    expect(out.match(/^ ✗ /gm)).toHaveLength(10)
    expect(out).toContain('… 40 more files not shown (see the JSON report)')
    expect(out).not.toMatch(CONTROL)
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(130)
    const all = renderConsole(head, { color: false, maxFiles: 100 })
    expect(all.match(/^ [✗✓] /gm)).toHaveLength(50)
  })
})
