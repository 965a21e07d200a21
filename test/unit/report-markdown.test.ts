import { describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { compareReports, evaluateGate } from '../../src/report/compare.js'
import { escapeMarkdown, MARKDOWN_MARKER, renderMarkdown } from '../../src/report/markdown.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

const HOSTILE =
  'a | b || c\nnext line\r\n<script>alert(1)</script> @octocat </details><details open> ' +
  '[click](https://evil.example/x) ![img](http://evil.example/i.png) <!-- x --> `code` **bold** $x^2$ #123 www.evil.example \\| \u001b[31m'

function scoreCase(name: string, score: number, output: string): ReportCase {
  return {
    name,
    pass: score >= 0.75,
    scores: { answer_similarity: score },
    judgeErrors: 0,
    output,
    metrics: { answer_similarity: { score, kind: 'score', threshold: 0.75, pass: score >= 0.75 } },
  }
}

function run(file: string, cases: ReportCase[]): ReportRun {
  return {
    id: `r-${file}`,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 1, misses: 0 },
    tokens: { input: 10, output: 5 },
  }
}

function report(id: string, runs: ReportRun[]): JsonReport {
  return {
    version: 1,
    invocation: { id, startedAt: '2025-01-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs,
    comparison: null,
  }
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `case ${i + 1}`)

/** Every table: rows keep the header's column count (no escaped pipes are used, so count them all). */
function checkTables(md: string): number {
  let tables = 0
  let columns = -1
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) {
      columns = -1
      continue
    }
    const count = line.split('|').length
    if (columns === -1) {
      columns = count
      tables++
    } else expect(count, line).toBe(columns)
  }
  return tables
}

function checkSafe(md: string): void {
  expect(md).not.toMatch(/<script/i)
  expect(md).not.toMatch(/@octocat/)
  expect(md).not.toMatch(/\]\(/)
  expect(md).not.toMatch(/https?:\/\//)
  expect(md).not.toMatch(/www\.evil/)
  expect(md).not.toMatch(/<details open/)
  expect(md).not.toContain('<!-- x -->')
  expect(md).not.toContain('`code`')
  expect(md).not.toContain('\u001b')
  expect(md).not.toMatch(/#123/)
  expect(md.split('<details>').length).toBe(md.split('</details>').length)
}

describe('escapeMarkdown', () => {
  test('neutralizes tables, HTML, mentions, links, code, math', () => {
    const out = escapeMarkdown(HOSTILE, 1000)
    expect(out).not.toContain('|')
    expect(out).not.toContain('\n')
    expect(out).not.toContain('<')
    expect(out).not.toContain('\\')
    checkSafe(out)
    expect(out).toContain('@\u200boctocat')
  })

  test('cuts long text', () => {
    expect(escapeMarkdown('x'.repeat(10_000), 50).length).toBeLessThanOrEqual(50)
  })
})

describe('renderMarkdown', () => {
  const base = report('base', [
    run(
      'evals/qa.test.ts',
      names(6).map((n) => scoreCase(n, 1, 'ok')),
    ),
    run(
      'evals/ok.test.ts',
      names(6).map((n) => scoreCase(n, 1, 'ok')),
    ),
  ])
  const head = report('head', [
    run(
      'evals/qa.test.ts',
      names(6).map((n) => scoreCase(`${n} ${HOSTILE}`.slice(0, 30), 0.25, HOSTILE)),
    ),
    run(
      'evals/ok.test.ts',
      names(6).map((n) => scoreCase(n, 1, 'ok')),
    ),
  ])
  head.runs[0]!.cases = head.runs[0]!.cases.map((c, i) => ({ ...c, name: `case ${i + 1}` }))
  head.comparison = compareReports(base, head, { alpha: 0.05 })
  const gateFailures = evaluateGate(head.comparison, head, { maxDrop: 0.1, alpha: 0.05, minMean: {} })
  const md = renderMarkdown(head, { gateFailures })

  test('status line, marker, metric table with baseline, current, delta, significance, status', () => {
    const lines = md.split('\n')
    expect(lines[0]).toBe(MARKDOWN_MARKER)
    expect(lines[1]).toMatch(/^## ❌ vitest-judge: 2 files · 12 cases · 6 failed · 1 metric regressed/)
    expect(md).toContain('| metric | baseline | current | delta | significance (p) | status |')
    expect(md).toContain(
      '| `answer_similarity` | 1.000 | 0.250 (n=6) | -0.750 | 0.031, one-sided adj. **0.016** (paired) | ❌ regressed |',
    )
    expect(md).toContain('dropped more than gate.maxDrop 0.1')
    expect(md).toContain('### Most regressed cases')
    expect(md).toContain('<details><summary>❌ evals/qa.test.ts: 1 regressed, 6 failed</summary>')
  })

  test('model output cannot break the tables or inject anything', () => {
    expect(checkTables(md)).toBeGreaterThanOrEqual(4)
    checkSafe(md)
    // `<` starting a tag is an entity; a `>` after it means nothing to markdown and stays readable.
    expect(md).toContain('&lt;script>alert(1)&lt;/script>')
  })

  test('files with problems come first', () => {
    expect(md.indexOf('| ❌ | evals/qa.test.ts')).toBeLessThan(md.indexOf('| ✅ | evals/ok.test.ts'))
  })

  test('without a comparison: current aggregates only; marker can be changed or dropped', () => {
    const plain = renderMarkdown({ ...head, comparison: null }, { marker: false, title: 'nightly' })
    expect(plain.split('\n')[0]).toMatch(/^## ⚠️ nightly: 2 files · 12 cases · 6 failed$/)
    expect(plain).toContain('| metric | n | mean | p90 | min | max | pass rate |')
    expect(plain).toContain('| `answer_similarity` | 6 | 0.250 | 0.250 | 0.250 | 0.250 | 0.0% |')
    expect(plain).toContain('Failed cases:')
    checkTables(plain)
    checkSafe(plain)
    expect(renderMarkdown(base, { marker: '<!-- custom -->' }).startsWith('<!-- custom -->\n## ✅')).toBe(true)
  })

  test('50 files stay under the GitHub comment limit, summary table first', () => {
    const many = (score: number) =>
      report(
        'm',
        Array.from({ length: 50 }, (_, f) =>
          run(
            `evals/suite-${String(f).padStart(2, '0')}.test.ts`,
            names(200).map((n, i) => scoreCase(n, i % 7 === 0 ? score : 1, HOSTILE)),
          ),
        ),
      )
    const big = many(0)
    big.comparison = compareReports(many(1), big, { alpha: 0.05 })
    const out = renderMarkdown(big)
    expect(out.length).toBeLessThan(65_536)
    expect(out.indexOf('| file |')).toBeLessThan(out.indexOf('<details>'))
    expect(out.match(/^\| (❌|⚠️|✅) \| evals\/suite-/gm)).toHaveLength(50)
    checkTables(out)
    checkSafe(out)
    const tight = renderMarkdown(big, { maxLength: 10_000 })
    expect(tight.length).toBeLessThan(10_000)
    expect(tight).toMatch(/Details of \d+ files omitted/)
  })
})
