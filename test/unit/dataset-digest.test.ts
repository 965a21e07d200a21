import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { compareReports, datasetChangeText, evaluateGate } from '../../src/report/compare.js'
import { renderConsole } from '../../src/report/console.js'
import { datasetDigest, textDigest } from '../../src/report/dataset-digest.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'
import { runsDbPath } from '../../src/store/paths.js'
import { RUNS_MIGRATIONS } from '../../src/store/run-schema.js'
import { SqliteRunStore } from '../../src/store/run-store.js'

function qaCase(i: number, score: number, expected = `Answer ${i}.`): ReportCase {
  return {
    name: `qa > case ${i}`,
    pass: true,
    scores: { answer_similarity: score },
    judgeErrors: 0,
    metrics: { answer_similarity: { score, kind: 'score', greaterIsBetter: true } },
    input: `Question ${i}?`,
    expected,
  }
}

function run(cases: ReportCase[]): ReportRun {
  return {
    id: 'run-qa',
    file: 'qa.eval.ts',
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
    datasetDigest: datasetDigest(cases),
  }
}

function report(id: string, cases: ReportCase[]): JsonReport {
  return {
    version: 1,
    invocation: { id, startedAt: '2026-12-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs: [run(cases)],
    comparison: null,
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('datasetDigest', () => {
  test('same names, inputs and expected texts give the same digest, in any order', () => {
    const cases = range(5).map((i) => qaCase(i, 1))
    expect(datasetDigest(cases)).toMatch(/^[0-9a-f]{16}$/)
    expect(datasetDigest([...cases].reverse())).toBe(datasetDigest(cases))
    // Scores and outputs are not the dataset.
    expect(datasetDigest(cases.map((c) => ({ ...c, output: 'other', scores: {} })))).toBe(datasetDigest(cases))
    expect(datasetDigest(cases.map((c, i) => (i === 2 ? { ...c, expected: 'new' } : c)))).not.toBe(datasetDigest(cases))
    expect(datasetDigest(cases.slice(1))).not.toBe(datasetDigest(cases))
  })

  test('a changed context changes the digest and makes the case a changed one, not a regression', () => {
    const withContext = (i: number, context: string, score: number): ReportCase => ({
      ...qaCase(i, score),
      contextDigest: textDigest(context),
    })
    const base = range(8).map((i) => withContext(i, `Retrieved passage ${i}.`, 1))
    const head = range(8).map((i) => withContext(i, `A different passage ${i}.`, 0))
    expect(datasetDigest(head)).not.toBe(datasetDigest(base))
    // Cases without a context keep the digest they had before contexts were digested.
    const plain = range(3).map((i) => qaCase(i, 1))
    expect(datasetDigest(plain)).toBe(datasetDigest(plain.map((c) => ({ ...c, contextDigest: undefined }))))
    const comparison = compareReports(report('b', base), report('h', head), { alpha: 0.05 })
    expect(comparison.runs[0]?.changedCases).toHaveLength(8)
    expect(comparison.runs[0]?.metrics[0]?.status).toBe('unchanged')
    // The same drop with the same context is a regression.
    const sameContext = range(8).map((i) => withContext(i, `Retrieved passage ${i}.`, 0))
    const regressed = compareReports(report('b', base), report('h', sameContext), { alpha: 0.05 })
    expect(regressed.runs[0]?.metrics[0]?.status).toBe('regressed')
  })
})

describe('a changed dataset in the comparison', () => {
  // 12 cases; in head: cases 0..7 changed their reference answer and now score 0 (a new reference,
  // not a regression), case 11 was removed, case 12 added; the other cases are unchanged.
  const base = report(
    'b',
    range(12).map((i) => qaCase(i, 1)),
  )
  const head = report('h', [
    ...range(8).map((i) => qaCase(i, 0, `A new reference answer ${i}.`)),
    ...[8, 9, 10].map((i) => qaCase(i, 1)),
    qaCase(12, 1),
  ])
  const comparison = compareReports(base, head, { alpha: 0.05 })
  const file = comparison.runs[0]

  test('says which cases were added, removed and changed, with both digests', () => {
    expect(file?.newCases).toEqual(['qa > case 12'])
    expect(file?.removedCases).toEqual(['qa > case 11'])
    expect(file?.changedCases).toEqual(range(8).map((i) => `qa > case ${i}`))
    expect(file?.datasetDigest).toEqual({ base: base.runs[0]?.datasetDigest, head: head.runs[0]?.datasetDigest })
    expect(datasetChangeText(file as NonNullable<typeof file>)).toBe(
      'dataset changed: 1 added, 1 removed, 8 changed (input, expected text or context: compared as new cases)',
    )
  })

  test('the gate compares only the unchanged cases: a changed reference answer is not a regression', () => {
    const metric = file?.metrics[0]
    expect(metric?.n.paired).toBe(3)
    expect(metric?.delta).toBeLessThan(-0.5)
    expect(metric?.pairedDelta).toBe(0)
    expect(metric?.status).toBe('unchanged')
    expect(evaluateGate(comparison, head, { maxDrop: 0, alpha: 0.05, minMean: {} })).toEqual([])
    // Without the expected texts the same scores would be a significant drop on 8 of 11 cases.
    const strip = (r: JsonReport): JsonReport => ({
      ...r,
      runs: r.runs.map((x) => ({ ...x, cases: x.cases.map(({ expected: _e, ...c }) => c) })),
    })
    const blind = compareReports(strip(base), strip(head), { alpha: 0.05 })
    expect(blind.runs[0]?.metrics[0]?.status).toBe('regressed')
  })

  test('console and markdown say it', () => {
    const shown: JsonReport = { ...head, comparison }
    expect(renderConsole(shown, { color: false })).toContain(
      '8 changed cases (new input, expected text or context: not compared)',
    )
    expect(renderMarkdown(shown)).toContain('8 changed cases (new input, expected text or context: not compared)')
  })
})

describe('runs.db keeps datasetDigest (migration 2)', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('a file at schema version 1 is upgraded; its old runs have no digest, new runs keep theirs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vj-digest-'))
    // A runs.db as the previous release wrote it: version 1, one invocation with one run.
    const first = new SqliteRunStore(dir)
    await first.startInvocation({
      id: 'inv-old',
      startedAt: '2026-11-30T00:00:00.000Z',
      git: { commit: null, branch: null },
      params: {},
      experiment: 'demo',
    })
    const { datasetDigest: _d, ...oldRun } = run([qaCase(1, 1)])
    await first.saveRun('inv-old', { ...oldRun, id: 'run-old' })
    await first.close()
    const raw = new BetterSqlite3(runsDbPath(dir))
    raw.exec('ALTER TABLE runs DROP COLUMN dataset_digest')
    raw.exec('ALTER TABLE cases DROP COLUMN trace_json')
    raw.exec('DROP TABLE labels')
    raw.pragma('user_version = 1')
    raw.close()

    const store = new SqliteRunStore(dir)
    await store.startInvocation({
      id: 'inv-new',
      startedAt: '2026-12-01T00:00:00.000Z',
      git: { commit: null, branch: null },
      params: {},
      experiment: 'demo',
    })
    const fresh = run([qaCase(1, 1), qaCase(2, 1)])
    await store.saveRun('inv-new', { ...fresh, id: 'run-new' })
    expect((await store.getRun('run-new'))?.datasetDigest).toBe(fresh.datasetDigest)
    expect((await store.getRun('run-old'))?.datasetDigest).toBeUndefined()
    await store.close()
    const check = new BetterSqlite3(runsDbPath(dir), { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(RUNS_MIGRATIONS.length)
    expect(RUNS_MIGRATIONS.length).toBeGreaterThanOrEqual(2)
    const row = check.prepare('SELECT dataset_digest FROM runs WHERE id = ?').get('run-new') as {
      dataset_digest: string
    }
    expect(row.dataset_digest).toBe(fresh.datasetDigest)
    check.close()
  })
})
