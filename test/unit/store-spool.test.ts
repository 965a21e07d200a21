/**
 * The store spool (src/store/store-spool.ts) with real files and a real SQLite run store as the
 * target: what a run keeps while the shared store is away, and the flush that writes it back,
 * removing files as it goes, idempotent when repeated, leaving what another process still owns.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { registerSecret } from '../../src/redact.js'
import { newId } from '../../src/store/ids.js'
import { HOST } from '../../src/store/rows.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { flushStoreSpool, InvocationSpool, listStoreSpool, storeSpoolDir } from '../../src/store/store-spool.js'
import type { NewInvocation } from '../../src/store/types.js'
import { fullCase, makeRun } from '../store-contract/run-store-contract.js'
import { agentTrace } from '../trace-sample.js'

let dir: string
let store: SqliteRunStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vj-spool-'))
  store = new SqliteRunStore(dir)
})

afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

function invocation(extra: Partial<NewInvocation> = {}): NewInvocation {
  return {
    id: newId(),
    startedAt: new Date().toISOString(),
    git: { commit: 'abc123', branch: 'main' },
    params: { model: 'm' },
    experiment: 'spool',
    ...extra,
  }
}

function count(table: string): number {
  const db = new Database(join(dir, 'runs.db'), { readonly: true })
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** A dead pid: a process that ran and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

/** Rewrites the owner of a spooled invocation (as if another process had spooled it). */
function setOwner(path: string, pid: number): void {
  const file = join(path, 'invocation.json')
  const header = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; host: string }
  writeFileSync(file, JSON.stringify({ ...header, pid }))
}

describe('keeping an invocation', () => {
  test('each write is one whole JSON file in <dir>/store-spool/<id>, and nothing is left half-written', () => {
    const inv = invocation()
    const spool = new InvocationSpool(dir, inv)
    const runs = [makeRun('a.eval.ts', [fullCase(1), fullCase(2)]), makeRun('b.eval.ts', [fullCase(3)])]
    for (const run of runs) spool.addRun(run)
    spool.finish('complete', '2026-12-01T10:00:00.000Z')
    expect(spool.path).toBe(join(storeSpoolDir(dir), inv.id))
    expect(spool.runCount).toBe(2)
    const files = readdirSync(spool.path).sort()
    expect(files).toEqual([
      'end.json',
      'invocation.json',
      `run-000001-${runs[0]?.id}.json`,
      `run-000002-${runs[1]?.id}.json`,
    ])
    const kept = JSON.parse(readFileSync(join(spool.path, files[2] ?? ''), 'utf8'))
    expect(kept).toEqual(JSON.parse(JSON.stringify(runs[0])))
    expect(listStoreSpool(dir)).toEqual([{ id: inv.id, path: spool.path, runs: 2, ended: true }])
  })

  test('a secret (the store password, an API key) never reaches a spooled file', () => {
    registerSecret('hunter2-spool-password')
    const inv = invocation({ params: { url: 'postgres://vj:hunter2-spool-password@db/x' } })
    const spool = new InvocationSpool(dir, inv)
    const leaky = { ...fullCase(1), output: 'the password is hunter2-spool-password, key sk-abcdefghijklmnopqrstuvwx' }
    spool.addRun(makeRun('a.eval.ts', [leaky]))
    spool.finish('complete', new Date().toISOString())
    for (const file of readdirSync(spool.path)) {
      const text = readFileSync(join(spool.path, file), 'utf8')
      expect(text).not.toContain('hunter2-spool-password')
      expect(text).not.toContain('sk-abcdefghijklmnopqrstuvwx')
    }
  })
})

describe('flushing', () => {
  test('writes every invocation into the store, oldest first, and removes the spool', async () => {
    const first = invocation({ id: newId(Date.now() - 60_000) })
    const second = invocation()
    const a = new InvocationSpool(dir, first)
    a.addRun(makeRun('a.eval.ts', [fullCase(1), fullCase(2)]))
    a.addRun(makeRun('b.eval.ts', [fullCase(3)]))
    a.finish('complete', '2026-12-01T10:00:00.000Z')
    const b = new InvocationSpool(dir, second)
    b.addRun(makeRun('a.eval.ts', [fullCase(4)]))
    b.finish('interrupted', '2026-12-01T11:00:00.000Z')

    const result = await flushStoreSpool(dir, store)
    expect(result).toEqual({
      written: [
        { id: first.id, runs: 2, status: 'complete' },
        { id: second.id, runs: 1, status: 'interrupted' },
      ],
      left: [],
    })
    expect(existsSync(storeSpoolDir(dir))).toBe(false)
    const report = await store.getReport(first.id)
    expect(report.invocation.status).toBe('complete')
    expect(report.invocation.endedAt).toBe('2026-12-01T10:00:00.000Z')
    expect(report.runs.map((r) => [r.file, r.cases.length])).toEqual([
      ['a.eval.ts', 2],
      ['b.eval.ts', 1],
    ])
    expect(report.runs[0]?.cases[0]).toEqual(JSON.parse(JSON.stringify(fullCase(1))))
    expect((await store.getInvocation(second.id)).status).toBe('interrupted')
    expect(count('invocations')).toBe(2)
    expect(count('cases')).toBe(4)
    // Nothing left: a second flush writes nothing.
    expect(await flushStoreSpool(dir, store)).toEqual({ written: [], left: [] })
  })

  test("a case's trace is spooled with its case (secrets out) and flushed into the store's trace column", async () => {
    const inv = invocation()
    const trace = agentTrace()
    const llm = trace.spans[1]
    if (llm) llm.attributes['http.request.header.authorization'] = 'Bearer sk-spooltrace0123456789abcdef'
    const spool = new InvocationSpool(dir, inv)
    spool.addRun(makeRun('agent.eval.ts', [{ ...fullCase(1), trace }, fullCase(2)]))
    spool.finish('complete', new Date().toISOString())
    const files = readdirSync(spool.path).map((file) => readFileSync(join(spool.path, file), 'utf8'))
    expect(files.join('\n')).toContain('ai.toolCall search')
    expect(files.join('\n')).not.toContain('sk-spooltrace0123456789abcdef')
    await flushStoreSpool(dir, store)
    const back = (await store.getReport(inv.id)).runs[0]?.cases
    expect(back?.[0]?.trace?.spans.map((s) => s.name)).toEqual(trace.spans.map((s) => s.name))
    expect(back?.[0]?.trace?.spans[1]?.attributes['http.request.header.authorization']).toContain('[redacted]')
    expect(back?.[1]).not.toHaveProperty('trace')
    expect(count('cases WHERE trace_json IS NOT NULL')).toBe(1)
  })

  test('a flush interrupted midway and repeated, over an invocation partly written before the outage, duplicates no row', async () => {
    const inv = invocation({ tags: ['nightly'] })
    const before = makeRun('a.eval.ts', [fullCase(1)])
    // The start and the first run reached the store; then it went away.
    await store.startInvocation(inv)
    await store.saveRun(inv.id, before)
    const spool = new InvocationSpool(dir, inv)
    spool.addRun(makeRun('b.eval.ts', [fullCase(2), fullCase(3)]))
    spool.addRun(makeRun('c.eval.ts', [fullCase(4)]))
    spool.finish('complete', '2026-12-01T10:00:00.000Z')
    // A flush that wrote everything but died before removing its files, then the flush again.
    const copy = mkdtempSync(join(tmpdir(), 'vj-spool-copy-'))
    cpSync(storeSpoolDir(dir), copy, { recursive: true })
    await flushStoreSpool(dir, store)
    cpSync(copy, storeSpoolDir(dir), { recursive: true })
    rmSync(copy, { recursive: true, force: true })
    const again = await flushStoreSpool(dir, store)
    expect(again.written).toEqual([{ id: inv.id, runs: 2, status: 'complete' }])
    expect(count('invocations')).toBe(1)
    expect(count('tags')).toBe(1)
    expect(count('runs')).toBe(3)
    expect(count('cases')).toBe(4)
    const report = await store.getReport(inv.id)
    expect(report.runs.map((r) => r.file)).toEqual(['a.eval.ts', 'b.eval.ts', 'c.eval.ts'])
    expect(report.invocation.status).toBe('complete')
  })

  test('an invocation still being spooled by a live process is left; one whose process died is written as interrupted', async () => {
    const live = new InvocationSpool(dir, invocation({ id: newId(Date.now() - 1000) }))
    live.addRun(makeRun('a.eval.ts', [fullCase(1)]))
    setOwner(live.path, process.ppid)
    const dead = new InvocationSpool(dir, invocation())
    const run = makeRun('a.eval.ts', [fullCase(2)])
    dead.addRun(run)
    setOwner(dead.path, deadPid())
    const lastWrite = new Date('2026-12-01T09:30:00.000Z')
    const earlier = new Date(lastWrite.getTime() - 60_000)
    utimesSync(join(dead.path, 'invocation.json'), earlier, earlier)
    utimesSync(join(dead.path, `run-000001-${run.id}.json`), lastWrite, lastWrite)

    const result = await flushStoreSpool(dir, store)
    expect(result.left).toEqual([
      { id: live.path.split('/').pop(), reason: `still being written by process ${process.ppid}` },
    ])
    expect(result.written).toEqual([{ id: dead.path.split('/').pop(), runs: 1, status: 'interrupted' }])
    const report = await store.getReport(dead.path.split('/').pop() ?? '')
    expect(report.invocation.status).toBe('interrupted')
    expect(report.invocation.endedAt).toBe(lastWrite.toISOString())
    expect(listStoreSpool(dir).map((s) => s.path)).toEqual([live.path])
    expect(count('invocations')).toBe(1)
    // The invocation left is not left locked: its owner, once done, or a later flush can write it.
    expect(existsSync(join(live.path, 'flush.lock'))).toBe(false)
  })

  test('an invocation another live process is flushing is left; a lock its dead owner left is taken over', async () => {
    const busy = new InvocationSpool(dir, invocation({ id: newId(Date.now() - 1000) }))
    busy.addRun(makeRun('a.eval.ts', [fullCase(1)]))
    busy.finish('complete', new Date().toISOString())
    writeFileSync(join(busy.path, 'flush.lock'), JSON.stringify({ pid: process.ppid, host: HOST }))
    const stale = new InvocationSpool(dir, invocation())
    stale.addRun(makeRun('a.eval.ts', [fullCase(2)]))
    stale.finish('complete', new Date().toISOString())
    writeFileSync(join(stale.path, 'flush.lock'), JSON.stringify({ pid: deadPid(), host: HOST }))

    const result = await flushStoreSpool(dir, store)
    expect(result.left).toEqual([
      { id: busy.path.split('/').pop(), reason: `being flushed by process ${process.ppid}` },
    ])
    expect(result.written.map((w) => w.id)).toEqual([stale.path.split('/').pop()])
    expect(existsSync(stale.path)).toBe(false)
    expect(readdirSync(busy.path)).toContain('flush.lock')
  })

  test('a store that fails stops the flush and keeps every file not written', async () => {
    const first = new InvocationSpool(dir, invocation({ id: newId(Date.now() - 1000) }))
    first.addRun(makeRun('a.eval.ts', [fullCase(1)]))
    first.finish('complete', new Date().toISOString())
    const second = new InvocationSpool(dir, invocation())
    second.addRun(makeRun('a.eval.ts', [fullCase(2)]))
    second.finish('complete', new Date().toISOString())
    const before = listStoreSpool(dir)
    await store.close()
    const result = await flushStoreSpool(dir, store)
    expect(result.written).toEqual([])
    expect(result.error).toBeInstanceOf(Error)
    expect(listStoreSpool(dir)).toEqual(before)
    // No lock is left behind: the next flush may proceed.
    for (const s of before) expect(readdirSync(s.path)).not.toContain('flush.lock')
    store = new SqliteRunStore(dir)
    expect((await flushStoreSpool(dir, store)).written).toHaveLength(2)
    expect(count('cases')).toBe(2)
  })

  test('a damaged file is reported as VJ_STORE and left in place; a temporary file of a dead writer is ignored', async () => {
    const spool = new InvocationSpool(dir, invocation())
    const run = makeRun('a.eval.ts', [fullCase(1)])
    spool.addRun(run)
    spool.finish('complete', new Date().toISOString())
    writeFileSync(join(spool.path, `run-000002-${newId()}.json.tmp-999999`), '{"half')
    const damaged = join(spool.path, `run-000001-${run.id}.json`)
    writeFileSync(damaged, '{"id": "truncat')
    const result = await flushStoreSpool(dir, store)
    expect(result.error).toBeInstanceOf(StoreError)
    expect(result.error?.message).toMatch(/Cannot read the spooled file .*run-000001.*left in place/)
    expect(existsSync(damaged)).toBe(true)
    // Repaired, it flushes, and the temporary file goes with the folder.
    writeFileSync(damaged, JSON.stringify(run))
    expect((await flushStoreSpool(dir, store)).written).toEqual([
      { id: spool.path.split('/').pop(), runs: 1, status: 'complete' },
    ])
    expect(existsSync(storeSpoolDir(dir))).toBe(false)
  })
})
