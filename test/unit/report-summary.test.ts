import { describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { evaluateGate } from '../../src/report/compare.js'
import { renderConsole } from '../../src/report/console.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { kindsOnlyRun, summarizeReport, summarizeRun } from '../../src/report/summary.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

function scoreCase(i: number): ReportCase {
  const score = (i % 4) / 4
  return {
    name: `case ${i}`,
    pass: score >= 0.5,
    scores: { answer_similarity: score, 'latency#2': 100 + i },
    judgeErrors: 0,
    output: `answer ${i}`,
    metrics: {
      answer_similarity: { score, kind: 'score', threshold: 0.5, pass: score >= 0.5 },
      'latency#2': { score: 100 + i, kind: 'measurement', greaterIsBetter: false },
    },
  }
}

function run(file: string, n: number): ReportRun {
  const cases = Array.from({ length: n }, (_, i) => scoreCase(i))
  return {
    id: `r-${file}`,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 1, misses: 2 },
    tokens: { input: 3, output: 4 },
  }
}

function report(runs: ReportRun[]): JsonReport {
  return {
    version: 1,
    invocation: { id: 'inv', startedAt: '2026-01-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs,
    comparison: null,
  }
}

describe('summarizeRun', () => {
  test('counts every case and keeps the first failed ones whole, with each metric kind by base name', () => {
    const summary = summarizeRun(run('a.eval.ts', 40), 3)
    expect(summary.caseCount).toBe(40)
    expect(summary.failedCount).toBe(20)
    expect(summary.failedCases.map((c) => c.name)).toEqual(['case 0', 'case 1', 'case 4'])
    expect(summary.kinds).toEqual({ answer_similarity: 'score', latency: 'measurement' })
    expect(summary).not.toHaveProperty('cases')
  })

  test('the summaries render as the whole report does', () => {
    const whole = report([run('b.eval.ts', 30), run('a.eval.ts', 12)])
    const summary = summarizeReport(whole)
    expect(summarizeReport(summary).runs).toEqual(summary.runs)
    expect(renderMarkdown(summary)).toBe(renderMarkdown(whole))
    expect(renderConsole(summary, { color: false })).toBe(renderConsole(whole, { color: false }))
    // Kept failed cases suffice for the markdown's failed-case tables (10 per file by default).
    const kept = { ...summary, runs: whole.runs.map((r) => summarizeRun(r, 10)) }
    expect(renderMarkdown(kept)).toBe(renderMarkdown(whole))
    expect(renderMarkdown(whole)).toContain('| case 0 |')
  })

  test('the gate reads a kinds-only run as it reads the whole run', () => {
    const whole = report([run('a.eval.ts', 12)])
    const gate = { maxDrop: null, alpha: 0.05, minMean: { answer_similarity: 0.9, latency: 1 } }
    const summarized = { ...whole, runs: summarizeReport(whole).runs.map(kindsOnlyRun) }
    expect(evaluateGate(null, summarized, gate)).toEqual(evaluateGate(null, whole, gate))
    expect(evaluateGate(null, whole, gate).map((f) => f.metric)).toEqual(['answer_similarity'])
  })
})
