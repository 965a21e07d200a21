/**
 * The judge cache in a PostgreSQL schema, shared by every worker of every machine using the URL:
 * one pool per process, a lookup is one prepared statement, hit counts gathered in memory and
 * written in one statement every `HIT_FLUSH_EVERY` hits, every few seconds, and on close.
 */
import type { Pool } from 'pg'
import { StoreError } from '../../errors.js'
import { pgInsert, pgTable, rowValues } from '../columns.js'
import { CACHE_ENTRIES } from '../entities.js'
import { addStatsRow, ENTRY_COLUMNS, type EntryRow, toEntry } from '../rows.js'
import type { CachedEntry, CacheEntryInput, CacheStats, JudgeCache } from '../types.js'
import { acquirePool, releasePool } from './driver.js'
import { withRetry } from './retry.js'
import { ensurePart, quoteIdent } from './schema.js'
import type { PgLocation } from './url.js'

const HIT_FLUSH_EVERY = 256
const HIT_FLUSH_MS = 5000

/** Options of `PgJudgeCache.open`. */
export interface PgJudgeCacheOptions {
  /** Never write (replay); a schema without the cache reads as an empty cache. */
  readonly?: boolean
  /** Count hits and last use. @default true */
  recordHits?: boolean
  /** Retry a lost connection while opening, for the retry window (see `ensurePart`). @default false */
  retryOpen?: boolean
  /** The retry window (ms) of a retried open. @default VITEST_JUDGE_STORE_RETRY_MS, else 30 s */
  openRetryMs?: number
}

/** The judge cache in a PostgreSQL schema. Open it with `PgJudgeCache.open`. */
export class PgJudgeCache implements JudgeCache {
  readonly location: string
  private readonly table: string
  private readonly pendingHits = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private closed = false

  private constructor(
    private readonly pg: PgLocation,
    private readonly pool: Pool,
    private readonly readonly: boolean,
    private readonly recordHits: boolean,
    private readonly present: boolean,
  ) {
    this.location = pg.display
    this.table = pgTable(CACHE_ENTRIES, quoteIdent(pg.schema))
  }

  /** Connects (the process's pool), checks the schema and migrates it (unless read-only). */
  static async open(location: PgLocation, options: PgJudgeCacheOptions = {}): Promise<PgJudgeCache> {
    const pool = await acquirePool(location)
    try {
      const readonly = options.readonly === true
      const present = await ensurePart(pool, location, 'cache', readonly, {
        retry: options.retryOpen === true,
        ...(options.openRetryMs === undefined ? {} : { retryMs: options.openRetryMs }),
      })
      return new PgJudgeCache(location, pool, readonly, options.recordHits !== false && !readonly, present)
    } catch (error) {
      await releasePool(location)
      throw error
    }
  }

  private name(name: string): string {
    return `vj_${this.pg.schema}_cache_${name}`
  }

  async get(key: string): Promise<CachedEntry | undefined> {
    if (!this.present) return undefined
    const result = await withRetry(this.pg, () =>
      this.pool.query<EntryRow>({
        name: this.name('get'),
        text: `SELECT ${ENTRY_COLUMNS} FROM ${this.table} WHERE key = $1`,
        values: [key],
      }),
    )
    const row = result.rows[0]
    if (row === undefined) return undefined
    this.hit(key)
    return toEntry(row)
  }

  async getMany(keys: readonly string[]): Promise<Map<string, CachedEntry>> {
    const found = new Map<string, CachedEntry>()
    if (!this.present || keys.length === 0) return found
    const result = await withRetry(this.pg, () =>
      this.pool.query<EntryRow>({
        name: this.name('get_many'),
        text: `SELECT ${ENTRY_COLUMNS} FROM ${this.table} WHERE key = ANY($1::text[])`,
        values: [[...new Set(keys)]],
      }),
    )
    for (const row of result.rows) {
      found.set(row.key, toEntry(row))
      this.hit(row.key)
    }
    return found
  }

  async set(key: string, entry: CacheEntryInput): Promise<void> {
    const json = JSON.stringify(entry.value)
    if (json === undefined)
      throw new TypeError(`Cannot cache ${typeof entry.value} under ${key}: the value must be JSON.`)
    this.writable()
    const values = rowValues(CACHE_ENTRIES, entry, { key })
    await withRetry(this.pg, () =>
      this.pool.query({
        name: this.name('set'),
        text: pgInsert(CACHE_ENTRIES, quoteIdent(this.pg.schema), { upsert: true }),
        values,
      }),
    )
  }

  async stats(): Promise<CacheStats> {
    const stats: CacheStats = { entries: 0, bytes: 0, fileBytes: 0, oldest: null, newest: null, hits: 0, byKind: {} }
    if (!this.present) return stats
    const rows = await withRetry(this.pg, async () => {
      const result = await this.pool.query<{
        kind: string
        entries: number
        bytes: number
        oldest: number
        newest: number
        hits: number
      }>(
        `SELECT kind, count(*)::int8 AS entries, coalesce(sum(octet_length(key) + octet_length(value)), 0)::int8 AS bytes,
          min(created_at) AS oldest, max(created_at) AS newest, sum(hit_count)::int8 AS hits
          FROM ${this.table} GROUP BY kind ORDER BY kind`,
      )
      return result.rows
    })
    for (const row of rows) addStatsRow(stats, row)
    const size = await this.pool.query<{ size: number }>('SELECT pg_total_relation_size($1)::int8 AS size', [
      this.table,
    ])
    stats.fileBytes = size.rows[0]?.size ?? 0
    for (const count of this.pendingHits.values()) stats.hits += count
    return stats
  }

  async clear(options: { olderThanMs?: number; vacuum?: boolean } = {}): Promise<number> {
    this.writable()
    if (!this.present) return 0
    await this.flush()
    const result =
      options.olderThanMs === undefined
        ? await this.pool.query(`DELETE FROM ${this.table}`)
        : await this.pool.query(`DELETE FROM ${this.table} WHERE coalesce(last_used_at, created_at) < $1`, [
            Date.now() - options.olderThanMs,
          ])
    const deleted = result.rowCount ?? 0
    // Plain VACUUM (not FULL): it never locks out the workers reading the cache.
    if (options.vacuum && deleted > 0) await this.pool.query(`VACUUM ${this.table}`)
    return deleted
  }

  /** Best effort: hit counts that cannot be written (server away) are dropped, never a test failure. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.pendingHits.size === 0 || !this.present) return
    const hits = [...this.pendingHits]
    this.pendingHits.clear()
    try {
      await this.pool.query({
        name: this.name('hits'),
        text: `UPDATE ${this.table} e SET hit_count = e.hit_count + h.n, last_used_at = $3
          FROM unnest($1::text[], $2::int8[]) AS h(key, n) WHERE e.key = h.key`,
        values: [hits.map(([key]) => key), hits.map(([, n]) => n), Date.now()],
      })
    } catch {
      // Counts only inform `cache clear --older-than`.
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.flush()
    await releasePool(this.pg)
  }

  private hit(key: string): void {
    if (!this.recordHits) return
    this.pendingHits.set(key, (this.pendingHits.get(key) ?? 0) + 1)
    if (this.pendingHits.size >= HIT_FLUSH_EVERY) void this.flush()
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), HIT_FLUSH_MS)
      this.timer.unref()
    }
  }

  private writable(): void {
    if (this.readonly) {
      throw new StoreError(
        `The judge cache ${this.location} is open read-only (cache: 'readonly' / VITEST_JUDGE_CACHE=readonly); it cannot be written.`,
      )
    }
  }
}
