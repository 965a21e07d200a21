/**
 * Opening the configured backend: the SQLite files in the state folder by default, a PostgreSQL
 * schema when a `postgres://` URL is given (the `pg` driver is then loaded). Callers get the
 * `RunStore` / `JudgeCache` interfaces and never name a backend.
 */
import { type AppCache, SqliteAppCache } from './app-cache.js'
import { SqliteJudgeCache } from './judge-cache.js'
import { SqliteRunStore } from './run-store.js'
import type { JudgeCache, RunStore } from './types.js'

/** Where and how to open the run store. */
export interface OpenRunStoreOptions {
  /** The state folder (`<dir>/runs.db` when no URL is given). */
  dir: string
  /** A `postgres://` URL (with `?schema=`), or null/undefined for the SQLite file. */
  url?: string | null
  /** Never create, migrate or write. */
  readonly?: boolean
}

/** Where and how to open the judge cache. */
export interface OpenJudgeCacheOptions {
  /** The state folder (`<dir>/cache.db` when no URL is given). */
  dir: string
  /** A `postgres://` URL (with `?schema=`), or null/undefined for the SQLite file. */
  url?: string | null
  /** Never write (replay); a missing cache reads as empty. */
  readonly?: boolean
  /** Count hits and last use. @default true */
  recordHits?: boolean
  /**
   * A shared cache only: retry a lost connection while opening, for the retry window. Workers open
   * their cache mid-run, when the reporter has already reached the server: a restart then is
   * waited for, not a failed judge call. @default false
   */
  retryOpen?: boolean
  /** A shared cache only: the retry window (ms) of a retried open. @default VITEST_JUDGE_STORE_RETRY_MS, else 30 s */
  openRetryMs?: number
}

/** Opens the run store. */
export async function openRunStore(options: OpenRunStoreOptions): Promise<RunStore> {
  if (options.url) {
    const [{ parsePgUrl }, { PgRunStore }] = await Promise.all([
      import('./postgres/url.js'),
      import('./postgres/run-store.js'),
    ])
    return PgRunStore.open(parsePgUrl(options.url, 'The store URL'), { readonly: options.readonly === true })
  }
  return new SqliteRunStore(options.dir, { readonly: options.readonly === true })
}

/** Opens the judge cache. */
export async function openJudgeCache(options: OpenJudgeCacheOptions): Promise<JudgeCache> {
  if (options.url) {
    const [{ parsePgUrl }, { PgJudgeCache }] = await Promise.all([
      import('./postgres/url.js'),
      import('./postgres/judge-cache.js'),
    ])
    return PgJudgeCache.open(parsePgUrl(options.url, 'The cache URL'), {
      readonly: options.readonly === true,
      recordHits: options.recordHits !== false,
      retryOpen: options.retryOpen === true,
      ...(options.openRetryMs === undefined ? {} : { openRetryMs: options.openRetryMs }),
    })
  }
  return new SqliteJudgeCache(options.dir, {
    readonly: options.readonly === true,
    recordHits: options.recordHits !== false,
  })
}

/** Opens the app cache (the app's recorded calls), beside the judge cache: `<dir>/cache.db` or the `cache.url` schema. */
export async function openAppCache(options: {
  dir: string
  url?: string | null
  readonly?: boolean
  recordHits?: boolean
  retryOpen?: boolean
}): Promise<AppCache> {
  if (options.url) {
    const [{ parsePgUrl }, { PgAppCache }] = await Promise.all([
      import('./postgres/url.js'),
      import('./postgres/app-cache.js'),
    ])
    return PgAppCache.open(parsePgUrl(options.url, 'The cache URL'), {
      readonly: options.readonly === true,
      recordHits: options.recordHits !== false,
      retryOpen: options.retryOpen === true,
    })
  }
  return new SqliteAppCache(options.dir, {
    readonly: options.readonly === true,
    recordHits: options.recordHits !== false,
  })
}
