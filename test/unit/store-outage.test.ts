/**
 * The reporter's side of a shared store that goes away (src/reporter/store-outage.ts), with real
 * spool files: when writes switch to the spool, what the console says, and what happens without a
 * shared store or when the spool cannot be written either.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { resolveOptions } from '../../src/config.js'
import { StoreError } from '../../src/errors.js'
import { flushSpoolAtStart, StoreOutage, spoolWaitingNotice } from '../../src/reporter/store-outage.js'
import { newId } from '../../src/store/ids.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { InvocationSpool, storeSpoolDir } from '../../src/store/store-spool.js'
import type { NewInvocation } from '../../src/store/types.js'
import { fullCase, makeRun } from '../store-contract/run-store-contract.js'

const URL = 'postgres://ci:outage-unit-pw@db.internal:5432/evals'
let root: string
let lines: { kind: 'warn' | 'fail' | 'command'; text: string }[]
const log = {
  warn: (text: string) => lines.push({ kind: 'warn', text }),
  fail: (text: string) => lines.push({ kind: 'fail', text }),
  command: (text: string) => lines.push({ kind: 'command', text }),
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vj-outage-'))
  lines = []
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function options(extra: { store?: string; githubAnnotations?: boolean } = {}) {
  return resolveOptions({ dir: '.vitest-judge', ...extra }, { root, env: {} })
}

function invocation(): NewInvocation {
  return {
    id: newId(),
    startedAt: new Date().toISOString(),
    git: { commit: null, branch: null },
    params: {},
    experiment: 'x',
  }
}

const away = new StoreError(
  'Cannot reach the PostgreSQL store at db.internal:5432, database "evals" (connect ECONNREFUSED).',
)

describe('StoreOutage', () => {
  test('from the first failed write, every write goes to the spool; said when it happens and at the end', () => {
    const inv = invocation()
    const outage = new StoreOutage(options({ store: URL }), inv, log, () => 'postgres://ci@db.internal:5432/evals')
    expect(outage.active).toBe(false)
    const run1 = makeRun('a.eval.ts', [fullCase(1)])
    const run2 = makeRun('b.eval.ts', [fullCase(2)])
    expect(outage.spool('save the run of a.eval.ts', away, (s) => s.addRun(run1))).toBe(true)
    expect(outage.active).toBe(true)
    expect(outage.spool('save the run of b.eval.ts', undefined, (s) => s.addRun(run2))).toBe(true)
    expect(outage.spool('finish the invocation', undefined, (s) => s.finish('complete', '2026-12-01T00:00:00Z'))).toBe(
      true,
    )
    const where = join('.vitest-judge', 'store-spool', inv.id)
    expect(lines).toEqual([
      {
        kind: 'warn',
        text:
          `vitest-judge: cannot save the run of a.eval.ts: ${away.message}\n` +
          `vitest-judge: the run store is away: this invocation's runs are kept in ${where} from now on; they are ` +
          'written to the store at the start of the next run against it, or now by `vitest-judge store flush`.',
      },
    ])
    expect(readdirSync(join(root, where)).length).toBe(4)
    outage.report()
    expect(lines[1]).toEqual({
      kind: 'warn',
      text:
        `vitest-judge: the run store postgres://ci@db.internal:5432/evals was away: 2 runs of invocation ${inv.id} are kept ` +
        `in ${where}, nothing is lost; they are written to the store at the start of the next run against it, or now by ` +
        '`vitest-judge store flush`.',
    })
    expect(lines.some((l) => l.kind === 'fail' || l.text.includes('outage-unit-pw'))).toBe(false)
    expect(outage.baselineNote()).toBe(
      'No baseline to compare with (previous): the run store was away, so it was not read.',
    )
  })

  test('with githubAnnotations the closing message is also a ::warning on the workflow run', () => {
    const outage = new StoreOutage(options({ store: URL, githubAnnotations: true }), invocation(), log, () => undefined)
    outage.spool('record the invocation', away, (s) => s.start())
    outage.report()
    const command = lines.find((l) => l.kind === 'command')?.text ?? ''
    expect(command).toMatch(
      /^::warning title=vitest-judge::the run store was away: 0 runs of invocation \S+ are kept in /,
    )
    expect(command).not.toContain('\n')
  })

  test('without a shared store there is no spool: the caller reports the failure as before', () => {
    const outage = new StoreOutage(options(), invocation(), log, () => undefined)
    expect(outage.spool('save the run of a.eval.ts', away, (s) => s.addRun(makeRun('a.eval.ts', [])))).toBe(false)
    expect(outage.active).toBe(false)
    outage.report()
    expect(lines).toEqual([])
  })

  test.skipIf(userInfo().uid === 0)('a spool that cannot be written either is a failure (exit code 1)', () => {
    const resolved = options({ store: URL })
    mkdirSync(resolved.dir, { recursive: true })
    chmodSync(resolved.dir, 0o500)
    try {
      const outage = new StoreOutage(resolved, invocation(), log, () => undefined)
      expect(outage.spool('save the run of a.eval.ts', away, (s) => s.addRun(makeRun('a.eval.ts', [])))).toBe(true)
      expect(lines.map((l) => l.kind)).toEqual(['warn', 'fail'])
      expect(lines[1]?.text).toMatch(/cannot save the run of a\.eval\.ts, and cannot keep it in .* either: EACCES/)
    } finally {
      chmodSync(resolved.dir, 0o700)
    }
  })

  test('a file in the way of the spool folder is a failure too (also as root)', () => {
    const resolved = options({ store: URL })
    mkdirSync(resolved.dir, { recursive: true })
    writeFileSync(storeSpoolDir(resolved.dir), 'not a folder')
    const outage = new StoreOutage(resolved, invocation(), log, () => undefined)
    expect(outage.spool('save the run of a.eval.ts', away, (s) => s.addRun(makeRun('a.eval.ts', [])))).toBe(true)
    expect(lines.map((l) => l.kind)).toEqual(['warn', 'fail'])
    expect(lines[1]?.text).toMatch(/cannot save the run of a\.eval\.ts, and cannot keep it in .* either/)
  })
})

describe('at the start of a run', () => {
  test('the spool is written into the store reached, and said; nothing is said when there is none', async () => {
    const resolved = options({ store: URL })
    const store = new SqliteRunStore(resolved.dir)
    try {
      await flushSpoolAtStart(resolved, store, log)
      expect(lines).toEqual([])
      const inv = invocation()
      const spool = new InvocationSpool(resolved.dir, inv)
      spool.addRun(makeRun('a.eval.ts', [fullCase(1)]))
      spool.addRun(makeRun('b.eval.ts', [fullCase(2)]))
      spool.finish('complete', new Date().toISOString())
      await flushSpoolAtStart(resolved, store, log)
      expect(lines).toEqual([
        {
          kind: 'warn',
          text: `vitest-judge: wrote 2 runs of 1 invocation kept in ${join('.vitest-judge', 'store-spool')} while the store was away to ${store.location}.`,
        },
      ])
      expect((await store.getReport(inv.id)).runs).toHaveLength(2)
    } finally {
      await store.close()
    }
  })

  test('without a shared store, invocations waiting in the spool are only mentioned', () => {
    const resolved = options()
    spoolWaitingNotice(resolved, log)
    expect(lines).toEqual([])
    new InvocationSpool(resolved.dir, invocation()).start()
    spoolWaitingNotice(resolved, log)
    expect(lines).toEqual([
      {
        kind: 'warn',
        text:
          `vitest-judge: 1 invocation kept in ${join('.vitest-judge', 'store-spool')} waits for the shared store it was meant for: ` +
          'run with that store (option `store` / VITEST_JUDGE_STORE_URL), or `vitest-judge store flush --store URL`.',
      },
    ])
  })
})
