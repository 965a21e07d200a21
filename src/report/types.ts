/**
 * The plain data shapes shared by the reporter, the run store, the report renderers and the CLI.
 * They are the JSON report's types (SPEC "Runs, cache, reports"): fields may be added, never renamed.
 */
import type { ConversationInfo, ReportTurn } from './conversation-types.js'
import type { CaseTrace } from './trace-types.js'

/** Aggregates of one metric over the cases of one run. */
export interface MetricAggregate {
  /** Cases that produced a value for the metric (judge errors are not counted). */
  n: number
  mean: number
  /** Population variance, as numpy's `var`. */
  variance: number
  /** 90th percentile with linear interpolation, as numpy's `percentile`. */
  p90: number
  min: number
  max: number
  median: number
  /** Share of the `n` cases that reached the metric's pass mark (1 when the metric has none). */
  pass_rate: number
}

/** One metric's result on one case, as kept in the run store and the JSON report. */
export interface CaseMetricResult {
  /** Normalized score (0..1) of a score-kind metric, or the value of a measurement; null on a judge error. */
  score: number | null
  /** Raw judge score (1..5) of a judged metric. */
  raw?: number | null
  /** `score` for a normalized score; `measurement` for latency, token count, grade levels... */
  kind: 'score' | 'measurement'
  /** The pass mark the case was held to, when the metric was thresholded. */
  threshold?: number | null
  /** Whether the metric reached its pass mark; null when not thresholded or errored. */
  pass?: boolean | null
  justification?: string
  /** Judge spec that produced the score, e.g. `openai:gpt-4.1-mini`. */
  judge?: string
  /** Per-trial scores when `trials` > 1. */
  trials?: number[]
  /** Whether a higher value is better (default true). */
  greaterIsBetter?: boolean
  /** The judge error (code and message) when the metric could not be scored. */
  error?: { code: string; message: string }
  /** The metric's version (`v1`), as MLflow names it in `answer_similarity/v1/mean`. */
  version?: string
}

/** What the judge calls of one case cost, in USD. `null` is "unknown" (a judge without a price), never 0. */
export interface CaseCost {
  /** Spent on calls that reached the provider. */
  usd: number | null
  /** What the calls answered from the cache would have cost. */
  savedUsd: number | null
  /** Judge calls that reached the provider. */
  calls: number
  /** Judge calls answered from the cache. */
  cachedCalls: number
}

/** The gradings of one judge: provider calls and their tokens, cache hits and the tokens they would have cost. */
export interface JudgeCallTally {
  calls: number
  input: number
  output: number
  cached: number
  cachedInput: number
  cachedOutput: number
}

/** One judge's calls, tokens, price and cost. */
export interface JudgeCost extends JudgeCallTally {
  /** USD per million tokens, or null when unknown. */
  price: { input: number; output: number } | null
  usd: number | null
  savedUsd: number | null
}

/** The cost of a run or an invocation. */
export interface CostSummary extends CaseCost {
  /** Judges without a known price (add them to the `pricing` option). */
  unpriced?: string[]
  byJudge: Record<string, JudgeCost>
  /** When the built-in price table was taken. */
  pricesAsOf: string
}

/** How a judge agrees with human labels on one metric (1-5 grades). */
export interface MetricAgreement {
  metric: string
  /** Cases with both a human label and a judge grade. */
  n: number
  /** Quadratic-weighted Cohen's kappa; null when undefined (no data, or one grade throughout). */
  kappa: number | null
  /** 95% interval of the kappa (see `method`); null with too few cases. */
  kappaCi: [number, number] | null
  /** How kappa and its interval were computed. */
  method: string
  /** Spearman's rank correlation; null when a side is constant. */
  spearman: number | null
  /** Share of cases where judge and human gave the same grade. */
  exact: number | null
  /** Share of cases where they differ by at most one grade. */
  withinOne: number | null
  /** `confusion[human - 1][judge - 1]`: counts of cases. */
  confusion: number[][]
  /** The cases with the largest |judge - human|, largest first (at most 5). */
  disagreements: Array<{ case: string; file?: string; human: number; judge: number; justification?: string }>
  /** Of the `n` grades, how many came from review labels in the store (`vitest-judge ui`); absent when none. */
  fromLabels?: number
  /** Review labels not used because the dataset's `human` field graded the same case and metric. */
  datasetWon?: number
}

/** One test (a describeEval case or a test with matcher calls) of a run. */
export interface ReportCase {
  /** The test's full name (describe blocks joined by ` > `). Cases match across runs by name. */
  name: string
  pass: boolean
  /** Metric name -> score (normalized for judged metrics); null when the judge failed. */
  scores: Record<string, number | null>
  judgeErrors: number
  /** Provider retries spent on this case's judge calls. */
  retries?: number
  /** Everything known about each metric's result. */
  metrics?: Record<string, CaseMetricResult>
  id?: string
  input?: string
  output?: string
  expected?: string
  /**
   * Digest of the case's `context` (first 16 hex digits of SHA-256 over its text), when the case has
   * one: part of the dataset digest, so a changed retrieval context makes the case a new one.
   */
  contextDigest?: string
  /** The case's context (describeEval), as its dataset gave it: a text, or a list of chunks. */
  context?: string | string[]
  /** Test duration in milliseconds. */
  durationMs?: number
  /** Task latency in milliseconds (describeEval). */
  latencyMs?: number
  tokens?: { input: number; output: number }
  /** Vitest's failure message when the test failed for a reason other than a score. */
  error?: string
  /** What the case's judge calls cost (absent when it made none). */
  cost?: CaseCost
  /** Human grades (1-5) per metric, from the case's `human` field or the suite's `humanLabels` column. */
  human?: Record<string, number>
  /**
   * Review labels given in `vitest-judge ui` per metric (the current ones when read from the store),
   * each marked `stale` when the case's input, expected text or context changed since.
   */
  labels?: Record<string, import('./labels.js').CaseLabel>
  /** Where the test is declared in its file (1-based line and column), when Vitest reported it. */
  location?: { line: number; column: number }
  /** What the system under test did (spans), when it made any; see `trace-types.ts`. */
  trace?: CaseTrace
  /** A conversation's transcript (SPEC: `turns: [{ role, content, scores? }]`), per-turn scores on assistant turns. */
  turns?: ReportTurn[]
  /** How the conversation was run and how it ended (conversation cases only). */
  conversation?: ConversationInfo
  /** USD of the app's model calls (its trace's `llm` spans); null when a model has no price; absent without model calls. */
  appCostUsd?: number | null
  /** What the app cache did for the case's own model and tool calls (absent when it did nothing). */
  appCache?: CaseAppCache
}

/**
 * The app cache's part in one case (issue 27). A replayed call made no request: its recorded latency
 * is not in the case's `latencyMs` (it is shown here, apart) and its tokens count as saved, not spent.
 */
export interface CaseAppCache {
  /** App calls answered from the app cache (no request made). */
  replayed: number
  /** App calls made and recorded (`auto` on a miss, `record`). */
  recorded: number
  /** Calls a `replay` run found no recording of (`VJ_REPLAY_MISS`; never made). */
  misses: number
  /** What the replayed calls took when they were recorded, in ms (not part of this run's latency). */
  replayedLatencyMs: number
  /** Tokens the replayed calls used when recorded: saved by this run. */
  savedTokens: { input: number; output: number }
}

/** The app cache's part in a run: the case figures summed, and how many cases were replayed. */
export interface RunAppCache extends CaseAppCache {
  /** Cases with at least one replayed call. */
  replayedCases: number
}

/**
 * What the system under test spent (beside the judge's `tokens` and `cost`): its tokens (reported by
 * the task, else read from its trace), its model calls and their cost (priced from the traces).
 */
export interface AppUsage {
  tokens: { input: number; output: number }
  /** Model calls seen in traces. */
  modelCalls: number
  /** USD of the traced model calls; null when one has no price (see `unpriced`). */
  costUsd: number | null
  /** `provider:model` of traced model calls without a known price. */
  unpriced?: string[]
}

/** One test file in one invocation. */
export interface ReportRun {
  id: string
  /** Path of the test file relative to the project root, with forward slashes (a variant's run too). */
  file: string
  /**
   * The run's key within its invocation, wherever runs are matched (stores, comparison, merge, gate):
   * `file` for a run without a variant, `<file> [<variant>]` for a variant's run. Reports written
   * before it existed lack it; readers take it from {@link runKey}.
   */
  key?: string
  /** `complete`, or `interrupted` when the process died before the run was finished. */
  status?: 'complete' | 'interrupted'
  cases: ReportCase[]
  aggregates: Record<string, MetricAggregate>
  judgeErrors: number
  /** Provider retries (429, 5xx, timeouts) spent on the run's judge calls. */
  retries?: number
  cache: { hits: number; misses: number }
  tokens: { input: number; output: number }
  durationMs?: number
  /** What the run's judge calls cost (absent when it made none). */
  cost?: CostSummary
  /** What the app under test spent (absent when no case reported tokens or made model calls). */
  app?: AppUsage
  /** Agreement of the judge with human labels, per metric (absent when no case has both). */
  agreement?: Record<string, MetricAgreement>
  /** The `describeEval` variant this run recorded; `key` is then `<file> [<variant>]`. */
  variant?: string
  /** What the app cache did in the run (absent when no case used it). */
  appCache?: RunAppCache
  /** A variant's run: the invocation's params with the variant's fields merged. */
  params?: Record<string, string | number | boolean>
  /**
   * Digest of the run's dataset (its cases' names, inputs and expected texts; see `datasetDigest`):
   * when it differs from the baseline's, the comparison lists the cases added, removed and changed.
   */
  datasetDigest?: string
}

/** One `vitest` process. */
export interface ReportInvocation {
  id: string
  startedAt: string
  endedAt?: string | null
  status?: 'running' | 'complete' | 'interrupted'
  git: { commit: string | null; branch: string | null }
  params: Record<string, string | number | boolean>
  experiment?: string
  ci?: { provider: string; runId?: string | null; ref?: string | null } | null
  tags?: string[]
}

/** Comparison of one metric of one file between a baseline and the current run. */
export interface MetricComparison {
  metric: string
  baseMean: number | null
  headMean: number | null
  /** headMean - baseMean (null when either side is missing). */
  delta: number | null
  /** Two-sided p-value of the test that was used; null when it could not be computed. */
  pValue: number | null
  /**
   * One-sided p-value of the same test in the metric's worse direction (a drop of a score, a rise of
   * latency): what the gate decides on. Absent when no test was made.
   */
  pOneSided?: number
  significant: boolean
  /** `paired` (cases matched by name), `unpaired`, or `none` (too little data). */
  test: 'paired' | 'unpaired' | 'none'
  /** How the p-value was computed, e.g. `sign-flip exact`, `sign-flip monte carlo`, `permutation exact`, `welch t`. */
  method?: string
  /** Monte Carlo standard error of `pValue` when `method` is `sign-flip monte carlo`. */
  pError?: number
  /** Number of matched pairs (paired) or base/head sizes; `changed`: paired cases whose value changed. */
  n: { base: number; head: number; paired: number; changed?: number }
  greaterIsBetter: boolean
  /** `regressed` (worse and significant), `improved` (better and significant), `unchanged`, `new`, `removed`. */
  status: 'regressed' | 'improved' | 'unchanged' | 'new' | 'removed'
  /** The metric's kind: `score` (0..1, gated by `maxDrop`) or `measurement` (gated only when named in `gate.measurements`). */
  kind?: 'score' | 'measurement'
  /**
   * The one-sided p-value (`pOneSided`) adjusted for the family of tests of the comparison (see
   * `ReportComparison.correction`: Tarone's procedure with Holm's step-down, at `alpha`); null when
   * the metric is not in the family (a measurement not named in `gate.measurements`, no test).
   * `status` `regressed` uses it when it is set.
   */
  pAdjusted?: number | null
  /** Mean of the per-case differences (head - base) over the paired cases, when the test was paired. */
  pairedDelta?: number
  /**
   * Set when too few cases were compared for any drop to reach significance: `cases` is the number of
   * paired cases (or of cases that changed), `needed` the fewest with which the test could reach the
   * family's first threshold (`alpha / tests`).
   */
  tooFewCases?: { cases: number; needed: number }
}

/** A case whose score changed between baseline and current run. */
export interface CaseDelta {
  name: string
  metric: string
  base: number | null
  head: number | null
  delta: number | null
  /** Short excerpt of the current output, when known. */
  output?: string
  /** Per-case 95% confidence interval of the head score when the case ran several trials. */
  ci?: [number, number] | null
  /** The metric's kind: `score` (0..1) or `measurement` (latency, tokens...). */
  kind?: 'score' | 'measurement'
}

/** Comparison of one run (a file, or one variant of a file). */
export interface RunComparison {
  /** The test file (a path). */
  file: string
  /** The run key the two sides were matched by (`ReportRun.key`); absent in comparisons written before it existed. */
  key?: string
  status: 'matched' | 'new' | 'removed'
  baseRunId: string | null
  headRunId: string | null
  metrics: MetricComparison[]
  newCases: string[]
  removedCases: string[]
  /** Most regressed cases first (bounded list). */
  regressedCases: CaseDelta[]
  /**
   * Cases present on both sides whose input, expected text or context changed: they count as new cases, not
   * regressions, and are left out of the tests (set when there are any).
   */
  changedCases?: string[]
  /** The two runs' dataset digests, when both recorded one and they differ. */
  datasetDigest?: { base: string; head: string }
  /**
   * Cases of each side whose app calls were replayed from the app cache, of the side's cases (set when
   * either side has any): their outputs are recordings, and their latency and cost are not the live app's.
   */
  replayed?: { base: number; head: number; baseCases: number; headCases: number }
}

/** Comparison of a whole invocation with its baseline. */
export interface ReportComparison {
  base: { invocationId: string; label: string; startedAt?: string }
  head: { invocationId: string; label: string; startedAt?: string }
  alpha: number
  runs: RunComparison[]
  /**
   * The multiple-testing correction applied to the p-values (`pAdjusted`): over the family of tests
   * (every score-kind metric of every matched file, plus the measurements named in
   * `gate.measurements`), the one-sided p-values in each metric's worse direction, adjusted by
   * Tarone's procedure with Holm's step-down (Tarone 1990; Hommel & Krummenauer 1998): the tests
   * that cannot reach `alpha / tests` whatever the data are left out of the count.
   */
  correction?: {
    method: 'holm'
    /** Tests in the family at the first step (Tarone's K: the `m` of Holm's first step). */
    tests: number
    /** Gated tests left out because too few cases changed for them to reach `alpha / tests` at all. */
    excluded: number
    /** Which p-values were adjusted: `one-sided`, in each metric's worse direction (absent: two-sided, before 2026-12). */
    sided?: 'one-sided'
    /** `tarone-holm`: Holm's step-down with Tarone's count at each step (absent: plain Holm less the tests that could not reach alpha). */
    procedure?: 'tarone-holm'
  }
}

/** The JSON report (`reports.json`), also accepted as a baseline. */
export interface JsonReport {
  version: 1
  invocation: ReportInvocation
  runs: ReportRun[]
  comparison: ReportComparison | null
  /** What the invocation's judge calls cost, and its budget (absent when no judge was called). */
  cost?: InvocationCost
  /** What the app under test spent over the invocation (absent when nothing was reported or traced). */
  app?: AppUsage
  /** Agreement of the judge with human labels over the invocation, per metric (absent when none). */
  agreement?: Record<string, MetricAgreement>
  /** The variant matrix of each file whose `describeEval` suites have variants (absent when none). */
  variants?: VariantMatrix[]
}

// --- the variant matrix (report/variant-matrix.ts) --------------------------------------------

/** A column of the matrix. */
export interface VariantColumn {
  label: string
  runId: string
  /** The `describeEval` variant of the run, if any. */
  variant?: string
  /** Cases in the run. */
  cases: number
}

/** One metric in one column. */
export interface VariantCell {
  /** Cases with a value. */
  n: number
  mean: number | null
  /** 95% Student t interval of the mean over cases; null with fewer than two values. */
  ci: [number, number] | null
  /** Share of the cases with a pass mark that reached it; null when no case had one. */
  passRate: number | null
}

/** The paired comparison of two columns on one metric. */
export interface VariantPair {
  /** Column indexes. */
  a: number
  b: number
  /** Cases both columns scored. */
  n: number
  /** Mean of (a - b) over those cases. */
  delta: number | null
  pValue: number | null
  /** Holm-adjusted over the pairs of this metric. */
  pAdjusted: number | null
  method: string | null
}

/** One metric across the columns. */
export interface VariantMetricRow {
  metric: string
  kind: 'score' | 'measurement'
  greaterIsBetter: boolean
  /** Aligned with the matrix's `columns`. */
  cells: VariantCell[]
  /**
   * `best`: one column is significantly better than every other; `tie`: the leader cannot be told
   * apart from at least one other column; `undecided`: fewer than two columns have paired data.
   */
  verdict: 'best' | 'tie' | 'undecided'
  /** Column index of the best, when `verdict` is `best`. */
  best: number | null
  /** Columns the leader cannot be told apart from, the leader first (the tie), or `[best]`. */
  leaders: number[]
  /** Columns significantly worse than the leader. */
  worse: number[]
  pairs: VariantPair[]
}

/** Task and judge usage per column (measured, not tested). */
export interface VariantUsage {
  /** Mean task tokens (input + output) per case that reported usage. */
  taskTokens: (number | null)[]
  /** Mean task latency per case, in ms. */
  latencyMs: (number | null)[]
  /** Judge tokens (input + output) the run spent; cache hits cost none. */
  judgeTokens: number[]
  /** Judge cost in USD, when the run recorded one. */
  judgeCostUsd: (number | null)[]
}

/** A case whose score differs most across the columns. */
export interface DivergentCase {
  name: string
  metric: string
  /** Largest minus smallest score across the columns. */
  spread: number
  scores: (number | null)[]
  outputs: (string | null)[]
}

/** The matrix of one file. */
export interface VariantMatrix {
  file: string
  columns: VariantColumn[]
  alpha: number
  /** How "best" was decided and what the intervals are. */
  method: { test: string; correction: 'holm'; interval: string }
  metrics: VariantMetricRow[]
  usage: VariantUsage
  divergentCases: DivergentCase[]
}

/** The budget of an invocation (`budget` option) and what became of it. */
export interface BudgetSummary {
  maxUsd: number | null
  maxCalls: number | null
  /** Judge calls started (the budget counts them when they start). */
  calls: number
  /** USD spent as counted by the budget. */
  spentUsd: number
  /** Judge calls refused with VJ_BUDGET. */
  refused: number
}

/** The invocation's cost, with its budget when one was set. */
export interface InvocationCost extends CostSummary {
  budget?: BudgetSummary
}
