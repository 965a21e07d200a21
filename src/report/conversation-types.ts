/**
 * A conversation case's transcript and how it went, as plain JSON: recorded in the worker
 * (`describeConversation`), carried in the case record through `task.meta`, kept by the stores (as
 * extra case fields), shown by the reports and the page. Fields may be added, never renamed.
 */

/** One turn of a conversation's transcript (SPEC: report.json case `turns`). */
export interface ReportTurn {
  role: 'user' | 'assistant'
  /** What was said: hostile text wherever shown. */
  content: string
  /** The 1-based exchange the turn belongs to: user turn N and the reply to it are turn N. */
  turn: number
  /** Per-turn scores (`turnMetrics`) of an assistant turn, by metric name; null when the judge failed. */
  scores?: Record<string, number | null>
  /** The judge's justification per turn metric. */
  justifications?: Record<string, string>
  /** The expected reply (an assistant turn in the scripted data), for per-turn reference metrics. */
  expected?: string
  /** When the `chat` call that wrote this reply started and ended (epoch ms): its spans are in between. */
  start?: number
  end?: number
}

/** How a conversation was run and how it ended. */
export interface ConversationInfo {
  /** `scripted` (the row's `turns`) or `simulated` (a `scenario` played by an LLM). */
  mode: 'scripted' | 'simulated'
  /**
   * `script`: every scripted user turn was sent; `goal`: the simulated user signalled its goal was met;
   * `maxTurns`: the simulated user never signalled it and was stopped at `maxTurns`; `error`: `chat` or
   * the simulator failed (see `error`).
   */
  ended: 'script' | 'goal' | 'maxTurns' | 'error'
  /** A sentence saying how it ended, for people. */
  note: string
  /** The judge spec that played the user (simulated conversations). */
  simulator?: string
  /** The assistant's role from the row. */
  role?: string
  /** The scenario's fields (simulated conversations). */
  goal?: string
  persona?: string
  maxTurns?: number
  expectedOutcome?: string
  /** What stopped the conversation early: the turn and the message (redacted). */
  error?: { turn: number; message: string }
}
