/**
 * What the Overview's cards and facts say, as plain values (unit-tested in Node). The invocation's
 * cost and agreement are the report's own (`report.cost`, `report.agreement`, carried by the page
 * header): the page adds nothing up itself.
 */
import { describeAgreement } from '../../../agreement.js'
import { costLines } from '../../../cost.js'
import type { InvocationCost, MetricAgreement, ReportRun } from '../../../types.js'

/** The Overview's cards, in the order shown. */
export interface OverviewTotals {
  files: number
  cases: number
  failed: number
  judgeErrors: number
  retries: number
  hits: number
  misses: number
  tokensIn: number
  tokensOut: number
}

/** Counts over the runs of the page's invocation. */
export function overviewTotals(runs: readonly ReportRun[]): OverviewTotals {
  const t: OverviewTotals = {
    files: runs.length,
    cases: 0,
    failed: 0,
    judgeErrors: 0,
    retries: 0,
    hits: 0,
    misses: 0,
    tokensIn: 0,
    tokensOut: 0,
  }
  for (const run of runs) {
    t.cases += run.cases.length
    t.failed += run.cases.filter((c) => !c.pass).length
    t.judgeErrors += run.judgeErrors || 0
    t.retries += run.retries || 0
    t.hits += run.cache ? run.cache.hits : 0
    t.misses += run.cache ? run.cache.misses : 0
    t.tokensIn += run.tokens ? run.tokens.input : 0
    t.tokensOut += run.tokens ? run.tokens.output : 0
  }
  return t
}

/** The judges named by the cases' metrics, sorted. */
export function judgesOf(runs: readonly ReportRun[]): string[] {
  const judges = new Set<string>()
  for (const run of runs) {
    for (const c of run.cases) for (const m of Object.values(c.metrics || {})) if (m.judge) judges.add(m.judge)
  }
  return [...judges].sort()
}

/** The cost lines the console and markdown print (cost, cache savings, budget), or why there are none. */
export function costText(cost: InvocationCost | null | undefined): string {
  return cost ? costLines(cost).join(' · ') : 'cost not recorded'
}

/** The invocation's judge-human agreement, a line per metric as the console prints it (none: empty). */
export function agreementLines(agreement: Readonly<Record<string, MetricAgreement>> | null | undefined): string[] {
  return Object.values(agreement ?? {}).map(describeAgreement)
}
