/**
 * Conversations for the fake provider: it plays a simulated user, and grades the conversation
 * metrics from the transcript, deterministically (README.md, "Conversations"). server.ts asks
 * `conversationReply` first; `undefined` means the request is an ordinary grading.
 */
import type { FakeTenantConfig, FakeVerdict } from './server.js'

/** One message of a request, whatever the wire format (system included). */
export interface FakeMessage {
  role: string
  text: string
}

/** A simulated user's turn (free text), or a verdict on a conversation metric. */
export type ConversationReply = { kind: 'user'; text: string } | { kind: 'verdict'; verdict: FakeVerdict }

/** The stop marker the library tells the simulated user to use (src/runtime/describe-conversation.ts). */
export const FAKE_STOP_MARKER = '<<GOAL_MET>>'

const SIMULATOR_RE = /^You are playing the USER/
const GOAL_RE = /Your goal:\n([\s\S]*?)(?:\n\n|$)/
const SAY_RE = /\[\[say:\s*([^\]]*?)\s*\]\]/g
const METRIC_RE = /^Metric: ([a-z_]+) \(version/m
const SECTION_RE = /<(transcript|role|goal|expected-outcome)-([0-9a-f]{8})>\n?([\s\S]*?)\n?<\/\1-\2>/g
const TURN_RE = /^Turn (\d+), (user|assistant):\n/gm
const DIRECTIVE_RE = /\[\[score=(\d)\]\]/
const FACT_RE = /\bmy ([a-z]+(?: [a-z]+)?) is ([A-Za-z0-9-]+)/gi
const WORD_RE = /[\p{L}\p{N}]+/gu

/** A parsed transcript turn. */
export interface FakeTurn {
  turn: number
  role: 'user' | 'assistant'
  content: string
}

/** Reads `Turn N, role:` blocks. */
export function parseTranscript(text: string): FakeTurn[] {
  const heads = [...text.matchAll(TURN_RE)]
  return heads.map((m, i) => {
    const start = (m.index ?? 0) + m[0].length
    const end = i + 1 < heads.length ? (heads[i + 1]?.index ?? text.length) : text.length
    return { turn: Number(m[1]), role: m[2] as 'user' | 'assistant', content: text.slice(start, end).trim() }
  })
}

/**
 * The simulated user: says the goal's `[[say: ...]]` lines in order, then the stop marker. A goal
 * without them never stops: it asks about the goal again each turn, so the conversation ends at maxTurns.
 */
function simulatedUser(system: string, messages: readonly FakeMessage[]): string {
  const goal = GOAL_RE.exec(system)?.[1] ?? ''
  const lines = [...goal.matchAll(SAY_RE)].map((m) => m[1] ?? '')
  // The simulator's own earlier turns are the `assistant` messages of its request.
  const said = messages.filter((m) => m.role === 'assistant' || m.role === 'model').length
  if (lines.length === 0) return `About my goal (${goal.replace(SAY_RE, '').trim()}): message ${said + 1}.`
  return lines[said] ?? FAKE_STOP_MARKER
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(WORD_RE) ?? [])
}

function list(turns: number[]): string {
  return turns.length === 1 ? `turn ${turns[0]}` : `turns ${turns.join(', ')}`
}

/** The fake's grading rules for the conversation metrics; see README.md. */
export function gradeConversation(
  metric: string,
  sections: Record<string, string>,
  config: FakeTenantConfig = {},
): FakeVerdict {
  const turns = parseTranscript(sections.transcript ?? '')
  const withDirective = turns.find((t) => DIRECTIVE_RE.test(t.content))
  if (withDirective) {
    const score = Number(DIRECTIVE_RE.exec(withDirective.content)?.[1])
    return { score, justification: `Turn ${withDirective.turn}: score set by a directive.` }
  }
  if (config.score !== undefined) return { score: config.score, justification: 'Score set by the tenant config.' }
  const users = turns.filter((t) => t.role === 'user')
  const assistants = turns.filter((t) => t.role === 'assistant')
  switch (metric) {
    case 'knowledge_retention': {
      for (const user of users) {
        for (const fact of user.content.matchAll(FACT_RE)) {
          const key = (fact[1] ?? '').toLowerCase()
          const value = (fact[2] ?? '').toLowerCase()
          const lost = assistants.find(
            (a) =>
              a.turn > user.turn &&
              a.content.toLowerCase().includes(`your ${key}`) &&
              a.content.includes('?') &&
              !a.content.toLowerCase().includes(value),
          )
          if (lost) {
            return {
              score: 2,
              justification: `Turn ${lost.turn}: the assistant asks for the ${key} the user gave in turn ${user.turn}.`,
            }
          }
        }
      }
      return { score: 5, justification: 'The assistant keeps every fact the user gave; nothing is asked twice.' }
    }
    case 'conversation_completeness': {
      const unanswered = users.filter((u) => !assistants.some((a) => a.turn === u.turn)).map((u) => u.turn)
      const share = users.length === 0 ? 1 : 1 - unanswered.length / users.length
      return {
        score: 1 + Math.round(4 * share),
        justification:
          unanswered.length === 0
            ? `Every user turn was answered (${list(users.map((u) => u.turn))}).`
            : `No answer to ${list(unanswered)}.`,
      }
    }
    case 'user_frustration': {
      const upset = users.filter((u) => /!|again|already/i.test(u.content)).map((u) => u.turn)
      return {
        score: 1 + Math.min(4, upset.length),
        justification:
          upset.length === 0 ? 'The user shows no frustration.' : `The user is frustrated in ${list(upset)}.`,
      }
    }
    case 'role_adherence': {
      const broke = assistants.filter((a) => /as an ai/i.test(a.content)).map((a) => a.turn)
      return {
        score: broke.length === 0 ? 5 : 2,
        justification:
          broke.length === 0 ? 'Every assistant turn keeps the role.' : `The role breaks in ${list(broke)}.`,
      }
    }
    case 'goal_achieved': {
      const outcome = words(sections['expected-outcome'] ?? '')
      const said = words(assistants.map((a) => a.content).join(' '))
      const found = [...outcome].filter((w) => said.has(w)).length
      const share = outcome.size === 0 ? 0 : found / outcome.size
      const last = assistants.at(-1)?.turn ?? 0
      return {
        score: 1 + Math.round(4 * share),
        justification: `Turn ${last}: ${found} of ${outcome.size} words of the expected outcome were said.`,
      }
    }
    default:
      return { score: 3, justification: `No rule for ${metric}; turn ${turns.at(-1)?.turn ?? 0} read.` }
  }
}

/**
 * What the fake answers a request that is part of a conversation: the simulated user's next turn (a
 * system prompt that casts it as the user), or a verdict on a conversation metric (a `transcript`
 * section); `undefined` for anything else.
 */
export function conversationReply(
  messages: readonly FakeMessage[],
  config: FakeTenantConfig = {},
): ConversationReply | undefined {
  const system = messages.find((m) => m.role === 'system')?.text ?? ''
  if (SIMULATOR_RE.test(system)) {
    return {
      kind: 'user',
      text: simulatedUser(
        system,
        messages.filter((m) => m.role !== 'system'),
      ),
    }
  }
  const last = [...messages].reverse().find((m) => m.role === 'user')?.text ?? ''
  const metric = METRIC_RE.exec(last)?.[1]
  if (!metric) return undefined
  const sections: Record<string, string> = {}
  for (const m of last.matchAll(SECTION_RE)) sections[m[1] as string] = m[3] ?? ''
  if (sections.transcript === undefined) return undefined
  return { kind: 'verdict', verdict: gradeConversation(metric, sections, config) }
}
