/** Types of the matchers for users' test files (`declare module 'vitest'`). */
import type { Metric } from './metrics/types.js'
import type { TrajectoryMatchOptions } from './report/trace.js'
import type { TrajectoryStep } from './report/trace-types.js'
import type {
  ToBeFaithfulToOptions,
  ToBePreferredOverOptions,
  ToBeRelevantToOptions,
  ToBeSimilarToOptions,
  ToScoreOptions,
} from './runtime/matchers.js'
import type { TraceLimits } from './runtime/trace-matchers.js'

/** The vitest-judge matchers. All are async: always `await` them. */
export interface JudgeMatchers<R = unknown> {
  /** Passes when the answer means the same as `truth` (answer_similarity >= minScore). */
  toBeSimilarTo(truth: string, options?: ToBeSimilarToOptions): Promise<R>
  /** Passes when the answer addresses `question` (answer_relevance >= minScore). */
  toBeRelevantTo(question: string, options?: ToBeRelevantToOptions): Promise<R>
  /** Passes when every claim of the answer is supported by `context` (faithfulness >= minScore). */
  toBeFaithfulTo(context: string, options?: ToBeFaithfulToOptions): Promise<R>
  /** Passes when `metric` (built in or `defineMetric`) reaches minScore. */
  toScore(metric: Metric, options?: ToScoreOptions): Promise<R>
  /**
   * Passes when a judge prefers the answer over `other` in both orders (positions swapped): the
   * `preference` score is 1 for a win, 0.5 for a tie, 0 for a loss, compared with minScore.
   */
  toBePreferredOver(other: string, options?: ToBePreferredOverOptions): Promise<R>
}

/** Matchers on a case's trace (`getTrace(context)` or a describeEval task's `trace`). Synchronous. */
export interface TraceMatchers<R = unknown> {
  /** Passes when the app called tool `name` (with `args`, when given: a partial deep match). */
  toHaveCalledTool(name: string, args?: Record<string, unknown>): R
  /**
   * Passes when the app's tool calls match `expected` (names, or `{ name, arguments }`) in `mode`:
   * `strict` (same calls, same order; the default), `unordered`, `subset` (nothing unexpected),
   * `superset` (every expected call made). A failure shows both sequences side by side.
   */
  toMatchTrajectory(expected: ReadonlyArray<string | TrajectoryStep>, options?: TrajectoryMatchOptions): R
  /** Passes when no span of the trace failed (status `error`). */
  toHaveNoFailedSpans(): R
  /** Passes when the trace stays within every limit given (each a maximum). */
  toStayWithin(limits: TraceLimits): R
}

// No type parameters: Vitest 4 declares `Matchers<T = any>` and Vitest 5 `Matchers<R = ..., T = unknown>`,
// and only a declaration that omits them (all have defaults) merges with both.
declare module 'vitest' {
  interface Matchers extends JudgeMatchers<void>, TraceMatchers<void> {}
}
