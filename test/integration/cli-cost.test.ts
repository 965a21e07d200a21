/**
 * The judge cost of past runs through the CLI (`node dist/cli/index.js`): `show`, `export`,
 * `report` and `merge` over a state folder seeded through the run store.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { caseCost, costSummary, formatUsd } from '../../src/report/cost.js'
import type { JsonReport, JudgeCallTally, ReportCase, ReportRun } from '../../src/report/types.js'
import { newId } from '../../src/store/ids.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { pricedAfresh } from '../cost-oracle.js'

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'dist/cli/index.js')
// As a `pricing` option would have priced the runs when they were recorded.
const PRICING = { 'openai:my-judge': { input: 3, output: 12 } }
const JUDGE = 'openai:my-judge'

let work: string
let dir: string
let invocationId: string
let runs: ReportRun[]

function cli(args: string[]): string {
  const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }
  delete env.VITEST_JUDGE_DIR
  const result = spawnSync(process.execPath, [CLI, '--dir', dir, ...args], {
    cwd: work,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  })
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  return result.stdout
}

function tally(calls: number, cached: number): JudgeCallTally {
  return {
    calls,
    input: 800 * calls,
    output: 120 * calls,
    cached,
    cachedInput: 800 * cached,
    cachedOutput: 120 * cached,
  }
}

function makeRun(file: string, judged: boolean): ReportRun {
  const cases: ReportCase[] = Array.from({ length: 4 }, (_, i) => {
    const c: ReportCase = { name: `${file} > case ${i}`, pass: true, scores: { quality: 1 }, judgeErrors: 0 }
    const cost = judged ? caseCost({ [JUDGE]: tally(1, i % 2) }, PRICING) : undefined
    if (cost) c.cost = cost
    return c
  })
  const cost = judged ? costSummary({ [JUDGE]: tally(4, 2) }, PRICING) : undefined
  return {
    id: newId(),
    file,
    status: 'complete',
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 2, misses: 2 },
    tokens: { input: 0, output: 0 },
    ...(cost ? { cost } : {}),
  }
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build, or npx tsup).`)
  work = mkdtempSync(join(tmpdir(), 'vj-cli-cost-'))
  dir = join(work, 'state')
  const store = new SqliteRunStore(dir)
  invocationId = newId()
  runs = [makeRun('evals/a.test.ts', true), makeRun('evals/b.test.ts', true), makeRun('evals/plain.test.ts', false)]
  await store.startInvocation({
    id: invocationId,
    startedAt: '2026-11-30T10:00:00.000Z',
    git: { commit: 'abc', branch: 'main' },
    params: {},
    experiment: 'demo',
  })
  for (const run of runs) await store.saveRun(invocationId, run)
  await store.finishInvocation(invocationId, 'complete', '2026-11-30T10:01:00.000Z')
  await store.close()
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the judge cost of a stored invocation', () => {
  test('show --json: each run and case with the cost it was saved with, the invocation with their sum', () => {
    const report = JSON.parse(cli(['show', 'latest', '--json'])) as JsonReport
    // Read back, every run carries its run key (the file, for runs without a variant).
    expect(report.runs).toStrictEqual(runs.map((r) => ({ ...r, key: r.file })))
    expect(report.runs[2]).not.toHaveProperty('cost')
    // What report.json had for the invocation, less the budget (not kept in the store).
    expect(report.cost).toStrictEqual(pricedAfresh(runs, PRICING))
    expect(report.cost?.calls).toBe(8)
    expect(report.cost?.usd).toBeGreaterThan(0)
  })

  test("runs --json: each run's summary with its cost", () => {
    const [listed] = JSON.parse(cli(['runs', '--json'])) as Array<{ runs: ReportRun[] }>
    expect(listed?.runs.map((r) => r.cost)).toStrictEqual(runs.map((r) => r.cost))
  })

  test('show: the cost line', () => {
    const cost = pricedAfresh(runs, PRICING)
    expect(cli(['show', 'latest'])).toContain(`judge cost ${formatUsd(cost?.usd)}`)
  })

  test('show <run id> --json: the cost of that run only', () => {
    const one = JSON.parse(cli(['show', runs[1]?.id ?? '', '--json'])) as JsonReport
    expect(one.runs.map((r) => r.file)).toEqual(['evals/b.test.ts'])
    expect(one.cost).toStrictEqual(runs[1]?.cost)
  })

  test('export: the JSON report has the cost', () => {
    const out = join(work, 'export.json')
    cli(['export', 'latest', '--out', out])
    const exported = JSON.parse(readFileSync(out, 'utf8')) as JsonReport
    expect(exported.runs.map((r) => r.cost)).toStrictEqual(runs.map((r) => r.cost))
    expect(exported.cost).toStrictEqual(pricedAfresh(runs, PRICING))
  })

  test("report --out: the page's runs carry their cost", () => {
    const out = join(work, 'page.html')
    cli(['report', 'latest', '--out', out])
    const html = readFileSync(out, 'utf8')
    const open = '<script type="application/json" id="vj-data">'
    const start = html.indexOf(open) + open.length
    const data = JSON.parse(html.slice(start, html.indexOf('</script>', start))) as {
      invocations: Array<{ runs: string[] }>
    }
    const pageRuns = (data.invocations[0]?.runs ?? []).map(
      (run) => JSON.parse(gunzipSync(Buffer.from(run, 'base64')).toString('utf8')) as ReportRun,
    )
    expect(pageRuns.map((r) => r.cost)).toStrictEqual(runs.map((r) => r.cost))
    expect(pageRuns[0]?.cases.map((c) => c.cost)).toStrictEqual(runs[0]?.cases.map((c) => c.cost))
    // A run id shows that run's file only, as `show` does.
    const one = join(work, 'one.html')
    cli(['report', runs[1]?.id ?? '', '--out', one])
    const oneHtml = readFileSync(one, 'utf8')
    const oneStart = oneHtml.indexOf(open) + open.length
    const oneData = JSON.parse(oneHtml.slice(oneStart, oneHtml.indexOf('</script>', oneStart))) as {
      invocations: Array<{ runs: string[] }>
    }
    expect(
      (oneData.invocations[0]?.runs ?? []).map(
        (run) => (JSON.parse(gunzipSync(Buffer.from(run, 'base64')).toString('utf8')) as ReportRun).file,
      ),
    ).toEqual(['evals/b.test.ts'])
  })

  test('merge of two shard reports keeps the cost of every run and of the invocation', () => {
    const full = JSON.parse(cli(['show', 'latest', '--json'])) as JsonReport
    const shard = (i: number, part: ReportRun[]) => {
      const path = join(work, `shard-${i}.json`)
      const { cost: _cost, ...rest } = full
      const report: JsonReport = { ...rest, invocation: { ...full.invocation, id: `shard-${i}` }, runs: part }
      const cost = pricedAfresh(part, PRICING)
      if (cost) report.cost = { ...cost, budget: { maxUsd: 5, maxCalls: null, calls: 4, spentUsd: 0.1, refused: 0 } }
      writeFileSync(path, JSON.stringify(report))
      return path
    }
    const a = shard(1, runs.slice(0, 1))
    const b = shard(2, runs.slice(1))
    const out = join(work, 'merged.json')
    cli(['merge', a, b, '--out', out])
    const merged = JSON.parse(readFileSync(out, 'utf8')) as JsonReport
    expect(merged.runs.map((r) => r.cost)).toStrictEqual(runs.map((r) => r.cost))
    expect(merged.cost).toStrictEqual(pricedAfresh(runs, PRICING))
    expect(merged.cost).not.toHaveProperty('budget')
  })
})
