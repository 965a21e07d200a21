/**
 * Reading a conversation case: its worst turn per metric, the turns a justification names, and the
 * transcript as the page shows it (each reply with its turn scores and the spans its `chat` call
 * made). Pure functions over the report's plain data, shared by the JUnit writer, the MLflow exporter
 * and the page.
 */
import type { ReportTurn } from './conversation-types.js'
import type { TraceSpan } from './trace-types.js'
import type { ReportCase } from './types.js'

/**
 * The transcript as judges read it (and the MLflow table shows it): one block per turn,
 * `Turn N, user:` / `Turn N, assistant:`, so a justification names turns as the report numbers them.
 */
export function formatTranscript(turns: readonly Pick<ReportTurn, 'role' | 'content' | 'turn'>[]): string {
  return turns.map((t) => `Turn ${t.turn}, ${t.role}:\n${t.content}`).join('\n\n')
}

/** The suffix of a turn metric's worst-turn score (`answer_relevance_worst`). */
export const WORST_SUFFIX = '_worst'

/** A turn and its score. */
export interface TurnScore {
  turn: number
  score: number
}

/** Whether a case is a conversation (it has a transcript). */
export function isConversation(testCase: Pick<ReportCase, 'turns'>): boolean {
  return Array.isArray(testCase.turns) && testCase.turns.length > 0
}

/** The turn numbers a justification names ("turn 3", "turns 2 and 4", "Turns 1, 2"), in order, once each. */
export function mentionedTurns(text: string | undefined): number[] {
  if (!text) return []
  const found: number[] = []
  for (const m of text.matchAll(/\bturns?\s+((?:\d+)(?:\s*(?:,|and|&|-)\s*\d+)*)/gi)) {
    for (const n of (m[1] ?? '').match(/\d+/g) ?? []) {
      const turn = Number(n)
      if (!found.includes(turn)) found.push(turn)
    }
  }
  return found
}

/**
 * The worst turn of a metric in a conversation: for a turn metric (per-turn scores on the replies),
 * the reply with the worst score in the metric's direction (the first on ties); for a metric of the
 * whole conversation, the first turn its justification names. `undefined` when neither is known.
 */
export function worstTurn(testCase: Pick<ReportCase, 'turns' | 'metrics'>, key: string): TurnScore | undefined {
  const result = testCase.metrics?.[key]
  const base = key.endsWith(WORST_SUFFIX) ? key.slice(0, -WORST_SUFFIX.length) : key
  const greaterIsBetter = result?.greaterIsBetter !== false
  let worst: TurnScore | undefined
  for (const turn of testCase.turns ?? []) {
    const score = turn.scores?.[base]
    if (turn.role !== 'assistant' || typeof score !== 'number') continue
    if (!worst || (greaterIsBetter ? score < worst.score : score > worst.score)) worst = { turn: turn.turn, score }
  }
  if (worst) return worst
  const named = mentionedTurns(result?.justification)[0]
  return named === undefined || typeof result?.score !== 'number' ? undefined : { turn: named, score: result.score }
}

/** One turn metric's score on a reply, as the transcript shows it. */
export interface TurnScoreView {
  metric: string
  score: number | null
  justification?: string
}

/** One turn of the transcript as the page shows it. */
export interface TranscriptRow {
  role: ReportTurn['role']
  turn: number
  content: string
  /** The scripted expected reply, when the data had one. */
  expected?: string
  scores: TurnScoreView[]
  /** The spans the `chat` call of this reply made (by time), when the case was traced. */
  spans: TraceSpan[]
}

/**
 * The transcript as rows, each reply with its turn scores and the spans whose start falls within its
 * `chat` call (spans of concurrent cases are in other traces, so time is enough within one case; a
 * span on the boundary of two calls goes to the later one).
 */
export function transcriptRows(testCase: Pick<ReportCase, 'turns' | 'trace'>): TranscriptRow[] {
  const spans = testCase.trace?.spans ?? []
  const turns = testCase.turns ?? []
  // Each span goes to one reply: the last one whose chat call had started when the span did, within
  // SPAN_CLOCK_MS (span clocks may count whole milliseconds), and had not ended.
  const owner = new Map<TraceSpan, ReportTurn>()
  for (const span of spans) {
    let found: ReportTurn | undefined
    for (const turn of turns) {
      if (turn.role !== 'assistant' || turn.start === undefined || turn.end === undefined) continue
      if (turn.start - SPAN_CLOCK_MS <= span.start && span.start <= turn.end) found = turn
    }
    if (found) owner.set(span, found)
  }
  return turns.map((turn) => {
    const scores: TurnScoreView[] = Object.entries(turn.scores ?? {}).map(([metric, score]) => ({
      metric,
      score,
      ...(turn.justifications?.[metric] !== undefined ? { justification: turn.justifications[metric] } : {}),
    }))
    const own = spans.filter((s) => owner.get(s) === turn)
    return {
      role: turn.role,
      turn: turn.turn,
      content: turn.content,
      ...(turn.expected !== undefined ? { expected: turn.expected } : {}),
      scores,
      spans: own,
    }
  })
}

/** How far a span's start may precede its chat call's start and still be its own (whole-ms span clocks). */
const SPAN_CLOCK_MS = 1

/** One line saying how a conversation went, for text outputs: `scripted, 2 replies: all 2 scripted user turns answered.` */
export function conversationLine(testCase: Pick<ReportCase, 'turns' | 'conversation'>): string | undefined {
  const info = testCase.conversation
  if (!info) return undefined
  const replies = (testCase.turns ?? []).filter((t) => t.role === 'assistant').length
  const simulator = info.simulator ? ` (simulator ${info.simulator})` : ''
  return `${info.mode}${simulator}, ${replies} repl${replies === 1 ? 'y' : 'ies'}, ended ${info.ended}: ${info.note}`
}
