import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { ReportFormatError, SelectorError, StoreError } from '../../src/errors.js'
import type { JsonReport, ReportCase, ReportInvocation, ReportRun } from '../../src/report/types.js'
import { newId } from '../../src/store/ids.js'
import { runsDbPath } from '../../src/store/paths.js'
import { readJsonReport } from '../../src/store/read-report.js'
import { RunStore, STALE_RUNNING_MS } from '../../src/store/run-store.js'

let dir: string
let store: RunStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vj-store-runs-'))
  store = new RunStore(dir)
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

type NewInvocation = ReportInvocation & { experiment: string }

function invocation(id: string, startedAt: string, extra: Partial<NewInvocation> = {}): NewInvocation {
  return {
    id,
    startedAt,
    git: { commit: 'abc123', branch: 'main' },
    params: { model: 'gpt-4.1-mini', promptVersion: 3, strict: true },
    experiment: 'demo',
    ...extra,
  }
}

function fullCase(i: number): ReportCase {
  return {
    name: `qa > case ${i}`,
    pass: i % 3 !== 0,
    scores: { answer_similarity: i % 3 === 0 ? null : 0.75, latency: 120 + i },
    judgeErrors: i % 3 === 0 ? 1 : 0,
    metrics: {
      answer_similarity:
        i % 3 === 0
          ? {
              score: null,
              raw: null,
              kind: 'score',
              threshold: 0.75,
              pass: null,
              judge: 'openai:gpt-4.1-mini',
              error: { code: 'VJ_JUDGE_BAD_REPLY', message: 'not JSON' },
            }
          : {
              score: 0.75,
              raw: 4,
              kind: 'score',
              threshold: 0.75,
              pass: true,
              justification: 'Close to the "truth" <b>&</b>',
              judge: 'openai:gpt-4.1-mini',
              trials: [0.5, 1, 0.75],
              greaterIsBetter: true,
            },
      latency: { score: 120 + i, kind: 'measurement' },
    },
    id: `q${i}`,
    input: `question ${i}`,
    output: `answer ${i} ✓`,
    expected: `truth ${i}`,
    durationMs: 12.5,
    latencyMs: 120 + i,
    tokens: { input: 10, output: 20 },
  }
}

function run(file: string, cases: ReportCase[], extra: Partial<ReportRun> = {}): ReportRun {
  return {
    id: newId(),
    file,
    status: 'complete',
    cases,
    aggregates: {
      answer_similarity: { n: 2, mean: 0.75, variance: 0, p90: 0.75, min: 0.75, max: 0.75, median: 0.75, pass_rate: 1 },
      latency: { n: 3, mean: 121, variance: 0.6667, p90: 121.8, min: 120, max: 122, median: 121, pass_rate: 1 },
    },
    judgeErrors: 1,
    cache: { hits: 2, misses: 4 },
    tokens: { input: 30, output: 60 },
    durationMs: 1500,
    ...extra,
  }
}

/** A complete invocation with one run, started `minutes` after a fixed time. */
function record(minutes: number, extra: Partial<NewInvocation> = {}, status: 'complete' | 'interrupted' = 'complete') {
  const startedAt = new Date(Date.UTC(2025, 0, 1, 12, minutes)).toISOString()
  const id = extra.id ?? newId(Date.parse(startedAt))
  store.startInvocation(invocation(id, startedAt, extra))
  store.saveRun(id, run('evals/a.test.ts', [fullCase(1)]))
  store.finishInvocation(id, status, startedAt)
  return id
}

function caught(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

describe('RunStore round trip', () => {
  test('getReport gives back the saved invocation, runs and cases', () => {
    const inv = invocation(newId(), '2025-01-01T12:00:00.000Z', {
      ci: { provider: 'github', runId: '42', ref: null },
      tags: ['nightly'],
    })
    store.startInvocation(inv)
    const b = run('evals/b.test.ts', [fullCase(0), fullCase(1), fullCase(2)])
    const minimal: ReportCase = { name: 'bare', pass: false, scores: {}, judgeErrors: 0, error: 'Expected 1 to be 2' }
    const a = run('evals/a.test.ts', [minimal, { ...fullCase(3), metrics: {} }], {
      status: undefined,
      durationMs: undefined,
      aggregates: {},
    })
    const withExtras = { ...a, shard: '1/2' } as ReportRun
    store.saveRun(inv.id, b)
    store.saveRun(inv.id, withExtras)
    store.finishInvocation(inv.id, 'complete', '2025-01-01T12:05:00.000Z')

    const report = store.getReport(inv.id)
    const expected: JsonReport = {
      version: 1,
      invocation: { ...inv, status: 'complete', endedAt: '2025-01-01T12:05:00.000Z', tags: ['nightly'] },
      runs: [withExtras, b],
      comparison: null,
    }
    expect(report).toStrictEqual(JSON.parse(JSON.stringify(expected)))
    // Cases keep their saved order, and explicit nulls stay null.
    expect(report.runs[1]?.cases.map((c) => c.name)).toEqual(['qa > case 0', 'qa > case 1', 'qa > case 2'])
    expect(report.runs[1]?.cases[0]?.metrics?.answer_similarity).toHaveProperty('raw', null)
    expect(report.runs[1]?.cases[0]?.metrics?.latency).not.toHaveProperty('raw')
  })

  test('saving a run again replaces it (same id, or same file in the invocation)', () => {
    const id = record(0)
    const again = run('evals/a.test.ts', [fullCase(7), fullCase(8)])
    store.saveRun(id, again)
    store.saveRun(id, again)
    const report = store.getReport(id)
    expect(report.runs).toHaveLength(1)
    expect(report.runs[0]?.cases.map((c) => c.name)).toEqual(['qa > case 7', 'qa > case 8'])
    const db = new BetterSqlite3(runsDbPath(dir), { readonly: true })
    expect(db.prepare('SELECT count(*) FROM cases').pluck().get()).toBe(2)
    expect(db.prepare('SELECT count(*) FROM case_metrics').pluck().get()).toBe(4)
    db.close()
  })

  test('a run of an unknown invocation is refused', () => {
    expect(() => store.saveRun('nope', run('a.test.ts', []))).toThrow(StoreError)
    expect(() => store.finishInvocation('nope', 'complete', '2025-01-01T00:00:00Z')).toThrow(StoreError)
  })

  test('an invocation id cannot be recorded twice', () => {
    const id = record(0)
    expect(() => store.startInvocation(invocation(id, '2025-01-01T00:00:00Z'))).toThrow(/already recorded/)
  })

  test('persists 10,000 cases in one run quickly', () => {
    const id = newId()
    store.startInvocation(invocation(id, new Date().toISOString()))
    const cases = Array.from({ length: 10_000 }, (_, i) => fullCase(i))
    const started = performance.now()
    store.saveRun(id, run('evals/big.test.ts', cases))
    const elapsed = performance.now() - started
    expect(elapsed).toBeLessThan(2000)
    expect(store.getReport(id).runs[0]?.cases).toHaveLength(10_000)
  })
})

describe('listInvocations', () => {
  test('newest first, limited, with run summaries', () => {
    const first = record(0)
    const second = record(10)
    const third = record(5)
    const all = store.listInvocations()
    expect(all.map((i) => i.id)).toEqual([second, third, first])
    expect(store.listInvocations({ limit: 2 }).map((i) => i.id)).toEqual([second, third])
    const [top] = store.listInvocations({ limit: 1 })
    expect(top?.runs).toEqual([
      expect.objectContaining({ file: 'evals/a.test.ts', caseCount: 1, passed: 1, status: 'complete' }),
    ])
    expect(top?.runs[0]?.aggregates.answer_similarity?.mean).toBe(0.75)
    expect(top?.runs[0]).not.toHaveProperty('cases')
    expect(store.listInvocations({ experiment: 'other' })).toEqual([])
  })
})

describe('resolveSelector', () => {
  test('latest and previous', () => {
    expect(() => store.resolveSelector('latest')).toThrow(SelectorError)
    const a = record(0)
    const b = record(1)
    const c = record(2, {}, 'interrupted')
    expect(store.resolveSelector('latest')).toEqual({ kind: 'invocation', id: c })
    expect(store.resolveSelector('latest', { requireComplete: true })).toEqual({ kind: 'invocation', id: b })
    // previous: the last complete invocation before latest (c), or before the given one.
    expect(store.resolveSelector('previous')).toEqual({ kind: 'invocation', id: b })
    expect(store.resolveSelector('previous', { requireComplete: true })).toEqual({ kind: 'invocation', id: a })
    expect(store.resolveSelector('previous', { before: b })).toEqual({ kind: 'invocation', id: a })
    expect(() => store.resolveSelector('previous', { before: a })).toThrow(/No complete invocation before/)
  })

  test('previous for a running invocation is the last complete one', () => {
    const a = record(0)
    const current = newId()
    store.startInvocation(invocation(current, new Date(Date.UTC(2025, 0, 1, 13)).toISOString()))
    expect(store.resolveSelector('previous', { before: current })).toEqual({ kind: 'invocation', id: a })
    expect(store.resolveSelector('latest', { before: current })).toEqual({ kind: 'invocation', id: a })
  })

  test('ids, unique prefixes, run ids, and ambiguous prefixes', () => {
    const a = record(0, { id: 'aaaa1111' })
    const b = record(1, { id: 'aaaa2222' })
    expect(store.resolveSelector(a)).toEqual({ kind: 'invocation', id: a })
    expect(store.resolveSelector('aaaa2')).toEqual({ kind: 'invocation', id: b })
    expect(store.resolveSelector('AAAA2')).toEqual({ kind: 'invocation', id: b })
    const error = caught(() => store.resolveSelector('aaaa'))
    expect(error).toBeInstanceOf(SelectorError)
    expect(error.message).toContain(a)
    expect(error.message).toContain(b)
    const runId = store.getReport(b).runs[0]?.id ?? ''
    expect(store.resolveSelector(runId)).toEqual({ kind: 'invocation', id: b, runId })
    expect(store.resolveSelector(runId.slice(0, 20))).toEqual({ kind: 'invocation', id: b, runId })
  })

  test('unknown selectors list the accepted forms', () => {
    record(0)
    for (const sel of ['zzzzzzzz', 'what?', 'x']) {
      const error = caught(() => store.resolveSelector(sel))
      expect(error).toBeInstanceOf(SelectorError)
      expect(error.message).toMatch(/latest.*previous.*prefix.*tag:<name>.*branch:<name>.*JSON report/s)
    }
    expect(() => store.resolveSelector(join(dir, 'missing.json'))).toThrow(/No JSON report at/)
  })

  test('tags name one invocation and move when reused', () => {
    const a = record(0)
    const b = record(1)
    expect(store.tag(a, 'baseline')).toBeNull()
    expect(store.resolveSelector('tag:baseline')).toEqual({ kind: 'invocation', id: a })
    expect(store.tag(b, 'baseline')).toBe(a)
    expect(store.resolveSelector('tag:baseline')).toEqual({ kind: 'invocation', id: b })
    expect(store.getReport(a).invocation.tags).toEqual([])
    expect(store.getReport(b).invocation.tags).toEqual(['baseline'])
    expect(() => store.resolveSelector('tag:nope')).toThrow(/Known tags: baseline/)
    expect(() => store.tag('missing', 'x')).toThrow(SelectorError)
    expect(() => store.tag(a, 'has space')).toThrow(SelectorError)
  })

  test('branch: is the newest complete invocation on the branch', () => {
    const mainOld = record(0)
    const feature = record(1, { git: { commit: 'f00', branch: 'feature/x' } })
    record(2, {}, 'interrupted')
    expect(store.resolveSelector('branch:main')).toEqual({ kind: 'invocation', id: mainOld })
    expect(store.resolveSelector('branch:feature/x')).toEqual({ kind: 'invocation', id: feature })
    expect(() => store.resolveSelector('branch:nope')).toThrow(SelectorError)
  })

  test('a JSON report path is read and checked', () => {
    const id = record(0)
    const good = join(dir, 'report.json')
    writeFileSync(good, JSON.stringify(store.getReport(id)))
    expect(store.resolveSelector(good)).toEqual({ kind: 'report', path: good, report: store.getReport(id) })

    const wrong = join(dir, 'old.json')
    writeFileSync(wrong, JSON.stringify({ ...store.getReport(id), version: 2 }))
    const error = caught(() => store.resolveSelector(wrong))
    expect(error).toBeInstanceOf(ReportFormatError)
    expect(error.message).toContain(wrong)
    expect(error.message).toMatch(/not a version 1 vitest-judge report \(found version 2\)/)

    const notReport = join(dir, 'other.json')
    writeFileSync(notReport, JSON.stringify({ version: 1, invocation: {}, runs: [{ file: 'a.ts' }] }))
    expect(() => readJsonReport(notReport)).toThrow(/other\.json.*(invocation|runs)/s)
    writeFileSync(notReport, '{ not json')
    expect(() => readJsonReport(notReport)).toThrow(/not valid JSON/)
  })
})

describe('interrupted invocations', () => {
  function deadPid(): number {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
    return Number(child.stdout.toString())
  }

  test('a running invocation whose process is gone reads as interrupted, and can be marked so', () => {
    const alive = newId()
    store.startInvocation(invocation(alive, new Date().toISOString()))
    const dead = newId()
    store.startInvocation(invocation(dead, new Date().toISOString()))
    const stale = newId()
    store.startInvocation(invocation(stale, new Date().toISOString()))
    const db = new BetterSqlite3(runsDbPath(dir))
    db.prepare('UPDATE invocations SET pid = ? WHERE id = ?').run(deadPid(), dead)
    db.prepare('UPDATE invocations SET last_seen_ms = ? WHERE id = ?').run(Date.now() - STALE_RUNNING_MS - 1000, stale)
    db.close()

    expect(store.getReport(alive).invocation.status).toBe('running')
    expect(store.getReport(dead).invocation.status).toBe('interrupted')
    expect(store.getReport(stale).invocation.status).toBe('interrupted')
    const listed = Object.fromEntries(store.listInvocations().map((i) => [i.id, i.status]))
    expect(listed).toEqual({ [alive]: 'running', [dead]: 'interrupted', [stale]: 'interrupted' })

    expect(store.markStaleInterrupted()).toBe(2)
    expect(store.markStaleInterrupted()).toBe(0)
    const raw = new BetterSqlite3(runsDbPath(dir), { readonly: true })
    const statuses = raw.prepare('SELECT id, status FROM invocations').all() as { id: string; status: string }[]
    raw.close()
    expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual(listed)
  })

  test('a read-only store reads what a writer saved', () => {
    const id = record(0)
    const reader = new RunStore(dir, { readonly: true })
    try {
      expect(reader.getReport(id)).toEqual(store.getReport(id))
      expect(() => reader.tag(id, 'x')).toThrow(/readonly/)
    } finally {
      reader.close()
    }
  })
})
