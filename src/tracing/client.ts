/**
 * `traceClient(client)`: an OpenAI, Anthropic or Gemini SDK client whose model calls are recorded as
 * `llm` spans of the current case (model, messages, tool calls, usage, latency, error). The client
 * is patched in place and returned: the same object, the same methods' results (an OpenAI
 * `APIPromise` stays one), nothing sent differently.
 *
 * Every wrapped call goes through one function, `callModel(request, send)`. The app cache
 * (record/replay of the app's model calls) hooks in there with `setModelCallInterceptor`: the
 * interceptor receives the request and `send` (which makes the real call) and returns the response
 * (the recorded one on a replay, without calling `send`). It runs inside the call's span; when it
 * answers from its cache it sets `request.cached = true`, and the span is marked `cached`.
 */
import type { Attributes, Span } from '@opentelemetry/api'
import { ConfigError } from '../errors.js'
import { otelApi } from './api.js'
import { armTracing } from './collector.js'
import { CACHED_HINT, KIND_HINT, SOURCE_HINT, toOtelAttributes } from './normalize.js'
import { installTracing, ownTracer } from './otel.js'
import { failSpan, settleSpan } from './span.js'

/** One model call as the wrappers see it. */
export interface ModelCallRequest {
  /** The SDK the call was made with. */
  provider: 'openai' | 'anthropic' | 'gemini'
  /** The SDK method: `chat.completions.create`, `responses.create`, `embeddings.create`, `messages.create`, `models.generateContent`. */
  method: string
  /** The call's first argument (the request body as the SDK takes it). */
  params: unknown
  /** Set by an interceptor that answered from a cache (no request made). */
  cached?: boolean
}

/** Wraps every model call of every traced client (the app cache's hook). */
export type ModelCallInterceptor = (request: ModelCallRequest, send: () => unknown) => unknown

let interceptor: ModelCallInterceptor | undefined

/**
 * Marks the active span (a model or tool call answered from a cache, e.g. inside the AI SDK's
 * `doGenerate` span, where a language-model middleware runs) as `cached` in the case's trace.
 */
export function markActiveSpanCached(): void {
  otelApi().trace.getActiveSpan()?.setAttribute(CACHED_HINT, true)
}

/** Installs (or removes, with `undefined`) the interceptor every traced model call goes through. */
export function setModelCallInterceptor(next: ModelCallInterceptor | undefined): void {
  interceptor = next
}

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {})
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
function parseArgs(v: unknown): unknown {
  if (typeof v !== 'string') return v
  try {
    return JSON.parse(v)
  } catch {
    return v
  }
}

/** Request attributes (GenAI names) of a call. */
function requestAttributes(request: ModelCallRequest): Json {
  const p = obj(request.params)
  const provider = request.provider === 'gemini' ? 'gcp.gemini' : request.provider
  const operation =
    request.method === 'embeddings.create'
      ? 'embeddings'
      : request.method === 'models.generateContent'
        ? 'generate_content'
        : 'chat'
  const out: Json = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': typeof p.model === 'string' ? p.model.replace(/^models\//, '') : undefined,
    'gen_ai.request.temperature': p.temperature ?? obj(p.config).temperature,
    'gen_ai.request.max_tokens': p.max_tokens ?? p.max_completion_tokens ?? p.max_output_tokens,
  }
  if (request.method === 'chat.completions.create') out['gen_ai.input.messages'] = openaiMessages(list(p.messages))
  else if (request.method === 'responses.create') out['gen_ai.input.messages'] = p.input
  else if (request.method === 'messages.create') {
    if (p.system !== undefined) out['gen_ai.system_instructions'] = p.system
    out['gen_ai.input.messages'] = p.messages
  } else if (request.method === 'models.generateContent') out['gen_ai.input.messages'] = p.contents
  else if (request.method === 'embeddings.create') out['gen_ai.embeddings.input'] = p.input
  if (p.stream === true) out['gen_ai.request.stream'] = true
  return out
}

/** OpenAI chat messages in the GenAI conventions' message format (role and parts). */
function openaiMessages(messages: unknown[]): unknown[] {
  return messages.map((m) => {
    const message = obj(m)
    const parts: unknown[] = []
    if (typeof message.content === 'string') parts.push({ type: 'text', content: message.content })
    else if (Array.isArray(message.content)) {
      for (const part of message.content) {
        const p = obj(part)
        parts.push(p.type === 'text' ? { type: 'text', content: p.text } : p)
      }
    }
    for (const call of list(message.tool_calls)) {
      const c = obj(call)
      const fn = obj(c.function)
      parts.push({ type: 'tool_call', id: c.id, name: fn.name, arguments: parseArgs(fn.arguments) })
    }
    if (message.role === 'tool') {
      return {
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.tool_call_id, response: message.content }],
      }
    }
    return { role: message.role, parts }
  })
}

interface ResponseFacts {
  model?: unknown
  id?: unknown
  input?: unknown
  output?: unknown
  finish?: unknown
  parts: unknown[]
}

/** What a response says: model, usage, finish reason, and the assistant's text and tool calls. */
function responseFacts(request: ModelCallRequest, response: unknown): ResponseFacts {
  const r = obj(response)
  const parts: unknown[] = []
  if (request.method === 'chat.completions.create') {
    const choice = obj(list(r.choices)[0])
    const message = obj(choice.message)
    if (typeof message.content === 'string' && message.content !== '')
      parts.push({ type: 'text', content: message.content })
    for (const call of list(message.tool_calls)) {
      const c = obj(call)
      const fn = obj(c.function)
      parts.push({ type: 'tool_call', id: c.id, name: fn.name, arguments: parseArgs(fn.arguments) })
    }
    const usage = obj(r.usage)
    return {
      model: r.model,
      id: r.id,
      input: usage.prompt_tokens,
      output: usage.completion_tokens,
      finish: choice.finish_reason,
      parts,
    }
  }
  if (request.method === 'responses.create') {
    for (const item of list(r.output)) {
      const i = obj(item)
      if (i.type === 'function_call')
        parts.push({ type: 'tool_call', id: i.call_id, name: i.name, arguments: parseArgs(i.arguments) })
      else if (i.type === 'message') {
        for (const c of list(i.content)) {
          const content = obj(c)
          if (typeof content.text === 'string') parts.push({ type: 'text', content: content.text })
        }
      }
    }
    const usage = obj(r.usage)
    return { model: r.model, id: r.id, input: usage.input_tokens, output: usage.output_tokens, finish: r.status, parts }
  }
  if (request.method === 'embeddings.create') {
    const usage = obj(r.usage)
    return { model: r.model, input: usage.prompt_tokens, output: 0, parts }
  }
  if (request.method === 'messages.create') {
    for (const block of list(r.content)) {
      const b = obj(block)
      if (b.type === 'text') parts.push({ type: 'text', content: b.text })
      else if (b.type === 'tool_use') parts.push({ type: 'tool_call', id: b.id, name: b.name, arguments: b.input })
    }
    const usage = obj(r.usage)
    return {
      model: r.model,
      id: r.id,
      input: usage.input_tokens,
      output: usage.output_tokens,
      finish: r.stop_reason,
      parts,
    }
  }
  // Gemini generateContent
  const candidate = obj(list(r.candidates)[0])
  for (const part of list(obj(candidate.content).parts)) {
    const p = obj(part)
    if (typeof p.text === 'string') parts.push({ type: 'text', content: p.text })
    else if (p.functionCall) {
      const fc = obj(p.functionCall)
      parts.push({ type: 'tool_call', id: fc.id, name: fc.name, arguments: fc.args })
    }
  }
  const usage = obj(r.usageMetadata)
  return {
    model: r.modelVersion,
    id: r.responseId,
    input: usage.promptTokenCount,
    output: usage.candidatesTokenCount,
    finish: candidate.finishReason,
    parts,
  }
}

/**
 * A streamed chat completion (OpenAI `stream: true`): the span ends when the stream has been read to
 * its end (or fails), with the text, tool calls and usage gathered from its chunks. The stream object
 * is the SDK's own, its iterator wrapped in place. A stream never read stays open until the test ends.
 */
function followStream(s: Span, request: ModelCallRequest, stream: AsyncIterable<unknown>): boolean {
  if (request.method !== 'chat.completions.create') return false
  const target = stream as AsyncIterable<unknown> & Record<symbol, unknown>
  const iterate = target[Symbol.asyncIterator]
  if (typeof iterate !== 'function') return false
  let text = ''
  const calls: Array<{ id?: unknown; type: 'function'; function: { name: string; arguments: string } }> = []
  const last: Json = {}
  let finishReason: unknown
  let ended = false
  const end = (error?: unknown) => {
    if (ended) return
    ended = true
    if (error !== undefined) {
      failSpan(s, error)
      s.end()
      return
    }
    const message: Json = { role: 'assistant', content: text === '' ? null : text }
    if (calls.length > 0) message.tool_calls = calls
    finish(s, request, { ...last, choices: [{ index: 0, message, finish_reason: finishReason }] })
  }
  target[Symbol.asyncIterator] = async function* tracedStream(this: unknown) {
    try {
      for await (const chunk of {
        [Symbol.asyncIterator]: () => (iterate as () => AsyncIterator<unknown>).call(stream),
      }) {
        try {
          const c = obj(chunk)
          if (c.model !== undefined) last.model = c.model
          if (c.id !== undefined) last.id = c.id
          if (c.usage) last.usage = c.usage
          const choice = obj(list(c.choices)[0])
          if (choice.finish_reason) finishReason = choice.finish_reason
          const delta = obj(choice.delta)
          if (typeof delta.content === 'string') text += delta.content
          for (const part of list(delta.tool_calls)) {
            const d = obj(part)
            const index = typeof d.index === 'number' ? d.index : calls.length
            const fn = obj(d.function)
            calls[index] ??= { id: d.id, type: 'function', function: { name: '', arguments: '' } }
            const call = calls[index]
            if (d.id !== undefined) call.id = d.id
            if (typeof fn.name === 'string') call.function.name += fn.name
            if (typeof fn.arguments === 'string') call.function.arguments += fn.arguments
          }
        } catch {
          // an odd chunk loses its details, never the stream
        }
        yield chunk
      }
      end()
    } catch (error) {
      end(error)
      throw error
    }
  }
  return true
}

function finish(s: Span, request: ModelCallRequest, response: unknown): void {
  if (
    response !== null &&
    typeof response === 'object' &&
    obj(request.params).stream === true &&
    Symbol.asyncIterator in response &&
    followStream(s, request, response as AsyncIterable<unknown>)
  ) {
    return
  }
  try {
    if (request.cached) s.setAttribute(CACHED_HINT, true)
    const facts = responseFacts(request, response)
    const attrs: Json = {
      'gen_ai.response.model': facts.model,
      'gen_ai.response.id': facts.id,
      'gen_ai.usage.input_tokens': facts.input,
      'gen_ai.usage.output_tokens': facts.output,
      'gen_ai.response.finish_reasons': typeof facts.finish === 'string' ? [facts.finish] : undefined,
    }
    if (facts.parts.length > 0) {
      attrs['gen_ai.output.messages'] = [
        {
          role: 'assistant',
          parts: facts.parts,
          ...(typeof facts.finish === 'string' ? { finish_reason: facts.finish } : {}),
        },
      ]
    }
    s.setAttributes(toOtelAttributes(attrs) as Attributes)
  } catch {
    // An unexpected response shape loses its details, never the test.
  }
  s.end()
}

/**
 * The one path of every traced model call: an `llm` span around `send()` (through the interceptor,
 * when one is installed). Returns what `send` (or the interceptor) returns, unchanged.
 */
export function callModel(request: ModelCallRequest, send: () => unknown): unknown {
  const attributes = toOtelAttributes(requestAttributes(request))
  attributes[KIND_HINT] = 'llm'
  attributes[SOURCE_HINT] = 'client'
  const model = attributes['gen_ai.request.model']
  const name = `${String(attributes['gen_ai.operation.name'])}${typeof model === 'string' ? ` ${model}` : ''}`
  return ownTracer().startActiveSpan(name, { attributes: attributes as Attributes }, (s) =>
    settleSpan(
      s,
      () => (interceptor ? interceptor(request, send) : send()),
      (response) => finish(s, request, response),
    ),
  )
}

const METHODS: ReadonlyArray<{ provider: ModelCallRequest['provider']; path: readonly string[] }> = [
  { provider: 'openai', path: ['chat', 'completions', 'create'] },
  { provider: 'openai', path: ['responses', 'create'] },
  { provider: 'openai', path: ['embeddings', 'create'] },
  { provider: 'anthropic', path: ['messages', 'create'] },
  { provider: 'gemini', path: ['models', 'generateContent'] },
]
const traced = new WeakSet<object>()

/** Which SDK a client is (by its methods: an Anthropic client has no `chat`, an OpenAI one no `models.generateContent`). */
function isAnthropic(client: Json): boolean {
  return client.messages !== undefined && client.chat === undefined
}

/**
 * Records every model call of an OpenAI, Anthropic or Gemini (`@google/genai`) SDK client as an
 * `llm` span of the current case, and returns the same client. Wrapping twice records once.
 *
 * ```ts
 * const client = traceClient(new OpenAI())
 * ```
 */
export function traceClient<T extends object>(client: T): T {
  if (client === null || typeof client !== 'object') {
    throw new ConfigError('traceClient(client) needs an OpenAI, Anthropic or Gemini SDK client object.')
  }
  if (traced.has(client)) return client
  armTracing()
  installTracing()
  let patched = 0
  for (const { provider, path } of METHODS) {
    if (provider === 'anthropic' && !isAnthropic(client as Json)) continue
    if (provider === 'openai' && isAnthropic(client as Json)) continue
    let owner: Json | undefined = client as Json
    for (const key of path.slice(0, -1))
      owner = owner && typeof owner[key] === 'object' ? (owner[key] as Json) : undefined
    const methodName = path[path.length - 1] as string
    const original = owner?.[methodName]
    if (!owner || typeof original !== 'function') continue
    const method = path.join('.')
    const fn = original as (...args: unknown[]) => unknown
    owner[methodName] = function tracedModelCall(this: unknown, ...args: unknown[]) {
      return callModel({ provider, method, params: args[0] }, () => fn.apply(this, args))
    }
    patched++
  }
  if (patched === 0) {
    throw new ConfigError(
      'traceClient(client) knows OpenAI (chat.completions, responses, embeddings), Anthropic (messages) and Gemini ' +
        '(models.generateContent) SDK clients; this object has none of those methods. For other code, use span(name, fn).',
    )
  }
  traced.add(client)
  return client
}
