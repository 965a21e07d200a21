/**
 * What the app under test spent over a set of cases, added up from their traces with the rules of
 * `trace.ts` (`summary` for model calls and tokens, `appCost` for the price): for the page's
 * overview beside the judge's. Pure.
 */
import type { Pricing } from '../judges/pricing.js'
import { appCost, summary } from './trace.js'
import type { ReportCase } from './types.js'

/** The app's spend over a set of cases. */
export interface AppUsage {
  /** Cases with a trace. */
  tracedCases: number
  modelCalls: number
  tokens: { input: number; output: number }
  /** USD at list prices (and the `pricing` given); null when some model call has no price. */
  usd: number | null
  /** `provider:model` of the model calls without a price. */
  unpriced: string[]
}

/** The app's model calls, tokens and cost over `cases`. */
export function appUsage(cases: Iterable<Pick<ReportCase, 'trace'>>, pricing: Pricing = {}): AppUsage {
  const out: AppUsage = { tracedCases: 0, modelCalls: 0, tokens: { input: 0, output: 0 }, usd: 0, unpriced: [] }
  const unpriced = new Set<string>()
  for (const testCase of cases) {
    const trace = testCase.trace
    if (!trace || trace.spans.length === 0) continue
    out.tracedCases++
    const s = summary(trace)
    out.modelCalls += s.modelCalls
    out.tokens.input += s.tokens.input
    out.tokens.output += s.tokens.output
    const cost = appCost(trace, pricing)
    for (const model of cost.unpriced) unpriced.add(model)
    out.usd = cost.usd === null || out.usd === null ? null : out.usd + cost.usd
  }
  out.unpriced = [...unpriced].sort()
  if (out.tracedCases === 0) out.usd = null
  return out
}
