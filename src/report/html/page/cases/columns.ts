/**
 * The columns of the Cases table, declared as a list: a new column (e.g. a trace's span count) is
 * one more entry. `value` is the sort key; `cell` what the cell shows.
 */
import { worse } from '../../../case-index.js'
import { formatValue } from '../../../text.js'
import type { CaseItem } from '../data.js'
import { cellExcerpt } from '../format.js'

/** One column of the Cases table. */
export interface CaseColumn {
  /** `data-sort` of its header. */
  id: string
  label: string
  /** Width in px; `grow` takes the rest. */
  width?: number
  grow?: boolean
  num?: boolean
  /** Sort key. */
  value(item: CaseItem): number | string
  /** Text and class of the cell. */
  cell(item: CaseItem): { text: string; cls?: string }
}

function numberOr(v: number | null | undefined): number {
  return typeof v === 'number' ? v : Number.NEGATIVE_INFINITY
}

/** A column per metric key (the first 8), marked when worse than the baseline case. */
function metricColumn(key: string): CaseColumn {
  return {
    id: `m:${key}`,
    label: key,
    width: 110,
    num: true,
    value: (it) => numberOr(it.c.scores[key]),
    cell: (it) => {
      const v = it.c.scores[key]
      if (v === null) return { text: 'error', cls: 'warn' }
      return {
        text: v === undefined ? '' : formatValue(v),
        cls: it.base && worse(it.c, it.base, key) ? 'regressed' : '',
      }
    },
  }
}

/** The Cases table's columns for this page, in order (`extra`: more columns before latency, e.g. a trace's). */
export function caseColumns(caseKeys: readonly string[], extra: readonly CaseColumn[] = []): CaseColumn[] {
  return [
    {
      id: 'status',
      label: '',
      width: 34,
      value: (it) => (it.c.pass ? 1 : 0),
      cell: (it) => (it.c.pass ? { text: '✓', cls: 'good' } : { text: '✗', cls: 'bad' }),
    },
    { id: 'file', label: 'file', width: 170, value: (it) => it.file, cell: (it) => ({ text: it.file }) },
    {
      id: 'name',
      label: 'case',
      grow: true,
      value: (it) => it.c.name,
      cell: (it) => ({ text: cellExcerpt(it.c.name, 200) }),
    },
    ...caseKeys.slice(0, 8).map(metricColumn),
    ...extra,
    {
      id: 'latency',
      label: 'latency ms',
      width: 90,
      num: true,
      value: (it) => numberOr(it.c.latencyMs),
      cell: (it) => ({ text: it.c.latencyMs === undefined ? '' : formatValue(it.c.latencyMs) }),
    },
  ]
}

/** `items` sorted by column `col` (stable: ties keep the invocation's order). */
export function sortCases(items: readonly CaseItem[], col: CaseColumn, desc: boolean): CaseItem[] {
  const sign = desc ? -1 : 1
  return items.slice().sort((a, b) => {
    const x = col.value(a)
    const y = col.value(b)
    return (x < y ? -1 : x > y ? 1 : a.order - b.order) * sign
  })
}
