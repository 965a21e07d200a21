/**
 * The `vitest-judge` CLI as users run it: `node dist/cli/index.js ...` (built by `pretest`) against a
 * state folder seeded through the run store and the judge cache, checking output, files and exit codes.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'
import { newId } from '../../src/store/ids.js'
import { SqliteJudgeCache } from '../../src/store/judge-cache.js'
import { runsDbPath } from '../../src/store/paths.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import type { RunStore } from '../../src/store/types.js'

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'dist/cli/index.js')
const SECRET = 'sk-clitest0123456789abcdefSECRET'
const QA = 'evals/qa.test.ts'
const TONE = 'evals/tone.test.ts'
const CASES = 20

let work: string
/** State folder: base (everything 1.0), then head (every tone case 0.25). */
let dir: string
let baseId: string
let headId: string
/** State folder where only 1 tone case of 20 drops. */
let oneDropDir: string

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

function cli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Result {
  const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }
  delete env.VITEST_JUDGE_DIR
  env.OPENAI_API_KEY = SECRET
  Object.assign(env, options.env)
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? work,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Runs the CLI in `dir` and expects exit 0 with nothing on stderr. */
function ok(args: string[], options: Parameters<typeof cli>[1] = {}): string {
  const result = cli(['--dir', dir, ...args], options)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return result.stdout
}

function makeCase(file: string, i: number, score: number): ReportCase {
  const metric = file === QA ? 'answer_similarity' : 'professionalism'
  const latency = 100 + i
  return {
    name: `${file === QA ? 'qa' : 'tone'} > case ${i}`,
    pass: score >= 0.75,
    scores: { [metric]: score, latency },
    judgeErrors: 0,
    metrics: {
      [metric]: { score, raw: 1 + score * 4, kind: 'score', threshold: 0.75, pass: score >= 0.75, judge: 'local' },
      latency: { score: latency, kind: 'measurement', greaterIsBetter: false },
    },
    input: `question ${i}`,
    output: i === 0 ? `answer with a key ${SECRET}` : `answer ${i}`,
  }
}

function makeRun(file: string, score: (i: number) => number): ReportRun {
  const cases = Array.from({ length: CASES }, (_, i) => makeCase(file, i, score(i)))
  return {
    id: newId(),
    file,
    status: 'complete',
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 0, misses: CASES },
    tokens: { input: 0, output: 0 },
  }
}

async function record(
  store: RunStore,
  startedMs: number,
  git: { branch: string; commit: string },
  runs: ReportRun[],
  status: 'complete' | 'running' = 'complete',
): Promise<string> {
  const id = newId(startedMs)
  await store.startInvocation({
    id,
    startedAt: new Date(startedMs).toISOString(),
    git,
    params: { model: 'local', promptVersion: 2 },
    experiment: 'demo',
  })
  for (const run of runs) await store.saveRun(id, run)
  if (status === 'complete') await store.finishInvocation(id, 'complete', new Date(startedMs + 30_000).toISOString())
  return id
}

function writeJson(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify(value, null, 2))
  return path
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build, or npx tsup).`)
  work = mkdtempSync(join(tmpdir(), 'vj-cli-'))
  dir = join(work, 'state')
  const t0 = Date.parse('2025-06-01T10:00:00Z')
  const store = new SqliteRunStore(dir)
  baseId = await record(store, t0, { branch: 'main', commit: 'a1b2c3d4e5f6a7b8' }, [
    makeRun(QA, () => 1),
    makeRun(TONE, () => 1),
  ])
  headId = await record(store, t0 + 3_600_000, { branch: 'feature/tone', commit: 'f00dfeedbeef0001' }, [
    makeRun(QA, () => 1),
    makeRun(TONE, () => 0.25),
  ])
  await store.close()

  oneDropDir = join(work, 'one-drop')
  const other = new SqliteRunStore(oneDropDir)
  await record(other, t0, { branch: 'main', commit: 'a1b2c3d' }, [makeRun(TONE, () => 1)])
  await record(other, t0 + 60_000, { branch: 'main', commit: 'b2c3d4e' }, [makeRun(TONE, (i) => (i === 7 ? 0.25 : 1))])
  await other.close()
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('runs', () => {
  test('lists invocations newest first with runs, means, status and git', () => {
    const out = ok(['runs'])
    expect(out.indexOf(headId)).toBeGreaterThanOrEqual(0)
    expect(out.indexOf(headId)).toBeLessThan(out.indexOf(baseId))
    expect(out).toContain('feature/tone@f00dfee')
    expect(out).toContain('main@a1b2c3d')
    expect(out).toContain('✓ complete')
    expect(out).toMatch(/evals\/tone\.test\.ts\s+0\/20 passed\s+professionalism 0\.250 · latency 109\.5/)
    expect(out).toMatch(/evals\/qa\.test\.ts\s+20\/20 passed\s+answer_similarity 1\.000/)
  })

  test('--json is a list of invocations with their runs', () => {
    const list = JSON.parse(ok(['runs', '--json'])) as {
      id: string
      status: string
      tags: string[]
      git: { branch: string }
      runs: { file: string; caseCount: number; passed: number; aggregates: Record<string, { mean: number }> }[]
    }[]
    expect(list.map((inv) => inv.id)).toEqual([headId, baseId])
    expect(list[0]?.status).toBe('complete')
    expect(list[0]?.git.branch).toBe('feature/tone')
    expect(list[0]?.runs.map((run) => run.file)).toEqual([QA, TONE])
    expect(list[0]?.runs[1]).toMatchObject({ caseCount: 20, passed: 0 })
    expect(list[0]?.runs[1]?.aggregates.professionalism?.mean).toBe(0.25)
  })

  test('--limit', () => {
    const list = JSON.parse(ok(['runs', '--json', '--limit', '1'])) as { id: string }[]
    expect(list.map((inv) => inv.id)).toEqual([headId])
    expect(ok(['runs', '--limit', '1'])).toContain('pass --limit 2')
  })

  test('reads while another process holds the write lock, and shows a killed run as interrupted', async () => {
    const killedDir = join(work, 'killed')
    const store = new SqliteRunStore(killedDir)
    const id = await record(store, Date.now(), { branch: 'main', commit: 'abcdef1' }, [makeRun(QA, () => 1)], 'running')
    // The pid of a process that has exited stands for a vitest killed mid-run.
    const dead = spawnSync(process.execPath, ['-e', '']).pid
    const db = new BetterSqlite3(runsDbPath(killedDir))
    db.prepare('UPDATE invocations SET pid = ? WHERE id = ?').run(dead, id)
    db.exec('BEGIN IMMEDIATE')
    db.prepare('UPDATE invocations SET last_seen_ms = last_seen_ms WHERE id = ?').run(id)
    try {
      const result = cli(['runs', '--dir', killedDir])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(id)
      expect(result.stdout).toContain('✗ interrupted')
    } finally {
      db.exec('ROLLBACK')
      db.close()
      await store.close()
    }
  })

  test('an empty store says so', async () => {
    const emptyDir = join(work, 'empty')
    await new SqliteRunStore(emptyDir).close()
    const result = cli(['runs', '--dir', emptyDir])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('No runs recorded in empty/runs.db yet')
    expect(cli(['runs', '--json', '--dir', emptyDir]).stdout.trim()).toBe('[]')
  })
})

describe('show', () => {
  test('--json is the JSON report of the invocation, secrets redacted', () => {
    const report = JSON.parse(ok(['show', 'latest', '--json'])) as JsonReport
    expect(report.version).toBe(1)
    expect(report.invocation.id).toBe(headId)
    expect(report.invocation.git).toEqual({ branch: 'feature/tone', commit: 'f00dfeedbeef0001' })
    expect(report.comparison).toBeNull()
    expect(report.runs.map((run) => run.file)).toEqual([QA, TONE])
    expect(report.runs[1]?.cases).toHaveLength(CASES)
    expect(report.runs[1]?.aggregates.professionalism).toMatchObject({ n: 20, mean: 0.25, pass_rate: 0 })
    expect(report.runs[0]?.cases[0]?.output).toBe('answer with a key [redacted]')
  })

  test('text shows the header and the aggregates', () => {
    const out = ok(['show', baseId.slice(0, 12)])
    expect(out).toContain(`invocation ${baseId}`)
    expect(out).toContain('git main@a1b2c3d')
    expect(out).toContain('params model=local promptVersion=2')
    expect(out).toMatch(/answer_similarity\s+20\s+1\.000/)
    expect(out).not.toContain(SECRET)
  })

  test('a run id shows that run only', () => {
    const report = JSON.parse(ok(['show', 'latest', '--json'])) as JsonReport
    const runId = report.runs[1]?.id ?? ''
    const one = JSON.parse(ok(['show', runId, '--json'])) as JsonReport
    expect(one.invocation.id).toBe(headId)
    expect(one.runs.map((run) => run.file)).toEqual([TONE])
    expect(ok(['show', runId])).toContain(`run ${runId} of invocation ${headId}`)
  })
})

describe('compare', () => {
  test('text: head latest against previous, the regression flagged', () => {
    const out = ok(['compare'])
    expect(out).toContain('baseline main@a1b2c3d → current feature/tone@f00dfee')
    expect(out).toContain('1 metric regressed')
    expect(out).toMatch(/professionalism.*-0\.750 ▼\s+<0\.001/)
    expect(out).toMatch(/↓ tone > case \d+\s+professionalism 1\.000 → 0\.250/)
  })

  test('markdown: a PR comment with the metric table', () => {
    const out = ok(['compare', '--format', 'markdown'])
    expect(out.startsWith('<!-- vitest-judge -->\n## ❌ vitest-judge:')).toBe(true)
    expect(out).toContain('1 metric regressed')
    expect(out).toContain('### Most regressed cases')
    expect(out).toContain('❌ regressed')
  })

  test('json: the head report with the comparison filled in', () => {
    const report = JSON.parse(ok(['compare', '--format', 'json'])) as JsonReport
    expect(report.invocation.id).toBe(headId)
    expect(report.comparison?.base.invocationId).toBe(baseId)
    expect(report.comparison?.head.invocationId).toBe(headId)
    expect(report.comparison?.alpha).toBe(0.05)
    const tone = report.comparison?.runs.find((run) => run.file === TONE)
    const metric = tone?.metrics.find((m) => m.metric === 'professionalism')
    expect(metric).toMatchObject({ status: 'regressed', test: 'paired', baseMean: 1, headMean: 0.25 })
    expect(tone?.regressedCases.length).toBeGreaterThan(0)
  })

  test('--out writes the file', () => {
    const out = join(work, 'out', 'comment.md')
    expect(ok(['compare', '--format', 'markdown', '--out', out])).toContain('Wrote the markdown comparison to')
    expect(readFileSync(out, 'utf8')).toContain('## ❌ vitest-judge')
  })

  test('--fail-on-regression exits 1 on the regression and names it on stderr', () => {
    const result = cli(['compare', '--fail-on-regression', '--dir', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${TONE}: professionalism mean 1.000 -> 0.250`)
    expect(result.stderr).toContain('1 significant regression')
    expect(result.stdout).toContain('✗ gate')
  })

  test('--fail-on-regression passes when the drop is within --max-drop, or not significant at --alpha', () => {
    expect(cli(['compare', '--fail-on-regression', '--max-drop', '0.8', '--dir', dir]).code).toBe(0)
    expect(cli(['compare', '--fail-on-regression', '--alpha', '0.0000001', '--dir', dir]).code).toBe(0)
  })

  test('--fail-on-regression exits 0 when head is the baseline', () => {
    const result = cli(['compare', '--fail-on-regression', '--base', headId, '--head', 'latest', '--dir', dir])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('no significant regression')
    expect(result.stdout).toContain('same invocation')
  })

  test('--fail-on-regression exits 0 when only 1 case of 20 drops', () => {
    const result = cli(['compare', '--fail-on-regression', '--dir', oneDropDir, '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as JsonReport
    const metric = report.comparison?.runs[0]?.metrics.find((m) => m.metric === 'professionalism')
    expect(metric?.status).toBe('unchanged')
    expect(metric?.delta).toBeCloseTo(-0.0375)
  })

  test('tag, then compare --base tag:baseline', () => {
    expect(ok(['tag', baseId, 'baseline'])).toContain(`Tagged invocation ${baseId}`)
    const report = JSON.parse(ok(['compare', '--base', 'tag:baseline', '--format', 'json'])) as JsonReport
    expect(report.comparison?.base.invocationId).toBe(baseId)
    expect(report.comparison?.base.label).toBe('baseline')
    expect(ok(['runs'])).toContain('tag:baseline')
    // Moving the tag says where it came from.
    expect(ok(['tag', 'latest', 'moving'])).toContain('as moving.')
    expect(ok(['tag', baseId, 'moving'])).toContain(`moved from ${headId}`)
  })

  test('export, then compare --base <that file>', () => {
    const file = join(work, 'exports', 'base.json')
    expect(ok(['export', baseId, '--out', file])).toContain('(2 files, 40 cases)')
    const exported = JSON.parse(readFileSync(file, 'utf8')) as JsonReport
    expect(exported.version).toBe(1)
    expect(exported.invocation.id).toBe(baseId)
    expect(exported.runs[0]?.cases[0]?.output).toBe('answer with a key [redacted]')
    const report = JSON.parse(ok(['compare', '--base', file, '--format', 'json'])) as JsonReport
    expect(report.comparison?.base.invocationId).toBe(baseId)
    expect(cli(['compare', '--base', file, '--fail-on-regression', '--dir', dir]).code).toBe(1)
  })

  test('a head report file compares with the invocation before it, without needing its own store entry', () => {
    const head = join(work, 'exports', 'head.json')
    ok(['export', 'latest', '--out', head])
    const report = JSON.parse(ok(['compare', '--head', head, '--format', 'json'])) as JsonReport
    expect(report.comparison?.base.invocationId).toBe(baseId)
    // Both sides as files: no store is needed at all.
    const base = join(work, 'exports', 'base2.json')
    ok(['export', baseId, '--out', base])
    const nowhere = join(work, 'nowhere')
    const result = cli(['compare', '--base', base, '--head', head, '--dir', nowhere, '--fail-on-regression'])
    expect(result.code).toBe(1)
    expect(existsSync(nowhere)).toBe(false)
  })
})

describe('merge', () => {
  test('merges shard reports into one report with every file', () => {
    const full = JSON.parse(ok(['show', 'latest', '--json'])) as JsonReport
    const shard = (runs: ReportRun[], i: number): JsonReport => ({
      ...full,
      invocation: { ...full.invocation, id: `shard-${i}` },
      runs,
    })
    const a = writeJson(join(work, 'shards', 'a.json'), shard(full.runs.slice(0, 1), 1))
    const b = writeJson(join(work, 'shards', 'b.json'), shard(full.runs.slice(1), 2))
    const out = join(work, 'shards', 'merged.json')
    expect(ok(['merge', a, b, '--out', out])).toContain('Merged 2 reports')
    const merged = JSON.parse(readFileSync(out, 'utf8')) as JsonReport
    expect(merged.version).toBe(1)
    expect(merged.runs.map((run) => run.file)).toEqual([QA, TONE])
    expect(merged.runs.reduce((sum, run) => sum + run.cases.length, 0)).toBe(2 * CASES)
    expect(merged.comparison).toBeNull()
  })

  test('needs --out and at least one report', () => {
    expect(cli(['merge', '--out', 'x.json']).code).toBe(2)
    const result = cli(['merge', 'a.json'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('needs --out')
  })
})

describe('cache', () => {
  let cacheDir: string
  beforeAll(() => {
    cacheDir = join(work, 'cache-state')
    const cache = new SqliteJudgeCache(cacheDir)
    const old = Date.now() - 3 * 86_400_000
    for (let i = 0; i < 5; i++) {
      cache.setSync(`old-${i}`, { kind: 'grade', judge: 'local', metric: 'm', value: { score: 4 }, createdAt: old })
    }
    for (let i = 0; i < 3; i++) cache.setSync(`new-${i}`, { kind: 'grade', judge: 'local', value: { score: 5 } })
    cache.setSync('embed-0', { kind: 'embed', judge: 'openai:text-embedding-3-small', value: [0.1, 0.2] })
    cache.getSync('new-0')
    cache.closeSync()
  })

  test('stats', () => {
    const out = cli(['cache', 'stats', '--dir', cacheDir])
    expect(out.code).toBe(0)
    expect(out.stdout).toContain('Judge cache cache-state/cache.db')
    expect(out.stdout).toMatch(/entries\s+9 \(embed 1 · grade 8\)/)
    expect(out.stdout).toMatch(/hits\s+1/)
    const json = JSON.parse(cli(['cache', 'stats', '--json', '--dir', cacheDir]).stdout) as { entries: number }
    expect(json.entries).toBe(9)
  })

  test('clear --older-than 1d deletes the old entries only', () => {
    const out = cli(['cache', 'clear', '--older-than', '1d', '--dir', cacheDir])
    expect(out.stderr).toBe('')
    expect(out.code).toBe(0)
    expect(out.stdout).toContain('Deleted 5 entries not used for 1d')
    expect(out.stdout).toContain('4 left')
    const json = JSON.parse(cli(['cache', 'stats', '--json', '--dir', cacheDir]).stdout) as { entries: number }
    expect(json.entries).toBe(4)
  })

  test('a bad duration is a usage error', () => {
    const out = cli(['cache', 'clear', '--older-than', '30 days', '--dir', cacheDir])
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('is not a duration')
  })

  test('a folder without a cache has nothing in it', () => {
    const out = cli(['cache', 'stats', '--dir', join(work, 'no-cache')])
    expect(out.code).toBe(0)
    expect(out.stdout).toContain('No judge cache at')
    expect(existsSync(join(work, 'no-cache'))).toBe(false)
  })
})

describe('errors', () => {
  function expectUsage(result: Result, message: string | RegExp): void {
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  }

  test('a selector that matches nothing', () => {
    expectUsage(cli(['show', 'nonexistent', '--dir', dir]), /Unknown run selector "nonexistent"/)
    expectUsage(cli(['show', 'tag:nope', '--dir', dir]), /No tag "nope"/)
    expectUsage(cli(['compare', '--base', 'branch:nope', '--dir', dir]), /No complete invocation on git branch "nope"/)
    expectUsage(cli(['show', 'missing/report.json', '--dir', dir]), /No JSON report at missing\/report\.json/)
  })

  test('no previous invocation to compare with', async () => {
    const single = join(work, 'single')
    const store = new SqliteRunStore(single)
    await record(store, Date.now(), { branch: 'main', commit: 'abc' }, [makeRun(QA, () => 1)])
    await store.close()
    expectUsage(cli(['compare', '--dir', single]), /no `previous` to compare with.*Pass --base <sel>/)
    // --allow-no-base: an empty history is no baseline, exit 0 with the head alone.
    const alone = cli(['compare', '--allow-no-base', '--format', 'json', '--dir', single])
    expect(alone.code, alone.stderr).toBe(0)
    expect(alone.stderr).toMatch(/no baseline yet, nothing compared: No complete invocation before/)
    const report = JSON.parse(alone.stdout) as { comparison: unknown; runs: unknown[] }
    expect(report.comparison).toBeNull()
    expect(report.runs).toHaveLength(1)
    const branch = cli([
      'compare',
      '--base',
      'branch:never-run',
      '--allow-no-base',
      '--fail-on-regression',
      '--dir',
      single,
    ])
    expect(branch.code, branch.stderr).toBe(0)
    expect(branch.stdout).toContain('No baseline to compare with (branch:never-run)')
    // Any other selector error still stops it.
    expectUsage(cli(['compare', '--base', 'tag:nope', '--allow-no-base', '--dir', single]), /No tag "nope"/)
  })

  test('a missing store', () => {
    expectUsage(
      cli(['runs', '--dir', join(work, 'no-such-dir')]),
      /No runs recorded in no-such-dir\/runs\.db yet: run vitest .*first, or pass --dir/,
    )
    expectUsage(cli(['compare'], { cwd: work }), /No runs recorded in \.vitest-judge\/runs\.db yet/)
    expect(existsSync(join(work, '.vitest-judge'))).toBe(false)
  })

  test('VITEST_JUDGE_DIR is the default folder', () => {
    const out = cli(['runs', '--json'], { env: { VITEST_JUDGE_DIR: 'state' } })
    expect(out.code).toBe(0)
    expect((JSON.parse(out.stdout) as unknown[]).length).toBe(2)
  })

  test('an unknown command, flag or value', () => {
    expectUsage(cli(['frobnicate']), /Unknown command "frobnicate"/)
    expectUsage(cli(['run']), /Did you mean runs\?/)
    expectUsage(cli(['runs', '--bogus', '--dir', dir]), /Unknown option --bogus for `vitest-judge runs`/)
    expectUsage(cli(['runs', '--limit', 'ten', '--dir', dir]), /--limit must be a whole number/)
    expectUsage(cli(['compare', '--format', 'html', '--dir', dir]), /--format must be one of text, markdown, json/)
    expectUsage(cli(['compare', '--alpha', '2', '--dir', dir]), /--alpha must be a number strictly between 0 and 1/)
    expectUsage(cli(['compare', '--out', '--dir', dir]), /--out/)
    expectUsage(cli(['tag', 'latest', '--dir', dir]), /Missing argument/)
    expectUsage(cli(['tag', 'latest', 'two words', '--dir', dir]), /not usable/)
    expectUsage(cli([]), /A command is needed/)
  })

  test('a report of another version', () => {
    const v2 = writeJson(join(work, 'v2.json'), { version: 2, invocation: { id: 'x' }, runs: [] })
    expectUsage(cli(['compare', '--base', v2, '--dir', dir]), /version 2/)
    expectUsage(cli(['merge', v2, '--out', join(work, 'm.json')]), /version 2/)
    const notJson = join(work, 'broken.json')
    writeFileSync(notJson, '{ nope')
    expectUsage(cli(['show', notJson]), /broken\.json is not valid JSON/)
  })
})

describe('help and version', () => {
  test('--help lists the commands; <command> --help shows its usage', () => {
    const all = cli(['--help'])
    expect(all.code).toBe(0)
    for (const name of ['runs', 'show', 'compare', 'tag', 'export', 'merge', 'cache']) {
      expect(all.stdout).toContain(`  ${name} `)
    }
    expect(all.stdout).toContain('Exit codes')
    const compare = cli(['compare', '-h'])
    expect(compare.code).toBe(0)
    expect(compare.stdout).toMatch(/^Usage: vitest-judge compare/)
    expect(cli(['help', 'cache']).stdout).toMatch(/^Usage: vitest-judge cache stats/)
  })

  test('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const result = cli(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(pkg.version)
  })
})

test('the built CLI imports neither vitest nor a provider SDK', () => {
  const seen = new Set<string>()
  const bare = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
    )) {
      const spec = match[1] ?? match[2] ?? ''
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else bare.add(spec)
    }
  }
  visit(CLI)
  expect([...bare].filter((spec) => /vitest|openai|@google\/genai/.test(spec))).toEqual([])
  expect(bare.has('better-sqlite3')).toBe(true)
})
