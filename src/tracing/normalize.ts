/**
 * Span attributes, normalised when a span is recorded: whatever the source (the AI SDK's `ai.*`
 * names, OpenInference, OpenLLMetry, our client wrappers, `span()` by hand), a recorded span reads
 * in the OpenTelemetry GenAI semantic conventions (`gen_ai.*`), so every reader reads one vocabulary.
 * Values are redacted, long strings cut, and anything OpenTelemetry would not hold stringified.
 */
import { redactor } from '../redact.js'
import type { SpanAttributeValue, SpanKind } from '../report/trace-types.js'

/** Longest string attribute kept, in UTF-16 units (a longer one is cut and says how much was cut). */
export const MAX_ATTRIBUTE_CHARS = 8000

/** Private attributes our own spans carry to the recorder; never recorded. */
export const KIND_HINT = 'vitest_judge.kind'
export const SOURCE_HINT = 'vitest_judge.source'
export const CACHED_HINT = 'vitest_judge.cached'

// Header-like keys whose values are credentials, wherever they appear (`ai.request.headers.authorization`).
const SECRET_KEY =
  /(^|[._-])(authorization|proxy-authorization|cookie|set-cookie|api[-_]?key|x-api-key|x-goog-api-key|password|secret|access[-_]?token|auth[-_]?token|bearer)$/i

let warned = false
/** Says once per worker that an attribute could not be kept as it was. */
function warnOnce(message: string): void {
  if (warned) return
  warned = true
  process.emitWarning(`vitest-judge traces: ${message} (said once; the span is kept).`)
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    if (text !== undefined) return text
  } catch (error) {
    warnOnce(`an attribute could not be serialised (${(error as Error).message}); it was stringified`)
  }
  try {
    return String(value)
  } catch {
    return '[unserialisable]'
  }
}

function cutText(text: string): string {
  if (text.length <= MAX_ATTRIBUTE_CHARS) return text
  let end = MAX_ATTRIBUTE_CHARS
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}… [${text.length - end} more characters]`
}

/** One attribute value as a span holds it: primitives and flat arrays as they are, anything else as JSON text. */
function toValue(value: unknown, clean: (text: string) => string, cutLong = true): SpanAttributeValue | undefined {
  if (value === undefined || value === null) return undefined
  const cut = cutLong ? cutText : (text: string) => text
  if (typeof value === 'string') return clean(cut(value))
  if (typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'bigint') return value.toString()
  if (
    Array.isArray(value) &&
    value.every((v) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
  ) {
    return value.map((v) => (typeof v === 'string' ? clean(cut(v)) : v)) as SpanAttributeValue
  }
  return clean(cut(stringify(value)))
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/** `openai.chat` -> `openai`, as `gen_ai.provider.name` names providers. */
function providerName(aiProvider: unknown): string | undefined {
  if (typeof aiProvider !== 'string' || aiProvider === '') return undefined
  const base = aiProvider.split('.')[0] ?? aiProvider
  return base === 'google' ? 'gcp.gemini' : base
}

/** The output message of an AI SDK model call, in the GenAI semantic conventions' message format. */
function aiOutputMessages(text: unknown, toolCalls: unknown, finishReason: unknown): string | undefined {
  const parts: unknown[] = []
  if (typeof text === 'string' && text !== '') parts.push({ type: 'text', content: text })
  const calls = parseJson(toolCalls)
  if (Array.isArray(calls)) {
    for (const call of calls as Array<Record<string, unknown>>) {
      parts.push({
        type: 'tool_call',
        id: call.toolCallId,
        name: call.toolName,
        arguments: parseJson(call.input ?? call.args),
      })
    }
  }
  if (parts.length === 0) return undefined
  return JSON.stringify([
    { role: 'assistant', parts, ...(typeof finishReason === 'string' ? { finish_reason: finishReason } : {}) },
  ])
}

/** AI SDK prompt messages (`ai.prompt.messages`) in the GenAI conventions' message format (role and parts). */
function aiInputMessages(value: unknown): unknown {
  const messages = parseJson(value)
  if (!Array.isArray(messages)) return value
  return JSON.stringify(
    messages.map((m: Record<string, unknown>) => {
      const content = m?.content
      if (typeof content === 'string') return { role: m.role, parts: [{ type: 'text', content }] }
      if (!Array.isArray(content)) return m
      const parts = content.map((p: Record<string, unknown>) => {
        if (p?.type === 'text') return { type: 'text', content: p.text }
        if (p?.type === 'tool-call')
          return { type: 'tool_call', id: p.toolCallId, name: p.toolName, arguments: p.input ?? p.args }
        if (p?.type === 'tool-result')
          return { type: 'tool_call_response', id: p.toolCallId, response: p.output ?? p.result }
        return p
      })
      return { role: m.role, parts }
    }),
  )
}

const OPENINFERENCE_KINDS: Record<string, SpanKind> = {
  LLM: 'llm',
  EMBEDDING: 'llm',
  TOOL: 'tool',
  RETRIEVER: 'retriever',
  RERANKER: 'retriever',
  AGENT: 'agent',
  CHAIN: 'chain',
}
const TRACELOOP_KINDS: Record<string, SpanKind> = { workflow: 'chain', task: 'chain', agent: 'agent', tool: 'tool' }
const OPERATION_KINDS: Record<string, SpanKind> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'llm',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  // @ai-sdk/otel (ai 7): the `step N` spans between the agent and its model and tool calls.
  agent_step: 'chain',
  create_agent: 'agent',
  retrieval: 'retriever',
}
const SPAN_KINDS = new Set<SpanKind>(['llm', 'tool', 'retriever', 'agent', 'chain', 'other'])

/** The AI SDK's operation id -> GenAI operation name, for its model and tool spans. */
function aiOperation(operationId: string): string | undefined {
  if (operationId === 'ai.toolCall') return 'execute_tool'
  if (/^ai\.(generateText|streamText|generateObject|streamObject)\.do(Generate|Stream)$/.test(operationId))
    return 'chat'
  if (/^ai\.(embed|embedMany)\.doEmbed$/.test(operationId)) return 'embeddings'
  return undefined
}

/** What a span is: the hint given by our own spans, else read from the attributes by the usual vocabularies. */
export function deriveKind(name: string, attributes: Readonly<Record<string, SpanAttributeValue>>): SpanKind {
  const hint = attributes[KIND_HINT]
  if (typeof hint === 'string' && SPAN_KINDS.has(hint as SpanKind)) return hint as SpanKind
  const oi = attributes['openinference.span.kind']
  if (typeof oi === 'string' && OPENINFERENCE_KINDS[oi.toUpperCase()])
    return OPENINFERENCE_KINDS[oi.toUpperCase()] as SpanKind
  const operation = attributes['gen_ai.operation.name']
  if (typeof operation === 'string' && OPERATION_KINDS[operation]) return OPERATION_KINDS[operation] as SpanKind
  const tl = attributes['traceloop.span.kind']
  if (typeof tl === 'string' && TRACELOOP_KINDS[tl]) return TRACELOOP_KINDS[tl] as SpanKind
  if (attributes['llm.request.type'] !== undefined) return 'llm'
  if (attributes['gen_ai.tool.name'] !== undefined) return 'tool'
  const op = attributes['ai.operationId'] ?? name
  if (
    typeof op === 'string' &&
    /^ai\.(generateText|streamText|generateObject|streamObject|embed|embedMany)$/.test(op)
  ) {
    return 'chain'
  }
  if (attributes['gen_ai.request.model'] !== undefined && attributes['gen_ai.usage.input_tokens'] !== undefined)
    return 'llm'
  return 'other'
}

/**
 * Normalises raw attributes (an OpenTelemetry span's, or given by hand) into recorded ones: GenAI names
 * added from the AI SDK's and other vocabularies, secrets removed, long texts cut, values JSON-safe.
 * Large AI SDK texts (`ai.prompt.messages`, `ai.response.text`, `ai.response.toolCalls`,
 * `ai.toolCall.args`, `ai.toolCall.result`) are moved to their GenAI names rather than kept twice.
 */
export function normalizeAttributes(raw: Readonly<Record<string, unknown>>): Record<string, SpanAttributeValue> {
  const clean = redactor()
  const out: Record<string, SpanAttributeValue> = {}
  const moved = new Set([
    'ai.prompt.messages',
    'ai.response.text',
    'ai.response.toolCalls',
    'ai.toolCall.args',
    'ai.toolCall.result',
  ])
  for (const [key, value] of Object.entries(raw)) {
    if (moved.has(key)) continue
    if (SECRET_KEY.test(key)) {
      out[key] = '[redacted]'
      continue
    }
    const v = toValue(value, clean)
    if (v !== undefined) out[key] = v
  }
  const set = (key: string, value: unknown) => {
    if (out[key] !== undefined) return
    const v = toValue(value, clean)
    if (v !== undefined) out[key] = v
  }
  // The AI SDK's own names (ai 6, `experimental_telemetry`).
  const operationId = raw['ai.operationId']
  if (typeof operationId === 'string') {
    const operation = aiOperation(operationId)
    if (operation) set('gen_ai.operation.name', operation)
  }
  set('gen_ai.tool.name', raw['ai.toolCall.name'])
  set('gen_ai.tool.call.id', raw['ai.toolCall.id'])
  set('gen_ai.tool.call.arguments', raw['ai.toolCall.args'])
  set('gen_ai.tool.call.result', raw['ai.toolCall.result'])
  set('gen_ai.request.model', raw['ai.model.id'])
  set('gen_ai.provider.name', providerName(raw['ai.model.provider']) ?? raw['gen_ai.system'])
  set('gen_ai.usage.input_tokens', raw['ai.usage.inputTokens'] ?? raw['ai.usage.promptTokens'])
  set('gen_ai.usage.output_tokens', raw['ai.usage.outputTokens'] ?? raw['ai.usage.completionTokens'])
  set(
    'gen_ai.input.messages',
    raw['ai.prompt.messages'] === undefined ? undefined : aiInputMessages(raw['ai.prompt.messages']),
  )
  set(
    'gen_ai.output.messages',
    aiOutputMessages(raw['ai.response.text'], raw['ai.response.toolCalls'], raw['ai.response.finishReason']),
  )
  // OpenInference and OpenLLMetry names for the same facts.
  set('gen_ai.tool.name', raw['tool.name'])
  set('gen_ai.request.model', raw['llm.model_name'])
  set('gen_ai.usage.input_tokens', raw['llm.token_count.prompt'] ?? raw['gen_ai.usage.prompt_tokens'])
  set('gen_ai.usage.output_tokens', raw['llm.token_count.completion'] ?? raw['gen_ai.usage.completion_tokens'])
  return out
}

/** Removes our private hints from recorded attributes. */
export function withoutHints(attributes: Record<string, SpanAttributeValue>): Record<string, SpanAttributeValue> {
  delete attributes[KIND_HINT]
  delete attributes[SOURCE_HINT]
  delete attributes[CACHED_HINT]
  return attributes
}

/**
 * Attributes given by hand, made valid for an OpenTelemetry span (which silently drops objects):
 * primitives and flat arrays as they are, anything else as JSON text (or its `String()` when it
 * cannot be serialised, said once).
 */
export function toOtelAttributes(
  raw: Readonly<Record<string, unknown>> | undefined,
): Record<string, SpanAttributeValue> {
  const out: Record<string, SpanAttributeValue> = {}
  if (!raw) return out
  for (const [key, value] of Object.entries(raw)) {
    const v = toValue(value, (text) => text, false)
    if (v !== undefined) out[key] = v
  }
  return out
}
