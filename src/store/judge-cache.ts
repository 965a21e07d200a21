/**
 * The SQLite judge cache (`<dir>/cache.db`), shared by every test worker of every vitest process: one
 * connection per worker, statements prepared once, each write a single autocommit statement (WAL with
 * `synchronous=NORMAL`: no fsync per write). The calls are synchronous underneath: a hit costs a few
 * microseconds, and the async `JudgeCache` methods only wrap them.
 */
import { statSync } from 'node:fs'
import { rowValues, sqliteMigrations } from './columns.js'
import { CACHE_ENTITIES, CACHE_ENTRIES } from './entities.js'
import { type KeyedEntriesOptions, SqliteKeyedEntries } from './keyed-entries.js'
import { cacheDbPath } from './paths.js'
import { ENTRY_COLUMNS, type EntryRow, toEntry } from './rows.js'
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
export type JudgeCacheOptions = KeyedEntriesOptions

/** The judge cache over `<dir>/cache.db`. Create one per worker and keep it; `close()` at the end. */
export class SqliteJudgeCache extends SqliteKeyedEntries<CachedEntry, CacheEntryInput, EntryRow> implements JudgeCache {
  /** The database file. */
  readonly file: string

  constructor(dir: string, options: JudgeCacheOptions = {}) {
    super(cacheDbPath(dir), JUDGE_ENTRIES_SPEC, options)
    this.file = this.location
  }

  async stats(): Promise<CacheStats> {
    return this.statsSync()
  }

  async clear(options: { olderThanMs?: number; vacuum?: boolean } = {}): Promise<number> {
    return this.clearSync(options)
  }

  /** Writes (or overwrites) the entry under `key`. */
  override setSync(key: string, entry: CacheEntryInput): void {
    assertJson(key, entry.value)
    super.setSync(key, entry)
  }

  /** Figures of the whole cache. */
  statsSync(): CacheStats {
    const fileBytes = fileSize(this.file) + fileSize(`${this.file}-wal`)
    return this.addStatsSync({ entries: 0, bytes: 0, fileBytes, oldest: null, newest: null, hits: 0, byKind: {} })
  }
}

/** What tells the judge's entries from the app's (`keyed-entries.ts`), shared by both backends. */
export const JUDGE_ENTRIES = {
  entity: CACHE_ENTRIES,
  select: ENTRY_COLUMNS,
  values: (key: string, entry: CacheEntryInput) => rowValues(CACHE_ENTRIES, entry, { key }),
  toEntry,
  readonlyMessage: (location: string) =>
    `The judge cache ${location} is open read-only (cache: 'readonly' / VITEST_JUDGE_CACHE=readonly); it cannot be written.`,
}

const JUDGE_ENTRIES_SPEC = { ...JUDGE_ENTRIES, migrations: CACHE_MIGRATIONS }

/** A value the judge cache cannot store (not JSON) is refused before the write. */
export function assertJson(key: string, value: unknown): void {
  if (JSON.stringify(value) === undefined)
    throw new TypeError(`Cannot cache ${typeof value} under ${key}: the value must be JSON.`)
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

export { cacheKey, canonicalJson, gradeCacheKey } from './cache-key.js'
