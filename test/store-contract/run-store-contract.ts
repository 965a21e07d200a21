/**
 * The run-store contract: every behaviour of `RunStore` tested once, run against each backend
 * (test/unit/store-run-store.test.ts for SQLite, test/integration/store-postgres.test.ts for
 * PostgreSQL). A backend supplies a fresh store and a little raw access for what the interface
 * cannot do (count rows, age an invocation).
 */

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { NoInvocationYetError, ReportFormatError, SelectorError, StoreError } from '../../src/errors.js'
import { caseCost, costSummary } from '../../src/report/cost.js'
import type { HumanLabel } from '../../src/report/labels.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'
import { newId } from '../../src/store/ids.js'
import { STALE_RUNNING_MS } from '../../src/store/rows.js'
import { resolveSelector } from '../../src/store/selectors.js'
import type { NewInvocation, RunStore } from '../../src/store/types.js'
import { pricedAfresh } from '../cost-oracle.js'
import { agentTrace } from '../trace-sample.js'

/** Raw access to a backend's tables, for what the interface does not expose. */
export interface RawRunAccess {
  /** Rows in a table (`invocations`, `runs`, `cases`, `case_metrics`, `aggregates`, `tags`). */
  count(table: string): Promise<number>
  /** Sets the pid or last sign of life of an invocation. */
  setInvocation(id: string, fields: { pid?: number; last_seen_ms?: number }): Promise<void>
  /** Stored status per invocation id. */
  statuses(): Promise<Record<string, string>>
}

/** One backend under test. */
export interface RunStoreBackend {
  name: string
  /** A fresh, empty location with a store open on it. */
  create(): Promise<{
    store: RunStore
    /** Another store on the same location (read-only when asked). */
    open(options?: { readonly?: boolean }): Promise<RunStore>
    raw: RawRunAccess
    dispose(): Promise<void>
  }>
}

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

/** A case with every field filled; every third one has a judge error and explicit nulls. */
export function fullCase(i: number): ReportCase {
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

/** A run of `file` with these cases. */
export function makeRun(file: string, cases: ReportCase[], extra: Partial<ReportRun> = {}): ReportRun {
  return {
    id: newId(),
    file,
    key: file,
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

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

/** Defines the contract's tests for one backend. */
export function runStoreContract(backend: RunStoreBackend): void {
  describe(`RunStore contract (${backend.name})`, () => {
    let store: RunStore
    let env: Awaited<ReturnType<RunStoreBackend['create']>>
    let dir: string

    beforeEach(async () => {
      env = await backend.create()
      store = env.store
      dir = mkdtempSync(join(tmpdir(), 'vj-contract-'))
    })

    afterEach(async () => {
      await env.dispose()
      rmSync(dir, { recursive: true, force: true })
    })

    const resolve = (sel: string, options = {}) => resolveSelector(sel, store, options)

    /** A complete invocation with one run, started `minutes` after a fixed time. */
    async function record(
      minutes: number,
      extra: Partial<NewInvocation> = {},
      status: 'complete' | 'interrupted' = 'complete',
    ): Promise<string> {
      const startedAt = new Date(Date.UTC(2025, 0, 1, 12, minutes)).toISOString()
      const id = extra.id ?? newId(Date.parse(startedAt))
      await store.startInvocation(invocation(id, startedAt, extra))
      await store.saveRun(id, makeRun('evals/a.test.ts', [fullCase(1)]))
      await store.finishInvocation(id, status, startedAt)
      return id
    }

    describe('round trip', () => {
      test("a variant's run keeps `file` the path and `key` its key; a row saved before `key` existed reads the same", async () => {
        const inv = invocation(newId(), '2025-01-01T12:00:00.000Z')
        await store.startInvocation(inv)
        const mini = makeRun('evals/v.test.ts', [fullCase(0)], { key: 'evals/v.test.ts [mini]', variant: 'mini' })
        // The shape reporters wrote before `key`: the key in `file`.
        const { key: _key, ...older } = makeRun('evals/v.test.ts [large]', [fullCase(1)], { variant: 'large' })
        await store.saveRun(inv.id, mini)
        await store.saveRun(inv.id, older as ReportRun)
        await store.finishInvocation(inv.id, 'complete', '2025-01-01T12:05:00.000Z')
        const report = await store.getReport(inv.id)
        expect(report.runs.map((r) => [r.file, r.key, r.variant])).toEqual([
          ['evals/v.test.ts', 'evals/v.test.ts [large]', 'large'],
          ['evals/v.test.ts', 'evals/v.test.ts [mini]', 'mini'],
        ])
        expect(await store.getRunFiles(inv.id)).toEqual(['evals/v.test.ts [large]', 'evals/v.test.ts [mini]'])
        expect((await store.getRunByFile(inv.id, 'evals/v.test.ts [mini]'))?.id).toBe(mini.id)
        expect(await store.getRunByFile(inv.id, 'evals/v.test.ts')).toBeUndefined()
      })

      test('getReport gives back the saved invocation, runs and cases', async () => {
        const inv = invocation(newId(), '2025-01-01T12:00:00.000Z', {
          ci: { provider: 'github', runId: '42', ref: null },
          tags: ['nightly'],
        })
        await store.startInvocation(inv)
        const b = makeRun('evals/b.test.ts', [fullCase(0), fullCase(1), fullCase(2)])
        const minimal: ReportCase = {
          name: 'bare',
          pass: false,
          scores: {},
          judgeErrors: 0,
          error: 'Expected 1 to be 2',
        }
        const a = makeRun('evals/a.test.ts', [minimal, { ...fullCase(3), metrics: {} }], {
          status: undefined,
          durationMs: undefined,
          aggregates: {},
        })
        const withExtras = { ...a, shard: '1/2' } as ReportRun
        await store.saveRun(inv.id, b)
        await store.saveRun(inv.id, withExtras)
        await store.finishInvocation(inv.id, 'complete', '2025-01-01T12:05:00.000Z')

        const report = await store.getReport(inv.id)
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
        expect(await store.getRun(b.id)).toEqual(report.runs[1])
        expect(await store.getRunByFile(inv.id, 'evals/b.test.ts')).toEqual(report.runs[1])
        expect(await store.getRunByFile(inv.id, 'evals/none.test.ts')).toBeUndefined()
        expect(await store.getRun('missing')).toBeUndefined()
        expect(await store.getRunFiles(inv.id)).toEqual(['evals/a.test.ts', 'evals/b.test.ts'])
      })

      test('NaN aggregates and large numbers come back as they were', async () => {
        const id = await record(0)
        const nan = Number.NaN
        const run = makeRun('evals/n.test.ts', [fullCase(1)], {
          aggregates: {
            x: { n: 0, mean: nan, variance: nan, p90: nan, min: nan, max: nan, median: nan, pass_rate: nan },
          },
          durationMs: 123456789.25,
          tokens: { input: 2_000_000_000, output: 3 },
          datasetDigest: 'sha256:0123abcd',
        })
        await store.saveRun(id, run)
        const back = await store.getRun(run.id)
        expect(back?.aggregates.x?.mean).toBeNaN()
        expect(back?.durationMs).toBe(123456789.25)
        expect(back?.tokens.input).toBe(2_000_000_000)
        expect(back?.datasetDigest).toBe('sha256:0123abcd')
      })

      test('saving a run again replaces it (same id, or same file in the invocation)', async () => {
        const id = await record(0)
        const again = makeRun('evals/a.test.ts', [fullCase(7), fullCase(8)])
        await store.saveRun(id, again)
        await store.saveRun(id, again)
        const report = await store.getReport(id)
        expect(report.runs).toHaveLength(1)
        expect(report.runs[0]?.cases.map((c) => c.name)).toEqual(['qa > case 7', 'qa > case 8'])
        expect(await env.raw.count('cases')).toBe(2)
        expect(await env.raw.count('case_metrics')).toBe(4)
      })

      test('a run of an unknown invocation is refused', async () => {
        expect(await rejection(store.saveRun('nope', makeRun('a.test.ts', [])))).toBeInstanceOf(StoreError)
        expect(await rejection(store.finishInvocation('nope', 'complete', '2025-01-01T00:00:00Z'))).toBeInstanceOf(
          StoreError,
        )
        expect(await env.raw.count('runs')).toBe(0)
      })

      test('an invocation id cannot be recorded twice, unless asked to skip it', async () => {
        const id = await record(0)
        const error = await rejection(store.startInvocation(invocation(id, '2025-01-01T00:00:00Z')))
        expect(error).toBeInstanceOf(StoreError)
        expect(error.message).toMatch(/already recorded/)
        await store.startInvocation(invocation(id, '2025-01-01T00:00:00Z'), { ifAbsent: true })
        expect((await store.getInvocation(id)).status).toBe('complete')
        expect(await env.raw.count('invocations')).toBe(1)
      })

      test('replaying an invocation (a store flush run twice) leaves one copy of every row', async () => {
        const id = newId()
        const inv = invocation(id, '2025-01-01T00:00:00Z', { tags: ['replayed'] })
        const runs = [makeRun('evals/a.test.ts', [fullCase(1), fullCase(2)]), makeRun('evals/b.test.ts', [fullCase(3)])]
        // The start and the first run reached the store before it went away.
        await store.startInvocation(inv)
        await store.saveRun(id, runs[0] as ReportRun)
        for (let replay = 0; replay < 2; replay++) {
          await store.startInvocation(inv, { ifAbsent: true })
          for (const run of runs) await store.saveRun(id, run)
          await store.finishInvocation(id, 'complete', '2025-01-01T00:05:00Z')
        }
        expect(await env.raw.count('invocations')).toBe(1)
        expect(await env.raw.count('tags')).toBe(1)
        expect(await env.raw.count('runs')).toBe(2)
        expect(await env.raw.count('cases')).toBe(3)
        expect(await env.raw.count('case_metrics')).toBe(6)
        expect(await env.raw.count('aggregates')).toBe(4)
        const report = await store.getReport(id)
        expect(report.invocation.status).toBe('complete')
        expect(report.invocation.endedAt).toBe('2025-01-01T00:05:00Z')
        expect(report.runs.map((r) => [r.file, r.cases.length])).toEqual([
          ['evals/a.test.ts', 2],
          ['evals/b.test.ts', 1],
        ])
      })

      test('persists 10,000 cases in one run', async () => {
        const id = newId()
        await store.startInvocation(invocation(id, new Date().toISOString()))
        const cases = Array.from({ length: 10_000 }, (_, i) => fullCase(i))
        await store.saveRun(id, makeRun('evals/big.test.ts', cases))
        const back = (await store.getReport(id)).runs[0]?.cases
        expect(back).toHaveLength(10_000)
        expect(back?.[9999]).toEqual(JSON.parse(JSON.stringify(fullCase(9999))))
      })

      test('a secret in a case text or a param is never stored', async () => {
        const key = 'sk-contract0123456789abcdefghij'
        const id = newId()
        await store.startInvocation(invocation(id, new Date().toISOString(), { params: { note: `key ${key}` } }))
        await store.saveRun(id, makeRun('evals/s.test.ts', [{ ...fullCase(1), output: `leaked ${key}` }]))
        const text = JSON.stringify(await store.getReport(id))
        expect(text).not.toContain(key)
        expect(text).toContain('[redacted]')
      })
    })

    describe('conversations', () => {
      test("a conversation case's turns and how it ended come back as saved; a secret in a turn is not stored", async () => {
        const key = 'sk-turnsecret0123456789abcdefghij'
        const id = newId()
        await store.startInvocation(invocation(id, new Date().toISOString()))
        const conversation: ReportCase = {
          ...fullCase(1),
          turns: [
            { role: 'user', turn: 1, content: 'my order number is A4417 <b>hi</b>' },
            {
              role: 'assistant',
              turn: 1,
              content: 'Shipped.',
              scores: { answer_relevance: 0.5 },
              justifications: { answer_relevance: 'Partly.' },
              expected: 'It shipped.',
              start: 1_765_000_000_000,
              end: 1_765_000_000_250.5,
            },
            { role: 'user', turn: 2, content: `here is my key ${key}` },
          ],
          conversation: {
            mode: 'scripted',
            ended: 'error',
            note: 'chat threw in turn 2.',
            error: { turn: 2, message: 'down' },
          },
        }
        await store.saveRun(id, makeRun('evals/chat.test.ts', [conversation, fullCase(2)]))
        await store.finishInvocation(id, 'complete', new Date().toISOString())
        const back = (await store.getRunByFile(id, 'evals/chat.test.ts'))?.cases
        expect(back?.[0]?.turns?.slice(0, 2)).toStrictEqual(conversation.turns?.slice(0, 2))
        expect(back?.[0]?.turns?.[2]?.content).toBe('here is my key [redacted]')
        expect(back?.[0]?.conversation).toStrictEqual(conversation.conversation)
        expect(back?.[1]).not.toHaveProperty('turns')
        expect(JSON.stringify(await store.getReport(id))).not.toContain(key)
      })
    })

    describe('traces', () => {
      test("a case's trace comes back as saved (spans, dropped, tags); a case without spans has none", async () => {
        const id = newId()
        await store.startInvocation(invocation(id, new Date().toISOString()))
        const traced = { ...fullCase(1), trace: agentTrace() }
        const failing = agentTrace(1_765_000_001_000, { failLookup: true, hostile: true })
        failing.dropped = 12
        failing.tags = { 'mlflow.trace.session': 'conversation-1' }
        const run = makeRun('evals/agent.test.ts', [traced, fullCase(2), { ...fullCase(3), trace: failing }])
        await store.saveRun(id, run)
        await store.finishInvocation(id, 'complete', new Date().toISOString())
        const back = (await store.getReport(id)).runs[0]
        expect(back?.cases[0]?.trace).toStrictEqual(traced.trace)
        expect(back?.cases[1]).not.toHaveProperty('trace')
        expect(back?.cases[2]?.trace).toStrictEqual(failing)
        // Kept in the case's own trace column (not the catch-all extra JSON); none for the case without spans.
        expect(await env.raw.count('cases WHERE trace_json IS NOT NULL')).toBe(2)
        expect(await env.raw.count("cases WHERE extra_json LIKE '%spans%'")).toBe(0)
        // The MLflow export and the page read a run by file: the traces come with it.
        expect((await store.getRunByFile(id, 'evals/agent.test.ts'))?.cases[2]?.trace?.spans[4]?.error).toBe(
          failing.spans[4]?.error,
        )
      })

      test('a secret in a span attribute or a span error is never stored', async () => {
        const key = 'sk-tracesecret0123456789abcdefgh'
        const trace = agentTrace()
        const llm = trace.spans[1]
        if (llm) {
          llm.attributes['http.request.header.authorization'] = `Bearer ${key}`
          llm.status = 'error'
          llm.error = `401 for key ${key}`
        }
        const id = newId()
        await store.startInvocation(invocation(id, new Date().toISOString()))
        await store.saveRun(id, makeRun('evals/t.test.ts', [{ ...fullCase(1), trace }]))
        const text = JSON.stringify(await store.getReport(id))
        expect(text).not.toContain(key)
        expect(text).toContain('[redacted]')
      })
    })

    describe('review labels', () => {
      const label = (over: Partial<HumanLabel> = {}): HumanLabel => ({
        file: 'evals/a.test.ts',
        case: 'qa > case 1',
        metric: 'answer_similarity',
        grade: 4,
        scale: 'grade',
        comment: 'close, misses the year',
        reviewer: 'ada',
        at: '2026-12-07T10:00:00.000Z',
        caseDigest: '0123456789abcdef',
        ...over,
      })

      test('a label comes back as saved; labelling again replaces it; pass/fail and comment-only labels keep their shape', async () => {
        await store.saveLabel(label())
        await store.saveLabel(label({ metric: 'json_valid', scale: 'pass', grade: 0, comment: undefined }))
        await store.saveLabel(label({ file: 'evals/b.test.ts', grade: null, comment: 'look again' }))
        expect(await store.listLabels()).toStrictEqual(
          [
            label(),
            label({ metric: 'json_valid', scale: 'pass', grade: 0, comment: undefined }),
            label({ file: 'evals/b.test.ts', grade: null, comment: 'look again' }),
          ].map(({ comment, ...rest }) => (comment === undefined ? rest : { ...rest, comment })),
        )
        await store.saveLabel(label({ grade: 2, reviewer: 'grace', at: '2026-12-07T11:00:00.000Z' }))
        const a = await store.listLabels({ file: 'evals/a.test.ts' })
        expect(a.map((l) => [l.metric, l.grade, l.reviewer])).toStrictEqual([
          ['answer_similarity', 2, 'grace'],
          ['json_valid', 0, 'ada'],
        ])
        expect(await env.raw.count('labels')).toBe(3)
      })

      test('a secret in a comment is never stored', async () => {
        const key = 'sk-labelsecret0123456789abcdefgh'
        await store.saveLabel(label({ comment: `the answer leaks ${key}` }))
        const text = JSON.stringify(await store.listLabels())
        expect(text).not.toContain(key)
        expect(text).toContain('[redacted]')
      })
    })

    describe('judge cost', () => {
      // As the reporter prices them: one judge at a `pricing` price, one at the table's, one unpriced.
      const pricing = { 'openai:gpt-4.1-mini': { input: 0.5, output: 2 } }
      const tally = (calls: number, cached: number) => ({
        calls,
        input: 1000 * calls + 7,
        output: 90 * calls + 3,
        cached,
        cachedInput: 1000 * cached + 11,
        cachedOutput: 90 * cached + 1,
      })
      function costlyRun(file: string, judges: string[]): ReportRun {
        const cases = [0, 1, 2].map((i) => ({
          ...fullCase(i),
          cost: caseCost(Object.fromEntries(judges.map((j) => [j, tally(1, i % 2)])), pricing),
        }))
        const cost = costSummary(Object.fromEntries(judges.map((j) => [j, tally(3, 1)])), pricing)
        return makeRun(file, cases, { cost })
      }

      test('a run and its cases read back with their cost as saved; the invocation cost is added up from the runs', async () => {
        const id = await record(0)
        const a = costlyRun('evals/c1.test.ts', ['openai:gpt-4.1-mini', 'gemini:gemini-2.5-flash'])
        const b = costlyRun('evals/c2.test.ts', ['openai:gpt-4.1-mini', 'openai:my-finetune'])
        expect(a.cost?.usd).toBeGreaterThan(0)
        expect(b.cost?.usd).toBeNull()
        expect(b.cases[0]?.cost?.usd).toBeNull()
        await store.saveRun(id, a)
        await store.saveRun(id, b)
        const plain = (run: ReportRun) => JSON.parse(JSON.stringify(run)) as ReportRun
        expect(await store.getRun(a.id)).toStrictEqual(plain(a))
        expect(await store.getRunByFile(id, b.file)).toStrictEqual(plain(b))
        const report = await store.getReport(id)
        expect(report.runs.find((r) => r.id === b.id)).toStrictEqual(plain(b))
        // The run without a cost (the one `record` saved) has no cost field, not a null one.
        expect(report.runs.find((r) => r.file === 'evals/a.test.ts')).not.toHaveProperty('cost')
        // The invocation's cost is what the reporter wrote into report.json (less the budget).
        expect(report.cost).toStrictEqual(pricedAfresh(report.runs, pricing))
        expect(report.cost?.usd).toBeNull()
        expect(report.cost?.unpriced).toEqual(['openai:my-finetune'])
        expect(report.cost?.byJudge['openai:gpt-4.1-mini']?.calls).toBe(6)
        const [listed] = await store.listInvocations({ limit: 1 })
        expect(listed?.runs.find((r) => r.id === a.id)?.cost).toStrictEqual(a.cost)
        const reader = await env.open({ readonly: true })
        try {
          expect(await reader.getReport(id)).toStrictEqual(report)
        } finally {
          await reader.close()
        }
      })

      test('a run without cost reads back without a cost field, and so does its invocation', async () => {
        const id = await record(0)
        const report = await store.getReport(id)
        expect(report).not.toHaveProperty('cost')
        expect(report.runs[0]).not.toHaveProperty('cost')
        expect(report.runs[0]?.cases[0]).not.toHaveProperty('cost')
        const [listed] = await store.listInvocations({ limit: 1 })
        expect(listed?.runs[0]).not.toHaveProperty('cost')
      })
    })

    describe('listInvocations', () => {
      test('newest first, limited, with run summaries', async () => {
        const first = await record(0)
        const second = await record(10)
        const third = await record(5)
        const all = await store.listInvocations()
        expect(all.map((i) => i.id)).toEqual([second, third, first])
        expect((await store.listInvocations({ limit: 2 })).map((i) => i.id)).toEqual([second, third])
        const [top] = await store.listInvocations({ limit: 1 })
        expect(top?.runs).toEqual([
          expect.objectContaining({ file: 'evals/a.test.ts', caseCount: 1, passed: 1, status: 'complete' }),
        ])
        expect(top?.runs[0]?.aggregates.answer_similarity?.mean).toBe(0.75)
        expect(top?.runs[0]).not.toHaveProperty('cases')
        expect(await store.listInvocations({ experiment: 'other' })).toEqual([])
        expect((await store.listInvocations({ experiment: 'demo', limit: 1 })).map((i) => i.id)).toEqual([second])
      })
    })

    describe('selectors', () => {
      test('latest and previous', async () => {
        expect(await rejection(resolve('latest'))).toBeInstanceOf(SelectorError)
        const a = await record(0)
        const b = await record(1)
        const c = await record(2, {}, 'interrupted')
        expect(await resolve('latest')).toEqual({ kind: 'invocation', id: c })
        expect(await resolve('latest', { requireComplete: true })).toEqual({ kind: 'invocation', id: b })
        // previous: the last complete invocation before latest (c), or before the given one.
        expect(await resolve('previous')).toEqual({ kind: 'invocation', id: b })
        expect(await resolve('previous', { requireComplete: true })).toEqual({ kind: 'invocation', id: a })
        expect(await resolve('previous', { before: b })).toEqual({ kind: 'invocation', id: a })
        expect((await rejection(resolve('previous', { before: a }))).message).toMatch(/No complete invocation before/)
        expect(await resolve('latest', { experiment: 'other' }).catch((e: Error) => e.name)).toBe('SelectorError')
      })

      test('previous for a running invocation is the last complete one', async () => {
        const a = await record(0)
        const current = newId()
        await store.startInvocation(invocation(current, new Date(Date.UTC(2025, 0, 1, 13)).toISOString()))
        expect(await resolve('previous', { before: current })).toEqual({ kind: 'invocation', id: a })
        expect(await resolve('latest', { before: current })).toEqual({ kind: 'invocation', id: a })
      })

      test('ids, unique prefixes, run ids, and ambiguous prefixes', async () => {
        const a = await record(0, { id: 'aaaa1111' })
        const b = await record(1, { id: 'aaaa2222' })
        expect(await resolve(a)).toEqual({ kind: 'invocation', id: a })
        expect(await resolve('aaaa2')).toEqual({ kind: 'invocation', id: b })
        expect(await resolve('AAAA2')).toEqual({ kind: 'invocation', id: b })
        const error = await rejection(resolve('aaaa'))
        expect(error).toBeInstanceOf(SelectorError)
        expect(error.message).toContain(a)
        expect(error.message).toContain(b)
        const runId = (await store.getReport(b)).runs[0]?.id ?? ''
        expect(await resolve(runId)).toEqual({ kind: 'invocation', id: b, runId })
        expect(await resolve(runId.slice(0, 20))).toEqual({ kind: 'invocation', id: b, runId })
      })

      test('unknown selectors list the accepted forms', async () => {
        await record(0)
        for (const sel of ['zzzzzzzz', 'what?', 'x']) {
          const error = await rejection(resolve(sel))
          expect(error).toBeInstanceOf(SelectorError)
          expect(error.message).toMatch(/latest.*previous.*prefix.*tag:<name>.*branch:<name>.*JSON report/s)
        }
        expect((await rejection(resolve(join(dir, 'missing.json')))).message).toMatch(/No JSON report at/)
      })

      test('tags name one invocation and move when reused', async () => {
        const a = await record(0)
        const b = await record(1)
        expect(await store.tag(a, 'baseline')).toBeNull()
        expect(await resolve('tag:baseline')).toEqual({ kind: 'invocation', id: a })
        expect(await store.tag(b, 'baseline')).toBe(a)
        expect(await resolve('tag:baseline')).toEqual({ kind: 'invocation', id: b })
        expect((await store.getReport(a)).invocation.tags).toEqual([])
        expect((await store.getReport(b)).invocation.tags).toEqual(['baseline'])
        expect((await rejection(resolve('tag:nope'))).message).toMatch(/Known tags: baseline/)
        expect(await rejection(store.tag('missing', 'x'))).toBeInstanceOf(SelectorError)
        expect(await rejection(store.tag(a, 'has space'))).toBeInstanceOf(SelectorError)
        expect((await store.listInvocations()).find((i) => i.id === b)?.tags).toEqual(['baseline'])
      })

      test('branch: is the newest complete invocation on the branch', async () => {
        const mainOld = await record(0)
        const feature = await record(1, { git: { commit: 'f00', branch: 'feature/x' } })
        await record(2, {}, 'interrupted')
        expect(await resolve('branch:main')).toEqual({ kind: 'invocation', id: mainOld })
        expect(await resolve('branch:feature/x')).toEqual({ kind: 'invocation', id: feature })
        expect(await resolve('branch:main', { before: mainOld }).catch((e: Error) => e.name)).toBe('SelectorError')
        expect(await rejection(resolve('branch:nope'))).toBeInstanceOf(SelectorError)
        // An empty history, not a wrong selector (compare --allow-no-base tells them apart).
        expect(await rejection(resolve('branch:nope'))).toBeInstanceOf(NoInvocationYetError)
        expect(await rejection(resolve('previous', { before: mainOld }))).toBeInstanceOf(NoInvocationYetError)
        expect(await rejection(resolve('tag:nope'))).not.toBeInstanceOf(NoInvocationYetError)
      })

      test('a JSON report path is read and checked', async () => {
        const id = await record(0)
        const good = join(dir, 'report.json')
        const saved = await store.getReport(id)
        writeFileSync(good, JSON.stringify(saved))
        expect(await resolve(good)).toEqual({ kind: 'report', path: good, report: saved })

        const wrong = join(dir, 'old.json')
        writeFileSync(wrong, JSON.stringify({ ...saved, version: 2 }))
        const error = await rejection(resolve(wrong))
        expect(error).toBeInstanceOf(ReportFormatError)
        expect(error.message).toContain(wrong)
        expect(error.message).toMatch(/not a version 1 vitest-judge report \(found version 2\)/)
      })
    })

    describe('interrupted invocations', () => {
      function deadPid(): number {
        const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
        return Number(child.stdout.toString())
      }

      test('a running invocation whose process is gone reads as interrupted, and can be marked so', async () => {
        const alive = newId()
        await store.startInvocation(invocation(alive, new Date().toISOString()))
        const dead = newId()
        await store.startInvocation(invocation(dead, new Date().toISOString()))
        const stale = newId()
        await store.startInvocation(invocation(stale, new Date().toISOString()))
        await env.raw.setInvocation(dead, { pid: deadPid() })
        await env.raw.setInvocation(stale, { last_seen_ms: Date.now() - STALE_RUNNING_MS - 1000 })

        expect((await store.getReport(alive)).invocation.status).toBe('running')
        expect((await store.getReport(dead)).invocation.status).toBe('interrupted')
        expect((await store.getReport(stale)).invocation.status).toBe('interrupted')
        const listed = Object.fromEntries((await store.listInvocations()).map((i) => [i.id, i.status]))
        expect(listed).toEqual({ [alive]: 'running', [dead]: 'interrupted', [stale]: 'interrupted' })

        expect(await store.markStaleInterrupted()).toBe(2)
        expect(await store.markStaleInterrupted()).toBe(0)
        expect(await env.raw.statuses()).toEqual(listed)
      })

      test('a read-only store reads what a writer saved, and writes nothing', async () => {
        const id = await record(0)
        const reader = await env.open({ readonly: true })
        try {
          expect(await reader.getReport(id)).toEqual(await store.getReport(id))
          expect((await rejection(reader.tag(id, 'x'))).message).toMatch(/read-?only/i)
          expect(await env.raw.count('tags')).toBe(0)
        } finally {
          await reader.close()
        }
      })
    })
  })
}
