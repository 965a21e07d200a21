/**
 * Agreement of a judge with human labels on the 1-5 rubric, per metric: quadratic-weighted Cohen's
 * kappa with a percentile-bootstrap interval, Spearman's rank correlation, exact and within-one
 * agreement, the 5x5 confusion matrix and the cases with the largest disagreement. Everything is
 * computed from the confusion matrix (the multiset of pairs), so runs add up into an invocation.
 */
import { percentileSorted } from './aggregate.js'
import type { GateFailure } from './compare.js'
import { mulberry32 } from './statistics.js'
import { metricBaseName } from './text.js'
import type { MetricAgreement, ReportCase } from './types.js'

/** The rubric's grades. */
export const GRADES = [1, 2, 3, 4, 5] as const
const K = GRADES.length
/** Bootstrap resamples of the kappa interval. */
export const BOOTSTRAP_RESAMPLES = 2000
/** How the interval is made, for reports. */
export const KAPPA_INTERVAL_METHOD = `95% percentile bootstrap over cases, ${BOOTSTRAP_RESAMPLES} resamples, fixed seed`
/** Disagreements kept per metric. */
const KEPT_DISAGREEMENTS = 5

/**
 * Cohen's weighted kappa of a k x k table (`table[i][j]`: first rater category i, second j) with
 * quadratic disagreement weights (i - j)^2 / (k - 1)^2: 1 - sum(w * observed) / sum(w * expected).
 * Null when it is undefined (no pairs, or both raters used one and the same grade throughout).
 */
export function quadraticWeightedKappa(table: readonly (readonly number[])[]): number | null {
  const k = table.length
  let n = 0
  const rows = new Array<number>(k).fill(0)
  const cols = new Array<number>(k).fill(0)
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const c = table[i]?.[j] ?? 0
      n += c
      rows[i] = (rows[i] ?? 0) + c
      cols[j] = (cols[j] ?? 0) + c
    }
  }
  if (n === 0 || k < 2) return null
  let observed = 0
  let expected = 0
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = (i - j) ** 2 / (k - 1) ** 2
      observed += (w * (table[i]?.[j] ?? 0)) / n
      expected += (w * (rows[i] ?? 0) * (cols[j] ?? 0)) / (n * n)
    }
  }
  if (expected === 0) return null
  return 1 - observed / expected
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0])
  const out = new Array<number>(values.length)
  for (let start = 0; start < order.length; ) {
    let end = start
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end++
    // Ties share the mean of the ranks they span (1-based).
    const rank = (start + end) / 2 + 1
    for (let p = start; p <= end; p++) out[order[p]?.[1] as number] = rank
    start = end + 1
  }
  return out
}

/** Spearman's rank correlation (Pearson's r of the ranks, ties given mean ranks); null when a side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length
  if (n < 2 || y.length !== n) return null
  const rx = ranks(x)
  const ry = ranks(y)
  const mx = rx.reduce((s, v) => s + v, 0) / n
  const my = ry.reduce((s, v) => s + v, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] as number) - mx
    const dy = (ry[i] as number) - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  if (sxx === 0 || syy === 0) return null
  return sxy / Math.sqrt(sxx * syy)
}

/** Pairs (human, judge) of a table, in a fixed order. */
function pairsOf(table: readonly (readonly number[])[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = []
  table.forEach((row, i) => {
    row.forEach((count, j) => {
      for (let c = 0; c < count; c++) pairs.push([i, j])
    })
  })
  return pairs
}

/**
 * The 95% percentile-bootstrap interval of the quadratic-weighted kappa: cases resampled with
 * replacement `resamples` times; resamples where kappa is undefined are skipped. Null with fewer
 * than 2 pairs.
 */
export function kappaInterval(
  table: readonly (readonly number[])[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = 17,
): [number, number] | null {
  const pairs = pairsOf(table)
  const n = pairs.length
  if (n < 2) return null
  const next = mulberry32(seed)
  // Uniform in [0, 1): the interval is the same on every run.
  const random = () => next() / 4294967296
  const k = table.length
  const values: number[] = []
  for (let r = 0; r < resamples; r++) {
    const sample = Array.from({ length: k }, () => new Array<number>(k).fill(0))
    for (let s = 0; s < n; s++) {
      const [i, j] = pairs[Math.floor(random() * n)] as [number, number]
      const row = sample[i] as number[]
      row[j] = (row[j] ?? 0) + 1
    }
    const kappa = quadraticWeightedKappa(sample)
    if (kappa !== null) values.push(kappa)
  }
  if (values.length < resamples / 2) return null
  values.sort((a, b) => a - b)
  return [percentileSorted(values, 0.025), percentileSorted(values, 0.975)]
}

/** An empty 5x5 confusion matrix: rows are human grades 1-5, columns the judge's. */
export function emptyConfusion(): number[][] {
  return Array.from({ length: K }, () => new Array<number>(K).fill(0))
}

/** The figures of one metric from its confusion matrix and its largest disagreements. */
export function agreementFromConfusion(
  metric: string,
  confusion: number[][],
  disagreements: MetricAgreement['disagreements'],
): MetricAgreement {
  const pairs = pairsOf(confusion)
  const n = pairs.length
  let exact = 0
  let withinOne = 0
  for (const [h, j] of pairs) {
    if (h === j) exact++
    if (Math.abs(h - j) <= 1) withinOne++
  }
  return {
    metric,
    n,
    kappa: quadraticWeightedKappa(confusion),
    kappaCi: kappaInterval(confusion),
    method: `quadratic-weighted Cohen's kappa; interval: ${KAPPA_INTERVAL_METHOD}`,
    spearman: spearman(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    ),
    exact: n > 0 ? exact / n : null,
    withinOne: n > 0 ? withinOne / n : null,
    confusion,
    disagreements: [...disagreements]
      .sort((a, b) => Math.abs(b.judge - b.human) - Math.abs(a.judge - a.human))
      .slice(0, KEPT_DISAGREEMENTS),
  }
}

/**
 * Agreement per metric over the cases that have both a human label and a judge grade (the raw
 * 1-5 grade, rounded when trials averaged it). Empty when no case has both.
 */
export function agreementOf(cases: readonly ReportCase[], file?: string): Record<string, MetricAgreement> {
  const tables = new Map<string, { confusion: number[][]; disagreements: MetricAgreement['disagreements'] }>()
  for (const c of cases) {
    if (!c.human) continue
    for (const [key, result] of Object.entries(c.metrics ?? {})) {
      const metric = metricBaseName(key)
      const human = c.human[metric]
      if (human === undefined || typeof result.raw !== 'number') continue
      const judge = Math.round(result.raw)
      if (judge < 1 || judge > 5 || human < 1 || human > 5) continue
      let entry = tables.get(metric)
      if (!entry) {
        entry = { confusion: emptyConfusion(), disagreements: [] }
        tables.set(metric, entry)
      }
      const row = entry.confusion[human - 1] as number[]
      row[judge - 1] = (row[judge - 1] ?? 0) + 1
      if (judge !== human) {
        entry.disagreements.push({
          case: c.name,
          ...(file !== undefined ? { file } : {}),
          human,
          judge,
          ...(result.justification !== undefined ? { justification: result.justification.slice(0, 500) } : {}),
        })
      }
    }
  }
  const out: Record<string, MetricAgreement> = {}
  for (const metric of [...tables.keys()].sort()) {
    const entry = tables.get(metric) as { confusion: number[][]; disagreements: MetricAgreement['disagreements'] }
    out[metric] = agreementFromConfusion(metric, entry.confusion, entry.disagreements)
  }
  return out
}

/** The invocation's agreement: the runs' confusion matrices added, their disagreements pooled. */
export function mergeAgreements(
  runs: ReadonlyArray<{ agreement?: Record<string, MetricAgreement> }>,
): Record<string, MetricAgreement> {
  const tables = new Map<string, { confusion: number[][]; disagreements: MetricAgreement['disagreements'] }>()
  const labelCounts = new Map<string, { fromLabels: number; datasetWon: number }>()
  for (const run of runs) {
    for (const [metric, a] of Object.entries(run.agreement ?? {})) {
      let entry = tables.get(metric)
      if (!entry) {
        entry = { confusion: emptyConfusion(), disagreements: [] }
        tables.set(metric, entry)
      }
      a.confusion.forEach((row, i) => {
        row.forEach((count, j) => {
          const target = entry?.confusion[i] as number[]
          target[j] = (target[j] ?? 0) + count
        })
      })
      entry.disagreements.push(...a.disagreements)
      const counts = labelCounts.get(metric) ?? { fromLabels: 0, datasetWon: 0 }
      counts.fromLabels += a.fromLabels ?? 0
      counts.datasetWon += a.datasetWon ?? 0
      labelCounts.set(metric, counts)
    }
  }
  const out: Record<string, MetricAgreement> = {}
  for (const metric of [...tables.keys()].sort()) {
    const entry = tables.get(metric) as { confusion: number[][]; disagreements: MetricAgreement['disagreements'] }
    out[metric] = withLabelCounts(
      agreementFromConfusion(metric, entry.confusion, entry.disagreements),
      labelCounts.get(metric),
    )
  }
  return out
}

/** `a` with how many of its grades came from review labels (fields left out when zero). */
export function withLabelCounts(
  a: MetricAgreement,
  counts: { fromLabels: number; datasetWon: number } | undefined,
): MetricAgreement {
  return {
    ...a,
    ...(counts && counts.fromLabels > 0 ? { fromLabels: counts.fromLabels } : {}),
    ...(counts && counts.datasetWon > 0 ? { datasetWon: counts.datasetWon } : {}),
  }
}

function fixed(value: number | null, digits = 2): string {
  return value === null ? 'n/a' : value.toFixed(digits)
}

/** One plain-text line per metric: `answer_similarity: kappa 0.72 [0.51, 0.88] · Spearman 0.75 · exact 60% · within one 95% (n 20)`. */
export function describeAgreement(a: MetricAgreement): string {
  const ci = a.kappaCi ? ` [${fixed(a.kappaCi[0])}, ${fixed(a.kappaCi[1])}]` : ''
  const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)}%`)
  const small = a.n < 30 ? ' (few labelled cases: the interval is wide)' : ''
  return `${a.metric}: kappa ${fixed(a.kappa)}${ci} · Spearman ${fixed(a.spearman)} · exact ${pct(a.exact)} · within one ${pct(a.withinOne)} (n ${a.n})${small}${labelNote(a)}`
}

/** How many grades came from review labels, and that the dataset wins for the same case and metric. */
export function labelNote(a: Pick<MetricAgreement, 'fromLabels' | 'datasetWon'>): string {
  if (!a.fromLabels && !a.datasetWon) return ''
  const from = a.fromLabels ?? 0
  const won = a.datasetWon
    ? `; ${a.datasetWon} review ${a.datasetWon === 1 ? 'label' : 'labels'} not used: the dataset's human grade wins for the same case and metric`
    : "; the dataset's human grade wins for the same case and metric"
  return ` · ${from} ${from === 1 ? 'grade' : 'grades'} from review labels${won}`
}

/**
 * `gate.minAgreement`: a failure per metric whose kappa over the invocation is under its mark, or
 * that has no labelled case (the gate cannot be checked, and says so).
 */
export function agreementGateFailures(
  agreement: Readonly<Record<string, MetricAgreement>>,
  minAgreement: Readonly<Record<string, number>> | undefined,
): GateFailure[] {
  const failures: GateFailure[] = []
  for (const [metric, mark] of Object.entries(minAgreement ?? {})) {
    const a = agreement[metric]
    const base = {
      file: '',
      metric,
      kind: 'min-agreement' as const,
      baseMean: null,
      delta: null,
      pValue: null,
      pAdjusted: null,
      threshold: mark,
    }
    if (!a || a.kappa === null) {
      const why = a
        ? `kappa is undefined over its ${a.n} labelled cases (one grade throughout)`
        : 'no case has both a human label and a judge grade'
      failures.push({
        ...base,
        headMean: null,
        message: `${metric}: agreement with human labels cannot be checked against gate.minAgreement ${mark}: ${why}.`,
      })
    } else if (a.kappa < mark) {
      const ci = a.kappaCi ? ` (95% CI ${fixed(a.kappaCi[0])} to ${fixed(a.kappaCi[1])})` : ''
      failures.push({
        ...base,
        headMean: a.kappa,
        message: `${metric}: judge-human agreement kappa ${fixed(a.kappa)}${ci} over ${a.n} labelled cases is under gate.minAgreement ${mark}.`,
      })
    }
  }
  return failures
}
