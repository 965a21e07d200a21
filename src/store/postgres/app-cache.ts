/**
 * The app cache in a PostgreSQL schema (`app_cache_entries`, in the `cache` part beside the judge's
 * `cache_entries`), shared by every machine using the URL: what one state folder recorded, another
 * replays. The table's reads and writes are `PgKeyedEntries`, shared with the judge cache.
 */
import {
  APP_ENTRIES,
  type AppCache,
  type AppCacheEntry,
  type AppCacheEntryInput,
  type AppCacheStats,
  type AppEntryRow,
} from '../app-cache.js'
import { openKeyedEntries, PgKeyedEntries } from './keyed-entries.js'
import type { PgLocation } from './url.js'

/** The app cache in a PostgreSQL schema. Open it with `PgAppCache.open`. */
export class PgAppCache extends PgKeyedEntries<AppCacheEntry, AppCacheEntryInput, AppEntryRow> implements AppCache {
  /** Connects (the process's pool), checks the schema and migrates the `cache` part (unless read-only). */
  static async open(
    location: PgLocation,
    options: { readonly?: boolean; recordHits?: boolean; retryOpen?: boolean } = {},
  ): Promise<PgAppCache> {
    return new PgAppCache(await openKeyedEntries(location, options), APP_ENTRIES, 'app')
  }

  async stats(): Promise<AppCacheStats> {
    return this.addStats({ entries: 0, bytes: 0, hits: 0, oldest: null, newest: null, byKind: {} })
  }
}
