import type { GradeRequest, Judge, JudgeFields, Verdict } from '../judges/types.js'
import type { ReportTurn } from '../report/conversation-types.js'
import type { CaseTrace, TrajectoryStep } from '../report/trace-types.js'

/** One tool (function) call made by the system under test, or expected of it. */
export interface ToolCall {
  /** The tool's name. */
  name: string
  /** The call's arguments (a JSON object; a JSON string is parsed). @default {} */
  arguments?: Record<string, unknown> | string
}

/** Everything a metric may look at for one case. */
export interface MetricInput extends JudgeFields {
  /**
   * The retrieved context as separate chunks, in retrieval order: the case's `context` when it is an
   * array, else the one context text.
   */
  contextChunks?: string[]
  /** Tool calls the task reported (`{ output, toolCalls }`). */
  toolCalls?: ToolCall[]
  /** Tool calls the case expects (its `expectedToolCalls` column). */
  expectedToolCalls?: ToolCall[]
  /** Task latency in ms (describeEval). */
  latencyMs?: number
  /** Token usage reported by the task. */
  tokens?: { input: number; output: number }
  /** Extra columns of the dataset row. */
  extra?: Record<string, unknown>
  /** A conversation's transcript (`describeConversation` metrics); `output` then holds it as text. */
  turns?: ReportTurn[]
  /** The assistant's role (a conversation row's `role`). */
  role?: string
  /** What a successful conversation ends with (the scenario's, or the row's `expectedOutcome`). */
  expectedOutcome?: string
  /** What the user wanted (a simulated conversation's `scenario.goal`). */
  goal?: string
  /** What the system under test did in this trial (describeEval), when it made spans. */
  trace?: CaseTrace
  /** The tool calls the case expects, in order (its `expectedTrajectory` column). */
  expectedTrajectory?: Array<string | TrajectoryStep>
}

/** What a metric needs from the runtime to score. */
export interface MetricContext {
  /** The judge to use (after the metric's and the matcher's own overrides). */
  judge: Judge
  /** 0-based trial number. */
  trial: number
  /** Aborts judge calls when the case times out. */
  signal?: AbortSignal
  /** Grades through the judge cache and the per-worker concurrency limit. */
  grade(judge: Judge, request: GradeRequest): Promise<Verdict & { cached: boolean }>
  /** Embeds through the cache and the concurrency limit. */
  embed(judge: Judge, texts: string[]): Promise<{ vectors: number[][]; cached: boolean }>
}

/** The result of scoring one case with one metric. */
export interface MetricValue {
  /** Normalized 0..1 for a score; the plain value for a measurement. */
  score: number
  /** Raw judge score (1..5). */
  raw?: number
  justification?: string
  /** The judge name, for judged metrics. */
  judge?: string
  /** Whether the value came from the cache. */
  cached?: boolean
  usage?: { inputTokens: number; outputTokens: number }
}

/** A metric: judged (LLM), heuristic (computed), or measurement (latency, tokens). */
export interface Metric {
  /** snake_case name used in reports, e.g. `answer_similarity`. */
  readonly name: string
  /** `score` metrics are 0..1 and thresholded; `measurement` metrics are only recorded and aggregated. */
  readonly kind: 'score' | 'measurement'
  /** Whether larger is better (comparison direction). */
  readonly greaterIsBetter: boolean
  /** Fields the metric cannot do without, checked before scoring. */
  readonly requires: ReadonlyArray<'input' | 'expected' | 'context'>
  /** Version, part of the judge cache key. */
  readonly version: string
  /** Whether the metric calls a judge (an LLM or embeddings). */
  readonly judged: boolean
  /** A judge fixed by the metric's options, overriding the default. */
  readonly judge?: Judge | string
  /** Scores one case. */
  score(input: MetricInput, context: MetricContext): Promise<MetricValue>
}
