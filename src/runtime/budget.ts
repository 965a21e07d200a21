/**
 * The invocation's budget (`budget: { maxUsd?, maxCalls? }`), shared by every test worker. Workers
 * are separate processes, so the count lives in a small SQLite file, `<dir>/budget.db`: one row per
 * invocation, named by a key the plugin makes in the main process and provides to the workers. A
 * call is counted when it starts, inside a `BEGIN IMMEDIATE` transaction (one writer at a time), so
 * no call starts once the budget is gone; a call's USD is added when it ends, so `maxUsd` can be
 * overshot by the calls already in flight at that moment, and by no more.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { ResolvedBudgetOptions } from '../config.js'
import { JudgeError } from '../errors.js'
import type { BudgetSummary } from '../report/types.js'
import { nativeBinding } from '../store/database.js'

const SCHEMA = `CREATE TABLE IF NOT EXISTS budget (
  key TEXT PRIMARY KEY,
  calls INTEGER NOT NULL DEFAULT 0,
  usd REAL NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
)`

/** The shared counter file of a state folder. */
export class BudgetCounter {
  private readonly db: BetterSqlite3.Database

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true })
    this.db = new BetterSqlite3(join(dir, 'budget.db'), nativeBinding())
    this.db.pragma('journal_mode = WAL')
    // As the run store and the cache: WAL without an fsync per commit (one reserve per judge call).
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 30000')
    this.db.exec(SCHEMA)
  }

  /** Starts the invocation's row at zero (main process), dropping rows older than a day. */
  start(key: string): void {
    const now = Date.now()
    this.db.prepare('DELETE FROM budget WHERE created_at < ?').run(now - 86_400_000)
    this.db
      .prepare('INSERT OR REPLACE INTO budget (key, calls, usd, refused, created_at) VALUES (?, 0, 0, 0, ?)')
      .run(key, now)
  }

  /**
   * Counts one call if the budget allows it, else counts a refusal. Returns whether the call may start.
   * `BEGIN IMMEDIATE` takes the write lock before the read, so two workers never both take the last call.
   */
  reserve(key: string, limits: ResolvedBudgetOptions): boolean {
    const take = this.db.transaction((): boolean => {
      const row = this.db.prepare('SELECT calls, usd FROM budget WHERE key = ?').get(key) as
        | { calls: number; usd: number }
        | undefined
      const calls = row?.calls ?? 0
      const usd = row?.usd ?? 0
      const spent =
        (limits.maxCalls !== null && calls >= limits.maxCalls) || (limits.maxUsd !== null && usd >= limits.maxUsd)
      if (!row) this.db.prepare('INSERT INTO budget (key, created_at) VALUES (?, ?)').run(key, Date.now())
      if (spent) this.db.prepare('UPDATE budget SET refused = refused + 1 WHERE key = ?').run(key)
      else this.db.prepare('UPDATE budget SET calls = calls + 1 WHERE key = ?').run(key)
      return !spent
    })
    return take.immediate()
  }

  /** Counts a refusal that needed no reservation (a judge without a price under `maxUsd`). */
  refuse(key: string): void {
    this.db.prepare('UPDATE budget SET refused = refused + 1 WHERE key = ?').run(key)
  }

  /** Adds what a finished call cost. */
  spend(key: string, usd: number): void {
    if (usd > 0) this.db.prepare('UPDATE budget SET usd = usd + ? WHERE key = ?').run(usd, key)
  }

  /** The invocation's figures against its limits. */
  summary(key: string, limits: ResolvedBudgetOptions): BudgetSummary {
    const row = this.db.prepare('SELECT calls, usd, refused FROM budget WHERE key = ?').get(key) as
      | { calls: number; usd: number; refused: number }
      | undefined
    return {
      maxUsd: limits.maxUsd,
      maxCalls: limits.maxCalls,
      calls: row?.calls ?? 0,
      spentUsd: row?.usd ?? 0,
      refused: row?.refused ?? 0,
    }
  }

  close(): void {
    this.db.close()
  }
}

const open = new Map<string, BudgetCounter>()

/** The process's counter for `dir` (opened once). */
export function budgetCounter(dir: string): BudgetCounter {
  let counter = open.get(dir)
  if (!counter) {
    counter = new BudgetCounter(dir)
    open.set(dir, counter)
  }
  return counter
}

function describeLimits(limits: ResolvedBudgetOptions): string {
  const parts: string[] = []
  if (limits.maxUsd !== null) parts.push(`maxUsd ${limits.maxUsd}`)
  if (limits.maxCalls !== null) parts.push(`maxCalls ${limits.maxCalls}`)
  return parts.join(', ')
}

/** The error of a refused call: a judge error (never a score, never cached). */
export function budgetError(judge: string, limits: ResolvedBudgetOptions, why?: string): JudgeError {
  return new JudgeError(
    'VJ_BUDGET',
    judge,
    why ??
      `the invocation's budget (${describeLimits(limits)}) is spent, so this call was not made. ` +
        'Raise `budget` in the plugin options, or rerun with the cache to pay only for new calls.',
  )
}
