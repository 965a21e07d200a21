/**
 * A conversation's transcript in the case detail: every turn as text, user and assistant turns told
 * apart (class and `data-role`), each reply with its turn scores beside it (the worst turn of a metric
 * marked) and the spans its `chat` call made, when traced.
 */
import { conversationLine, isConversation, transcriptRows } from '../../../conversation.js'
import { formatValue } from '../../../text.js'
import type { CaseItem } from '../data.js'
import { type Child, el } from '../dom.js'
import type { DetailSection } from './detail.js'
import { isWorstTurn, spanText, turnLabel } from './transcript-text.js'

function transcript({ c }: CaseItem): Child {
  if (!isConversation(c)) return null
  const rows = transcriptRows(c)
  const how = conversationLine(c)
  const list = el('ol', { class: 'turns' })
  for (const row of rows) {
    const scores = row.scores.length
      ? el(
          'table',
          { class: 'grid small turn-scores' },
          row.scores.map((s) => {
            const worst = isWorstTurn(rows, row, s.metric, c.metrics?.[s.metric]?.greaterIsBetter !== false)
            return el(
              'tr',
              { 'data-metric': s.metric, class: worst ? 'worst' : '' },
              el('td', { text: s.metric }),
              el('td', { class: 'num', text: s.score === null ? 'error' : formatValue(s.score) }),
              el('td', {
                class: 'text',
                text: worst ? `worst turn · ${s.justification ?? ''}` : (s.justification ?? ''),
              }),
            )
          }),
        )
      : null
    const spans = row.spans.length
      ? el(
          'ul',
          { class: 'turn-spans small' },
          row.spans.map((s) =>
            el('li', { 'data-span': s.id, class: s.status === 'error' ? 'bad' : '', text: spanText(s) }),
          ),
        )
      : null
    list.append(
      el(
        'li',
        { class: `turn turn-${row.role}`, 'data-role': row.role, 'data-turn': String(row.turn) },
        el('div', { class: 'turn-who', text: turnLabel(row) }),
        el(
          'div',
          { class: 'turn-body' },
          el('pre', { class: 'text', 'data-field': 'turn', text: row.content }),
          row.expected !== undefined
            ? el('pre', { class: 'text muted', 'data-field': 'expected-turn', text: `expected: ${row.expected}` })
            : null,
          spans,
        ),
        scores,
      ),
    )
  }
  const error = c.conversation?.error
  return el(
    'section',
    { class: 'transcript', 'data-transcript': '' },
    el('h3', { text: 'conversation' }),
    how ? el('p', { class: 'muted text', text: how }) : null,
    list,
    error ? el('pre', { class: 'text bad', text: `turn ${error.turn}: ${error.message}` }) : null,
  )
}

/** The transcript of a conversation case (nothing for other cases). */
export const transcriptSection: DetailSection = { id: 'transcript', render: (item) => transcript(item) }
