/**
 * Opening the configured backend: the SQLite files in the state folder by default. Callers get the
 * `RunStore` / `JudgeCache` interfaces and never name a backend.
 */
import { SqliteJudgeCache } from './judge-cache.js'
import { SqliteRunStore } from './run-store.js'
import type { JudgeCache, RunStore } from './types.js'

/** Where and how to open the run store. */
export interface OpenRunStoreOptions {
  /** The state folder (`<dir>/runs.db`). */
  dir: string
  /** Never create, migrate or write. */
  readonly?: boolean
}

/** Where and how to open the judge cache. */
export interface OpenJudgeCacheOptions {
  /** The state folder (`<dir>/cache.db`). */
  dir: string
  /** Never write (replay); a missing cache reads as empty. */
  readonly?: boolean
  /** Count hits and last use. @default true */
  recordHits?: boolean
}

/** Opens the run store. */
export async function openRunStore(options: OpenRunStoreOptions): Promise<RunStore> {
  return new SqliteRunStore(options.dir, { readonly: options.readonly === true })
}

/** Opens the judge cache. */
export async function openJudgeCache(options: OpenJudgeCacheOptions): Promise<JudgeCache> {
  return new SqliteJudgeCache(options.dir, {
    readonly: options.readonly === true,
    recordHits: options.recordHits !== false,
  })
}
