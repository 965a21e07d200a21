/**
 * One table of entries by key in a PostgreSQL schema (the judge's `cache_entries`, the app's
 * `app_cache_entries`; see `../keyed-entries.ts` for SQLite), shared by every worker of every machine
 * using the URL: one pool per process, a lookup is one prepared statement, hit counts gathered in memory
 * and written in one statement every `HIT_FLUSH_EVERY` hits, every few seconds, and on close.
 */
import type { Pool } from 'pg'
import { StoreError } from '../../errors.js'
import { pgInsert, pgTable } from '../columns.js'
import { HIT_FLUSH_EVERY, type KeyedEntriesSpec } from '../keyed-entries.js'
import { addStatsRow, type CacheStatsRow, type KeyedStats } from '../rows.js'
import { acquirePool, releasePool } from './driver.js'
import { withRetry } from './retry.js'
import { ensurePart, quoteIdent } from './schema.js'
import type { PgLocation } from './url.js'

const HIT_FLUSH_MS = 5000

/** Options of opening a keyed-entry cache in PostgreSQL. */
export interface PgKeyedEntriesOptions {
  /** Never write (replay); a schema without the cache reads as an empty cache. */
  readonly?: boolean
  /** Count hits and last use. @default true */
  recordHits?: boolean
  /** Retry a lost connection while opening, for the retry window (see `ensurePart`). @default false */
  retryOpen?: boolean
  /** The retry window (ms) of a retried open. @default VITEST_JUDGE_STORE_RETRY_MS, else 30 s */
  openRetryMs?: number
}

/** What a subclass's constructor passes on: the opened pool and the state of the schema. */
export interface PgKeyedEntriesOpened {
  pg: PgLocation
  pool: Pool
  readonly: boolean
  recordHits: boolean
  present: boolean
}

/** Connects (the process's pool), checks the schema and migrates the `cache` part (unless read-only). */
export async function openKeyedEntries(
  location: PgLocation,
  options: PgKeyedEntriesOptions = {},
): Promise<PgKeyedEntriesOpened> {
  const pool = await acquirePool(location)
  try {
    const readonly = options.readonly === true
    const present = await ensurePart(pool, location, 'cache', readonly, {
      retry: options.retryOpen === true,
      ...(options.openRetryMs === undefined ? {} : { retryMs: options.openRetryMs }),
    })
    return { pg: location, pool, readonly, recordHits: options.recordHits !== false && !readonly, present }
  } catch (error) {
    await releasePool(location)
    throw error
  }
}

/** A keyed-entry table in a PostgreSQL schema; subclasses open it with `openKeyedEntries`. */
export class PgKeyedEntries<Entry, Input, Row extends { key: string }> {
  readonly location: string
  protected readonly pg: PgLocation
  protected readonly pool: Pool
  protected readonly table: string
  private readonly readonly: boolean
  private readonly recordHits: boolean
  /** Whether the schema holds the table (a read-only open of an empty location: not). */
  protected readonly present: boolean
  protected readonly pendingHits = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private closed = false

  protected constructor(
    opened: PgKeyedEntriesOpened,
    private readonly spec: Omit<KeyedEntriesSpec<Entry, Input, Row>, 'migrations'>,
    /** Prefix of the prepared statements' names (`cache`, `app`): unique per table. */
    private readonly statementPrefix: string,
  ) {
    this.pg = opened.pg
    this.pool = opened.pool
    this.readonly = opened.readonly
    this.recordHits = opened.recordHits
    this.present = opened.present
    this.location = opened.pg.display
    this.table = pgTable(spec.entity, quoteIdent(opened.pg.schema))
  }

  private name(name: string): string {
    return `vj_${this.pg.schema}_${this.statementPrefix}_${name}`
  }

  async get(key: string): Promise<Entry | undefined> {
    if (!this.present) return undefined
    const result = await withRetry(this.pg, () =>
      this.pool.query<Row>({
        name: this.name('get'),
        text: `SELECT ${this.spec.select} FROM ${this.table} WHERE key = $1`,
        values: [key],
      }),
    )
    const row = result.rows[0]
    if (row === undefined) return undefined
    this.hit(key)
    return this.spec.toEntry(row)
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Entry>> {
    const found = new Map<string, Entry>()
    if (!this.present || keys.length === 0) return found
    const result = await withRetry(this.pg, () =>
      this.pool.query<Row>({
        name: this.name('get_many'),
        text: `SELECT ${this.spec.select} FROM ${this.table} WHERE key = ANY($1::text[])`,
        values: [[...new Set(keys)]],
      }),
    )
    for (const row of result.rows) {
      found.set(row.key, this.spec.toEntry(row))
      this.hit(row.key)
    }
    return found
  }

  async set(key: string, entry: Input): Promise<void> {
    this.writable()
    const values = this.spec.values(key, entry)
    await withRetry(this.pg, () =>
      this.pool.query({
        name: this.name('set'),
        text: pgInsert(this.spec.entity, quoteIdent(this.pg.schema), { upsert: true }),
        values,
      }),
    )
  }

  /** Adds the table's figures (and the hits not written yet) to `stats`. */
  protected async addStats<S extends KeyedStats>(stats: S): Promise<S> {
    if (!this.present) return stats
    const rows = await withRetry(this.pg, async () => {
      const result = await this.pool.query<CacheStatsRow>(
        `SELECT kind, count(*)::int8 AS entries, coalesce(sum(octet_length(key) + octet_length(value)), 0)::int8 AS bytes,
          min(created_at) AS oldest, max(created_at) AS newest, sum(hit_count)::int8 AS hits
          FROM ${this.table} GROUP BY kind ORDER BY kind`,
      )
      return result.rows
    })
    for (const row of rows) addStatsRow(stats, row)
    for (const count of this.pendingHits.values()) stats.hits += count
    return stats
  }

  /** Deletes every entry, or those not used (or, never hit, not written) for `olderThanMs`; `vacuum` compacts. */
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
    if (this.readonly) throw new StoreError(this.spec.readonlyMessage(this.location))
  }
}
