/**
 * The app cache for SDK clients wrapped by `traceClient(client)` (OpenAI, Anthropic, Gemini): the
 * interceptor every traced model call goes through. A replayed call marks its `llm` span `cached`.
 * What is stored is the SDK's parsed response (never the request options: headers, timeout, signal).
 */
import { ConfigError } from '../errors.js'
import { appCacheMode, appCall, timed } from './app-call.js'
import { fromStorable, toStorable } from './serialize.js'

/** A traced model call, as `traceClient` describes it (`ModelCallRequest` of `tracing/client.ts`). */
export interface ClientCallRequest {
  provider: string
  method: string
  params: unknown
  cached?: boolean
}

type Json = Record<string, unknown>
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {})

/**
 * Replays, makes and records, or refuses a traced SDK call by the app cache's mode. With the mode
 * `off` the call is `send()` untouched (an OpenAI `APIPromise` stays one); otherwise the result is a
 * plain promise of the parsed response.
 */
export function appCacheInterceptor(request: ClientCallRequest, send: () => unknown): unknown {
  const mode = appCacheMode()
  if (mode === 'off') return send()
  const params = obj(request.params)
  if (params.stream === true) {
    throw new ConfigError(
      `The app cache does not record streamed SDK calls (${request.provider} ${request.method} with stream: true, ` +
        `app cache mode ${mode}): use stream: false, the AI SDK with appCacheMiddleware() (which records and ` +
        "replays streams), or `appCache: 'off'` for this suite.",
    )
  }
  const model = typeof params.model === 'string' ? params.model.replace(/^models\//, '') : 'unknown-model'
  const hint = lastUserText(params)
  return replayed(
    request,
    appCall(
      {
        kind: 'model',
        name: `${request.provider} ${model} ${request.method}`,
        request: { source: 'client', provider: request.provider, method: request.method, params: toStorable(params) },
        ...(hint ? { hint } : {}),
      },
      {
        live: async (record) => {
          const { value, latencyMs } = await timed(() => send() as PromiseLike<unknown>)
          record?.(toStorable(value), { latencyMs, ...usageOf(value) })
          return value
        },
        replay: (entry) => {
          request.cached = true
          return fromStorable(entry.value)
        },
      },
    ),
  )
}

/** A replayed Gemini response is rebuilt as the SDK's class (its `text` and `functionCalls` getters). */
async function replayed(request: ClientCallRequest, result: Promise<unknown>): Promise<unknown> {
  const value = await result
  if (!request.cached || request.provider !== 'gemini') return value
  const { GenerateContentResponse } = await import('@google/genai')
  return Object.assign(new GenerateContentResponse(), value)
}

/** Tokens of an OpenAI (chat, responses, embeddings), Anthropic or Gemini response. */
function usageOf(response: unknown): { tokens?: { input: number; output: number } } {
  const r = obj(response)
  const usage = obj(r.usage)
  const meta = obj(r.usageMetadata)
  const num = (...values: unknown[]): number | undefined => values.find((v): v is number => typeof v === 'number')
  const input = num(usage.prompt_tokens, usage.input_tokens, meta.promptTokenCount)
  const output = num(usage.completion_tokens, usage.output_tokens, meta.candidatesTokenCount)
  if (input === undefined && output === undefined) return {}
  return { tokens: { input: input ?? 0, output: output ?? 0 } }
}

/** The last user text of an OpenAI / Anthropic `messages`, a Responses `input`, or Gemini `contents`. */
function lastUserText(params: Json): string | undefined {
  if (typeof params.input === 'string') return params.input
  const messages = Array.isArray(params.messages)
    ? params.messages
    : Array.isArray(params.contents)
      ? params.contents
      : []
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = obj(messages[i])
    if (message.role !== 'user') continue
    if (typeof message.content === 'string') return message.content
    const parts = Array.isArray(message.content) ? message.content : Array.isArray(message.parts) ? message.parts : []
    const text = parts
      .map((part) => obj(part).text)
      .filter((t): t is string => typeof t === 'string')
      .join(' ')
    if (text) return text
  }
  if (typeof params.contents === 'string') return params.contents
  return undefined
}
