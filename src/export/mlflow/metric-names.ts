/**
 * vitest-judge metrics as `mlflow.evaluate` names and scales them (MLflow 2.17,
 * `mlflow/models/evaluation/default_evaluator.py` and `mlflow/metrics/`): a metric is logged as
 * `<name>/<version>/<aggregation>`, judged metrics on the judge's raw 1-5 scale with `mean`,
 * `variance` (population) and `p90`; `exact_match/v1` is one value (the accuracy); `toxicity`
 * adds `ratio` (share of outputs scored 0.5 or more); `latency` and `token_count` have per-row
 * values only. vitest-judge's own normalized aggregates go under `vitest_judge/<metric>/...`.
 * Pure functions over the JSON report's types.
 */
import { aggregate } from '../../report/aggregate.js'
import { metricBaseName } from '../../report/text.js'
import type { MetricAggregate, ReportCase, ReportRun } from '../../report/types.js'

/** vitest-judge report names whose MLflow name differs. */
const MLFLOW_NAMES: Readonly<Record<string, string>> = {
  rouge_l: 'rougeL',
  rouge_lsum: 'rougeLsum',
  flesch_kincaid_grade: 'flesch_kincaid_grade_level',
  ari_grade: 'ari_grade_level',
}

/**
 * Judged here but a 0..1 value in MLflow: MLflow's `toxicity` is a classifier's probability, so the
 * normalized score `(raw - 1) / 4` (0 not toxic, 1 severely toxic) is logged, not the raw 1-5 grade.
 */
const ZERO_TO_ONE_IN_MLFLOW = new Set(['toxicity'])

/** Whether `metric` is logged on the judge's raw 1-5 scale (a judged metric, except the 0..1 ones). */
export function onRawScale(metric: string, judged: boolean): boolean {
  return judged && !ZERO_TO_ONE_IN_MLFLOW.has(metric)
}

/** Metrics MLflow logs per row only (no version, no aggregate): table columns named as the metric. */
const ROW_ONLY = new Set(['latency', 'token_count'])

/** Prefix of vitest-judge's own metrics in MLflow. */
export const OWN_PREFIX = 'vitest_judge'

/** Version used when a stored case did not record one (every built-in metric is `v1`). */
export const DEFAULT_METRIC_VERSION = 'v1'

/** One metric as MLflow logs it. */
export interface MlflowMetric {
  key: string
  value: number
}

/** MLflow's rule for metric and param keys: letters, digits, `_ - . / :` and spaces, 250 characters at most. */
export function mlflowKey(key: string): string {
  const cleaned = key.replace(/[^\p{L}\p{N}_\-./: ]/gu, '_')
  return cleaned.length > 250 ? cleaned.slice(0, 250) : cleaned
}

/** The MLflow name of a vitest-judge metric (`rouge_l` -> `rougeL`; others unchanged). */
export function mlflowMetricName(metric: string): string {
  return MLFLOW_NAMES[metric] ?? metric
}

/** What is known of one metric over a set of cases. */
export interface MetricValues {
  /** vitest-judge's name (`#2` suffixes folded). */
  metric: string
  version: string
  /** Whether the metric is logged on the judge's raw 1-5 scale (some case recorded a raw judge score). */
  judged: boolean
  /** Values on MLflow's scale: raw 1-5 for judged metrics, else the score or measurement. */
  mlflowValues: number[]
}

/** The value of one case's metric on MLflow's scale: a judged metric's raw 1-5 score, else its score. */
export function mlflowValue(result: { score: number | null; raw?: number | null }, judged: boolean): number | null {
  if (result.score === null || !Number.isFinite(result.score)) return null
  if (!judged) return result.score
  if (typeof result.raw === 'number' && Number.isFinite(result.raw)) return result.raw
  // A judged result without its raw score: the normalization `(raw - 1) / 4` undone.
  return 1 + 4 * result.score
}

/** Collects each metric's values over `cases`, in the order metrics are first seen. */
export class MetricCollector {
  private readonly metrics = new Map<
    string,
    { version: string; judged: boolean; results: Array<[number, number | null | undefined]> }
  >()

  /** Adds every metric result of one case. */
  addCase(testCase: ReportCase): void {
    for (const [key, score] of Object.entries(testCase.scores)) {
      const name = metricBaseName(key)
      const result = testCase.metrics?.[key]
      let entry = this.metrics.get(name)
      if (!entry) {
        entry = { version: DEFAULT_METRIC_VERSION, judged: false, results: [] }
        this.metrics.set(name, entry)
      }
      if (result?.version) entry.version = result.version
      if (typeof result?.raw === 'number' && onRawScale(name, true)) entry.judged = true
      if (score === null || !Number.isFinite(score)) continue
      entry.results.push([score, result?.raw])
    }
  }

  /** Adds every case of a run. */
  addRun(run: ReportRun): void {
    for (const testCase of run.cases) this.addCase(testCase)
  }

  /** The metrics seen so far. */
  result(): MetricValues[] {
    return [...this.metrics].map(([metric, entry]) => ({
      metric,
      version: entry.version,
      judged: entry.judged,
      mlflowValues: entry.results
        .map(([score, raw]) => mlflowValue({ score, raw: raw ?? null }, entry.judged))
        .filter((v): v is number => v !== null),
    }))
  }
}

/** The metrics `mlflow.evaluate` would log for `values` (nothing for a metric without a value). */
export function mlflowEvaluateMetrics(values: readonly MetricValues[]): MlflowMetric[] {
  const out: MlflowMetric[] = []
  for (const metric of values) {
    if (ROW_ONLY.has(metric.metric) || metric.mlflowValues.length === 0) continue
    const name = `${mlflowMetricName(metric.metric)}/${metric.version}`
    const agg = aggregate(metric.mlflowValues)
    if (metric.metric === 'exact_match') {
      // MLflow's exact_match is sklearn's accuracy: one value named after the metric itself.
      out.push({ key: mlflowKey(name), value: agg.mean })
      continue
    }
    out.push({ key: mlflowKey(`${name}/mean`), value: agg.mean })
    out.push({ key: mlflowKey(`${name}/variance`), value: agg.variance })
    out.push({ key: mlflowKey(`${name}/p90`), value: agg.p90 })
    if (metric.metric === 'toxicity') {
      // evaluate's toxicity `ratio`: share of predictions at or above its 0.5 threshold (here raw 3 and up).
      const toxic = metric.mlflowValues.filter((v) => v >= 0.5).length
      out.push({ key: mlflowKey(`${name}/ratio`), value: toxic / metric.mlflowValues.length })
    }
  }
  return out
}

const OWN_AGGREGATES: ReadonlyArray<keyof MetricAggregate> = [
  'mean',
  'variance',
  'p90',
  'min',
  'max',
  'median',
  'pass_rate',
  'n',
]

/** vitest-judge's own aggregates (normalized 0..1 scores, measurements as measured): `vitest_judge/<metric>/<aggregate>`. */
export function ownAggregateMetrics(aggregates: Readonly<Record<string, MetricAggregate>>): MlflowMetric[] {
  const out: MlflowMetric[] = []
  for (const [metric, agg] of Object.entries(aggregates)) {
    if (agg.n === 0) continue
    for (const field of OWN_AGGREGATES) {
      const value = agg[field]
      if (typeof value === 'number' && Number.isFinite(value)) {
        out.push({ key: mlflowKey(`${OWN_PREFIX}/${metric}/${field}`), value })
      }
    }
  }
  return out
}

/** Counts of a run or an invocation, logged as `vitest_judge/<name>`. */
export interface RunCounts {
  cases: number
  passed: number
  judgeErrors: number
  retries: number
  cacheHits: number
  cacheMisses: number
  judgeTokensInput: number
  judgeTokensOutput: number
  /**
   * USD spent on judge calls over the runs that recorded a cost; null once one run's cost is unknown
   * (a judge without a price), so that no partial sum is logged. Undefined when no run had a cost.
   */
  judgeCostUsd?: number | null
  durationMs?: number | undefined
  files?: number
}

/** Adds `run`'s counts to `counts`. */
export function addRunCounts(counts: RunCounts, run: ReportRun): void {
  counts.cases += run.cases.length
  counts.passed += run.cases.filter((c) => c.pass).length
  counts.judgeErrors += run.judgeErrors
  counts.retries += run.retries ?? 0
  counts.cacheHits += run.cache.hits
  counts.cacheMisses += run.cache.misses
  counts.judgeTokensInput += run.tokens.input
  counts.judgeTokensOutput += run.tokens.output
  if (run.cost && counts.judgeCostUsd !== null) {
    counts.judgeCostUsd = run.cost.usd === null ? null : (counts.judgeCostUsd ?? 0) + run.cost.usd
  }
}

/** Counts with every figure 0. */
export function emptyCounts(): RunCounts {
  return {
    cases: 0,
    passed: 0,
    judgeErrors: 0,
    retries: 0,
    cacheHits: 0,
    cacheMisses: 0,
    judgeTokensInput: 0,
    judgeTokensOutput: 0,
  }
}

/** The counts as `vitest_judge/...` metrics. */
export function countMetrics(counts: RunCounts): MlflowMetric[] {
  const out: MlflowMetric[] = [
    { key: `${OWN_PREFIX}/cases`, value: counts.cases },
    { key: `${OWN_PREFIX}/passed`, value: counts.passed },
    { key: `${OWN_PREFIX}/failed`, value: counts.cases - counts.passed },
  ]
  if (counts.cases > 0) out.push({ key: `${OWN_PREFIX}/pass_rate`, value: counts.passed / counts.cases })
  out.push(
    { key: `${OWN_PREFIX}/judge_errors`, value: counts.judgeErrors },
    { key: `${OWN_PREFIX}/retries`, value: counts.retries },
    { key: `${OWN_PREFIX}/cache_hits`, value: counts.cacheHits },
    { key: `${OWN_PREFIX}/cache_misses`, value: counts.cacheMisses },
    { key: `${OWN_PREFIX}/judge_tokens_input`, value: counts.judgeTokensInput },
    { key: `${OWN_PREFIX}/judge_tokens_output`, value: counts.judgeTokensOutput },
  )
  if (typeof counts.judgeCostUsd === 'number')
    out.push({ key: `${OWN_PREFIX}/judge_cost_usd`, value: counts.judgeCostUsd })
  if (counts.durationMs !== undefined && Number.isFinite(counts.durationMs)) {
    out.push({ key: `${OWN_PREFIX}/duration_ms`, value: counts.durationMs })
  }
  if (counts.files !== undefined) out.push({ key: `${OWN_PREFIX}/files`, value: counts.files })
  return out
}

/** Whether MLflow logs `metric` per row only (a table column named as the metric). */
export function isRowOnly(metric: string): boolean {
  return ROW_ONLY.has(metric)
}
