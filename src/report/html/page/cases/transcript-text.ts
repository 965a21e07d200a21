/** Text of the transcript view (pure: unit-tested in Node). */
import type { TranscriptRow } from '../../../conversation.js'
import { formatValue } from '../../../text.js'
import type { TraceSpan } from '../../../trace-types.js'

/** `turn 2 · assistant`, or `opening · assistant` for a fixed opening turn (turn 0). */
export function turnLabel(row: Pick<TranscriptRow, 'turn' | 'role'>): string {
  return `${row.turn > 0 ? `turn ${row.turn}` : 'opening'} · ${row.role}`
}

/** One span of a reply: `tool · lookup_order · 12 ms` (`· error: ...` when it failed). */
export function spanText(span: Pick<TraceSpan, 'kind' | 'name' | 'start' | 'end' | 'status' | 'error'>): string {
  const ms = Math.max(0, span.end - span.start)
  const failed = span.status === 'error' ? ` · error${span.error ? `: ${span.error}` : ''}` : ''
  return `${span.kind} · ${span.name} · ${formatValue(ms)} ms${failed}`
}

/** Whether `row`'s score of `metric` is the conversation's worst turn for it (marked in the view). */
export function isWorstTurn(
  rows: readonly Pick<TranscriptRow, 'turn' | 'role' | 'scores'>[],
  row: Pick<TranscriptRow, 'turn'>,
  metric: string,
  greaterIsBetter: boolean,
): boolean {
  let worst: { turn: number; score: number } | undefined
  for (const r of rows) {
    if (r.role !== 'assistant') continue
    const score = r.scores.find((s) => s.metric === metric)?.score
    if (typeof score !== 'number') continue
    if (!worst || (greaterIsBetter ? score < worst.score : score > worst.score)) worst = { turn: r.turn, score }
  }
  return worst !== undefined && worst.turn === row.turn && rows.filter((r) => r.role === 'assistant').length > 1
}
