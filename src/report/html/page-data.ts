/**
 * The data the HTML page shows, as plain values: the invocations (the first one is the page's own,
 * the others its baseline and what the Compare view can line up), the comparison, the gate's
 * verdict, the trend points of the experiment, and what is missing. Pure functions over the JSON
 * report's types; the page script reads nothing else.
 */
import { appUsage, mergeAppUsage } from '../collect.js'
import type { GateFailure } from '../compare.js'
import { studentQuantile } from '../statistics.js'
import type {
  AppUsage,
  JsonReport,
  MetricAggregate,
  ReportComparison,
  ReportInvocation,
  ReportRun,
  VariantMatrix,
} from '../types.js'
import { verdictText } from '../variant-render.js'
import {
  PAGE_DATA_VERSION,
  type PageHeader,
  type PageVariantMatrix,
  TREND_HISTORY_LIMIT,
  type TrendPoint,
  type TrendValue,
} from './page-header.js'

export {
  PAGE_DATA_VERSION,
  type PageHeader,
  type PageVariantMatrix,
  TREND_HISTORY_LIMIT,
  type TrendPoint,
  type TrendValue,
} from './page-header.js'

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

/** What {@link pageHeader} makes the header from. */
export interface PageHeaderInput {
  mode: PageHeader['mode']
  /** The page's own report (null: a live page still waiting for its first invocation). */
  report: Pick<JsonReport, 'cost' | 'agreement' | 'variants' | 'app'> | null
  /** The app figures, when the report has none of its own (see {@link runsAppUsage}). */
  app?: AppUsage | null
  /** The comparison shown (default: none). */
  comparison?: ReportComparison | null
  /** Whether the page holds a baseline (as its second invocation). */
  hasBaseline?: boolean
  /** The gate's failures, or null when no gate was evaluated. */
  gateFailures?: GateFailure[] | null
  notes?: string[]
  missing?: string[]
  history?: PageHeader['history']
  /** The variant matrices to show (default: the report's). */
  variants?: readonly VariantMatrix[] | undefined
  follow?: boolean
}

/**
 * What the app spent over runs read back from a store or an older report (no invocation total):
 * their own `app` figures added up, else their cases' traces at list prices.
 */
export function runsAppUsage(runs: readonly ReportRun[]): AppUsage | undefined {
  return mergeAppUsage(runs) ?? appUsage(runs.flatMap((r) => r.cases))
}

/**
 * The page header: the one place the reporter's page, `vitest-judge report` and `vitest-judge ui`
 * make it, so the page reads the same contract from each.
 */
export function pageHeader(input: PageHeaderInput): PageHeader {
  const report = input.report
  return {
    version: PAGE_DATA_VERSION,
    generatedAt: new Date().toISOString(),
    mode: input.mode,
    baseline: input.hasBaseline ? 1 : null,
    comparison: input.comparison ?? null,
    gate: input.gateFailures ? { failures: input.gateFailures } : null,
    notes: input.notes ?? [],
    history: input.history ?? null,
    missing: input.missing ?? [],
    cost: report?.cost ?? null,
    app: report?.app ?? input.app ?? null,
    agreement: report?.agreement && Object.keys(report.agreement).length > 0 ? report.agreement : null,
    ...(report ? { variants: pageVariants(input.variants ?? report.variants) } : {}),
    ...(input.follow ? { follow: true } : {}),
  }
}

/**
 * The experiment's trend history for the page: its last {@link TREND_HISTORY_LIMIT} invocations
 * read through `read`; when that fails with an error `isExpected` accepts, null and a note in `missing`.
 */
export async function pageHistory(
  experiment: string,
  read: (limit: number) => Promise<readonly InvocationAggregates[]> | readonly InvocationAggregates[],
  missing: string[],
  isExpected: (error: unknown) => boolean = () => true,
): Promise<PageHeader['history']> {
  try {
    return { experiment, limit: TREND_HISTORY_LIMIT, points: trendPoints(await read(TREND_HISTORY_LIMIT)) }
  } catch (error) {
    if (!isExpected(error)) throw error
    missing.push(`Trends: the run history could not be read (${(error as Error).message}).`)
    return null
  }
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
