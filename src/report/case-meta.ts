/**
 * What a worker records on a test (`task.meta.vitestJudge`) for the reporter. Plain JSON: it
 * crosses the worker/main-process boundary by structured clone.
 */
import type { ConversationInfo, ReportTurn } from './conversation-types.js'
import type { CaseTrace } from './trace-types.js'
import type { CaseAppCache, CaseMetricResult, JudgeCallTally } from './types.js'

/** The key under `task.meta`. */
export const META_KEY = 'vitestJudge'

/** One test's judgements and measurements. */
export interface CaseMeta {
  v: 1
  id?: string
  input?: string
  output?: string
  expected?: string
  /** Digest of the case's context (see `ReportCase.contextDigest`). */
  contextDigest?: string
  /** The case's context as its dataset gave it: a text, or a list of chunks. */
  context?: string | string[]
  /** Metric name -> result. A metric used twice in one test gets `name#2`, `name#3`... */
  metrics: Record<string, CaseMetricResult>
  judgeErrors: number
  /** Provider retries spent on this test's judge calls (429, 5xx, timeouts). */
  retries?: number
  cache: { hits: number; misses: number }
  /** Tokens spent by judges (what the evaluation costs). */
  judgeTokens: { input: number; output: number }
  /** Human grades (1-5) per metric, when the case carries them. */
  human?: Record<string, number>
  /** Judge gradings per judge name: calls that reached the provider, and cache hits with the tokens they saved. */
  judgeCalls?: Record<string, JudgeCallTally>
  /** Tokens reported by the task under test. */
  tokens?: { input: number; output: number }
  latencyMs?: number
  /** The `describeEval` variant the test ran (its run is the file's run of that variant). */
  variant?: string
  /** The variant's fields, merged into its run's params. */
  variantParams?: Record<string, string | number | boolean>
  /** The case's trace (capped and redacted in the worker), when the system under test made spans. */
  trace?: CaseTrace
  /** A conversation's transcript (`describeConversation`), per-turn scores on assistant turns. */
  turns?: ReportTurn[]
  /** How the conversation was run and how it ended. */
  conversation?: ConversationInfo
  /**
   * Where a failed test is in its file (1-based): its `describeEval(...)` call, or the failing
   * matcher call; set for failed tests only (Vitest's `includeTaskLocation` is not needed).
   */
  location?: { line: number; column: number }
  /** What the app cache did for the case's own calls (replayed, recorded, missed). */
  appCache?: CaseAppCache
}

/** An empty record. */
export function emptyCaseMeta(): CaseMeta {
  return { v: 1, metrics: {}, judgeErrors: 0, cache: { hits: 0, misses: 0 }, judgeTokens: { input: 0, output: 0 } }
}

/** Reads the record from a task's meta, if any. */
export function readCaseMeta(meta: unknown): CaseMeta | undefined {
  if (!meta || typeof meta !== 'object') return undefined
  const value = (meta as Record<string, unknown>)[META_KEY]
  if (!value || typeof value !== 'object' || (value as { v?: unknown }).v !== 1) return undefined
  return value as CaseMeta
}
