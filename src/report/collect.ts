/** Building a run from the tests of one file: pure functions over what the reporter collected. */
import type { Pricing } from '../judges/pricing.js'
import { aggregateRun } from './aggregate.js'
import { agreementOf } from './agreement.js'
import type { CaseMeta } from './case-meta.js'
import { caseCost, costSummary, mergeTallies } from './cost.js'
import { datasetDigest } from './dataset-digest.js'
import { variantRunKey } from './run-key.js'
import { appCost, summary } from './trace.js'
import type { AppUsage, JudgeCallTally, ReportCase, ReportRun, RunAppCache } from './types.js'

export { runKey, runSourceFile, variantRunKey, withRunKey } from './run-key.js'

/** What the reporter knows of one finished test. */
export interface CollectedTest {
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  durationMs?: number
  /** First error message when the test failed. */
  error?: string
  meta?: CaseMeta
  /** Where the test is declared (Vitest's `includeTaskLocation`). */
  location?: { line: number; column: number }
}

/** Report cases made ahead by `toReportCase` (undefined for a skipped test), by the test they were made of. */
export type CaseOf = Pick<WeakMap<CollectedTest, ReportCase | undefined>, 'get' | 'has'>

/** Turns one finished test into a report case; skipped tests give none. */
export function toReportCase(test: CollectedTest, pricing?: Pricing): ReportCase | undefined {
  if (test.state === 'skipped' || test.state === 'pending') return undefined
  const meta = test.meta
  const scores: Record<string, number | null> = {}
  for (const [name, result] of Object.entries(meta?.metrics ?? {})) scores[name] = result.score
  const reportCase: ReportCase = {
    name: test.name,
    pass: test.state === 'passed',
    scores,
    judgeErrors: meta?.judgeErrors ?? 0,
  }
  if (meta?.retries) reportCase.retries = meta.retries
  if (meta && Object.keys(meta.metrics).length > 0) reportCase.metrics = meta.metrics
  if (meta?.id !== undefined) reportCase.id = meta.id
  if (meta?.input !== undefined) reportCase.input = meta.input
  if (meta?.output !== undefined) reportCase.output = meta.output
  if (meta?.expected !== undefined) reportCase.expected = meta.expected
  if (meta?.contextDigest !== undefined) reportCase.contextDigest = meta.contextDigest
  if (meta?.context !== undefined) reportCase.context = meta.context
  if (test.durationMs !== undefined) reportCase.durationMs = test.durationMs
  if (meta?.latencyMs !== undefined) reportCase.latencyMs = meta.latencyMs
  if (meta?.tokens) reportCase.tokens = meta.tokens
  if (test.state === 'failed' && test.error) reportCase.error = test.error
  const cost = caseCost(meta?.judgeCalls, pricing)
  if (cost) reportCase.cost = cost
  if (meta?.human) reportCase.human = meta.human
  if (meta?.turns) reportCase.turns = meta.turns
  if (meta?.conversation) reportCase.conversation = meta.conversation
  if (test.location) reportCase.location = { line: test.location.line, column: test.location.column }
  if (meta?.appCache) reportCase.appCache = meta.appCache
  if (meta?.trace) {
    reportCase.trace = meta.trace
    if (summary(meta.trace).modelCalls > 0) reportCase.appCostUsd = appCost(meta.trace, pricing).usd
  }
  return reportCase
}

/**
 * Builds the runs of one file: one for the tests without a variant (when there are any), then one
 * per `describeEval` variant in the order first seen, each with the invocation's params and the
 * variant's fields merged. Only the run without a variant carries the file's duration (the
 * variants ran side by side in it).
 */
export function buildRuns(
  newId: () => string,
  file: string,
  tests: readonly CollectedTest[],
  options: {
    durationMs?: number
    params?: Record<string, string | number | boolean>
    pricing?: Pricing
    /** Report cases already made with `toReportCase(test, pricing)`, by test (made as the results arrived). */
    made?: CaseOf
  } = {},
): ReportRun[] {
  const groups = new Map<string | undefined, CollectedTest[]>()
  groups.set(undefined, [])
  for (const test of tests) {
    const variant = test.meta?.variant
    let group = groups.get(variant)
    if (!group) {
      group = []
      groups.set(variant, group)
    }
    group.push(test)
  }
  const runs: ReportRun[] = []
  for (const [variant, group] of groups) {
    if (variant === undefined) {
      if (group.length > 0 && (groups.size === 1 || group.some((t) => t.meta)))
        runs.push(buildRun(newId(), file, group, options.durationMs, options.pricing, options.made))
      continue
    }
    const run = buildRun(newId(), file, group, undefined, options.pricing, options.made)
    run.key = variantRunKey(file, variant)
    run.variant = variant
    run.params = { ...options.params, ...group.find((t) => t.meta?.variantParams)?.meta?.variantParams }
    runs.push(run)
  }
  return runs
}

/** Builds a run of one file from its tests; `pricing` is the plugin's `pricing` option. */
export function buildRun(
  id: string,
  file: string,
  tests: readonly CollectedTest[],
  durationMs?: number,
  pricing?: Pricing,
  made?: CaseOf,
): ReportRun {
  const tallies: Record<string, JudgeCallTally> = {}
  const cases: ReportCase[] = []
  let judgeErrors = 0
  let retries = 0
  const cache = { hits: 0, misses: 0 }
  const tokens = { input: 0, output: 0 }
  for (const test of tests) {
    const reportCase = made?.has(test) ? made.get(test) : toReportCase(test, pricing)
    if (!reportCase) continue
    mergeTallies(tallies, test.meta?.judgeCalls)
    cases.push(reportCase)
    judgeErrors += reportCase.judgeErrors
    retries += reportCase.retries ?? 0
    cache.hits += test.meta?.cache.hits ?? 0
    cache.misses += test.meta?.cache.misses ?? 0
    tokens.input += test.meta?.judgeTokens.input ?? 0
    tokens.output += test.meta?.judgeTokens.output ?? 0
  }
  const cost = costSummary(tallies, pricing)
  const agreement = agreementOf(cases, file)
  const appCache = runAppCache(cases)
  const app = appUsage(cases, pricing)
  return {
    id,
    file,
    key: file,
    status: 'complete',
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors,
    retries,
    cache,
    tokens,
    ...(durationMs !== undefined ? { durationMs } : {}),
    datasetDigest: datasetDigest(cases),
    ...(cost ? { cost } : {}),
    ...(app ? { app } : {}),
    ...(Object.keys(agreement).length > 0 ? { agreement } : {}),
    ...(appCache ? { appCache } : {}),
  }
}

/** The app cache's part in a run: the cases' figures summed (absent when no case used the app cache). */
export function runAppCache(cases: readonly ReportCase[]): RunAppCache | undefined {
  let run: RunAppCache | undefined
  for (const c of cases) {
    const a = c.appCache
    if (!a) continue
    run ??= {
      replayed: 0,
      recorded: 0,
      misses: 0,
      replayedLatencyMs: 0,
      savedTokens: { input: 0, output: 0 },
      replayedCases: 0,
    }
    run.replayed += a.replayed
    run.recorded += a.recorded
    run.misses += a.misses
    run.replayedLatencyMs += a.replayedLatencyMs
    run.savedTokens.input += a.savedTokens.input
    run.savedTokens.output += a.savedTokens.output
    if (a.replayed > 0) run.replayedCases++
  }
  return run
}

/** What the app spent over some cases (tokens reported or traced, traced model calls and their cost); undefined when nothing. */
export function appUsage(cases: readonly ReportCase[], pricing?: Pricing): AppUsage | undefined {
  const usage: AppUsage = { tokens: { input: 0, output: 0 }, modelCalls: 0, costUsd: 0 }
  const unpriced = new Set<string>()
  let any = false
  for (const c of cases) {
    if (c.tokens) {
      any = true
      usage.tokens.input += c.tokens.input
      usage.tokens.output += c.tokens.output
    }
    if (!c.trace) continue
    const s = summary(c.trace)
    if (s.modelCalls === 0) continue
    any = true
    usage.modelCalls += s.modelCalls
    const cost = appCost(c.trace, pricing)
    for (const u of cost.unpriced) unpriced.add(u)
    if (cost.usd === null) usage.costUsd = null
    else if (usage.costUsd !== null) usage.costUsd += cost.usd
  }
  if (!any) return undefined
  if (usage.modelCalls === 0) usage.costUsd = null
  if (unpriced.size > 0) usage.unpriced = [...unpriced].sort()
  return usage
}

/** Sums runs' app usage (an invocation's). */
export function mergeAppUsage(runs: ReadonlyArray<{ app?: AppUsage }>): AppUsage | undefined {
  let out: AppUsage | undefined
  const unpriced = new Set<string>()
  for (const run of runs) {
    const a = run.app
    if (!a) continue
    if (!out) out = { tokens: { input: 0, output: 0 }, modelCalls: 0, costUsd: 0 }
    out.tokens.input += a.tokens.input
    out.tokens.output += a.tokens.output
    out.modelCalls += a.modelCalls
    for (const u of a.unpriced ?? []) unpriced.add(u)
    if (a.costUsd === null) {
      if (a.modelCalls > 0) out.costUsd = null
    } else if (out.costUsd !== null) out.costUsd += a.costUsd
  }
  if (out && out.modelCalls === 0) out.costUsd = null
  if (out && unpriced.size > 0) out.unpriced = [...unpriced].sort()
  return out
}
