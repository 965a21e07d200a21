import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { conversationLine, mentionedTurns, transcriptRows, worstTurn } from '../../src/report/conversation.js'
import { isWorstTurn, spanText, turnLabel } from '../../src/report/html/page/cases/transcript-text.js'
import { renderJunit } from '../../src/report/junit.js'
import type { JsonReport, ReportCase } from '../../src/report/types.js'

const HOSTILE = '</system-out></testcase><script>alert(1)</script> \u001b[31m ::error::x'

const conversation: ReportCase = {
  name: 'support > order-status',
  pass: false,
  scores: { answer_relevance: 0.625, answer_relevance_worst: 0.25, knowledge_retention: 0.25 },
  judgeErrors: 0,
  metrics: {
    answer_relevance: { score: 0.625, kind: 'score', greaterIsBetter: true, threshold: 0.5, pass: true },
    answer_relevance_worst: { score: 0.25, kind: 'score', greaterIsBetter: true, justification: 'Turn 2: vague.' },
    knowledge_retention: {
      score: 0.25,
      raw: 2,
      kind: 'score',
      greaterIsBetter: true,
      threshold: 0.75,
      pass: false,
      justification: 'Turn 2: the assistant asks for the order number the user gave in turn 1.',
    },
  },
  turns: [
    { role: 'user', turn: 1, content: `my order number is A4417 ${HOSTILE}` },
    { role: 'assistant', turn: 1, content: 'Shipped.', scores: { answer_relevance: 1 }, start: 1000, end: 2000 },
    { role: 'user', turn: 2, content: 'When?' },
    {
      role: 'assistant',
      turn: 2,
      content: 'Your order number?',
      scores: { answer_relevance: 0.25 },
      justifications: { answer_relevance: 'Does not answer.' },
      start: 3000,
      end: 4000,
    },
  ],
  conversation: { mode: 'scripted', ended: 'script', note: 'all 2 scripted user turns answered.' },
  trace: {
    spans: [
      { id: 'a', name: 'chat 1', kind: 'llm', start: 1500, end: 1900, status: 'ok', attributes: {} },
      { id: 'b', name: 'lookup', kind: 'tool', start: 3100, end: 3200, status: 'ok', attributes: {} },
    ],
    dropped: 0,
  },
}

describe('reading a conversation case', () => {
  test('the turns a justification names', () => {
    expect(mentionedTurns('Turn 3: forgot what the user said in turn 1.')).toEqual([3, 1])
    expect(mentionedTurns('Frustrated in turns 2, 4 and 5; see turn 2.')).toEqual([2, 4, 5])
    expect(mentionedTurns('No turn named.')).toEqual([])
    expect(mentionedTurns(undefined)).toEqual([])
  })

  test('the worst turn: from the replies’ scores for a turn metric, from the justification otherwise', () => {
    expect(worstTurn(conversation, 'answer_relevance')).toEqual({ turn: 2, score: 0.25 })
    expect(worstTurn(conversation, 'answer_relevance_worst')).toEqual({ turn: 2, score: 0.25 })
    expect(worstTurn(conversation, 'knowledge_retention')).toEqual({ turn: 2, score: 0.25 })
    const lowerIsBetter: ReportCase = {
      ...conversation,
      metrics: { toxicity: { score: 0.5, kind: 'score', greaterIsBetter: false } },
      turns: [
        { role: 'assistant', turn: 1, content: 'a', scores: { toxicity: 0.75 } },
        { role: 'assistant', turn: 2, content: 'b', scores: { toxicity: 0.25 } },
      ],
    }
    expect(worstTurn(lowerIsBetter, 'toxicity')).toEqual({ turn: 1, score: 0.75 })
  })

  test('transcript rows: every turn as text, each reply with its scores and the spans made during its chat call', () => {
    const rows = transcriptRows(conversation)
    expect(rows.map((r) => `${r.turn}:${r.role}`)).toEqual(['1:user', '1:assistant', '2:user', '2:assistant'])
    expect(rows[0]?.content).toContain(HOSTILE)
    expect(rows[1]?.spans.map((s) => s.id)).toEqual(['a'])
    expect(rows[3]?.spans.map((s) => s.id)).toEqual(['b'])
    expect(rows[0]?.spans).toEqual([])
    expect(rows[3]?.scores).toEqual([{ metric: 'answer_relevance', score: 0.25, justification: 'Does not answer.' }])
    expect(conversationLine(conversation)).toBe(
      'scripted, 2 replies, ended script: all 2 scripted user turns answered.',
    )
  })

  test('JUnit: one line per metric naming the worst turn (system-out, or the failure for a failing one), valid XML', () => {
    const cases = [conversation]
    const report: JsonReport = {
      version: 1,
      invocation: { id: 'i', startedAt: '2026-01-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
      runs: [
        {
          id: 'r',
          file: 'chat.eval.ts',
          cases,
          aggregates: aggregateRun(cases),
          judgeErrors: 0,
          cache: { hits: 0, misses: 0 },
          tokens: { input: 0, output: 0 },
        },
      ],
      comparison: null,
    }
    const xml = renderJunit(report)
    expect(XMLValidator.validate(xml)).toBe(true)
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml)
    const out = String(parsed.testsuites.testsuite.testcase['system-out'])
    const lines = out.split('\n').filter((l) => l.startsWith('vitest-judge '))
    expect(lines).toContain(
      'vitest-judge conversation: scripted, 2 replies, ended script: all 2 scripted user turns answered.',
    )
    // The failing metric is said once, in the failure (its message names the worst turn, its body the justification).
    expect(lines.find((l) => l.startsWith('vitest-judge knowledge_retention:'))).toBeUndefined()
    const failure = parsed.testsuites.testsuite.testcase.failure
    expect(failure['@_message']).toBe('knowledge_retention 0.25 (raw 2/5) below pass mark 0.75, worst turn 2 (0.25)')
    expect(String(failure['#text'])).toContain(
      'knowledge_retention justification: Turn 2: the assistant asks for the order number the user gave in turn 1.',
    )
    expect(lines.find((l) => l.startsWith('vitest-judge answer_relevance:'))).toContain('worst turn 2 (0.25)')
  })

  test('the transcript view’s text: turn labels, span lines, the worst turn of a metric', () => {
    const rows = transcriptRows(conversation)
    expect(turnLabel(rows[1] as (typeof rows)[number])).toBe('turn 1 · assistant')
    expect(turnLabel({ turn: 0, role: 'assistant' })).toBe('opening · assistant')
    expect(
      spanText({ kind: 'tool', name: 'lookup', start: 3100, end: 3112.5, status: 'error', error: 'no such order' }),
    ).toBe('tool · lookup · 12.500 ms · error: no such order')
    expect(isWorstTurn(rows, { turn: 2 }, 'answer_relevance', true)).toBe(true)
    expect(isWorstTurn(rows, { turn: 1 }, 'answer_relevance', true)).toBe(false)
    expect(isWorstTurn(rows, { turn: 1 }, 'answer_relevance', false)).toBe(true)
    // One reply: nothing to single out.
    expect(isWorstTurn(rows.slice(0, 2), { turn: 1 }, 'answer_relevance', true)).toBe(false)
  })
})
