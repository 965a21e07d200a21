/**
 * The filters of the Cases table, declared as a list: each makes its control and says whether a
 * case passes it. A new filter (e.g. "has an error span") is one more entry in {@link caseFilters}.
 */
import type { PageContext } from '../context.js'
import { type CaseItem, searchText } from '../data.js'
import { type Child, el } from '../dom.js'
import { anyTrace } from '../trace/facts.js'
import { traceFilters } from '../trace/table.js'

/** One filter: its controls (calling `changed` when they change) and its test. */
export interface CaseFilter {
  id: string
  /** Tested after the cheap ones (e.g. the text search). */
  expensive?: boolean
  controls(changed: () => void): Child
  matches(item: CaseItem): boolean
}

function checkbox(id: string, label: string, test: (item: CaseItem) => boolean, disabled = false): CaseFilter {
  let on = false
  return {
    id,
    controls(changed) {
      const input = el('input', { type: 'checkbox', id, disabled })
      input.addEventListener('change', () => {
        on = input.checked
        changed()
      })
      return el('span', null, input, el('label', { htmlFor: id, text: label }))
    },
    matches: (item) => !on || test(item),
  }
}

/** Text search over name, input, output, expected, error, context and justifications (debounced). */
export function searchFilter(): CaseFilter {
  let q = ''
  return {
    id: 'case-search',
    expensive: true,
    controls(changed) {
      const input = el('input', {
        type: 'search',
        id: 'case-search',
        placeholder: 'search name, input, output, justification…',
      })
      let timer: ReturnType<typeof setTimeout> | undefined
      input.addEventListener('input', () => {
        clearTimeout(timer)
        timer = setTimeout(() => {
          q = input.value.trim().toLowerCase()
          changed()
        }, 120)
      })
      return input
    },
    matches: (item) => !q || searchText(item).includes(q),
  }
}

/** A metric key and a limit: the cases whose value is under it. */
export function belowFilter(keys: readonly string[]): CaseFilter {
  let under = ''
  let below = ''
  return {
    id: 'f-metric',
    controls(changed) {
      const select = el(
        'select',
        { id: 'f-metric' },
        el('option', { value: '', text: 'metric…' }),
        keys.map((k) => el('option', { value: k, text: k })),
      )
      const limit = el('input', { type: 'number', id: 'f-below', step: 'any', placeholder: 'value' })
      select.addEventListener('change', () => {
        under = select.value
        changed()
      })
      limit.addEventListener('input', () => {
        below = limit.value
        changed()
      })
      return el('span', null, select, ' under ', limit)
    },
    matches(item) {
      if (!under || below === '') return true
      const v = item.c.scores[under]
      return typeof v === 'number' && v < Number(below)
    },
  }
}

/** The Cases table's filters for this page, in the order their controls are shown. */
export function caseFilters(ctx: PageContext): CaseFilter[] {
  return [
    searchFilter(),
    checkbox('f-failed', 'failed', (item) => !item.c.pass),
    checkbox(
      'f-regressed',
      ctx.base ? 'regressed vs baseline' : 'regressed (no baseline)',
      (item) => item.regressed === true,
      !ctx.base,
    ),
    checkbox('f-errors', 'judge errors', (item) => item.c.judgeErrors > 0),
    belowFilter(ctx.caseKeys),
    // Only when some case has a trace.
    ...(anyTrace(ctx.headCases) ? traceFilters(ctx.headCases) : []),
  ]
}
