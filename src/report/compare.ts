/**
 * Comparison of a report with its baseline (per file and metric, with significance tests) and the
 * quality gate over that comparison.
 */
import { builtInNature } from '../metrics/built-in.js'
import { type CaseIndex, directionOf, indexCases, kindOf } from './case-index.js'
import { caseTextChanged } from './dataset-digest.js'
import { runKey, runSourceFile } from './run-key.js'
import { meanConfidenceInterval, pairedTest, taroneHolm, unpairedTest } from './statistics.js'
import { excerpt, formatDelta, formatP, formatValue, metricBaseName } from './text.js'
import type {
  CaseDelta,
  CaseMetricResult,
  JsonReport,
  MetricAggregate,
  MetricComparison,
  ReportCase,
  ReportComparison,
  ReportInvocation,
  ReportRun,
  RunComparison,
} from './types.js'

/** Options of {@link compareReports}. */
export interface CompareOptions {
  /** Significance level of the tests; a p-value at or under it is significant. */
  alpha: number
  /**
   * Most regressed cases kept per file.
   * @default 10
   */
  maxRegressedCases?: number
  /** Label of the baseline in renderings (default: tag, else `branch@commit`, else the id). */
  baseLabel?: string
  /** Label of the current run in renderings. */
  headLabel?: string
  /**
   * `gate.measurements`: the measurements (latency, token_count...) whose tests join the family the
   * p-values are adjusted over. Only the names matter here.
   * @default {}
   */
  measurements?: Readonly<Record<string, number>>
}

/** Characters of the current output kept in a {@link CaseDelta}. */
const OUTPUT_EXCERPT = 200

function meanOf(index: CaseIndex, metric: string): number | null {
  const aggregate: MetricAggregate | undefined = index.run.aggregates?.[metric]
  if (aggregate) return aggregate.n > 0 ? aggregate.mean : null
  const values = index.values.get(metric)
  if (!values || values.size === 0) return null
  let sum = 0
  for (const v of values.values()) sum += v
  return sum / values.size
}

function countOf(index: CaseIndex, metric: string): number {
  return index.run.aggregates?.[metric]?.n ?? index.values.get(metric)?.size ?? 0
}

/** A short label for an invocation: its first tag, else `branch@commit`, else its id prefix. */
export function invocationLabel(invocation: ReportInvocation): string {
  const tag = invocation.tags?.[0]
  if (tag) return tag
  const { branch, commit } = invocation.git ?? { branch: null, commit: null }
  if (commit) return `${branch ?? 'detached'}@${commit.slice(0, 7)}`
  if (branch) return branch
  return invocation.id.slice(0, 12)
}

function compareMetric(
  metric: string,
  base: CaseIndex,
  head: CaseIndex,
  alpha: number,
  changedCases: ReadonlySet<string> = new Set(),
): { comparison: MetricComparison; pairs: [string, number, number][] } {
  const greaterIsBetter = directionOf(metric, head, base)
  const baseMean = meanOf(base, metric)
  const headMean = meanOf(head, metric)
  const baseValues = base.values.get(metric) ?? new Map<string, number>()
  const headValues = head.values.get(metric) ?? new Map<string, number>()
  const pairs: [string, number, number][] = []
  for (const [key, h] of headValues) {
    const b = baseValues.get(key)
    // A case whose input or reference answer changed is a new case, not a regression.
    if (b !== undefined && !changedCases.has(key)) pairs.push([key, b, h])
  }
  let test: MetricComparison['test'] = 'none'
  let pValue: number | null = null
  let oneSidedP: { less: number; greater: number } | undefined
  let method: string | undefined
  let effect = baseMean !== null && headMean !== null ? headMean - baseMean : 0
  let changed: number | undefined
  let pError: number | undefined
  if (pairs.length >= 2) {
    const result = pairedTest(
      pairs.map((p) => p[1]),
      pairs.map((p) => p[2]),
    )
    test = 'paired'
    pValue = result.pValue
    oneSidedP = result.oneSided
    method = result.method
    changed = result.n
    pError = result.error
    effect = pairs.reduce((s, p) => s + (p[2] - p[1]), 0) / pairs.length
  } else {
    // Cases that do not match by name are compared as two samples; changed cases stay out here too.
    const kept = (values: Map<string, number>) => [...values].filter(([key]) => !changedCases.has(key)).map((e) => e[1])
    const result = unpairedTest(kept(baseValues), kept(headValues))
    if (result) {
      test = 'unpaired'
      pValue = result.pValue
      oneSidedP = result.oneSided
      method = result.method
    }
  }
  const significant = pValue !== null && pValue <= alpha && effect !== 0
  const worse = greaterIsBetter ? effect < 0 : effect > 0
  const comparison: MetricComparison = {
    metric,
    baseMean,
    headMean,
    delta: baseMean !== null && headMean !== null ? headMean - baseMean : null,
    pValue,
    significant,
    test,
    n: { base: countOf(base, metric), head: countOf(head, metric), paired: pairs.length },
    greaterIsBetter,
    status: significant ? (worse ? 'regressed' : 'improved') : 'unchanged',
    kind: kindOf(metric, head, base),
  }
  if (oneSidedP) comparison.pOneSided = greaterIsBetter ? oneSidedP.less : oneSidedP.greater
  if (changed !== undefined) comparison.n.changed = changed
  if (test === 'paired') comparison.pairedDelta = effect
  if (method) comparison.method = method
  if (pError !== undefined) comparison.pError = pError
  return { comparison, pairs }
}

function oneSided(index: CaseIndex, status: 'new' | 'removed'): MetricComparison[] {
  return index.metrics.map((metric) => {
    const mean = meanOf(index, metric)
    const count = countOf(index, metric)
    return {
      metric,
      baseMean: status === 'removed' ? mean : null,
      headMean: status === 'new' ? mean : null,
      delta: null,
      pValue: null,
      significant: false,
      test: 'none',
      n: { base: status === 'removed' ? count : 0, head: status === 'new' ? count : 0, paired: 0 },
      greaterIsBetter: directionOf(metric, index),
      status,
      kind: kindOf(metric, index),
    }
  })
}

function caseName(key: string): string {
  const cut = key.indexOf('\u0000')
  return cut < 0 ? key : key.slice(0, cut)
}

function compareRun(base: CaseIndex, head: CaseIndex, opts: CompareOptions): RunComparison {
  const metricNames = [...head.metrics, ...base.metrics.filter((m) => !head.metrics.includes(m))]
  const metrics: MetricComparison[] = []
  const candidates: { key: string; delta: CaseDelta; group: number; badness: number }[] = []
  const changed = new Set<string>()
  for (const [key, headCase] of head.cases) {
    const baseCase = base.cases.get(key)
    if (baseCase && caseTextChanged(baseCase, headCase)) changed.add(key)
  }
  for (const metric of metricNames) {
    const inBase = base.metrics.includes(metric)
    const inHead = head.metrics.includes(metric)
    if (!inBase || !inHead) {
      const [only] = oneSided(inHead ? head : base, inHead ? 'new' : 'removed').filter((m) => m.metric === metric)
      if (only) metrics.push(only)
      continue
    }
    const { comparison, pairs } = compareMetric(metric, base, head, opts.alpha, changed)
    metrics.push(comparison)
    const kind = kindOf(metric, head, base)
    // Per-case latency and token jitter is noise unless the metric as a whole regressed.
    if (kind === 'measurement' && comparison.status !== 'regressed') continue
    for (const [key, b, h] of pairs) {
      const delta = h - b
      const worseBy = comparison.greaterIsBetter ? -delta : delta
      if (worseBy <= 1e-9 * Math.max(1, Math.abs(b), Math.abs(h))) continue
      candidates.push({
        key,
        delta: { name: caseName(key), metric, base: b, head: h, delta, kind },
        group: kind === 'score' ? 0 : 1,
        badness: kind === 'score' ? worseBy : worseBy / Math.max(Math.abs(b), 1e-9),
      })
    }
  }
  candidates.sort(
    (x, y) =>
      x.group - y.group ||
      y.badness - x.badness ||
      compareText(x.delta.name, y.delta.name) ||
      compareText(x.delta.metric, y.delta.metric),
  )
  const newCases: string[] = []
  for (const key of head.cases.keys()) if (!base.cases.has(key)) newCases.push(caseName(key))
  const removedCases: string[] = []
  for (const key of base.cases.keys()) if (!head.cases.has(key)) removedCases.push(caseName(key))
  const result: RunComparison = {
    file: runSourceFile(head.run),
    key: runKey(head.run),
    status: 'matched',
    baseRunId: base.run.id,
    headRunId: head.run.id,
    metrics,
    newCases,
    removedCases,
    regressedCases: candidates.slice(0, opts.maxRegressedCases ?? 10).map((c) => withDetails(c.delta, c.key, head)),
  }
  if (changed.size > 0) result.changedCases = [...changed].map(caseName)
  const replayed = replayedCases(base.run, head.run)
  if (replayed) result.replayed = replayed
  const digests = { base: base.run.datasetDigest, head: head.run.datasetDigest }
  if (digests.base && digests.head && digests.base !== digests.head) {
    result.datasetDigest = { base: digests.base, head: digests.head }
  }
  return result
}

/**
 * `dataset changed: 2 added, 1 removed, 3 changed (not compared)`, or null when the dataset is
 * the same (or neither run recorded enough to tell).
 */
export function datasetChangeText(run: RunComparison): string | null {
  if (run.status !== 'matched') return null
  const changed = run.changedCases?.length ?? 0
  const parts: string[] = []
  if (run.newCases.length > 0) parts.push(`${run.newCases.length} added`)
  if (run.removedCases.length > 0) parts.push(`${run.removedCases.length} removed`)
  if (changed > 0) parts.push(`${changed} changed (input, expected text or context: compared as new cases)`)
  if (parts.length === 0) return run.datasetDigest ? 'dataset digest differs' : null
  return `dataset changed: ${parts.join(', ')}`
}

/** Cases of each side answered from the app cache, when either side has any. */
function replayedCases(base: ReportRun, head: ReportRun): RunComparison['replayed'] | undefined {
  const count = (run: ReportRun) =>
    run.appCache?.replayedCases ?? run.cases.filter((c) => (c.appCache?.replayed ?? 0) > 0).length
  const replayed = { base: count(base), head: count(head), baseCases: base.cases.length, headCases: head.cases.length }
  return replayed.base > 0 || replayed.head > 0 ? replayed : undefined
}

/**
 * `app calls replayed: 3 of 3 cases (baseline 0 of 3): outputs recorded, latency and cost not live`,
 * or null when neither side replayed any (the one wording of the console and the markdown summary).
 */
export function replayedText(run: RunComparison): string | null {
  const r = run.replayed
  if (!r) return null
  return (
    `app calls replayed: ${r.head} of ${r.headCases} cases (baseline ${r.base} of ${r.baseCases}): ` +
    "their outputs are recordings, their latency and cost not the live app's"
  )
}

/** Adds the output excerpt and the trials' confidence interval (only for the cases kept: both cost). */
function withDetails(entry: CaseDelta, key: string, head: CaseIndex): CaseDelta {
  const testCase = head.cases.get(key)
  const output = excerpt(testCase?.output, OUTPUT_EXCERPT)
  if (output) entry.output = output
  const trialKey = head.firstKey.get(entry.metric)?.get(key)
  const trials = trialKey ? testCase?.metrics?.[trialKey]?.trials : undefined
  if (trials && trials.length >= 2) {
    entry.ci = meanConfidenceInterval(trials, 0.95, entry.kind === 'score' ? [0, 1] : undefined)
  }
  return entry
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The part of a baseline's run that {@link compareReports} reads of it: the run's own fields, and per
 * case its name, pass, scores, judge errors, input, expected text, context digest and app cache
 * figures, with each metric result's score, kind and direction. Comparing a head run with it
 * gives what comparing with the whole run gives; a baseline's run read while the head's file runs is
 * kept in this form until that file is recorded (whole, it would be held that long for nothing).
 */
export function baselineForComparison(run: ReportRun): ReportRun {
  return { ...run, cases: run.cases.map(comparedCase) }
}

function comparedCase(c: ReportCase): ReportCase {
  const out: ReportCase = { name: c.name, pass: c.pass, scores: c.scores, judgeErrors: c.judgeErrors }
  if (c.metrics !== undefined) {
    const metrics: Record<string, CaseMetricResult> = {}
    for (const [key, m] of Object.entries(c.metrics)) {
      const kept: CaseMetricResult = { score: m.score, kind: m.kind }
      if (m.greaterIsBetter !== undefined) kept.greaterIsBetter = m.greaterIsBetter
      metrics[key] = kept
    }
    out.metrics = metrics
  }
  if (c.input !== undefined) out.input = c.input
  if (c.expected !== undefined) out.expected = c.expected
  if (c.contextDigest !== undefined) out.contextDigest = c.contextDigest
  if (c.appCache !== undefined) out.appCache = c.appCache
  return out
}

/**
 * Compares `head` with its baseline `base`, run by run (runs matched by `key`: a file, or a file's
 * variant) and metric by
 * metric. A metric is tested paired (sign-flip permutation test over the cases matched by name)
 * when at least two cases have a value on both sides, else unpaired (two-sample permutation test,
 * or Welch's t-test for large samples). `regressed`/`improved` need a p-value at or under `alpha`;
 * the direction follows the metric's `greaterIsBetter` (latency: lower is better).
 */
export function compareReports(base: JsonReport, head: JsonReport, opts: CompareOptions): ReportComparison {
  const baseRuns = new Map(base.runs.map((run) => [runKey(run), run]))
  const headRuns = new Map(head.runs.map((run) => [runKey(run), run]))
  const keys = [...new Set([...baseRuns.keys(), ...headRuns.keys()])].sort(compareText)
  const runs: RunComparison[] = keys.map((key) => {
    const baseRun = baseRuns.get(key)
    const headRun = headRuns.get(key)
    if (baseRun && headRun) return compareRun(indexCases(baseRun), indexCases(headRun), opts)
    const run = (headRun ?? baseRun) as ReportRun
    const index = indexCases(run)
    const names = run.cases.map((c) => c.name)
    return {
      file: runSourceFile(run),
      key,
      status: headRun ? 'new' : 'removed',
      baseRunId: baseRun?.id ?? null,
      headRunId: headRun?.id ?? null,
      metrics: oneSided(index, headRun ? 'new' : 'removed'),
      newCases: headRun ? names : [],
      removedCases: headRun ? [] : names,
      regressedCases: [],
    }
  })
  const side = (report: JsonReport, label: string | undefined) => ({
    invocationId: report.invocation.id,
    label: label ?? invocationLabel(report.invocation),
    startedAt: report.invocation.startedAt,
  })
  return correctFamily(
    { base: side(base, opts.baseLabel), head: side(head, opts.headLabel), alpha: opts.alpha, runs },
    opts.measurements,
  )
}

// --- family-wise error control ------------------------------------------------------------

function kindOfComparison(m: MetricComparison): 'score' | 'measurement' {
  return m.kind ?? builtInNature(m.metric).kind
}

/** The family of one gate evaluation and its adjusted p-values. */
export interface Family {
  /** Member -> Tarone-Holm-adjusted one-sided p-value in the metric's worse direction (what the gate decides on). */
  adjusted: Map<MetricComparison, number>
  /** Member -> the same procedure over the two-sided p-values (what `improved` is decided on). */
  adjustedTwoSided: Map<MetricComparison, number>
  /** Gated tests left out because they could not reach `alpha / tests` whatever the data (adjusted p-value 1). */
  excluded: Set<MetricComparison>
  /** Tarone's count at the first step: the tests the smallest p-value is adjusted for. */
  tests: number
}

/** A gated test's one-sided p-value in its worse direction (the two-sided one for a comparison made before it was recorded). */
function worseP(m: MetricComparison): number {
  return m.pOneSided ?? (m.pValue as number)
}

/**
 * The gate's family of tests and their adjusted p-values: every test made on a score-kind metric
 * of a matched file, plus the tests of the measurements named in `measurements`. The gate only
 * fails on a drop, so its p-values are one-sided, in each metric's worse direction (`pOneSided`), and
 * they are adjusted by Tarone's procedure with Holm's step-down (`taroneHolm`: Tarone 1990,
 * Hommel & Krummenauer 1998): a paired sign-flip test with c changed cases cannot give a one-sided
 * p-value under 1 / 2^c (valid because the test conditions on the sizes of the differences), so a
 * test that cannot reach `alpha / K` is left out of the count K, and unchanged or barely changed
 * files cost no power. The two-sided p-values go through the same procedure (smallest attainable
 * 2 / 2^c) for `improved`.
 */
export function familyPValues(
  runs: readonly RunComparison[],
  alpha: number,
  measurements: Readonly<Record<string, number>> = {},
): Family {
  const members: MetricComparison[] = []
  for (const run of runs) {
    if (run.status !== 'matched') continue
    for (const m of run.metrics) {
      if (m.pValue === null || m.status === 'new' || m.status === 'removed') continue
      if (kindOfComparison(m) !== 'score' && !Object.hasOwn(measurements, m.metric)) continue
      members.push(m)
    }
  }
  const changedOf = (m: MetricComparison) => (m.test === 'paired' && m.n.changed !== undefined ? m.n.changed : null)
  const worse = taroneHolm(
    members.map((m) => {
      const c = changedOf(m)
      return { p: worseP(m), minP: c === null ? 0 : 1 / 2 ** c }
    }),
    alpha,
  )
  const twoSided = taroneHolm(
    members.map((m) => {
      const c = changedOf(m)
      return { p: m.pValue as number, minP: c === null ? 0 : Math.min(1, 2 / 2 ** c) }
    }),
    alpha,
  )
  const adjusted = new Map<MetricComparison, number>()
  const adjustedTwoSided = new Map<MetricComparison, number>()
  const excluded = new Set<MetricComparison>()
  members.forEach((m, i) => {
    if (!worse.inFamily[i]) excluded.add(m)
    adjusted.set(m, worse.adjusted[i] as number)
    adjustedTwoSided.set(m, twoSided.adjusted[i] as number)
  })
  return { adjusted, adjustedTwoSided, excluded, tests: worse.tests }
}

/**
 * Fewest paired cases with which the one-sided sign-flip test can reach `threshold` at all: with n
 * non-zero differences its smallest p-value is 1 / 2^n (every case moving the worse way).
 */
export function casesNeeded(threshold: number): number {
  let n = 1
  while (1 / 2 ** n > threshold && n < 1075) n++
  return n
}

/**
 * Applies the gate's correction over the comparison's family (see {@link familyPValues}): sets
 * `pAdjusted` (one-sided, worse direction), `status` `regressed` from it and `improved` from the
 * same procedure over the two-sided p-values (from the raw two-sided p-value for measurements
 * outside the family, which are shown but never gated), marks the metrics compared on too few
 * cases for a drop to reach the family's first threshold, and records the correction. Idempotent:
 * a comparison stitched from per-file comparisons is corrected again as a whole.
 */
export function correctFamily(
  comparison: ReportComparison,
  measurements: Readonly<Record<string, number>> = {},
): ReportComparison {
  const family = familyPValues(comparison.runs, comparison.alpha, measurements)
  const tests = family.tests
  const needed = casesNeeded(comparison.alpha / Math.max(1, tests))
  for (const run of comparison.runs) {
    if (run.status !== 'matched') continue
    for (const m of run.metrics) {
      if (m.status === 'new' || m.status === 'removed') continue
      const adjusted = family.adjusted.get(m)
      m.pAdjusted = adjusted ?? null
      const effect = m.pairedDelta ?? m.delta ?? 0
      const worse = m.greaterIsBetter ? effect < 0 : effect > 0
      // In the family: a drop on the one-sided adjusted p, a gain on the two-sided one; outside it, the raw two-sided p.
      const p = adjusted === undefined ? m.pValue : worse ? adjusted : (family.adjustedTwoSided.get(m) ?? null)
      m.significant = p !== null && p <= comparison.alpha && effect !== 0
      m.status = m.significant ? (worse ? 'regressed' : 'improved') : 'unchanged'
      delete m.tooFewCases
      const gated = kindOfComparison(m) === 'score' || Object.hasOwn(measurements, m.metric)
      if (!gated || m.test === 'unpaired') continue
      if (m.test === 'none' || m.n.paired < needed) m.tooFewCases = { cases: m.n.paired, needed }
      else if (worse && m.n.changed !== undefined && m.n.changed < needed && !m.significant) {
        m.tooFewCases = { cases: m.n.changed, needed }
      }
    }
  }
  comparison.correction = {
    method: 'holm',
    tests,
    excluded: family.excluded.size,
    sided: 'one-sided',
    procedure: 'tarone-holm',
  }
  return comparison
}

/** `cannot detect a drop with 3 cases (needs 6)`, for a metric marked {@link MetricComparison.tooFewCases}. */
export function tooFewCasesText(m: Pick<MetricComparison, 'tooFewCases' | 'n'>): string | null {
  const few = m.tooFewCases
  if (!few) return null
  const changed = m.n.changed !== undefined && few.cases === m.n.changed && few.cases < m.n.paired
  return `cannot detect a drop with ${few.cases} ${changed ? 'changed ' : ''}${few.cases === 1 ? 'case' : 'cases'} (needs ${few.needed})`
}

// --- gate ----------------------------------------------------------------------------------

/** The `gate` option, resolved. */
export interface GateSettings {
  /** Largest tolerated drop of a score-kind metric's mean (in its worse direction); null means 0: any significant drop fails. */
  maxDrop: number | null
  /** Family-wise significance level a drop must reach (Holm-adjusted p-value) to fail the gate. */
  alpha: number
  /** Metric -> smallest accepted mean per file (score-kind metrics only). */
  minMean: Record<string, number>
  /**
   * Measurement -> largest tolerated worsening of its mean, as a fraction of the baseline mean
   * (`{ latency: 0.5 }`: fail when latency rose by more than 50%, significantly). Measurements not
   * named here are never gated.
   * @default {}
   */
  measurements?: Record<string, number>
}

/** One reason the gate fails the run. */
export interface GateFailure {
  /** The test file (a path). */
  file: string
  /** The run's key (`ReportRun.key`): the file, or `<file> [<variant>]` (absent for a gate on the whole invocation). */
  key?: string
  metric: string
  /** `regression` (a score-kind metric), `measurement` (a named measurement), `min-mean` or `min-agreement` (kappa with human labels). */
  kind: 'regression' | 'measurement' | 'min-mean' | 'min-agreement'
  baseMean: number | null
  headMean: number | null
  delta: number | null
  /** Raw two-sided p-value of the test. */
  pValue: number | null
  /** Raw one-sided p-value in the metric's worse direction: what the gate decided on (absent for a min-mean failure). */
  pOneSided?: number
  /** That one-sided p-value adjusted over the gate's family (Tarone-Holm; null for a min-mean failure). */
  pAdjusted: number | null
  /** `maxDrop` for a regression, the relative limit for a measurement, the `minMean` value for a min-mean failure. */
  threshold: number
  /** One line naming the file, the metric, the baseline and current means, the delta and both p-values. */
  message: string
}

/**
 * Evaluates the gate over one family of tests: every score-kind (file, metric) test of the
 * comparison and the tests of the measurements named in `gate.measurements`, their p-values
 * adjusted by Holm's step-down procedure, so that when nothing changed the gate fails at most
 * `alpha` of the time whatever the number of files and metrics.
 *
 * A score-kind metric fails when its mean moved in its worse direction by more than `maxDrop` (0
 * when null) and its adjusted p-value is at or under `alpha`. A named measurement fails when its
 * mean got worse by more than its limit times the baseline mean and its adjusted p-value is at or
 * under `alpha`; other measurements never fail. The drop is the mean of the paired differences
 * when the test was paired (the cases compared), else the difference of means. A min-mean failure
 * is a score-kind metric whose mean in a file of `head` is under `minMean[metric]`; files without
 * the metric are not held to it (see {@link unknownGateMetrics} for typos).
 */
export function evaluateGate(comparison: ReportComparison | null, head: JsonReport, gate: GateSettings): GateFailure[] {
  const failures: GateFailure[] = []
  const maxDrop = gate.maxDrop ?? 0
  const measurements = gate.measurements ?? {}
  const runs = comparison?.runs ?? []
  const byKey = new Map(runs.map((run) => [runKey(run), run]))
  const family = familyPValues(runs, gate.alpha, measurements)
  const tests = family.tests
  for (const run of runs) {
    for (const m of run.metrics) {
      const adjusted = family.adjusted.get(m)
      if (adjusted === undefined || m.pValue === null || m.baseMean === null || m.headMean === null) continue
      const change = m.pairedDelta ?? m.delta
      if (change === null || m.delta === null) continue
      const drop = m.greaterIsBetter ? -change : change
      if (!(adjusted <= gate.alpha && drop > 0)) continue
      const ps =
        `one-sided ${pIs(worseP(m))}, Tarone-Holm-adjusted ${pIs(adjusted)} over ${tests} ` +
        `${tests === 1 ? 'test' : 'tests'}`
      const moved = m.greaterIsBetter ? 'dropped' : 'rose'
      if (kindOfComparison(m) === 'score') {
        if (!(drop > maxDrop + 1e-12)) continue
        failures.push({
          file: run.file,
          key: runKey(run),
          metric: m.metric,
          kind: 'regression',
          baseMean: m.baseMean,
          headMean: m.headMean,
          delta: m.delta,
          pValue: m.pValue,
          pOneSided: worseP(m),
          pAdjusted: adjusted,
          threshold: maxDrop,
          message:
            `${runKey(run)}: ${m.metric} mean ${formatValue(m.baseMean)} -> ${formatValue(m.headMean)} ` +
            `(${formatDelta(m.delta)}, ${ps}) ${moved} more than gate.maxDrop ${maxDrop}` +
            `${gate.maxDrop === null ? ' (maxDrop not set: any significant drop fails)' : ''}` +
            ` at alpha ${gate.alpha}`,
        })
        continue
      }
      const limit = measurements[m.metric]
      if (limit === undefined) continue
      const base = Math.abs(m.baseMean)
      const relative = base > 0 ? drop / base : Number.POSITIVE_INFINITY
      if (!(relative > limit + 1e-12)) continue
      const share = Number.isFinite(relative)
        ? `${formatSignedPercent(m.greaterIsBetter ? -relative : relative)}, `
        : ''
      failures.push({
        file: run.file,
        key: runKey(run),
        metric: m.metric,
        kind: 'measurement',
        baseMean: m.baseMean,
        headMean: m.headMean,
        delta: m.delta,
        pValue: m.pValue,
        pOneSided: worseP(m),
        pAdjusted: adjusted,
        threshold: limit,
        message:
          `${runKey(run)}: ${m.metric} mean ${formatValue(m.baseMean)} -> ${formatValue(m.headMean)} ` +
          `(${formatDelta(m.delta)}, ${share}${ps}) ${moved} more than gate.measurements.${m.metric} ${limit} ` +
          `(${formatPercentLimit(limit)} of the baseline mean) at alpha ${gate.alpha}`,
      })
    }
  }
  for (const run of [...head.runs].sort((a, b) => compareText(runKey(a), runKey(b)))) {
    const index = indexCases(run)
    for (const [metric, min] of Object.entries(gate.minMean)) {
      const aggregate = run.aggregates?.[metric]
      if (!aggregate || aggregate.n === 0 || kindOf(metric, index) !== 'score') continue
      if (aggregate.mean >= min) continue
      const compared = byKey.get(runKey(run))?.metrics.find((m) => m.metric === metric)
      const baseMean = compared?.baseMean ?? null
      const delta = baseMean === null ? null : aggregate.mean - baseMean
      const versus = baseMean === null ? 'no baseline' : `baseline ${formatValue(baseMean)}, ${formatDelta(delta)}`
      failures.push({
        file: runSourceFile(run),
        key: runKey(run),
        metric,
        kind: 'min-mean',
        baseMean,
        headMean: aggregate.mean,
        delta,
        pValue: compared?.pValue ?? null,
        pAdjusted: null,
        threshold: min,
        message: `${runKey(run)}: ${metric} mean ${formatValue(aggregate.mean)} is under gate.minMean.${metric} ${min} (${versus})`,
      })
    }
  }
  return failures
}

/** `gate.minMean` and `gate.measurements` metrics that no run of `head` recorded (probably a misspelt metric name). */
export function unknownGateMetrics(head: JsonReport, gate: Pick<GateSettings, 'minMean' | 'measurements'>): string[] {
  const known = new Set<string>()
  for (const run of head.runs) {
    for (const metric of Object.keys(run.aggregates ?? {})) known.add(metric)
    for (const testCase of run.cases) for (const key of Object.keys(testCase.scores)) known.add(metricBaseName(key))
  }
  const named = [...Object.keys(gate.minMean), ...Object.keys(gate.measurements ?? {})]
  return [...new Set(named)].filter((metric) => !known.has(metric))
}

/** `p=0.031`, `p<0.001`. */
function pIs(p: number): string {
  const text = formatP(p)
  return text.startsWith('<') ? `p${text}` : `p=${text}`
}

/** `+166%`, `-20%`. */
function formatSignedPercent(share: number): string {
  const percent = Math.round(share * 100)
  return `${percent < 0 ? '-' : '+'}${Math.abs(percent)}%`
}

/** `50%`, `12.5%`. */
function formatPercentLimit(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`
}
