/**
 * The data the HTML page shows, as plain values: the invocations (the first one is the page's own,
 * the others its baseline and what the Compare view can line up), the comparison, the gate's
 * verdict, the trend points of the experiment, and what is missing. Pure functions over the JSON
 * report's types; the page script reads nothing else.
 */
import type { GateFailure } from '../compare.js'
import { studentQuantile } from '../statistics.js'
import type { MetricAggregate, ReportComparison, ReportInvocation, VariantMatrix } from '../types.js'
import { verdictText } from '../variant-render.js'

/** Version of the page data; the page script says so when it meets a newer one. */
/** Invocations of the experiment shown in the trends (the report's and `ui`'s page alike). */
export const TREND_HISTORY_LIMIT = 50

export const PAGE_DATA_VERSION = 1

/** One point of a trend: one invocation's mean of one metric over all its cases. */
export interface TrendValue {
  n: number
  mean: number
  /** 95% Student t interval of the mean over the cases; null with fewer than two values. */
  ci: [number, number] | null
}

/** One invocation of the experiment, for the trends. */
export interface TrendPoint {
  id: string
  startedAt: string
  status: string
  git: ReportInvocation['git']
  params: ReportInvocation['params']
  tags: string[]
  /** Metric -> the invocation's mean over every case of every file. */
  metrics: Record<string, TrendValue>
}

/** Everything the page shows except the invocations' runs, which are streamed beside it. */
export interface PageHeader {
  version: typeof PAGE_DATA_VERSION
  generatedAt: string
  /** `file`: a static report, no request of any kind; `live`: served by `vitest-judge ui`. */
  mode: 'file' | 'live'
  /** Index in `invocations` of the page's baseline, or null. */
  baseline: number | null
  comparison: ReportComparison | null
  /** The gate's verdict: null when no gate was evaluated. */
  gate: { failures: GateFailure[] } | null
  notes: string[]
  /** The experiment's recent invocations, oldest first, or null when there is no history. */
  history: { experiment: string; limit: number; points: TrendPoint[] } | null
  /** What the page cannot show and why (e.g. no run history for a report file). */
  missing: string[]
  /** `t95[df]`: the 0.975 quantile of Student's t with `df` degrees of freedom (index 0 unused). */
  t95: number[]
  /** Live mode: the invocation shown follows the newest one. */
  follow?: boolean
  /**
   * The variant matrix of each file of the page's invocation whose `describeEval` suites have
   * variants, as report.json holds it, with each metric's verdict as a sentence (absent or empty: none).
   */
  variants?: PageVariantMatrix[]
}

/** A variant matrix as the page shows it: the matrix unchanged, and its verdicts in words. */
export interface PageVariantMatrix extends VariantMatrix {
  /** Aligned with `metrics`: the verdict sentence the console and markdown print. */
  verdicts: string[]
}

/** The matrices for the page: each with its verdict sentences, labelled by column. */
export function pageVariants(matrices: readonly VariantMatrix[] | undefined): PageVariantMatrix[] {
  return (matrices ?? []).map((matrix) => ({
    ...matrix,
    verdicts: matrix.metrics.map((row) => verdictText(matrix, row, (i) => matrix.columns[i]?.label ?? `#${i + 1}`)),
  }))
}

/** An invocation's aggregates, as `RunStore.listInvocations` gives them (its runs without cases). */
export interface InvocationAggregates {
  id: string
  startedAt: string
  status?: string
  git: ReportInvocation['git']
  params: ReportInvocation['params']
  tags?: string[]
  runs: ReadonlyArray<{ aggregates: Record<string, MetricAggregate> }>
}

const T_TABLE_SIZE = 200

/** Quantiles of Student's t at 0.975 for 1..200 degrees of freedom (the page uses 1.96 beyond). */
export function t95Table(): number[] {
  const table = [0]
  for (let df = 1; df <= T_TABLE_SIZE; df++) table.push(Number(studentQuantile(0.975, df).toFixed(6)))
  return table
}

/**
 * Pools a metric's aggregates over the runs of an invocation: the mean over every case, and its 95%
 * Student t interval from the pooled variance (population variances with their means, so the
 * pooled value is the variance over all cases, then made a sample variance).
 */
export function poolAggregates(aggregates: readonly MetricAggregate[]): TrendValue | null {
  let n = 0
  let sum = 0
  let squares = 0
  for (const a of aggregates) {
    if (a.n === 0) continue
    n += a.n
    sum += a.n * a.mean
    squares += a.n * (a.variance + a.mean * a.mean)
  }
  if (n === 0) return null
  const mean = sum / n
  if (n < 2) return { n, mean, ci: null }
  const variance = Math.max(0, squares / n - mean * mean) * (n / (n - 1))
  const half = studentQuantile(0.975, n - 1) * Math.sqrt(variance / n)
  return { n, mean, ci: [mean - half, mean + half] }
}

/** Trend points of `invocations` (any order), oldest first. */
export function trendPoints(invocations: readonly InvocationAggregates[]): TrendPoint[] {
  const points = invocations.map((inv): TrendPoint => {
    const byMetric = new Map<string, MetricAggregate[]>()
    for (const run of inv.runs) {
      for (const [metric, aggregate] of Object.entries(run.aggregates)) {
        const list = byMetric.get(metric) ?? []
        list.push(aggregate)
        byMetric.set(metric, list)
      }
    }
    const metrics: Record<string, TrendValue> = {}
    for (const [metric, list] of byMetric) {
      const value = poolAggregates(list)
      if (value) metrics[metric] = value
    }
    return {
      id: inv.id,
      startedAt: inv.startedAt,
      status: inv.status ?? 'complete',
      git: inv.git,
      params: inv.params,
      tags: inv.tags ?? [],
      metrics,
    }
  })
  return points.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0))
}
