/**
 * The app cache (issue 27): the app's own model and tool calls, recorded and replayed. It lives beside
 * the judge cache, in the same backends (the `app_entries` table of `<dir>/cache.db`, or the
 * `app_cache_entries` table of the PostgreSQL schema of `cache.url`; one declaration, `APP_CACHE_ENTRIES`
 * in `entities.ts`), and never mixes with its entries.
 * What is stored is the call's result only (redacted): never the request, a key or a header.
 */
import { existsSync } from 'node:fs'
import { StoreError } from '../errors.js'
import { fromRow, type RowOf, rowValues, sqliteInsert } from './columns.js'
import { type Database, isBusy, openDatabase } from './database.js'
import { APP_CACHE_ENTRIES } from './entities.js'
import { CACHE_MIGRATIONS } from './judge-cache.js'
import { cacheDbPath } from './paths.js'

/** What an app cache entry records. */
export type AppEntryKind = 'model' | 'tool'

/** One recorded call. */
export interface AppCacheEntry {
  kind: AppEntryKind
  /** The call's name: `<provider> <model>` for a model call, the tool's name for a tool. */
  name: string
  /** The call's result, as JSON (model output, stream parts, tool result). */
  value: unknown
  /** How long the call took when it was recorded (ms). */
  latencyMs: number | null
  /** The tokens the recorded call used (model calls), when known. */
  tokens: { input: number; output: number } | null
  /** Epoch ms. */
  createdAt: number
}

/** An entry to write (`createdAt` defaults to now). */
export type AppCacheEntryInput = Omit<AppCacheEntry, 'createdAt'> & { createdAt?: number }

/** Figures of the app cache. */
export interface AppCacheStats {
  entries: number
  /** Bytes of keys and values. */
  bytes: number
  hits: number
  oldest: number | null
  newest: number | null
  /** Entries and bytes per kind (`model`, `tool`). */
  byKind: Record<string, { entries: number; bytes: number }>
}

/** The app cache interface every backend implements (SQLite, PostgreSQL). */
export interface AppCache {
  /** Where it lives (file path, or the redacted URL and schema). */
  readonly location: string
  get(key: string): Promise<AppCacheEntry | undefined>
  set(key: string, entry: AppCacheEntryInput): Promise<void>
  stats(): Promise<AppCacheStats>
  /** Deletes every entry, or those not used (or, never hit, not written) for `olderThanMs`. Returns the count. */
  clear(options?: { olderThanMs?: number }): Promise<number>
  /** Writes the hit counts gathered in memory. */
  flush(): Promise<void>
  close(): Promise<void>
}

/** A stored row, as both backends return it (`SELECT *`). */
export type AppEntryRow = RowOf<typeof APP_CACHE_ENTRIES>

/** The entry of a stored row. */
export function toAppEntry(row: AppEntryRow): AppCacheEntry {
  const out = fromRow(APP_CACHE_ENTRIES, row) as unknown as AppCacheEntry
  return {
    ...out,
    kind: out.kind === 'tool' ? 'tool' : 'model',
    latencyMs: out.latencyMs ?? null,
    tokens: out.tokens ?? null,
  }
}

export { storedAppValue } from './app-value.js'

const HIT_FLUSH_EVERY = 256

/** The app cache in `<dir>/cache.db` (table `app_entries`). One per worker; `close()` at the end. */
export class SqliteAppCache implements AppCache {
  readonly location: string
  private readonly db: Database | undefined
  private readonly readonly: boolean
  private readonly recordHits: boolean
  private readonly pendingHits = new Map<string, number>()
  private readonly stmts: ReturnType<typeof prepare> | undefined

  constructor(dir: string, options: { readonly?: boolean; recordHits?: boolean } = {}) {
    this.location = cacheDbPath(dir)
    this.readonly = options.readonly === true
    this.recordHits = options.recordHits !== false && !this.readonly
    if (this.readonly && !existsSync(this.location)) return
    this.db = openDatabase(this.location, { kind: 'cache', migrations: CACHE_MIGRATIONS, readonly: this.readonly })
    this.stmts = prepare(this.db)
  }

  async get(key: string): Promise<AppCacheEntry | undefined> {
    return this.getSync(key)
  }

  /** The entry under `key`, if any. */
  getSync(key: string): AppCacheEntry | undefined {
    const row = this.stmts?.get.get(key) as AppEntryRow | undefined
    if (row === undefined) return undefined
    if (this.recordHits) {
      this.pendingHits.set(key, (this.pendingHits.get(key) ?? 0) + 1)
      if (this.pendingHits.size >= HIT_FLUSH_EVERY) this.flushSync()
    }
    return toAppEntry(row)
  }

  async set(key: string, entry: AppCacheEntryInput): Promise<void> {
    this.writable().set.run(...rowValues(APP_CACHE_ENTRIES, entry, { key }))
  }

  async stats(): Promise<AppCacheStats> {
    const stats: AppCacheStats = { entries: 0, bytes: 0, hits: 0, oldest: null, newest: null, byKind: {} }
    if (this.stmts === undefined) return stats
    const rows = this.stmts.stats.all() as {
      kind: string
      entries: number
      bytes: number
      oldest: number
      newest: number
      hits: number
    }[]
    for (const row of rows) addKind(stats, row)
    for (const count of this.pendingHits.values()) stats.hits += count
    return stats
  }

  async clear(options: { olderThanMs?: number } = {}): Promise<number> {
    const stmts = this.writable()
    this.flushSync()
    return options.olderThanMs === undefined
      ? stmts.clearAll.run().changes
      : stmts.clearOlder.run(Date.now() - options.olderThanMs).changes
  }

  async flush(): Promise<void> {
    this.flushSync()
  }

  /** Best effort: hit counts that meet a busy database are dropped. */
  flushSync(): void {
    if (this.pendingHits.size === 0 || this.db === undefined || this.stmts === undefined) return
    const hits = [...this.pendingHits]
    this.pendingHits.clear()
    const stmts = this.stmts
    const now = Date.now()
    try {
      this.db.transaction(() => {
        for (const [key, count] of hits) stmts.hit.run(count, now, key)
      })()
    } catch (error) {
      if (!isBusy(error)) throw error
    }
  }

  async close(): Promise<void> {
    this.closeSync()
  }

  closeSync(): void {
    if (this.db === undefined || !this.db.open) return
    this.flushSync()
    this.db.close()
  }

  private writable(): ReturnType<typeof prepare> {
    if (this.readonly || this.stmts === undefined) {
      throw new StoreError(`The app cache in ${this.location} is open read-only (replay); it cannot be written.`)
    }
    return this.stmts
  }
}

/** Adds one `GROUP BY kind` row to the figures. */
export function addKind(
  stats: AppCacheStats,
  row: { kind: string; entries: number; bytes: number; oldest: number; newest: number; hits: number },
): void {
  const entries = Number(row.entries)
  const bytes = Number(row.bytes)
  stats.entries += entries
  stats.bytes += bytes
  stats.hits += Number(row.hits ?? 0)
  const oldest = Number(row.oldest)
  const newest = Number(row.newest)
  stats.oldest = stats.oldest === null ? oldest : Math.min(stats.oldest, oldest)
  stats.newest = stats.newest === null ? newest : Math.max(stats.newest, newest)
  stats.byKind[row.kind] = { entries, bytes }
}

function prepare(db: Database) {
  return {
    get: db.prepare('SELECT * FROM app_entries WHERE key = ?'),
    set: db.prepare(sqliteInsert(APP_CACHE_ENTRIES, { upsert: true })),
    hit: db.prepare('UPDATE app_entries SET hit_count = hit_count + ?, last_used_at = ? WHERE key = ?'),
    stats: db.prepare(
      `SELECT kind, count(*) AS entries, coalesce(sum(length(key) + length(CAST(value AS BLOB))), 0) AS bytes,
      min(created_at) AS oldest, max(created_at) AS newest, sum(hit_count) AS hits FROM app_entries GROUP BY kind ORDER BY kind`,
    ),
    clearAll: db.prepare('DELETE FROM app_entries'),
    clearOlder: db.prepare('DELETE FROM app_entries WHERE coalesce(last_used_at, created_at) < ?'),
  }
}
