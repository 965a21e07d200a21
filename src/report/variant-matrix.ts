/**
 * The variant matrix: several runs of the same cases (the variants of a `describeEval` suite, or
 * the runs of one file in several invocations) side by side, metrics as rows and runs as columns.
 * A pure function over plain data, shared by the reporter and `vitest-judge compare A B C`.
 *
 * Each cell is the mean over cases with its 95% Student t interval (over the case means) and the
 * pass rate. "Best" follows the gate's machinery: every pair of columns is compared by the paired
 * sign-flip test on the cases both scored (matched by name), the family of pairs of one metric is
 * Holm-adjusted, and a column is the best only when it is better than every other column with an
 * adjusted p-value at or under `alpha`. Otherwise the columns the leader cannot be told apart from
 * are reported as a tie.
 */

import { DEFAULT_ALPHA } from '../defaults.js'
import { type CaseIndex, directionOf, indexCases, kindOf } from './case-index.js'
import { runSourceFile } from './collect.js'
import { holmAdjust, meanConfidenceInterval, pairedTest } from './statistics.js'
import { excerpt } from './text.js'
import type {
  DivergentCase,
  ReportRun,
  VariantCell,
  VariantMatrix,
  VariantMetricRow,
  VariantPair,
  VariantUsage,
} from './types.js'
import { matchName } from './variant-match.js'

export { matchName }

/** One column to compare: a run and the label it is shown under. */
export interface VariantMatrixInput {
  label: string
  run: ReportRun
}

/** Options of {@link variantMatrix}. */
export interface VariantMatrixOptions {
  /** Significance level for the adjusted p-values. @default DEFAULT_ALPHA (0.05) */
  alpha?: number
  /** Most divergent cases kept (with every column's output). @default 0 */
  maxCases?: number
  /** Characters of each output kept in a divergent case. @default 300 */
  outputChars?: number
}

function indexColumn(run: ReportRun): CaseIndex {
  return indexCases(run, (testCase) => matchName(testCase.name, run.variant))
}

function cellOf(index: CaseIndex, metric: string, kind: 'score' | 'measurement'): VariantCell {
  const values = [...(index.values.get(metric)?.values() ?? [])]
  const tally = index.passes.get(metric)
  const mean = values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length
  return {
    n: values.length,
    mean,
    ci: meanConfidenceInterval(values, 0.95, kind === 'score' ? [0, 1] : undefined),
    passRate: tally && tally[1] > 0 ? tally[0] / tally[1] : null,
  }
}

function pairOf(a: number, b: number, va: Map<string, number>, vb: Map<string, number>): VariantPair {
  const xs: number[] = []
  const ys: number[] = []
  for (const [key, x] of va) {
    const y = vb.get(key)
    if (y === undefined) continue
    xs.push(x)
    ys.push(y)
  }
  if (xs.length < 2) return { a, b, n: xs.length, delta: null, pValue: null, pAdjusted: null, method: null }
  let sum = 0
  for (let i = 0; i < xs.length; i++) sum += (xs[i] as number) - (ys[i] as number)
  const test = pairedTest(ys, xs)
  return { a, b, n: xs.length, delta: sum / xs.length, pValue: test.pValue, pAdjusted: null, method: test.method }
}

function metricRow(metric: string, indexes: CaseIndex[], alpha: number): VariantMetricRow {
  const greaterIsBetter = directionOf(metric, ...indexes)
  const kind = kindOf(metric, ...indexes)
  const cells = indexes.map((index) => cellOf(index, metric, kind))
  const pairs: VariantPair[] = []
  for (let a = 0; a < indexes.length; a++) {
    for (let b = a + 1; b < indexes.length; b++) {
      const va = indexes[a]?.values.get(metric)
      const vb = indexes[b]?.values.get(metric)
      if (!va || !vb) continue
      pairs.push(pairOf(a, b, va, vb))
    }
  }
  const adjusted = holmAdjust(pairs.map((p) => p.pValue))
  pairs.forEach((pair, i) => {
    pair.pAdjusted = adjusted[i] ?? null
  })
  const row: VariantMetricRow = {
    metric,
    kind,
    greaterIsBetter,
    cells,
    verdict: 'undecided',
    best: null,
    leaders: [],
    worse: [],
    pairs,
  }
  // The leader: the best mean in the metric's direction (first column on equal means).
  let leader = -1
  cells.forEach((cell, i) => {
    if (cell.mean === null) return
    const current = leader < 0 ? null : (cells[leader]?.mean ?? null)
    if (current === null || (greaterIsBetter ? cell.mean > current : cell.mean < current)) leader = i
  })
  const tested = pairs.filter((p) => p.pAdjusted !== null && (p.a === leader || p.b === leader))
  if (leader < 0 || tested.length === 0) return row
  const rivals = cells.map((_cell, i) => i).filter((i) => i !== leader && cells[i]?.mean !== null)
  const leaders = [leader]
  for (const other of rivals) {
    const pair = pairs.find((p) => (p.a === leader && p.b === other) || (p.b === leader && p.a === other))
    const delta = pair?.delta == null ? null : pair.a === leader ? pair.delta : -pair.delta
    const better = delta !== null && (greaterIsBetter ? delta > 0 : delta < 0)
    if (pair && pair.pAdjusted !== null && pair.pAdjusted <= alpha && better) row.worse.push(other)
    else leaders.push(other)
  }
  row.leaders = leaders
  if (leaders.length === 1) {
    row.verdict = 'best'
    row.best = leader
  } else row.verdict = 'tie'
  return row
}

function meanOf(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length
}

function usageOf(runs: ReportRun[]): VariantUsage {
  return {
    taskTokens: runs.map((run) =>
      meanOf(run.cases.filter((c) => c.tokens).map((c) => (c.tokens?.input ?? 0) + (c.tokens?.output ?? 0))),
    ),
    latencyMs: runs.map((run) =>
      meanOf(run.cases.map((c) => c.latencyMs).filter((v): v is number => typeof v === 'number')),
    ),
    judgeTokens: runs.map((run) => (run.tokens?.input ?? 0) + (run.tokens?.output ?? 0)),
    judgeCostUsd: runs.map((run) => {
      const cost = (run as { cost?: unknown }).cost
      if (typeof cost === 'number') return cost
      if (cost && typeof cost === 'object' && typeof (cost as { usd?: unknown }).usd === 'number')
        return (cost as { usd: number }).usd
      return null
    }),
  }
}

function divergent(indexes: CaseIndex[], rows: VariantMetricRow[], max: number, outputChars: number): DivergentCase[] {
  if (max <= 0) return []
  const metric = rows.find((r) => r.kind === 'score')?.metric ?? rows[0]?.metric
  if (metric === undefined) return []
  const keys = new Set<string>()
  for (const index of indexes) for (const key of index.values.get(metric)?.keys() ?? []) keys.add(key)
  const found: DivergentCase[] = []
  for (const key of keys) {
    const scores = indexes.map((index) => index.values.get(metric)?.get(key) ?? null)
    const known = scores.filter((s): s is number => s !== null)
    if (known.length < 2) continue
    const spread = Math.max(...known) - Math.min(...known)
    if (spread <= 0) continue
    found.push({
      name: key.split('\u0000')[0] as string,
      metric,
      spread,
      scores,
      outputs: indexes.map((index) => {
        const output = index.cases.get(key)?.output
        return output === undefined ? null : excerpt(output, outputChars)
      }),
    })
  }
  found.sort((x, y) => y.spread - x.spread || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
  return found.slice(0, max)
}

/**
 * The matrix of `columns` (runs of the same cases) for `file`: per metric each column's mean,
 * interval and pass rate, the Holm-adjusted paired comparisons, and the best column or the tie.
 */
export function variantMatrix(
  file: string,
  columns: readonly VariantMatrixInput[],
  options: VariantMatrixOptions = {},
): VariantMatrix {
  const alpha = options.alpha ?? DEFAULT_ALPHA
  const indexes = columns.map((c) => indexColumn(c.run))
  const metrics: string[] = []
  const seen = new Set<string>()
  for (const index of indexes) {
    for (const metric of index.metrics) {
      if (seen.has(metric)) continue
      seen.add(metric)
      metrics.push(metric)
    }
  }
  const rows = metrics.map((metric) => metricRow(metric, indexes, alpha))
  return {
    file,
    columns: columns.map(({ label, run }) => ({
      label,
      runId: run.id,
      ...(run.variant !== undefined ? { variant: run.variant } : {}),
      cases: run.cases.length,
    })),
    alpha,
    method: {
      test: 'paired sign-flip (cases matched by name)',
      correction: 'holm',
      interval: 'Student t 95% over cases',
    },
    metrics: rows,
    usage: usageOf(columns.map((c) => c.run)),
    divergentCases: divergent(indexes, rows, options.maxCases ?? 0, options.outputChars ?? 300),
  }
}

/**
 * The variant matrices of an invocation's runs, as the reporter makes them: one per test file with
 * `describeEval` variants, its columns the variants' runs in `runs` order, labelled by variant.
 * Used where only the runs are known (an invocation read back from the store).
 */
export function variantMatricesOf(runs: readonly ReportRun[], options: VariantMatrixOptions = {}): VariantMatrix[] {
  const byFile = new Map<string, ReportRun[]>()
  for (const run of runs) {
    if (run.variant === undefined) continue
    const file = runSourceFile(run)
    const list = byFile.get(file) ?? []
    list.push(run)
    byFile.set(file, list)
  }
  return [...byFile.keys()].sort().map((file) =>
    variantMatrix(
      file,
      (byFile.get(file) ?? []).map((run) => ({ label: run.variant as string, run })),
      options,
    ),
  )
}
