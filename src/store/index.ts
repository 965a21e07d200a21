/** The storage layer: the run-store and judge-cache interfaces, their backends, selectors and JSON report reading. */

export {
  type AnyEntity,
  type ColumnDecl,
  type ColumnType,
  defineEntity,
  type Entity,
  type EntityDecl,
  fromRow,
  pgColumnArrays,
  pgInsert,
  pgInsertMany,
  pgMigrations,
  type RowOf,
  rowValues,
  type SqlValue,
  type StorePart,
  sqliteInsert,
  sqliteMigrations,
} from './columns.js'
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
export { CACHE_ENTITIES, RUNS_ENTITIES } from './entities.js'
export { newId } from './ids.js'
export {
  CACHE_MIGRATIONS,
  cacheKey,
  canonicalJson,
  type JudgeCacheOptions,
  SqliteJudgeCache,
} from './judge-cache.js'
export { type OpenJudgeCacheOptions, type OpenRunStoreOptions, openJudgeCache, openRunStore } from './open.js'
export { cacheDbPath, runsDbPath } from './paths.js'
export { parseJsonReport, readJsonReport, SUPPORTED_REPORT_VERSION } from './read-report.js'
export { STALE_RUNNING_MS } from './rows.js'
export { RUNS_MIGRATIONS } from './run-schema.js'
export { SqliteRunStore, type SqliteRunStoreOptions } from './run-store.js'
export {
  looksLikePath,
  type ResolvedSelector,
  type ResolveOptions,
  resolveSelector,
  SELECTOR_HELP,
  type StoreSource,
} from './selectors.js'
export type {
  CachedEntry,
  CacheEntryInput,
  CacheStats,
  InvocationStatus,
  InvocationSummary,
  JudgeCache,
  NewestQuery,
  NewInvocation,
  PrefixMatches,
  RunStore,
  RunSummary,
  StartInvocationOptions,
} from './types.js'
