/**
 * Comparison of a report with its baseline (per file and metric, with significance tests) and the
 * quality gate over that comparison.
 */
import { type CaseIndex, directionOf, indexCases, kindOf, LOWER_IS_BETTER } from './case-index.js'
import { caseTextChanged } from './dataset-digest.js'
import { holmAdjust, meanConfidenceInterval, pairedTest, unpairedTest } from './statistics.js'
import { excerpt, formatDelta, formatP, formatValue, metricBaseName } from './text.js'
import type {
  CaseDelta,
  JsonReport,
  MetricAggregate,
  MetricComparison,
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
    file: head.run.file,
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
 * Compares `head` with its baseline `base`, file by file (runs matched by `file`) and metric by
 * metric. A metric is tested paired (sign-flip permutation test over the cases matched by name)
 * when at least two cases have a value on both sides, else unpaired (two-sample permutation test,
 * or Welch's t-test for large samples). `regressed`/`improved` need a p-value at or under `alpha`;
 * the direction follows the metric's `greaterIsBetter` (latency: lower is better).
 */
export function compareReports(base: JsonReport, head: JsonReport, opts: CompareOptions): ReportComparison {
  const baseRuns = new Map(base.runs.map((run) => [run.file, run]))
  const headRuns = new Map(head.runs.map((run) => [run.file, run]))
  const files = [...new Set([...baseRuns.keys(), ...headRuns.keys()])].sort(compareText)
  const runs: RunComparison[] = files.map((file) => {
    const baseRun = baseRuns.get(file)
    const headRun = headRuns.get(file)
    if (baseRun && headRun) return compareRun(indexCases(baseRun), indexCases(headRun), opts)
    const run = (headRun ?? baseRun) as ReportRun
    const index = indexCases(run)
    const names = run.cases.map((c) => c.name)
    return {
      file,
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
  return m.kind ?? (LOWER_IS_BETTER.has(m.metric) ? 'measurement' : 'score')
}

/** The family of one gate evaluation and its adjusted p-values. */
export interface Family {
  /** Member -> Holm-adjusted p-value. */
  adjusted: Map<MetricComparison, number>
  /** Gated tests left out because they could not reach `alpha` whatever the data (adjusted p-value 1). */
  excluded: Set<MetricComparison>
}

/**
 * Holm-adjusted p-values of the family of one gate evaluation: every test made on a score-kind
 * metric of a matched file, plus the tests of the measurements named in `measurements`. A paired
 * test whose smallest possible p-value (2 / 2^changed cases) is above `alpha` can never fail, at
 * any Holm step: it is left out of the count (Tarone's refinement for discrete tests; valid because
 * the sign-flip test conditions on the sizes of the differences), so unchanged files cost no power.
 */
export function familyPValues(
  runs: readonly RunComparison[],
  alpha: number,
  measurements: Readonly<Record<string, number>> = {},
): Family {
  const members: MetricComparison[] = []
  const excluded = new Set<MetricComparison>()
  for (const run of runs) {
    if (run.status !== 'matched') continue
    for (const m of run.metrics) {
      if (m.pValue === null || m.status === 'new' || m.status === 'removed') continue
      if (kindOfComparison(m) !== 'score' && !Object.hasOwn(measurements, m.metric)) continue
      if (m.test === 'paired' && m.n.changed !== undefined && 2 / 2 ** m.n.changed > alpha) excluded.add(m)
      else members.push(m)
    }
  }
  const holm = holmAdjust(members.map((m) => m.pValue))
  const adjusted = new Map<MetricComparison, number>()
  members.forEach((m, i) => {
    const p = holm[i]
    if (p !== null && p !== undefined) adjusted.set(m, p)
  })
  return { adjusted, excluded }
}

/**
 * Fewest paired cases with which the sign-flip test can reach `threshold` at all: with n non-zero
 * differences its smallest two-sided p-value is 2 / 2^n (every case moving the same way).
 */
export function casesNeeded(threshold: number): number {
  let n = 1
  while (2 / 2 ** n > threshold && n < 1075) n++
  return n
}

/**
 * Applies Holm's step-down correction over the comparison's family (see {@link familyPValues}):
 * sets `pAdjusted`, and `significant`/`status` from it (from the raw p-value for measurements
 * outside the family, which are shown but never gated), marks the metrics compared on too few
 * cases for a drop to reach the family's first threshold, and records the correction. Idempotent:
 * a comparison stitched from per-file comparisons is corrected again as a whole.
 */
export function correctFamily(
  comparison: ReportComparison,
  measurements: Readonly<Record<string, number>> = {},
): ReportComparison {
  const family = familyPValues(comparison.runs, comparison.alpha, measurements)
  const tests = family.adjusted.size
  const needed = casesNeeded(comparison.alpha / Math.max(1, tests))
  for (const run of comparison.runs) {
    if (run.status !== 'matched') continue
    for (const m of run.metrics) {
      if (m.status === 'new' || m.status === 'removed') continue
      const adjusted = family.excluded.has(m) ? 1 : family.adjusted.get(m)
      m.pAdjusted = adjusted ?? null
      const p = adjusted ?? m.pValue
      const effect = m.pairedDelta ?? m.delta ?? 0
      m.significant = p !== null && p <= comparison.alpha && effect !== 0
      const worse = m.greaterIsBetter ? effect < 0 : effect > 0
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
  comparison.correction = { method: 'holm', tests, excluded: family.excluded.size }
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
  file: string
  metric: string
  /** `regression` (a score-kind metric), `measurement` (a named measurement), `min-mean` or `min-agreement` (kappa with human labels). */
  kind: 'regression' | 'measurement' | 'min-mean' | 'min-agreement'
  baseMean: number | null
  headMean: number | null
  delta: number | null
  /** Raw p-value of the test. */
  pValue: number | null
  /** Holm-adjusted p-value over the gate's family of tests (null for a min-mean failure). */
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
  const byFile = new Map(runs.map((run) => [run.file, run]))
  const family = familyPValues(runs, gate.alpha, measurements)
  const tests = family.adjusted.size
  for (const run of runs) {
    for (const m of run.metrics) {
      const adjusted = family.adjusted.get(m)
      if (adjusted === undefined || m.pValue === null || m.baseMean === null || m.headMean === null) continue
      const change = m.pairedDelta ?? m.delta
      if (change === null || m.delta === null) continue
      const drop = m.greaterIsBetter ? -change : change
      if (!(adjusted <= gate.alpha && drop > 0)) continue
      const ps = `${pIs(m.pValue)}, Holm-adjusted ${pIs(adjusted)} over ${tests} ${tests === 1 ? 'test' : 'tests'}`
      const moved = m.greaterIsBetter ? 'dropped' : 'rose'
      if (kindOfComparison(m) === 'score') {
        if (!(drop > maxDrop + 1e-12)) continue
        failures.push({
          file: run.file,
          metric: m.metric,
          kind: 'regression',
          baseMean: m.baseMean,
          headMean: m.headMean,
          delta: m.delta,
          pValue: m.pValue,
          pAdjusted: adjusted,
          threshold: maxDrop,
          message:
            `${run.file}: ${m.metric} mean ${formatValue(m.baseMean)} -> ${formatValue(m.headMean)} ` +
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
        metric: m.metric,
        kind: 'measurement',
        baseMean: m.baseMean,
        headMean: m.headMean,
        delta: m.delta,
        pValue: m.pValue,
        pAdjusted: adjusted,
        threshold: limit,
        message:
          `${run.file}: ${m.metric} mean ${formatValue(m.baseMean)} -> ${formatValue(m.headMean)} ` +
          `(${formatDelta(m.delta)}, ${share}${ps}) ${moved} more than gate.measurements.${m.metric} ${limit} ` +
          `(${formatPercentLimit(limit)} of the baseline mean) at alpha ${gate.alpha}`,
      })
    }
  }
  for (const run of [...head.runs].sort((a, b) => compareText(a.file, b.file))) {
    const index = indexCases(run)
    for (const [metric, min] of Object.entries(gate.minMean)) {
      const aggregate = run.aggregates?.[metric]
      if (!aggregate || aggregate.n === 0 || kindOf(metric, index) !== 'score') continue
      if (aggregate.mean >= min) continue
      const compared = byFile.get(run.file)?.metrics.find((m) => m.metric === metric)
      const baseMean = compared?.baseMean ?? null
      const delta = baseMean === null ? null : aggregate.mean - baseMean
      const versus = baseMean === null ? 'no baseline' : `baseline ${formatValue(baseMean)}, ${formatDelta(delta)}`
      failures.push({
        file: run.file,
        metric,
        kind: 'min-mean',
        baseMean,
        headMean: aggregate.mean,
        delta,
        pValue: compared?.pValue ?? null,
        pAdjusted: null,
        threshold: min,
        message: `${run.file}: ${metric} mean ${formatValue(aggregate.mean)} is under gate.minMean.${metric} ${min} (${versus})`,
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
