import { describe, expect, it } from 'vitest'
import { formatTranscript } from '../../src/report/conversation.js'
import { readSimulatorReply, STOP_MARKER, simulatorSystemPrompt } from '../../src/runtime/describe-conversation.js'
import { conversationReply, FAKE_STOP_MARKER, gradeConversation } from '../fake-provider/conversation.js'

const turns = [
  { turn: 1, role: 'user' as const, content: 'My name is Ada and my order number is A4417.' },
  { turn: 1, role: 'assistant' as const, content: 'Thanks Ada.' },
  { turn: 2, role: 'user' as const, content: 'Where is it?' },
  { turn: 2, role: 'assistant' as const, content: 'What is your order number?' },
]

describe('the fake provider in conversations', () => {
  it('uses the library’s stop marker', () => {
    expect(FAKE_STOP_MARKER).toBe(STOP_MARKER)
  })

  it('plays the user from the goal’s [[say: ...]] lines, then stops; without them it never stops', () => {
    const system = simulatorSystemPrompt({ goal: 'Book. [[say: first]] [[say: second]]', maxTurns: 5 })
    const at = (said: number) =>
      conversationReply([
        { role: 'system', text: system },
        { role: 'user', text: 'start' },
        ...Array.from({ length: said }, () => [
          { role: 'assistant', text: 'x' },
          { role: 'user', text: 'y' },
        ]).flat(),
      ])
    expect(at(0)).toEqual({ kind: 'user', text: 'first' })
    expect(at(1)).toEqual({ kind: 'user', text: 'second' })
    expect(at(2)).toEqual({ kind: 'user', text: STOP_MARKER })
    const endless = simulatorSystemPrompt({ goal: 'Get a refund.', maxTurns: 5 })
    expect(conversationReply([{ role: 'system', text: endless }])).toEqual({
      kind: 'user',
      text: 'About my goal (Get a refund.): message 1.',
    })
  })

  it('knowledge_retention names the turn that lost a fact and the turn that gave it', () => {
    const sections = { transcript: formatTranscript(turns) }
    expect(gradeConversation('knowledge_retention', sections)).toEqual({
      score: 2,
      justification: 'Turn 2: the assistant asks for the order number the user gave in turn 1.',
    })
    const kept = turns.map((t) =>
      t.turn === 2 && t.role === 'assistant' ? { ...t, content: 'A4417 ships today.' } : t,
    )
    expect(gradeConversation('knowledge_retention', { transcript: formatTranscript(kept) }).score).toBe(5)
  })

  it('splits a simulated reply at the marker', () => {
    expect(readSimulatorReply(`Thanks! ${STOP_MARKER}`)).toEqual({ message: 'Thanks!', stop: true })
    expect(readSimulatorReply(' hello ')).toEqual({ message: 'hello', stop: false })
  })
})
