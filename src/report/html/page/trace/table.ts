/**
 * The Cases table's trace columns (tool calls, steps, failed spans) and filters (failed spans, a
 * tool called, at least N steps), declared like the table's other columns and filters.
 */
import type { CaseColumn } from '../cases/columns.js'
import type { CaseFilter } from '../cases/filters.js'
import type { CaseItem } from '../data.js'
import { el } from '../dom.js'
import { caseSummary, caseToolCalls, toolNames } from './facts.js'

function count(item: CaseItem, pick: (s: NonNullable<ReturnType<typeof caseSummary>>) => number): number {
  const s = caseSummary(item.c)
  return s ? pick(s) : Number.NEGATIVE_INFINITY
}

/** The trace columns. */
export function traceColumns(): CaseColumn[] {
  return [
    {
      id: 'tools',
      label: 'tool calls',
      width: 80,
      num: true,
      value: (it) => count(it, (s) => s.toolCalls),
      cell: (it) => {
        const s = caseSummary(it.c)
        return { text: s ? String(s.toolCalls) : '' }
      },
    },
    {
      id: 'steps',
      label: 'steps',
      width: 60,
      num: true,
      value: (it) => count(it, (s) => s.steps),
      cell: (it) => {
        const s = caseSummary(it.c)
        return { text: s ? String(s.steps) : '' }
      },
    },
    {
      id: 'failed-spans',
      label: 'failed spans',
      width: 90,
      num: true,
      value: (it) => count(it, (s) => s.failedSpans),
      cell: (it) => {
        const s = caseSummary(it.c)
        if (!s) return { text: '' }
        return { text: String(s.failedSpans), cls: s.failedSpans > 0 ? 'bad' : '' }
      },
    },
  ]
}

/** The trace filters: failed spans, a tool called, at least N steps. */
export function traceFilters(items: readonly CaseItem[]): CaseFilter[] {
  let failedOnly = false
  let tool = ''
  let minSteps = ''
  return [
    {
      id: 'f-failed-spans',
      controls(changed) {
        const input = el('input', { type: 'checkbox', id: 'f-failed-spans' })
        input.addEventListener('change', () => {
          failedOnly = input.checked
          changed()
        })
        return el('span', null, input, el('label', { htmlFor: 'f-failed-spans', text: 'failed spans' }))
      },
      matches: (item) => !failedOnly || (caseSummary(item.c)?.failedSpans ?? 0) > 0,
    },
    {
      id: 'f-tool',
      controls(changed) {
        const select = el(
          'select',
          { id: 'f-tool' },
          el('option', { value: '', text: 'called tool…' }),
          toolNames(items).map((name) => el('option', { value: name, text: name })),
        )
        select.addEventListener('change', () => {
          tool = select.value
          changed()
        })
        return select
      },
      matches: (item) => !tool || caseToolCalls(item.c).some((step) => step.name === tool),
    },
    {
      id: 'f-steps',
      controls(changed) {
        const input = el('input', { type: 'number', id: 'f-steps', min: '0', step: '1', placeholder: 'steps ≥' })
        input.addEventListener('input', () => {
          minSteps = input.value
          changed()
        })
        return input
      },
      matches: (item) => minSteps === '' || (caseSummary(item.c)?.steps ?? -1) >= Number(minSteps),
    },
  ]
}
