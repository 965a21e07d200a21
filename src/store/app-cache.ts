/**
 * The app cache (issue 27): the app's own model and tool calls, recorded and replayed. It lives beside
 * the judge cache, in the same backends (the `app_entries` table of `<dir>/cache.db`, or the
 * `app_cache_entries` table of the PostgreSQL schema of `cache.url`; one declaration, `APP_CACHE_ENTRIES`
 * in `entities.ts`), and never mixes with its entries.
 * What is stored is the call's result only (redacted): never the request, a key or a header.
 */

import { withFields } from '../with-fields.js'
import { fromRow, type RowOf, rowValues } from './columns.js'
import { APP_CACHE_ENTRIES } from './entities.js'
import { CACHE_MIGRATIONS } from './judge-cache.js'
import { type KeyedEntriesOptions, SqliteKeyedEntries } from './keyed-entries.js'
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
  return withFields(out, {
    kind: out.kind === 'tool' ? 'tool' : 'model',
    latencyMs: out.latencyMs ?? null,
    tokens: out.tokens ?? null,
  })
}

export { storedAppValue } from './app-value.js'

/** What tells the app's entries from the judge's (`keyed-entries.ts`), shared by both backends. */
export const APP_ENTRIES = {
  entity: APP_CACHE_ENTRIES,
  select: '*',
  values: (key: string, entry: AppCacheEntryInput) => rowValues(APP_CACHE_ENTRIES, entry, { key }),
  toEntry: toAppEntry,
  readonlyMessage: (location: string) =>
    `The app cache in ${location} is open read-only (replay); it cannot be written.`,
}

/** The app cache in `<dir>/cache.db` (table `app_entries`). One per worker; `close()` at the end. */
export class SqliteAppCache
  extends SqliteKeyedEntries<AppCacheEntry, AppCacheEntryInput, AppEntryRow>
  implements AppCache
{
  constructor(dir: string, options: KeyedEntriesOptions = {}) {
    super(cacheDbPath(dir), { ...APP_ENTRIES, migrations: CACHE_MIGRATIONS }, options)
  }

  async stats(): Promise<AppCacheStats> {
    return this.addStatsSync({ entries: 0, bytes: 0, hits: 0, oldest: null, newest: null, byKind: {} })
  }

  async clear(options: { olderThanMs?: number } = {}): Promise<number> {
    return this.clearSync(options)
  }
}
