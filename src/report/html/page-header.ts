/**
 * The page header: the one typed contract between the writers of the page (the reporter's
 * `reports.html`, `vitest-judge report`, `vitest-judge ui`, all through `pageHeader()` in
 * `page-data.ts`) and the page's script (`page/`). Types and constants only, so the browser bundle
 * takes nothing else from here.
 */
import type { GateFailure } from '../compare.js'
import type {
  AppUsage,
  InvocationCost,
  MetricAgreement,
  ReportComparison,
  ReportInvocation,
  VariantMatrix,
} from '../types.js'

/** Invocations of the experiment shown in the trends (the report's and `ui`'s page alike). */
export const TREND_HISTORY_LIMIT = 50

/** Version of the page data. */
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
  /** What the invocation's judge calls cost (`report.cost`), null when not recorded. */
  cost: InvocationCost | null
  /**
   * What the app under test spent over the invocation (`report.app`, else added up from its runs'
   * `app`, else from its cases' traces at list prices), null when nothing was reported or traced.
   */
  app?: AppUsage | null
  /** Judge-human agreement over the invocation, per metric (`report.agreement`), null when none. */
  agreement: Record<string, MetricAgreement> | null
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
