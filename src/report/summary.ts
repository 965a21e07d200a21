/**
 * A report without its cases: what the summaries (console, markdown) read. The reporter keeps one
 * per finished file instead of the cases, which are streamed to the report files; the CLI makes one
 * from a whole report with {@link summarizeReport}.
 */
import { metricBaseName } from './text.js'
import type {
  AppUsage,
  InvocationCost,
  JsonReport,
  MetricAgreement,
  ReportCase,
  ReportComparison,
  ReportInvocation,
  ReportRun,
  VariantMatrix,
} from './types.js'

/** One run without its cases: their counts, the first failed cases whole, and each metric's kind. */
export interface ReportRunSummary extends Omit<ReportRun, 'cases'> {
  /** Number of cases of the run. */
  caseCount: number
  /** Number of cases that did not pass. */
  failedCount: number
  /** The first failed cases, whole, in run order (all of them, or the first `keepFailed`). */
  failedCases: ReportCase[]
  /** Metric (base name) -> kind, as first recorded by a case. */
  kinds: Record<string, 'score' | 'measurement'>
}

/** The JSON report with run summaries in place of runs. */
export interface ReportSummary {
  version: 1
  invocation: ReportInvocation
  runs: ReportRunSummary[]
  comparison: ReportComparison | null
  /** What the invocation's judge calls cost, and its budget. */
  cost?: InvocationCost
  /** What the app under test spent over the invocation. */
  app?: AppUsage
  /** Agreement of the judge with human labels over the invocation, per metric. */
  agreement?: Record<string, MetricAgreement>
  /** The variant matrix of each file with `describeEval` variants (absent when none). */
  variants?: VariantMatrix[]
}

/** What the summary renderers accept: a whole report or its summary. */
export type SummaryInput = JsonReport | ReportSummary

/** Each metric's kind (by base name), as first recorded by a case of `cases`. */
export function metricKinds(cases: readonly ReportCase[]): Record<string, 'score' | 'measurement'> {
  const kinds: Record<string, 'score' | 'measurement'> = {}
  for (const testCase of cases) {
    for (const key of Object.keys(testCase.scores)) {
      const kind = testCase.metrics?.[key]?.kind
      const metric = metricBaseName(key)
      if (kind && !(metric in kinds)) kinds[metric] = kind
    }
  }
  return kinds
}

/** The summary of `run`, keeping at most `keepFailed` failed cases whole. */
export function summarizeRun(run: ReportRun, keepFailed = Number.POSITIVE_INFINITY): ReportRunSummary {
  const { cases, ...rest } = run
  const failedCases: ReportCase[] = []
  let failedCount = 0
  for (const testCase of cases) {
    if (testCase.pass) continue
    failedCount++
    if (failedCases.length < keepFailed) failedCases.push(testCase)
  }
  return { ...rest, caseCount: cases.length, failedCount, failedCases, kinds: metricKinds(cases) }
}

function isRun(run: ReportRun | ReportRunSummary): run is ReportRun {
  return 'cases' in run
}

/** The summary of a report (a summary is returned as it is). */
export function summarizeReport(report: SummaryInput): ReportSummary {
  const runs = (report.runs as Array<ReportRun | ReportRunSummary>).map((run) => (isRun(run) ? summarizeRun(run) : run))
  const summary: ReportSummary = {
    version: report.version,
    invocation: report.invocation,
    runs,
    comparison: report.comparison,
  }
  if (report.variants) summary.variants = report.variants
  if (report.cost) summary.cost = report.cost
  if (report.app) summary.app = report.app
  if (report.agreement) summary.agreement = report.agreement
  return summary
}

/**
 * A run standing for `summary` where a whole run is expected but only aggregates and metric kinds
 * are read (the gate): no cases but one recording each metric's kind.
 */
export function kindsOnlyRun(summary: ReportRunSummary): ReportRun {
  const { caseCount: _c, failedCount: _f, failedCases: _k, kinds, ...run } = summary
  const scores: ReportCase['scores'] = {}
  const metrics: NonNullable<ReportCase['metrics']> = {}
  for (const [metric, kind] of Object.entries(kinds)) {
    scores[metric] = null
    metrics[metric] = { score: null, kind }
  }
  return { ...run, cases: [{ name: '', pass: true, scores, judgeErrors: 0, metrics }] }
}
