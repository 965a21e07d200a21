/**
 * One run's cases indexed per metric, shared by the baseline comparison and the variant matrix:
 * case keys (a repeated name gets `\u0000k`), each case's value per metric (its `name#k` results
 * averaged), pass tallies, and the direction and kind each metric recorded.
 */
import { builtInNature } from '../metrics/built-in.js'
import { metricBaseName } from './text.js'
import type { ReportCase, ReportRun } from './types.js'

/** What one run knows per metric. */
export interface CaseIndex {
  run: ReportRun
  /** Unique case key (name, plus `\u0000k` for the k-th repeat of a name) -> case. */
  cases: Map<string, ReportCase>
  /** Metric -> case key -> value. */
  values: Map<string, Map<string, number>>
  /** Metric -> first recorded key of that metric per case (for trials). */
  firstKey: Map<string, Map<string, string>>
  /** Metric -> [passed, with a pass mark]. */
  passes: Map<string, [number, number]>
  greaterIsBetter: Map<string, boolean>
  kind: Map<string, 'score' | 'measurement'>
  /** Metrics in the order first seen (aggregates, then cases). */
  metrics: string[]
}

/** Indexes `run`; `nameOf` gives the name cases are matched by (e.g. without a variant prefix). */
export function indexCases(run: ReportRun, nameOf: (testCase: ReportCase) => string = (c) => c.name): CaseIndex {
  const index: CaseIndex = {
    run,
    cases: new Map(),
    values: new Map(),
    firstKey: new Map(),
    passes: new Map(),
    greaterIsBetter: new Map(),
    kind: new Map(),
    metrics: Object.keys(run.aggregates ?? {}),
  }
  const seen = new Set(index.metrics)
  const repeats = new Map<string, number>()
  for (const testCase of run.cases) {
    const name = nameOf(testCase)
    const repeat = (repeats.get(name) ?? 0) + 1
    repeats.set(name, repeat)
    const key = repeat === 1 ? name : `${name}\u0000${repeat}`
    index.cases.set(key, testCase)
    const sums = new Map<string, { sum: number; count: number }>()
    for (const [metricKey, score] of Object.entries(testCase.scores)) {
      const metric = metricBaseName(metricKey)
      if (!seen.has(metric)) {
        seen.add(metric)
        index.metrics.push(metric)
      }
      const result = testCase.metrics?.[metricKey]
      if (result?.greaterIsBetter !== undefined && !index.greaterIsBetter.has(metric))
        index.greaterIsBetter.set(metric, result.greaterIsBetter)
      if (result?.kind && !index.kind.has(metric)) index.kind.set(metric, result.kind)
      let first = index.firstKey.get(metric)
      if (!first) {
        first = new Map()
        index.firstKey.set(metric, first)
      }
      if (!first.has(key)) first.set(key, metricKey)
      if (typeof result?.pass === 'boolean') {
        const tally = index.passes.get(metric) ?? [0, 0]
        if (result.pass) tally[0]++
        tally[1]++
        index.passes.set(metric, tally)
      }
      if (score === null || !Number.isFinite(score)) continue
      const acc = sums.get(metric) ?? { sum: 0, count: 0 }
      acc.sum += score
      acc.count++
      sums.set(metric, acc)
    }
    for (const [metric, { sum, count }] of sums) {
      let values = index.values.get(metric)
      if (!values) {
        values = new Map()
        index.values.set(metric, values)
      }
      values.set(key, sum / count)
    }
  }
  return index
}

/** Whether larger values of `metric` are better, from what any of the runs recorded. */
export function directionOf(metric: string, ...indexes: (CaseIndex | undefined)[]): boolean {
  for (const index of indexes) {
    const value = index?.greaterIsBetter.get(metric)
    if (value !== undefined) return value
  }
  return builtInNature(metric).greaterIsBetter
}

/** The kind of `metric`, from what any of the runs recorded. */
export function kindOf(metric: string, ...indexes: (Pick<CaseIndex, 'kind'> | undefined)[]): 'score' | 'measurement' {
  for (const index of indexes) {
    const value = index?.kind.get(metric)
    if (value) return value
  }
  return builtInNature(metric).kind
}

/**
 * Whether `head` did worse than `base` on the metric recorded under `key` (e.g. `faithfulness#2`):
 * both have a number for it and it moved in the metric's worse direction (as either case recorded
 * it, else the built-in metric's direction by name: `metrics/built-in.ts`). The page's per-case "regressed" mark.
 */
export function worse(
  head: ReportCase,
  base: Pick<ReportCase, 'scores' | 'metrics'> | undefined,
  key: string,
): boolean {
  const h = head.scores?.[key]
  const b = base?.scores?.[key]
  if (typeof h !== 'number' || typeof b !== 'number') return false
  const recorded = head.metrics?.[key]?.greaterIsBetter ?? base?.metrics?.[key]?.greaterIsBetter
  const greaterIsBetter = recorded ?? builtInNature(metricBaseName(key)).greaterIsBetter
  return greaterIsBetter ? h < b : h > b
}
