/**
 * The SQLite judge cache (`<dir>/cache.db`), shared by every test worker of every vitest process: one
 * connection per worker, statements prepared once, each write a single autocommit statement (WAL with
 * `synchronous=NORMAL`: no fsync per write). The calls are synchronous underneath: a hit costs a few
 * microseconds, and the async `JudgeCache` methods only wrap them.
 */
import { existsSync, statSync } from 'node:fs'
import { StoreError } from '../errors.js'
import { rowValues, sqliteInsert, sqliteMigrations } from './columns.js'
import { type Database, isBusy, openDatabase, withImmediate } from './database.js'
import { CACHE_ENTITIES, CACHE_ENTRIES } from './entities.js'
import { cacheDbPath } from './paths.js'
import { addStatsRow, ENTRY_COLUMNS, type EntryRow, toEntry } from './rows.js'
import type { CachedEntry, CacheEntryInput, CacheStats, JudgeCache } from './types.js'

/** Migrations of `cache.db`, applied by `openDatabase`: the released step as written then, then the declared ones (`entities.ts`). */
export const CACHE_MIGRATIONS: string[] = sqliteMigrations(CACHE_ENTITIES, [
  `
  CREATE TABLE entries (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    judge TEXT NOT NULL,
    metric TEXT,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    hit_count INTEGER NOT NULL DEFAULT 0
  );
  `,
])

export type { CachedEntry, CacheEntryInput, CacheStats } from './types.js'

/** Options of `SqliteJudgeCache` (and of `openJudgeCache`). */
export interface JudgeCacheOptions {
  /** Never write (replay). A missing file then reads as an empty cache. */
  readonly?: boolean
  /** Count hits and last use (default true). */
  recordHits?: boolean
}

// Hits are counted in memory and written in one transaction every HIT_FLUSH_EVERY hits and on
// close(): a write per hit would take the write lock on the hot path of every worker.
const HIT_FLUSH_EVERY = 256

/** The judge cache over `<dir>/cache.db`. Create one per worker and keep it; `close()` at the end. */
export class SqliteJudgeCache implements JudgeCache {
  /** The database file. */
  readonly file: string
  readonly location: string
  private readonly db: Database | undefined
  private readonly readonly: boolean
  private readonly recordHits: boolean
  private readonly pendingHits = new Map<string, number>()
  private readonly stmts: ReturnType<typeof prepareStatements> | undefined

  constructor(dir: string, options: JudgeCacheOptions = {}) {
    this.file = cacheDbPath(dir)
    this.location = this.file
    this.readonly = options.readonly === true
    this.recordHits = options.recordHits !== false && !this.readonly
    if (this.readonly && !existsSync(this.file)) return
    this.db = openDatabase(this.file, { kind: 'cache', migrations: CACHE_MIGRATIONS, readonly: this.readonly })
    this.stmts = prepareStatements(this.db)
  }

  get(key: string): Promise<CachedEntry | undefined> {
    return Promise.resolve(this.getSync(key))
  }

  getMany(keys: readonly string[]): Promise<Map<string, CachedEntry>> {
    return Promise.resolve(this.getManySync(keys))
  }

  async set(key: string, entry: CacheEntryInput): Promise<void> {
    this.setSync(key, entry)
  }

  async stats(): Promise<CacheStats> {
    return this.statsSync()
  }

  async clear(options: { olderThanMs?: number; vacuum?: boolean } = {}): Promise<number> {
    return this.clearSync(options)
  }

  async flush(): Promise<void> {
    this.flushSync()
  }

  async close(): Promise<void> {
    this.closeSync()
  }

  /** The entry under `key`, if any. */
  getSync(key: string): CachedEntry | undefined {
    const row = this.stmts?.get.get(key) as EntryRow | undefined
    if (row === undefined) return undefined
    this.hit(key)
    return toEntry(row)
  }

  /** The entries of the keys that are cached (one query for all of them). */
  getManySync(keys: readonly string[]): Map<string, CachedEntry> {
    const found = new Map<string, CachedEntry>()
    if (this.stmts === undefined || keys.length === 0) return found
    for (const row of this.stmts.getMany.all(JSON.stringify(keys)) as EntryRow[]) {
      found.set(row.key, toEntry(row))
      this.hit(row.key)
    }
    return found
  }

  /** Writes (or overwrites) the entry under `key`. */
  setSync(key: string, entry: CacheEntryInput): void {
    const json = JSON.stringify(entry.value)
    if (json === undefined)
      throw new TypeError(`Cannot cache ${typeof entry.value} under ${key}: the value must be JSON.`)
    this.writable().set.run(...rowValues(CACHE_ENTRIES, entry, { key }))
  }

  /** Figures of the whole cache. */
  statsSync(): CacheStats {
    const stats: CacheStats = {
      entries: 0,
      bytes: 0,
      fileBytes: fileSize(this.file) + fileSize(`${this.file}-wal`),
      oldest: null,
      newest: null,
      hits: 0,
      byKind: {},
    }
    if (this.stmts === undefined) return stats
    const rows = this.stmts.stats.all() as {
      kind: string
      entries: number
      bytes: number
      oldest: number
      newest: number
      hits: number
    }[]
    for (const row of rows) addStatsRow(stats, row)
    for (const count of this.pendingHits.values()) stats.hits += count
    return stats
  }

  /**
   * Deletes every entry, or with `olderThanMs` the entries not used (or, never hit, not written) for
   * that long. `vacuum` then gives the freed space back to the file system. Returns the deleted count.
   */
  clearSync(options: { olderThanMs?: number; vacuum?: boolean } = {}): number {
    const stmts = this.writable()
    this.flushSync()
    const deleted =
      options.olderThanMs === undefined
        ? stmts.clearAll.run().changes
        : stmts.clearOlder.run(Date.now() - options.olderThanMs).changes
    if (options.vacuum && deleted > 0 && this.db !== undefined) this.db.exec('VACUUM')
    return deleted
  }

  /**
   * Writes the hit counts gathered in memory. Best effort: when another process holds the write
   * lock past the busy timeout, those counts are dropped rather than failing a test.
   */
  flushSync(): void {
    if (this.pendingHits.size === 0 || this.db === undefined || this.stmts === undefined) return
    const hits = [...this.pendingHits]
    this.pendingHits.clear()
    const stmts = this.stmts
    const now = Date.now()
    try {
      withImmediate(this.db, () => {
        for (const [key, count] of hits) stmts.hit.run(count, now, key)
      })
    } catch (error) {
      if (!isBusy(error)) throw error
    }
  }

  /** Writes pending hit counts and closes the database. */
  closeSync(): void {
    if (this.db === undefined || !this.db.open) return
    this.flushSync()
    this.db.close()
  }

  private hit(key: string): void {
    if (!this.recordHits) return
    this.pendingHits.set(key, (this.pendingHits.get(key) ?? 0) + 1)
    if (this.pendingHits.size >= HIT_FLUSH_EVERY) this.flushSync()
  }

  private writable(): ReturnType<typeof prepareStatements> {
    if (this.readonly || this.stmts === undefined) {
      throw new StoreError(
        `The judge cache ${this.file} is open read-only (cache: 'readonly' / VITEST_JUDGE_CACHE=readonly); it cannot be written.`,
      )
    }
    return this.stmts
  }
}

function prepareStatements(db: Database) {
  return {
    get: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE key = ?`),
    getMany: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE key IN (SELECT value FROM json_each(?))`),
    set: db.prepare(sqliteInsert(CACHE_ENTRIES, { upsert: true })),
    hit: db.prepare('UPDATE entries SET hit_count = hit_count + ?, last_used_at = ? WHERE key = ?'),
    stats:
      db.prepare(`SELECT kind, count(*) AS entries, coalesce(sum(length(key) + length(CAST(value AS BLOB))), 0) AS bytes,
      min(created_at) AS oldest, max(created_at) AS newest, sum(hit_count) AS hits FROM entries GROUP BY kind ORDER BY kind`),
    clearAll: db.prepare('DELETE FROM entries'),
    clearOlder: db.prepare('DELETE FROM entries WHERE coalesce(last_used_at, created_at) < ?'),
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

export { cacheKey, canonicalJson } from './cache-key.js'
