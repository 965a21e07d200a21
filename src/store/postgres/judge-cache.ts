/**
 * The judge cache in a PostgreSQL schema (`cache_entries`), shared by every worker of every machine
 * using the URL; the table's reads and writes are `PgKeyedEntries`, shared with the app cache.
 */
import { assertJson, JUDGE_ENTRIES } from '../judge-cache.js'
import type { EntryRow } from '../rows.js'
import type { CachedEntry, CacheEntryInput, CacheStats, JudgeCache } from '../types.js'
import { openKeyedEntries, PgKeyedEntries, type PgKeyedEntriesOptions } from './keyed-entries.js'
import type { PgLocation } from './url.js'

/** Options of `PgJudgeCache.open`. */
export type PgJudgeCacheOptions = PgKeyedEntriesOptions

/** The judge cache in a PostgreSQL schema. Open it with `PgJudgeCache.open`. */
export class PgJudgeCache extends PgKeyedEntries<CachedEntry, CacheEntryInput, EntryRow> implements JudgeCache {
  /** Connects (the process's pool), checks the schema and migrates it (unless read-only). */
  static async open(location: PgLocation, options: PgJudgeCacheOptions = {}): Promise<PgJudgeCache> {
    return new PgJudgeCache(await openKeyedEntries(location, options), JUDGE_ENTRIES, 'cache')
  }

  override async set(key: string, entry: CacheEntryInput): Promise<void> {
    assertJson(key, entry.value)
    await super.set(key, entry)
  }

  async stats(): Promise<CacheStats> {
    const stats = await this.addStats({
      entries: 0,
      bytes: 0,
      fileBytes: 0,
      oldest: null,
      newest: null,
      hits: 0,
      byKind: {},
    })
    if (!this.present) return stats
    const size = await this.pool.query<{ size: number }>('SELECT pg_total_relation_size($1)::int8 AS size', [
      this.table,
    ])
    stats.fileBytes = size.rows[0]?.size ?? 0
    return stats
  }
}
