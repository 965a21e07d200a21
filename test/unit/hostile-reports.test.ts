/**
 * Seeded fuzzing of the report renderers with hostile text in every field a run can carry (file and
 * case names, metric names, inputs, outputs, references, justifications, errors, params, notes):
 * JUnit always parses, every markdown table keeps its column count and stays inert, and the console
 * carries no raw control character. Complements the fixed cases of report-*.test.ts.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { marked } from 'marked'
import { describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { compareReports } from '../../src/report/compare.js'
import { renderConsole } from '../../src/report/console.js'
import { renderJunit } from '../../src/report/junit.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'
import { validateXml } from '../schemas/xmllint.js'

const FRAGMENTS = [
  ']]>',
  '<![CDATA[',
  '</testcase>',
  '</testsuite><testsuite name="x">',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<!--',
  '-->',
  '|',
  '\\|',
  '\\',
  '`',
  '```',
  '@octocat',
  '@org/team',
  '#123',
  '[x](javascript:alert(1))',
  '![i](http://127.0.0.1/p.png)',
  '**',
  '_',
  '~~',
  '$x$',
  '> ',
  '- ',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '&',
  '&amp;',
  '"',
  "'",
  '\u0000',
  '\u0007',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b[31m',
  '\u001b]8;;http://x\u0007',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u202e',
  '\u2066',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '😀',
  '\ufffe',
  '\uffff',
  'é',
  '中文',
  ' ',
  'plain words',
]

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** mulberry32: a small deterministic PRNG, so that a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function hostileText(random: () => number, max = 24): string {
  const count = 1 + Math.floor(random() * max)
  let text = ''
  for (let i = 0; i < count; i++) text += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)] ?? ''
  return text
}

function makeCase(random: () => number, index: number, metric: string, score: number): ReportCase {
  const judgeError = random() < 0.15
  return {
    name: `${hostileText(random, 6)} #${index}`,
    pass: !judgeError && score >= 0.5,
    scores: { [metric]: judgeError ? null : score },
    judgeErrors: judgeError ? 1 : 0,
    metrics: {
      [metric]: judgeError
        ? {
            score: null,
            kind: 'score',
            pass: false,
            judge: 'openai:x',
            error: { code: 'VJ_JUDGE_HTTP', message: hostileText(random) },
          }
        : {
            score,
            raw: 1 + score * 4,
            kind: 'score',
            threshold: 0.5,
            pass: score >= 0.5,
            judge: 'openai:x',
            justification: hostileText(random),
          },
    },
    input: hostileText(random),
    output: random() < 0.1 ? `${hostileText(random)}${'B'.repeat(200_000)}` : hostileText(random),
    expected: hostileText(random),
    ...(score < 0.5 || judgeError ? { error: hostileText(random) } : {}),
  }
}

function makeRun(random: () => number, file: string, metric: string, scores: number[]): ReportRun {
  const cases = scores.map((score, i) => makeCase(random, i, metric, score))
  return {
    id: `run-${file.length}`,
    file,
    status: 'complete',
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: cases.reduce((n, c) => n + c.judgeErrors, 0),
    cache: { hits: 1, misses: 2 },
    tokens: { input: 10, output: 5 },
  }
}

/** A base and a head report of the same hostile files, the head worse, with a comparison. */
function reports(seed: number): JsonReport {
  const random = prng(seed)
  const files = [`${hostileText(random, 4)}.eval.ts`, `evals/${hostileText(random, 4)}.test.ts`]
  const metric = random() < 0.5 ? 'answer_similarity' : hostileText(random, 3)
  const baseScores = Array.from({ length: 8 }, () => 1)
  const headScores = Array.from({ length: 8 }, () => Math.floor(random() * 5) / 4)
  const build = (scores: number[], r: () => number): JsonReport => ({
    version: 1,
    invocation: {
      id: `inv-${seed}`,
      startedAt: '2025-01-01T00:00:00.000Z',
      git: { commit: 'abc', branch: hostileText(r, 3) },
      params: { prompt: hostileText(r, 4) },
    },
    runs: files.map((file) => makeRun(r, file, metric, scores)),
    comparison: null,
  })
  // The same names in both: replay the PRNG from one point for the names, then diverge on texts.
  const base = build(baseScores, prng(seed * 7919))
  const head = build(headScores, prng(seed * 7919))
  head.comparison = compareReports(base, head, { alpha: 0.05 })
  return head
}

/** Cells of a markdown table row: split on pipes that are not escaped. */
function cellCount(line: string): number {
  return line.replace(/\\\\/g, '').split(/(?<!\\)\|/).length
}

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1)

describe.each(SEEDS)('seed %i', (seed) => {
  const report = reports(seed)

  test('JUnit validates and parses with one testcase per case', () => {
    const xml = renderJunit(report)
    expect(XMLValidator.validate(xml)).toBe(true)
    // Jenkins' schema too, and no line a GitHub runner would read as a workflow command.
    expect(validateXml(xml)).toMatchObject({ valid: true })
    expect(xml.split(/\r\n|\n|\r/).filter((line) => line.trimStart().startsWith('::'))).toEqual([])
    expect(xml).not.toMatch(LONE_SURROGATE)
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as {
      testsuites: { testsuite: Array<{ testcase: unknown[] | unknown }> }
    }
    const suites = parsed.testsuites.testsuite
    const count = suites.reduce((n, s) => n + (Array.isArray(s.testcase) ? s.testcase.length : 1), 0)
    expect(count).toBe(report.runs.reduce((n, r) => n + r.cases.length, 0))
    expect(xml.length).toBeLessThan(400_000)
  })

  test('markdown tables keep their column count; the text is inert', () => {
    const md = renderMarkdown(report, { notes: [hostileText(prng(seed), 8)] })
    const lines = md.split('\n')
    let tables = 0
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]?.startsWith('|') || lines[i - 1]?.startsWith('|')) continue
      tables++
      const width = cellCount(lines[i] ?? '')
      for (let j = i; j < lines.length && lines[j]?.startsWith('|'); j++) {
        expect({ row: lines[j], cells: cellCount(lines[j] ?? '') }).toEqual({ row: lines[j], cells: width })
      }
    }
    expect(tables).toBeGreaterThan(0)
    expect(md).not.toMatch(RAW_CONTROL)
    expect(md).not.toMatch(LONE_SURROGATE)
    expect(md).not.toMatch(/<(script|img|testcase|testsuite)/i)
    expect(md).not.toMatch(/@(octocat|org)\b/)
    expect(md).not.toMatch(/\]\(javascript:/)
    expect(md.length).toBeLessThan(65_536)
    // As GitHub-flavoured markdown renders it: no link, image, emphasis, strike-through or tag from the data.
    const html = marked.parse(md, { gfm: true, async: false })
    expect(html).not.toMatch(/<(a|img|script|em|del|iframe|input|style)\b/i)
  })

  test.each([false, true])('the console (color %s) has no raw control character', (color) => {
    const text = renderConsole(report, { color, notes: [hostileText(prng(seed), 8)] })
    // Only our own SGR colour codes may be there.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing our colour codes is the point
    const plain = text.replace(/\u001b\[\d+(;\d+)*m/g, '')
    expect(plain).not.toMatch(RAW_CONTROL)
    expect(plain).not.toMatch(LONE_SURROGATE)
    expect(plain.length).toBeLessThan(100_000)
  })
})
