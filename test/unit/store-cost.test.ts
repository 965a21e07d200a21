import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, expect, test } from 'vitest'
import { caseCost, costSummary } from '../../src/report/cost.js'
import type { JsonReport, ReportRun } from '../../src/report/types.js'
import { runsDbPath } from '../../src/store/paths.js'
import { RUNS_MIGRATIONS } from '../../src/store/run-schema.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { writeInvocation } from '../integration/drive-reporter.js'
import { fullCase, makeRun } from '../store-contract/run-store-contract.js'

// The judge cost of a run and of its cases is kept in the `extra_json` column every schema version of
// runs.db has had: a file written before the cost existed, or at an older schema version, needs no
// new column, and reads back with the cost of the runs that had one.

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

const tallies = {
  'openai:gpt-4.1-mini': { calls: 2, input: 2100, output: 180, cached: 1, cachedInput: 990, cachedOutput: 85 },
}

function costlyRun(file: string): ReportRun {
  return makeRun(file, [{ ...fullCase(1), cost: caseCost(tallies) }, fullCase(2)], { cost: costSummary(tallies) })
}

test('a runs.db at the previous schema version is upgraded in place: runs saved with a cost keep it, others have none', async () => {
  dir = mkdtempSync(join(tmpdir(), 'vj-cost-'))
  const invocation = { startedAt: '2026-11-30T00:00:00.000Z', git: { commit: null, branch: null }, params: {} }
  const first = new SqliteRunStore(dir)
  await first.startInvocation({ ...invocation, id: 'inv-old', experiment: 'demo' })
  const { datasetDigest: _d, ...withCost } = costlyRun('evals/costly.test.ts')
  const { datasetDigest: _e, ...without } = makeRun('evals/plain.test.ts', [fullCase(3)])
  await first.saveRun('inv-old', withCost)
  await first.saveRun('inv-old', without)
  await first.close()
  // Back to version 1, as the release before the dataset digest left the file.
  const raw = new BetterSqlite3(runsDbPath(dir))
  raw.exec('ALTER TABLE runs DROP COLUMN dataset_digest')
  raw.exec('ALTER TABLE cases DROP COLUMN trace_json')
  raw.exec('DROP TABLE labels')
  raw.pragma('user_version = 1')
  raw.close()

  const store = new SqliteRunStore(dir)
  try {
    expect(await store.getRun(withCost.id)).toStrictEqual(JSON.parse(JSON.stringify(withCost)))
    const plain = await store.getRun(without.id)
    expect(plain).toStrictEqual(JSON.parse(JSON.stringify(without)))
    expect(plain).not.toHaveProperty('cost')
    expect(plain?.cases[0]).not.toHaveProperty('cost')
    const report = await store.getReport('inv-old')
    expect(report.cost).toStrictEqual(withCost.cost)
  } finally {
    await store.close()
  }
  const check = new BetterSqlite3(runsDbPath(dir), { readonly: true })
  try {
    expect(check.pragma('user_version', { simple: true })).toBe(RUNS_MIGRATIONS.length)
    // Where the cost lives, so that every vitest-judge reading this schema gets it back.
    const run = check.prepare('SELECT extra_json FROM runs WHERE id = ?').get(withCost.id) as { extra_json: string }
    expect(JSON.parse(run.extra_json).cost).toStrictEqual(withCost.cost)
    const firstCase = check.prepare('SELECT extra_json FROM cases WHERE run_id = ? AND ord = 0').get(withCost.id) as {
      extra_json: string
    }
    expect(JSON.parse(firstCase.extra_json).cost).toStrictEqual(withCost.cases[0]?.cost)
  } finally {
    check.close()
  }
})

test('what the reporter wrote to report.json about cost, the store gives back for that invocation', async () => {
  dir = mkdtempSync(join(tmpdir(), 'vj-cost-reporter-'))
  const pricing = { 'openai:house-judge': { input: 1.5, output: 6 } }
  await writeInvocation(dir, {
    files: [
      ['evals/a.eval.ts', 6],
      ['evals/b.eval.ts', 4],
      ['evals/free.eval.ts', 3],
    ],
    options: { pricing },
    judgeCalls: (file, i) =>
      file === 'evals/free.eval.ts'
        ? undefined
        : {
            'openai:house-judge': {
              calls: 1 + (i % 2),
              input: 700 + i,
              output: 90,
              cached: i % 3 === 0 ? 1 : 0,
              cachedInput: i % 3 === 0 ? 650 : 0,
              cachedOutput: i % 3 === 0 ? 80 : 0,
            },
            ...(file === 'evals/b.eval.ts' ? { 'openai:unknown-model': { ...tallies['openai:gpt-4.1-mini'] } } : {}),
          },
  })
  const state = join(dir, '.vitest-judge')
  const written = JSON.parse(readFileSync(join(state, 'report.json'), 'utf8')) as JsonReport
  expect(written.cost?.calls).toBeGreaterThan(0)
  expect(written.runs[0]?.cases[1]?.cost?.calls).toBe(2)
  expect(written.runs.find((r) => r.file === 'evals/b.eval.ts')?.cost?.unpriced).toEqual(['openai:unknown-model'])
  const store = new SqliteRunStore(state, { readonly: true })
  try {
    const stored = await store.getReport(written.invocation.id)
    const costs = (report: JsonReport) =>
      report.runs.map((run) => ({ file: run.file, run: run.cost, cases: run.cases.map((c) => c.cost) }))
    expect(costs(stored)).toStrictEqual(costs(written))
    expect(stored.runs.find((r) => r.file === 'evals/free.eval.ts')).not.toHaveProperty('cost')
    expect(stored.cost).toStrictEqual(written.cost)
  } finally {
    await store.close()
  }
})
