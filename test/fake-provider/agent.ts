/**
 * Scripted agent replies for the fake provider: a chat completions request that offers `tools` is
 * answered from the tenant's plan (OpenAI wire format: `tool_calls` with JSON-text arguments and
 * `finish_reason: 'tool_calls'`, then the final text with `finish_reason: 'stop'`). The position in
 * the plan is read from the conversation itself (the number of assistant turns that called tools),
 * so concurrent conversations never disturb each other. Plans are set with `POST /__agent/<tenant>`.
 */

/** One turn of a plan: the tool calls the model asks for in one reply. */
export type AgentTurn = Array<{ name: string; arguments: Record<string, unknown> }>

/** A scripted conversation: `when` (a text the first user message contains) picks the plan. */
export interface AgentPlan {
  when?: string
  turns: AgentTurn[]
  final: string
}

type Json = Record<string, unknown>

const plans = new Map<string, AgentPlan[]>()

function isRecord(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Checks and stores `{ plans: AgentPlan[] }` for a tenant; a message for a bad body. */
export function setAgentPlans(tenant: string, body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.plans)) return 'agent body must be { plans: [{ when?, turns, final }] }'
  for (const plan of body.plans as unknown[]) {
    if (!isRecord(plan) || !Array.isArray(plan.turns) || typeof plan.final !== 'string')
      return 'each plan needs turns (an array of tool-call arrays) and final (a string)'
    for (const turn of plan.turns as unknown[]) {
      if (
        !Array.isArray(turn) ||
        !turn.every((c) => isRecord(c) && typeof c.name === 'string' && isRecord(c.arguments))
      )
        return 'each turn is an array of { name, arguments: {} }'
    }
  }
  plans.set(tenant, body.plans as AgentPlan[])
  return undefined
}

function text(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content.map((p) => (isRecord(p) && typeof p.text === 'string' ? p.text : '')).join('')
  return ''
}

/**
 * The reply to a chat request that offers tools, from the tenant's plan; undefined when the tenant
 * has no plan (the judge reply applies). A tool the plan calls must be among the offered ones.
 */
export function agentReply(tenant: string, body: Json, seq: number): Json | undefined {
  const list = plans.get(tenant)
  if (!list || !Array.isArray(body.tools) || body.tools.length === 0) return undefined
  const messages = (Array.isArray(body.messages) ? body.messages : []) as Json[]
  const firstUser = text(messages.find((m) => m.role === 'user')?.content)
  const plan = list.find((p) => p.when === undefined || firstUser.includes(p.when))
  if (!plan) return undefined
  const offered = new Set(
    (body.tools as Json[])
      .map((t) => (isRecord(t.function) ? t.function.name : undefined))
      .filter((n) => typeof n === 'string'),
  )
  const done = messages.filter(
    (m) => m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0,
  ).length
  const turn = plan.turns[done]
  const promptTokens = Math.ceil(JSON.stringify(messages).length / 4)
  const base = {
    id: `chatcmpl-agent${seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
  }
  if (turn) {
    const calls = turn.map((call, i) => {
      if (!offered.has(call.name)) throw new Error(`the plan calls ${call.name}, which the request does not offer`)
      return {
        id: `call_${seq}_${i}`,
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      }
    })
    const completion = Math.ceil(JSON.stringify(calls).length / 4)
    return {
      ...base,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, tool_calls: calls, refusal: null },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion },
    }
  }
  const completion = Math.ceil(plan.final.length / 4)
  return {
    ...base,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: plan.final, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion },
  }
}
