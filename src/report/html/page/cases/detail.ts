/**
 * The case detail: a list of sections, each a function of the case that returns what it shows (or
 * null). A new part of the detail (a trace's span waterfall, a conversation's transcript, a review
 * form) is one module exporting a {@link DetailSection} and one entry in {@link DETAIL_SECTIONS}.
 */
import { worse } from '../../../case-index.js'
import { formatValue } from '../../../text.js'
import type { ReportCase } from '../../../types.js'
import type { PageContext } from '../context.js'
import type { CaseItem } from '../data.js'
import { type Child, el, visible } from '../dom.js'
import { traceSection } from '../trace/section.js'
import { wordDiff } from '../word-diff.js'
import { caseFacts, trialsText } from './detail-text.js'
import { transcriptSection } from './transcript.js'

/** One part of the case detail. */
export interface DetailSection {
  id: string
  /** What the section shows for `item` (the page's own case, with its baseline case), or null for nothing. */
  render(item: CaseItem, ctx: PageContext): Child
}

function textBlock(label: string, value: unknown): Child {
  if (value === undefined || value === null) return null
  return [
    el('h3', { text: label }),
    el('pre', {
      class: 'text',
      'data-field': label,
      text: typeof value === 'string' ? value : JSON.stringify(value, null, 2),
    }),
  ]
}

function diffView(before: string, after: string): HTMLElement {
  const parts = wordDiff(before, after)
  if (!parts) return el('p', { class: 'muted', text: 'Too long for a word diff: both outputs are shown above.' })
  const pre = el('pre', { class: 'text diff', 'data-diff': '' })
  for (const [op, text] of parts) {
    if (op === '=') pre.append(document.createTextNode(visible(text)))
    else pre.append(el(op === '-' ? 'del' : 'ins', { text }))
  }
  return pre
}

const METRIC_HEADINGS = [
  'metric',
  'score',
  'raw',
  'kind',
  'threshold',
  'pass',
  'judge',
  'trials (95% t interval)',
  'justification',
]

function metricsTable(c: ReportCase, other: ReportCase | undefined): HTMLElement {
  const table = el('table', { class: 'grid small' })
  table.append(
    el(
      'tr',
      null,
      METRIC_HEADINGS.map((t) => el('th', { text: t })),
      other ? el('th', { text: 'baseline' }) : null,
    ),
  )
  const keys = [...new Set([...Object.keys(c.scores || {}), ...Object.keys(c.metrics || {})])]
  for (const key of keys) {
    const m = c.metrics?.[key]
    const score = m ? m.score : c.scores[key]
    table.append(
      el(
        'tr',
        { 'data-metric': key },
        el('td', { text: key }),
        el('td', {
          class: `num ${other && worse(c, other, key) ? 'regressed' : ''}`,
          text: m?.error ? 'error' : formatValue(score),
        }),
        el('td', { class: 'num', text: m?.raw === undefined || m.raw === null ? '' : String(m.raw) }),
        el('td', { text: m?.kind || '' }),
        el('td', {
          class: 'num',
          text: m?.threshold === undefined || m.threshold === null ? '' : formatValue(m.threshold),
        }),
        el('td', { text: m?.pass === true ? 'yes' : m?.pass === false ? 'no' : '' }),
        el('td', { text: m?.judge || '' }),
        el('td', { text: trialsText(m?.trials, m?.kind) }),
        el('td', { class: 'text', text: m?.error ? `${m.error.code}: ${m.error.message}` : m?.justification || '' }),
        other ? el('td', { class: 'num', text: formatValue(other.scores ? other.scores[key] : null) }) : null,
      ),
    )
  }
  return table
}

/** Name, facts, the test's error, input, expected, context. */
export const summarySection: DetailSection = {
  id: 'summary',
  render: ({ c, ...item }) => {
    const context = (c as ReportCase & { context?: unknown }).context
    return [
      el('h2', { class: 'text', id: 'detail-name', text: c.name }),
      el('div', { class: 'facts', text: caseFacts({ c, ...item }) }),
      c.error ? el('pre', { class: 'text bad', text: c.error }) : null,
      textBlock('input', c.input),
      textBlock('expected', c.expected),
      textBlock('context', context),
    ]
  },
}

/** The output beside the baseline's, and their word diff. */
export const outputSection: DetailSection = {
  id: 'output',
  render: ({ c, base: b }, ctx) => {
    const sides = el('div', { class: b ? 'sides' : '' })
    sides.append(el('div', null, textBlock('output', c.output === undefined ? '' : c.output)))
    if (b) sides.append(el('div', null, textBlock('baseline output', b.output === undefined ? '' : b.output)))
    const out: Child[] = [sides]
    if (b && typeof c.output === 'string' && typeof b.output === 'string') {
      out.push(el('h3', { text: 'word diff (baseline → current)' }), diffView(b.output, c.output))
    } else if (ctx.base && !b) out.push(el('p', { class: 'muted', text: 'Not in the baseline (a new case).' }))
    return out
  },
}

/** Every metric's result, with the baseline's score. */
export const metricsSection: DetailSection = {
  id: 'metrics',
  render: ({ c, base }) => [el('h3', { text: 'metrics' }), metricsTable(c, base)],
}

/** The sections of the case detail, in order. */
export const DETAIL_SECTIONS: DetailSection[] = [
  summarySection,
  transcriptSection,
  outputSection,
  metricsSection,
  traceSection,
]
