/**
 * The app cache in a PostgreSQL schema (`app_cache_entries`, in the `cache` part beside the judge's
 * `cache_entries`), shared by every machine using the URL: what one state folder recorded, another replays.
 */
import type { Pool } from 'pg'
import { StoreError } from '../../errors.js'
import {
  type AppCache,
  type AppCacheEntry,
  type AppCacheEntryInput,
  type AppCacheStats,
  type AppEntryRow,
  addKind,
  toAppEntry,
} from '../app-cache.js'
import { pgInsert, pgTable, rowValues } from '../columns.js'
import { APP_CACHE_ENTRIES } from '../entities.js'
import { acquirePool, releasePool } from './driver.js'
import { withRetry } from './retry.js'
import { ensurePart, quoteIdent } from './schema.js'
import type { PgLocation } from './url.js'

const HIT_FLUSH_MS = 5000

/** The app cache in a PostgreSQL schema. Open it with `PgAppCache.open`. */
export class PgAppCache implements AppCache {
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
    this.table = pgTable(APP_CACHE_ENTRIES, quoteIdent(pg.schema))
  }

  /** Connects (the process's pool), checks the schema and migrates the `app` part (unless read-only). */
  static async open(
    location: PgLocation,
    options: { readonly?: boolean; recordHits?: boolean; retryOpen?: boolean } = {},
  ): Promise<PgAppCache> {
    const pool = await acquirePool(location)
    try {
      const readonly = options.readonly === true
      const present = await ensurePart(pool, location, 'cache', readonly, { retry: options.retryOpen === true })
      return new PgAppCache(location, pool, readonly, options.recordHits !== false && !readonly, present)
    } catch (error) {
      await releasePool(location)
      throw error
    }
  }

  private name(name: string): string {
    return `vj_${this.pg.schema}_app_${name}`
  }

  async get(key: string): Promise<AppCacheEntry | undefined> {
    if (!this.present) return undefined
    const result = await withRetry(this.pg, () =>
      this.pool.query<AppEntryRow>({
        name: this.name('get'),
        text: `SELECT * FROM ${this.table} WHERE key = $1`,
        values: [key],
      }),
    )
    const row = result.rows[0]
    if (row === undefined) return undefined
    if (this.recordHits) {
      this.pendingHits.set(key, (this.pendingHits.get(key) ?? 0) + 1)
      if (this.timer === undefined) {
        this.timer = setTimeout(() => void this.flush(), HIT_FLUSH_MS)
        this.timer.unref()
      }
    }
    return toAppEntry(row)
  }

  async set(key: string, entry: AppCacheEntryInput): Promise<void> {
    const values = rowValues(APP_CACHE_ENTRIES, entry, { key })
    this.writable()
    await withRetry(this.pg, () =>
      this.pool.query({
        name: this.name('set'),
        text: pgInsert(APP_CACHE_ENTRIES, quoteIdent(this.pg.schema), { upsert: true }),
        values,
      }),
    )
  }

  async stats(): Promise<AppCacheStats> {
    const stats: AppCacheStats = { entries: 0, bytes: 0, hits: 0, oldest: null, newest: null, byKind: {} }
    if (!this.present) return stats
    const result = await withRetry(this.pg, () =>
      this.pool.query<{ kind: string; entries: number; bytes: number; oldest: number; newest: number; hits: number }>(
        `SELECT kind, count(*)::int8 AS entries, coalesce(sum(octet_length(key) + octet_length(value)), 0)::int8 AS bytes,
          min(created_at) AS oldest, max(created_at) AS newest, sum(hit_count)::int8 AS hits
          FROM ${this.table} GROUP BY kind ORDER BY kind`,
      ),
    )
    for (const row of result.rows) addKind(stats, row)
    for (const count of this.pendingHits.values()) stats.hits += count
    return stats
  }

  async clear(options: { olderThanMs?: number } = {}): Promise<number> {
    this.writable()
    if (!this.present) return 0
    await this.flush()
    const result =
      options.olderThanMs === undefined
        ? await this.pool.query(`DELETE FROM ${this.table}`)
        : await this.pool.query(`DELETE FROM ${this.table} WHERE coalesce(last_used_at, created_at) < $1`, [
            Date.now() - options.olderThanMs,
          ])
    return result.rowCount ?? 0
  }

  /** Best effort: counts that cannot be written (server away) are dropped. */
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
      // Counts only inform `cache clear --app --older-than`.
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.flush()
    await releasePool(this.pg)
  }

  private writable(): void {
    if (this.readonly) {
      throw new StoreError(`The app cache in ${this.location} is open read-only (replay); it cannot be written.`)
    }
  }
}
