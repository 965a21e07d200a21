/**
 * Cost of judge calls, per case, run and invocation: pure functions over the per-judge tallies the
 * workers record. Calls answered from the cache are *saved*, not spent. A judge without a known
 * price makes the total `null` ("unknown") and is named in `unpriced`; it is never counted as 0.
 */
import { PRICES_AS_OF, type Pricing, priceOf, usdOf } from '../judges/pricing.js'
import { withFields } from '../with-fields.js'
import type { AppUsage, CaseCost, CostSummary, InvocationCost, JudgeCallTally, JudgeCost } from './types.js'

/** Adds tallies by judge into `into` (mutated) and returns it. */
export function mergeTallies(
  into: Record<string, JudgeCallTally>,
  from: Readonly<Record<string, JudgeCallTally>> | undefined,
): Record<string, JudgeCallTally> {
  for (const [judge, t] of Object.entries(from ?? {})) {
    const sum = into[judge] ?? { calls: 0, input: 0, output: 0, cached: 0, cachedInput: 0, cachedOutput: 0 }
    into[judge] = sum
    sum.calls += t.calls
    sum.input += t.input
    sum.output += t.output
    sum.cached += t.cached
    sum.cachedInput += t.cachedInput
    sum.cachedOutput += t.cachedOutput
  }
  return into
}

/** Prices each judge's tallies. */
export function judgeCosts(
  tallies: Readonly<Record<string, JudgeCallTally>>,
  pricing?: Pricing,
): Record<string, JudgeCost> {
  const out: Record<string, JudgeCost> = {}
  for (const judge of Object.keys(tallies).sort()) {
    const t = tallies[judge] as JudgeCallTally
    const price = priceOf(judge, pricing)
    out[judge] = withFields(t, {
      price,
      usd: price ? usdOf({ input: t.input, output: t.output }, price) : null,
      savedUsd: price ? usdOf({ input: t.cachedInput, output: t.cachedOutput }, price) : null,
    })
  }
  return out
}

function totals(byJudge: Record<string, JudgeCost>): CaseCost & { unpriced: string[] } {
  let usd: number | null = 0
  let savedUsd: number | null = 0
  let calls = 0
  let cachedCalls = 0
  const unpriced: string[] = []
  for (const [judge, c] of Object.entries(byJudge)) {
    calls += c.calls
    cachedCalls += c.cached
    if (c.usd === null || c.savedUsd === null) {
      unpriced.push(judge)
      usd = null
      savedUsd = null
    } else {
      if (usd !== null) usd += c.usd
      if (savedUsd !== null) savedUsd += c.savedUsd
    }
  }
  return { usd, savedUsd, calls, cachedCalls, unpriced }
}

/** The cost of one case's judge calls, or undefined when it made none. */
export function caseCost(
  tallies: Readonly<Record<string, JudgeCallTally>> | undefined,
  pricing?: Pricing,
): CaseCost | undefined {
  if (!tallies || Object.keys(tallies).length === 0) return undefined
  const { unpriced: _u, ...cost } = totals(judgeCosts(tallies, pricing))
  return cost
}

/** The cost of a set of tallies (a run, an invocation), with the detail per judge; undefined when there were no judge calls. */
export function costSummary(
  tallies: Readonly<Record<string, JudgeCallTally>>,
  pricing?: Pricing,
): CostSummary | undefined {
  if (Object.keys(tallies).length === 0) return undefined
  const byJudge = judgeCosts(tallies, pricing)
  const { unpriced, ...cost } = totals(byJudge)
  return { ...cost, ...(unpriced.length > 0 ? { unpriced } : {}), byJudge, pricesAsOf: PRICES_AS_OF }
}

/**
 * The cost of runs as they were recorded, the one way an invocation's cost is computed: by the
 * reporter over the runs it just priced, by the stores over the runs they read back, by `merge`
 * over the shards' runs: each judge's tallies added up and priced at the price the runs recorded for it, so a
 * `pricing` option or price table of the reading process plays no part. A judge recorded without a
 * price stays unknown. A judge recorded at different prices (shards run with different `pricing`)
 * keeps the sum of the recorded amounts, and `price` null. `pricesAsOf` lists the dates the runs
 * recorded. Undefined when no run recorded a cost. The budget is not part of it (it is not a run's).
 */
export function recordedCost(runs: ReadonlyArray<{ cost?: CostSummary }>): CostSummary | undefined {
  const costs = runs.flatMap((run) => (run.cost ? [run.cost] : []))
  if (costs.length === 0) return undefined
  const recorded = new Map<string, JudgeCost[]>()
  for (const cost of costs) {
    for (const [judge, c] of Object.entries(cost.byJudge)) {
      const list = recorded.get(judge)
      if (list) list.push(c)
      else recorded.set(judge, [c])
    }
  }
  const byJudge: Record<string, JudgeCost> = {}
  for (const judge of [...recorded.keys()].sort()) {
    const list = recorded.get(judge) as JudgeCost[]
    const tally: JudgeCallTally = { calls: 0, input: 0, output: 0, cached: 0, cachedInput: 0, cachedOutput: 0 }
    for (const c of list) mergeTallies({ [judge]: tally }, { [judge]: c })
    const price = list[0]?.price ?? null
    const samePrice = list.every((c) =>
      c.price === null
        ? price === null
        : price !== null && c.price.input === price.input && c.price.output === price.output,
    )
    if (samePrice) {
      byJudge[judge] = {
        ...tally,
        price: price === null ? null : { input: price.input, output: price.output },
        usd: price ? usdOf({ input: tally.input, output: tally.output }, price) : null,
        savedUsd: price ? usdOf({ input: tally.cachedInput, output: tally.cachedOutput }, price) : null,
      }
    } else {
      byJudge[judge] = {
        ...tally,
        price: null,
        usd: sumOrNull(list.map((c) => c.usd)),
        savedUsd: sumOrNull(list.map((c) => c.savedUsd)),
      }
    }
  }
  const { unpriced, ...cost } = totals(byJudge)
  const pricesAsOf = [...new Set(costs.map((c) => c.pricesAsOf))].sort().join(', ')
  return { ...cost, ...(unpriced.length > 0 ? { unpriced } : {}), byJudge, pricesAsOf }
}

function sumOrNull(values: readonly (number | null)[]): number | null {
  let sum = 0
  for (const value of values) {
    if (value === null) return null
    sum += value
  }
  return sum
}

/** `$0.0123`, `$1.23`; `unknown` for null. */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return 'unknown'
  if (usd === 0) return '$0'
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`
}

/** One line of plain text: `cost $0.0123 · saved $0.0040 by 12 cache hits`, or why it is unknown. */
export function describeCost(cost: CostSummary): string {
  const spent =
    cost.usd === null
      ? `cost unknown (no price for ${(cost.unpriced ?? []).join(', ')}; see \`pricing\`)`
      : `cost ${formatUsd(cost.usd)}`
  if (cost.cachedCalls === 0) return spent
  return `${spent} · saved ${formatUsd(cost.savedUsd)} by ${cost.cachedCalls} cache ${cost.cachedCalls === 1 ? 'hit' : 'hits'}`
}

/** The invocation's cost and budget as lines of plain text (console and markdown). */
export function costLines(cost: InvocationCost): string[] {
  const lines = [`judge ${describeCost(cost)} (prices as of ${cost.pricesAsOf})`]
  const budget = cost.budget
  if (budget) {
    const parts: string[] = []
    parts.push(
      budget.maxUsd !== null
        ? `spent ${formatUsd(budget.spentUsd)} of ${formatUsd(budget.maxUsd)}`
        : `spent ${formatUsd(budget.spentUsd)}`,
    )
    parts.push(budget.maxCalls !== null ? `${budget.calls} of ${budget.maxCalls} calls` : `${budget.calls} calls`)
    parts.push(
      budget.refused > 0
        ? `${budget.refused} ${budget.refused === 1 ? 'call' : 'calls'} refused (VJ_BUDGET)`
        : 'no call refused',
    )
    lines.push(`budget: ${parts.join(', ')}`)
  }
  return lines
}

/**
 * One line of plain text on what the app under test spent, beside the judge's:
 * `app tokens 600 in / 212 out · 2 model calls · app cost $0.0012` (the cost says why it is unknown).
 */
export function describeAppUsage(app: AppUsage): string {
  const parts = [`app tokens ${app.tokens.input} in / ${app.tokens.output} out`]
  if (app.modelCalls > 0) {
    parts.push(`${app.modelCalls} model call${app.modelCalls === 1 ? '' : 's'}`)
    parts.push(
      app.costUsd === null
        ? `app cost unknown${app.unpriced?.length ? ` (no price for ${app.unpriced.slice(0, 3).join(', ')}: add it to \`pricing\`)` : ''}`
        : `app cost ${formatUsd(app.costUsd)}`,
    )
  }
  return parts.join(' · ')
}
