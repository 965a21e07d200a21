/**
 * A conversation in MLflow's trace model: one trace per turn (the user's message as its request, the
 * reply as its response, a `turn N` root span over the `chat` call holding the spans it made), all
 * tagged with the same `mlflow.trace.session`, so MLflow groups them as one session. Pure: it turns a
 * conversation case into per-turn cases the trace exporter logs like any other.
 */
import { isConversation, transcriptRows } from '../../report/conversation.js'
import type { TraceSpan } from '../../report/trace-types.js'
import type { ReportCase, ReportRun } from '../../report/types.js'
import { MLFLOW_TRACE_KEY } from './trace-content.js'

/** The tag holding the turn number of a turn's trace. */
export const TURN_TAG = 'vitest_judge.turn'

/** The session id of a conversation case: unique per run (so per invocation) and case (its full test name). */
export function conversationSession(run: Pick<ReportRun, 'id'>, testCase: Pick<ReportCase, 'name'>): string {
  return `${run.id}/${testCase.name}`
}

/**
 * The cases whose traces the exporter logs for `testCase`: itself for an ordinary case; one per turn
 * for a conversation (a turn whose `chat` threw is a failed trace carrying the error).
 */
export function traceCasesOf(run: Pick<ReportRun, 'id'>, testCase: ReportCase): ReportCase[] {
  if (!isConversation(testCase)) return [testCase]
  const session = conversationSession(run, testCase)
  const rows = transcriptRows(testCase)
  const error = testCase.conversation?.error
  const out: ReportCase[] = []
  for (const row of rows) {
    if (row.role !== 'user' || row.turn < 1) continue
    const reply = rows.find((r) => r.role === 'assistant' && r.turn === row.turn)
    const turn = testCase.turns?.find((t) => t.role === 'assistant' && t.turn === row.turn)
    const failed = !reply && error?.turn === row.turn
    if (!reply && !failed) continue
    const start = turn?.start ?? Date.now()
    const end = turn?.end ?? start
    const rootId = `vitest-judge-turn-${row.turn}`
    const root: TraceSpan = {
      id: rootId,
      name: `turn ${row.turn}`,
      kind: 'chain',
      start,
      end,
      status: failed ? 'error' : 'ok',
      ...(failed && error ? { error: error.message } : {}),
      attributes: { 'input.value': row.content, ...(reply ? { 'output.value': reply.content } : {}) },
    }
    const own = reply?.spans ?? []
    const ids = new Set(own.map((s) => s.id))
    const spans = [
      root,
      ...own.map((s) => (s.parentId !== undefined && ids.has(s.parentId) ? s : { ...s, parentId: rootId })),
    ]
    out.push({
      // The case's own name, so the trace's `vitest_judge.case` tag finds the case; the trace is named by turn.
      ...testCase,
      pass: testCase.pass && !failed,
      input: row.content,
      ...(reply ? { output: reply.content } : {}),
      trace: {
        spans,
        dropped: 0,
        tags: {
          ...testCase.trace?.tags,
          [MLFLOW_TRACE_KEY.traceName]: `${testCase.name} · turn ${row.turn}`,
          [MLFLOW_TRACE_KEY.session]: session,
          [TURN_TAG]: String(row.turn),
        },
      },
    })
  }
  return out
}
