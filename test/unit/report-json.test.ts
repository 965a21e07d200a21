import { describe, expect, test } from 'vitest'
import { ReportFormatError } from '../../src/errors.js'
import { aggregateRun } from '../../src/report/aggregate.js'
import { buildReport, mergeReports, parseReport, validateReport } from '../../src/report/json.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

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
})
