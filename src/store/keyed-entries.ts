/**
 * One table of entries by key in `<dir>/cache.db`, as the judge cache (`entries`) and the app cache
 * (`app_entries`) both keep them: declared in `entities.ts` with `key`, `kind`, `value`, `created_at`,
 * `last_used_at` and `hit_count`. One connection per worker, statements prepared once, each write a
 * single autocommit statement; hits counted in memory and written in one transaction every
 * `HIT_FLUSH_EVERY` hits and on close (a write per hit would take the write lock on the hot path).
 */
import { existsSync } from 'node:fs'
import { StoreError } from '../errors.js'
import { type AnyEntity, type SqlValue, sqliteInsert } from './columns.js'
import { type Database, isBusy, openDatabase, withImmediate } from './database.js'
import { addStatsRow, type CacheStatsRow, type KeyedStats } from './rows.js'

/** Options of a keyed-entry cache over `cache.db`. */
export interface KeyedEntriesOptions {
  /** Never write (replay). A missing file then reads as an empty cache. */
  readonly?: boolean
  /** Count hits and last use (default true). */
  recordHits?: boolean
}

/** What tells one keyed-entry table from another. */
export interface KeyedEntriesSpec<Entry, Input, Row extends { key: string }> {
  entity: AnyEntity
  /** The columns a lookup reads (`*`, or a list). */
  select: string
  /** The insert's values of an entry (`rowValues(ENTITY, input, { key })`). */
  values: (key: string, input: Input) => SqlValue[]
  toEntry: (row: Row) => Entry
  /** The error of a write to a cache open read-only. */
  readonlyMessage: (location: string) => string
  /** The migrations of the file (all of `cache.db`'s, whichever table is used). */
  migrations: string[]
}

export const HIT_FLUSH_EVERY = 256

/** A keyed-entry table in `<dir>/cache.db`. One per worker; `close()` at the end. */
export class SqliteKeyedEntries<Entry, Input, Row extends { key: string }> {
  readonly location: string
  protected readonly db: Database | undefined
  protected readonly readonly: boolean
  private readonly recordHits: boolean
  protected readonly pendingHits = new Map<string, number>()
  private readonly stmts: ReturnType<typeof prepareStatements> | undefined

  constructor(
    file: string,
    private readonly spec: KeyedEntriesSpec<Entry, Input, Row>,
    options: KeyedEntriesOptions = {},
  ) {
    this.location = file
    this.readonly = options.readonly === true
    this.recordHits = options.recordHits !== false && !this.readonly
    if (this.readonly && !existsSync(file)) return
    this.db = openDatabase(file, { kind: 'cache', migrations: spec.migrations, readonly: this.readonly })
    this.stmts = prepareStatements(this.db, spec)
  }

  get(key: string): Promise<Entry | undefined> {
    return Promise.resolve(this.getSync(key))
  }

  getMany(keys: readonly string[]): Promise<Map<string, Entry>> {
    return Promise.resolve(this.getManySync(keys))
  }

  async set(key: string, entry: Input): Promise<void> {
    this.setSync(key, entry)
  }

  async flush(): Promise<void> {
    this.flushSync()
  }

  async close(): Promise<void> {
    this.closeSync()
  }

  /** The entry under `key`, if any. */
  getSync(key: string): Entry | undefined {
    const row = this.stmts?.get.get(key) as Row | undefined
    if (row === undefined) return undefined
    this.hit(key)
    return this.spec.toEntry(row)
  }

  /** The entries of the keys that are cached (one query for all of them). */
  getManySync(keys: readonly string[]): Map<string, Entry> {
    const found = new Map<string, Entry>()
    if (this.stmts === undefined || keys.length === 0) return found
    for (const row of this.stmts.getMany.all(JSON.stringify(keys)) as Row[]) {
      found.set(row.key, this.spec.toEntry(row))
      this.hit(row.key)
    }
    return found
  }

  /** Writes (or overwrites) the entry under `key`. */
  setSync(key: string, entry: Input): void {
    this.writable().set.run(...this.spec.values(key, entry))
  }

  /** Adds the table's figures (and the hits not written yet) to `stats`. */
  protected addStatsSync<S extends KeyedStats>(stats: S): S {
    if (this.stmts === undefined) return stats
    for (const row of this.stmts.stats.all() as CacheStatsRow[]) addStatsRow(stats, row)
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
    // One statement for all of them: {"<key>": <count>, ...} joined by json_each.
    const hits = JSON.stringify(Object.fromEntries(this.pendingHits))
    this.pendingHits.clear()
    const stmts = this.stmts
    const now = Date.now()
    try {
      withImmediate(this.db, () => stmts.hits.run(now, hits))
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
    if (this.readonly || this.stmts === undefined) throw new StoreError(this.spec.readonlyMessage(this.location))
    return this.stmts
  }
}

function prepareStatements(db: Database, spec: { entity: AnyEntity; select: string }) {
  const table = spec.entity.table
  return {
    get: db.prepare(`SELECT ${spec.select} FROM ${table} WHERE key = ?`),
    getMany: db.prepare(`SELECT ${spec.select} FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`),
    set: db.prepare(sqliteInsert(spec.entity, { upsert: true })),
    hits: db.prepare(
      `UPDATE ${table} SET hit_count = hit_count + hits.value, last_used_at = ? FROM json_each(?) AS hits WHERE ${table}.key = hits.key`,
    ),
    stats:
      db.prepare(`SELECT kind, count(*) AS entries, coalesce(sum(length(key) + length(CAST(value AS BLOB))), 0) AS bytes,
      min(created_at) AS oldest, max(created_at) AS newest, sum(hit_count) AS hits FROM ${table} GROUP BY kind ORDER BY kind`),
    clearAll: db.prepare(`DELETE FROM ${table}`),
    clearOlder: db.prepare(`DELETE FROM ${table} WHERE coalesce(last_used_at, created_at) < ?`),
  }
}
