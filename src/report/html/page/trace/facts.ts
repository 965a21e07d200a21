/**
 * What the page reads of a case's trace, memoised per case (the table sorts and filters on it many
 * times): the summary and tool calls of `report/trace.ts` (one rule for the matchers, the reports
 * and the page), and the tool names for the filter.
 */
import { summary, type TraceSummary, toolCalls } from '../../../trace.js'
import type { CaseTrace, TrajectoryStep } from '../../../trace-types.js'
import type { ReportCase } from '../../../types.js'

export type { TraceSummary }

const summaries = new WeakMap<CaseTrace, TraceSummary>()
const calls = new WeakMap<CaseTrace, TrajectoryStep[]>()

/** The case's trace summary, or undefined when it has no trace. */
export function caseSummary(c: ReportCase): TraceSummary | undefined {
  const trace = c.trace
  if (!trace) return undefined
  let s = summaries.get(trace)
  if (!s) {
    s = summary(trace)
    summaries.set(trace, s)
  }
  return s
}

/** The case's tool calls in order (empty without a trace). */
export function caseToolCalls(c: ReportCase): TrajectoryStep[] {
  const trace = c.trace
  if (!trace) return []
  let steps = calls.get(trace)
  if (!steps) {
    steps = toolCalls(trace)
    calls.set(trace, steps)
  }
  return steps
}

/** Whether any case has a trace (the trace columns, filters and cards are shown only then). */
export function anyTrace(cases: Iterable<{ c: ReportCase }>): boolean {
  for (const item of cases) if (item.c.trace && item.c.trace.spans.length + item.c.trace.dropped > 0) return true
  return false
}

/** Tool names called by the cases, sorted. */
export function toolNames(cases: Iterable<{ c: ReportCase }>): string[] {
  const names = new Set<string>()
  for (const item of cases) for (const step of caseToolCalls(item.c)) names.add(step.name)
  return [...names].sort()
}
