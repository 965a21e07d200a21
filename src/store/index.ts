/** The storage layer: database opening, the run store, the judge cache and JSON report reading. */
export {
  APPLICATION_IDS,
  BUSY_TIMEOUT_MS,
  type Database,
  type DatabaseKind,
  type DatabaseSpec,
  isBusy,
  openDatabase,
  withImmediate,
} from './database.js'
export { newId } from './ids.js'
export {
  CACHE_MIGRATIONS,
  type CachedEntry,
  type CacheEntryInput,
  type CacheStats,
  cacheKey,
  canonicalJson,
  JudgeCache,
  type JudgeCacheOptions,
} from './judge-cache.js'
export { cacheDbPath, runsDbPath } from './paths.js'
export { parseJsonReport, readJsonReport, SUPPORTED_REPORT_VERSION } from './read-report.js'
export { RUNS_MIGRATIONS } from './run-schema.js'
export {
  type InvocationStatus,
  type InvocationSummary,
  type ResolvedSelector,
  type ResolveOptions,
  RunStore,
  type RunStoreOptions,
  type RunSummary,
  STALE_RUNNING_MS,
} from './run-store.js'
