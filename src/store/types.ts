/**
 * The two storage interfaces every backend implements (SQLite files in `<dir>`, PostgreSQL): the run
 * store (main process and CLI) and the judge cache (test workers). Both are asynchronous because a
 * server backend is; the SQLite backend answers from synchronous calls. Selector grammar lives
 * above them, in `selectors.ts`: a backend only answers the few questions selectors ask.
 */
import type { HumanLabel } from '../report/labels.js'
import type { JsonReport, ReportInvocation, ReportRun } from '../report/types.js'

/** Status of an invocation as readers see it. */
export type InvocationStatus = 'running' | 'complete' | 'interrupted'

/** A run without its cases, as `listInvocations` gives it. */
export interface RunSummary extends Omit<ReportRun, 'cases' | 'status'> {
  status: 'complete' | 'interrupted'
  caseCount: number
  /** Cases that passed. */
  passed: number
}

/** An invocation with the summaries of its runs (ordered by file), as `runs --json` prints it. */
export interface InvocationSummary extends ReportInvocation {
  status: InvocationStatus
  experiment: string
  tags: string[]
  runs: RunSummary[]
}

/** An invocation to record: the report's header plus the experiment it belongs to. */
export type NewInvocation = ReportInvocation & { experiment: string }

/** Which invocation `newestInvocation` looks for. */
export interface NewestQuery {
  /** Only invocations recorded as complete. */
  complete?: boolean
  /** Only this experiment's invocations. */
  experiment?: string
  /** Only invocations on this git branch. */
  branch?: string
  /** Only invocations that started before this one (an id that is not recorded is ignored). */
  before?: string
}

/** Invocations and runs whose id starts with a prefix (at most `limit` of each). */
export interface PrefixMatches {
  invocations: string[]
  runs: { id: string; invocationId: string }[]
}

/** Options of `startInvocation`. */
export interface StartInvocationOptions {
  /** Do nothing when the id is already recorded (replaying a spool) instead of throwing. */
  ifAbsent?: boolean
}

/**
 * The run history: invocations (one vitest process each), their runs (one per test file) with
 * cases and aggregates, and tags. Implemented by `SqliteRunStore` and `PgRunStore`; checked by one
 * contract suite. Methods reject with a `StoreError` (VJ_STORE) or, for an unknown id or tag, a
 * `SelectorError` (VJ_SELECTOR).
 */
export interface RunStore {
  /** Where the runs live, for messages: a file path or a URL without its password. */
  readonly location: string
  /** Records the start of a `vitest` process (status `running`, with this process's pid and host). */
  startInvocation(invocation: NewInvocation, options?: StartInvocationOptions): Promise<void>
  /** Saves one run with its cases and aggregates, atomically; replaces a run with the same id, or the same file in the invocation. */
  saveRun(invocationId: string, run: ReportRun): Promise<void>
  /** Records how an invocation ended. */
  finishInvocation(id: string, status: 'complete' | 'interrupted', endedAt: string): Promise<void>
  /** Names an invocation (a tag names one invocation at a time); resolves to the invocation the tag moved from, if any. */
  tag(invocationId: string, name: string): Promise<string | null>
  /** Marks as `interrupted` every `running` invocation whose process is gone; resolves to how many. */
  markStaleInterrupted(): Promise<number>
  /** Invocations, newest first, each with the summaries of its runs. */
  listInvocations(options?: { limit?: number; experiment?: string }): Promise<InvocationSummary[]>
  /** The JSON report of an invocation (`comparison: null`), runs ordered by file, cases in saved order. */
  getReport(invocationId: string): Promise<JsonReport>
  /** An invocation's header (as in its JSON report), without its runs. */
  getInvocation(invocationId: string): Promise<ReportInvocation>
  /** One saved run with its cases, or undefined. */
  getRun(runId: string): Promise<ReportRun | undefined>
  /** The run whose key (`ReportRun.key`: its file, or `<file> [<variant>]`) is `key` in an invocation, or undefined. */
  getRunByFile(invocationId: string, key: string): Promise<ReportRun | undefined>
  /** The keys of an invocation's runs (`ReportRun.key`), sorted. */
  getRunFiles(invocationId: string): Promise<string[]>

  /** Whether an invocation with this exact id is recorded. */
  hasInvocation(id: string): Promise<boolean>
  /** The newest invocation matching `query` (by start time, then id), or undefined. */
  newestInvocation(query: NewestQuery): Promise<string | undefined>
  /** The invocation a tag names, or undefined. */
  tagTarget(name: string): Promise<string | undefined>
  /** Every tag name, sorted. */
  tagNames(): Promise<string[]>
  /** The invocation of a run with this exact id, or undefined. */
  invocationOfRun(runId: string): Promise<string | undefined>
  /** Invocations (newest first) and runs whose id starts with `prefix`, case-insensitively. */
  idsByPrefix(prefix: string, limit: number): Promise<PrefixMatches>

  /** Stores a review label, replacing the label of the same file, case and metric. */
  saveLabel(label: HumanLabel): Promise<void>
  /** Current labels (of one run key when `file` is given), ordered by file, case and metric. */
  listLabels(query?: { file?: string }): Promise<HumanLabel[]>
  /** Releases the connection (the SQLite file, or this store's use of the process's pool). */
  close(): Promise<void>
}

/** What a cache entry holds: a judge verdict (`grade`) or an embedding (`embed`). */
export interface CachedEntry {
  kind: 'grade' | 'embed' | 'complete'
  /** Judge spec, e.g. `openai:gpt-4.1-mini`. */
  judge: string
  metric?: string
  /** Any JSON value. */
  value: unknown
  /** When the entry was written, in milliseconds since the epoch. */
  createdAt: number
}

/** An entry to write; `createdAt` defaults to now. */
export type CacheEntryInput = Omit<CachedEntry, 'createdAt'> & { createdAt?: number }

/** Figures of `cache stats`. */
export interface CacheStats {
  entries: number
  /** Bytes of keys and JSON values. */
  bytes: number
  /** Bytes on disk: the database file and its WAL (SQLite), or the table with its indexes and TOAST (PostgreSQL). */
  fileBytes: number
  /** Creation time of the oldest and newest entries (ms since the epoch), null when empty. */
  oldest: number | null
  newest: number | null
  /** Hits recorded so far. */
  hits: number
  byKind: Record<string, { entries: number; bytes: number }>
}

/**
 * The judge cache: verdicts and embeddings by key (see `cacheKey`). Read on the hot path of every
 * worker; implemented by `SqliteJudgeCache` and `PgJudgeCache`, checked by one contract suite.
 */
export interface JudgeCache {
  /** Where the entries live, for messages: a file path or a URL without its password. */
  readonly location: string
  /** The entry under `key`, if any. */
  get(key: string): Promise<CachedEntry | undefined>
  /** The entries of the keys that are cached. */
  getMany(keys: readonly string[]): Promise<Map<string, CachedEntry>>
  /** Writes (or overwrites) the entry under `key`. */
  set(key: string, entry: CacheEntryInput): Promise<void>
  /** Figures of the whole cache. */
  stats(): Promise<CacheStats>
  /** Deletes every entry, or those not used (or, never hit, not written) for `olderThanMs`; `vacuum` compacts. Resolves to the count. */
  clear(options?: { olderThanMs?: number; vacuum?: boolean }): Promise<number>
  /** Writes the hit counts gathered in memory (best effort). */
  flush(): Promise<void>
  /** Flushes and releases the connection. */
  close(): Promise<void>
}
