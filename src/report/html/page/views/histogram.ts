/** The bins of the Distributions view's histograms (pure: unit-tested in Node). */
import { formatValue } from '../../../text.js'
import type { CaseItem } from '../data.js'

/** The bins of one histogram: labels, bin centres, counts, and what was counted. */
export interface Histogram {
  what: string
  labels: string[]
  xs: number[]
  counts: number[]
  n: number
}

/**
 * The histogram of metric `key` over `cases`: raw judge grades 1-5 when any case recorded one, else
 * 20 bins over the range of a measurement, else 10 bins over 0-1; null when no case has a value.
 */
export function histogram(cases: readonly CaseItem[], key: string, kind: 'score' | 'measurement'): Histogram | null {
  const values: number[] = []
  const raws: number[] = []
  for (const item of cases) {
    const m = item.c.metrics?.[key]
    const v = item.c.scores ? item.c.scores[key] : null
    if (typeof v === 'number') values.push(v)
    if (m && typeof m.raw === 'number') raws.push(m.raw)
  }
  if (raws.length > 0) {
    const grades = [1, 2, 3, 4, 5]
    const counts = grades.map((g) => raws.filter((r) => Math.round(r) === g).length)
    return { what: 'raw judge grades (1-5)', labels: grades.map(String), xs: grades, counts, n: raws.length }
  }
  if (values.length === 0) return null
  if (kind === 'measurement') {
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (const v of values) {
      if (v < min) min = v
      if (v > max) max = v
    }
    const bins = min === max ? 1 : 20
    const width = (max - min) / bins || 1
    const counts = new Array<number>(bins).fill(0)
    for (const v of values) {
      const bin = Math.min(bins - 1, Math.floor((v - min) / width))
      counts[bin] = (counts[bin] ?? 0) + 1
    }
    const xs = counts.map((_, i) => min + width * (i + 0.5))
    const labels = counts.map((_, i) => `${formatValue(min + width * i)}–${formatValue(min + width * (i + 1))}`)
    return { what: 'values', labels, xs, counts, n: values.length }
  }
  const counts = new Array<number>(10).fill(0)
  for (const v of values) {
    const bin = Math.max(0, Math.min(9, Math.floor(v * 10)))
    counts[bin] = (counts[bin] ?? 0) + 1
  }
  const xs = counts.map((_, i) => i / 10 + 0.05)
  const labels = counts.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`)
  return { what: 'scores (0-1)', labels, xs, counts, n: values.length }
}
