/**
 * The case detail's trace: the span tree as a waterfall (a duration bar per span on the case's time
 * axis, kind, tool, model, tokens and errors at a glance), a click on a span showing its attributes
 * and messages as text, and the baseline's trajectory beside this run's. Layout rules come from
 * `report/trace-layout.ts`; every span text is shown as text (`dom.ts`).
 */
import { renderTrajectory } from '../../../trace.js'
import {
  alignTrajectories,
  formatDuration,
  spanBadges,
  spanDetail,
  stepArguments,
  waterfall,
} from '../../../trace-layout.js'
import type { TraceSpan, TrajectoryStep } from '../../../trace-types.js'
import type { ReportCase } from '../../../types.js'
import type { DetailSection } from '../cases/detail.js'
import { type Child, clear, el } from '../dom.js'
import { caseSummary, caseToolCalls } from './facts.js'

/** Spans laid out at most (the rest are counted): a runaway trace stays a readable page. */
export const MAX_WATERFALL_ROWS = 1000

/** `3 model calls · 2 tool calls · 1,234 tokens · 1 failed span · 1.2 s`. */
export function traceFactsText(c: ReportCase): string {
  const s = caseSummary(c)
  if (!s) return ''
  const parts = [
    `${c.trace?.spans.length ?? 0} spans`,
    `${s.steps} steps`,
    `${s.modelCalls} model calls`,
    `${s.toolCalls} tool calls`,
    `${s.tokens.input} → ${s.tokens.output} tokens`,
    `${formatDuration(s.durationMs)}`,
  ]
  if (s.failedSpans > 0) parts.push(`${s.failedSpans} failed span${s.failedSpans === 1 ? '' : 's'}`)
  if (s.dropped > 0) parts.push(`${s.dropped} spans dropped at the cap`)
  return parts.join(' · ')
}

function spanPanel(span: TraceSpan, startMs: number): HTMLElement {
  const panel = el('div', { class: 'span-detail', 'data-span-detail': span.id })
  for (const block of spanDetail(span, startMs)) {
    panel.append(el('h4', { class: 'text', text: block.label }), el('pre', { class: 'text', text: block.text }))
  }
  return panel
}

function waterfallView(c: ReportCase): HTMLElement {
  const w = waterfall(c.trace, MAX_WATERFALL_ROWS)
  const box = el('div', { class: 'waterfall', 'data-trace': '' })
  const panel = el('div', { class: 'span-panel', hidden: true })
  const list = el('div', { class: 'span-rows', role: 'tree' })
  let selected: HTMLElement | null = null
  for (const row of w.rows) {
    const span = row.span
    const line = el(
      'div',
      {
        class: `span-row${span.status === 'error' ? ' failed' : ''}`,
        role: 'treeitem',
        tabIndex: 0,
        'data-span': span.id,
        'data-kind': span.kind,
        'aria-level': row.depth + 1,
        'aria-selected': 'false',
      },
      el(
        'span',
        { class: 'span-label', style: { 'padding-left': `${row.depth * 14}px` } },
        el('span', { class: 'span-name', text: span.name }),
        spanBadges(span).map((b) => el('span', { class: `badge badge-${b.type}`, text: b.text })),
      ),
      el(
        'span',
        { class: 'span-track' },
        el('span', {
          class: `span-bar kind-${span.kind}`,
          style: { left: `${(row.offset * 100).toFixed(3)}%`, width: `${(row.width * 100).toFixed(3)}%` },
        }),
      ),
      el('span', { class: 'span-duration num', text: formatDuration(row.durationMs) }),
    )
    const open = () => {
      if (selected) selected.setAttribute('aria-selected', 'false')
      selected = line
      line.setAttribute('aria-selected', 'true')
      clear(panel)
      panel.hidden = false
      panel.append(spanPanel(span, w.startMs))
    }
    line.addEventListener('click', open)
    line.addEventListener('keydown', (event) => {
      const key = (event as KeyboardEvent).key
      if (key === 'Enter' || key === ' ') {
        event.preventDefault()
        open()
      }
    })
    list.append(line)
  }
  box.append(
    el(
      'div',
      { class: 'span-axis small muted' },
      el('span', { text: 'span' }),
      el('span', { text: `0 – ${formatDuration(w.totalMs)}` }),
    ),
    list,
  )
  if (w.hidden > 0)
    box.append(
      el('p', { class: 'muted', text: `${w.hidden} more spans not laid out (the first ${MAX_WATERFALL_ROWS} are).` }),
    )
  box.append(panel)
  return box
}

function stepCell(step: TrajectoryStep | undefined): Child {
  if (!step) return el('td', { class: 'muted', text: '–' })
  const args = stepArguments(step)
  return el(
    'td',
    null,
    el('span', { class: 'text', text: step.name }),
    args ? el('span', { class: 'small muted text', text: ` ${args}` }) : null,
  )
}

/** The baseline's tool calls beside this run's, aligned (added and dropped calls marked). */
export function trajectoryTable(
  base: readonly TrajectoryStep[],
  head: readonly TrajectoryStep[],
  labels: readonly [string, string] = ['baseline', 'this run'],
): HTMLElement {
  const table = el('table', { class: 'grid small trajectory', 'data-trajectory': '' })
  table.append(el('tr', null, el('th', { text: labels[0] }), el('th', { text: labels[1] })))
  for (const row of alignTrajectories(base, head)) {
    table.append(el('tr', { class: `step-${row.op}`, 'data-op': row.op }, stepCell(row.base), stepCell(row.head)))
  }
  return table
}

/** The trace part of the case detail (nothing for a case without a trace). */
export const traceSection: DetailSection = {
  id: 'trace',
  render: ({ c, base }) => {
    if (!c.trace) return null
    const out: Child[] = [
      el('h3', { text: 'trace' }),
      el('div', { class: 'facts', 'data-trace-facts': '', text: traceFactsText(c) }),
    ]
    const head = caseToolCalls(c)
    out.push(el('p', { class: 'text', 'data-trajectory-line': '', text: `tool calls: ${renderTrajectory(head)}` }))
    if (base?.trace) {
      out.push(el('h4', { text: 'trajectory: baseline beside this run' }), trajectoryTable(caseToolCalls(base), head))
    }
    if (c.trace.spans.length > 0) out.push(waterfallView(c))
    return el('section', { id: 'case-trace' }, out)
  },
}
