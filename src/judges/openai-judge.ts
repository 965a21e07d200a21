/** The OpenAI judge, over the `openai` SDK (chat completions with a JSON-schema response format). */
import type OpenAI from 'openai'
import { MissingKeyError } from '../errors.js'
import { registerSecret } from '../redact.js'
import { type ChatMessage, callWithRetries, endpointOf, gradeWithRepair, llmCallSettings } from './llm-judge.js'
import { VERDICT_JSON_SCHEMA } from './prompt.js'
import { isRetryableStatus, parseRetryAfter } from './retry.js'
import type { GradeRequest, Judge, Verdict } from './types.js'

/** Options of `openai(...)`. */
export interface OpenAIJudgeOptions {
  /** Chat model, e.g. `gpt-4.1-mini`. */
  model: string
  /** Any OpenAI-compatible server (Azure, Ollama, vLLM, LM Studio). @default OPENAI_BASE_URL env, else the OpenAI API */
  baseURL?: string
  /** @default OPENAI_API_KEY env */
  apiKey?: string
  /** @default 0 */
  temperature?: number
  /** Retries for 408/409/429/5xx and timeouts. @default 4 */
  maxRetries?: number
  /** Per-request timeout in ms. @default 60000 */
  timeout?: number
  /** First backoff delay in ms (doubles per retry). @default 500 */
  retryDelayMs?: number
  /** Model for `embeddingSimilarity`. @default `text-embedding-3-small` */
  embeddingModel?: string
}

function classify(error: unknown) {
  const e = error as { status?: number; headers?: Headers; message?: string; name?: string }
  const status = typeof e.status === 'number' ? e.status : undefined
  // The SDK's error classes keep `name` 'Error'; the class tells a refused or dropped connection.
  const kind = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name
  const connection = [e.name, kind].some((n) => n === 'APIConnectionError' || n === 'APIConnectionTimeoutError')
  return {
    retryable: status === undefined ? connection : isRetryableStatus(status),
    ...(status !== undefined ? { status } : {}),
    ...(e.headers && typeof e.headers.get === 'function' ? { retryAfterMs: parseRetryAfter(e.headers) } : {}),
    message: String(e.message ?? error).slice(0, 300),
  }
}

/** Creates an OpenAI judge. The SDK loads on first use. */
export function openai(options: OpenAIJudgeOptions): Judge {
  const baseURL = options.baseURL ?? process.env.OPENAI_BASE_URL ?? undefined
  const temperature = options.temperature ?? 0
  const name = `openai:${options.model}`
  registerSecret(options.apiKey)
  const settings = llmCallSettings(name, options, endpointOf(baseURL, 'api.openai.com'), classify)
  let client: Promise<OpenAI> | undefined
  const getClient = () => {
    const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY
    if (!apiKey) throw new MissingKeyError('openai', ['OPENAI_API_KEY'])
    client ??= import('openai').then(
      ({ default: OpenAIClient }) =>
        new OpenAIClient({ apiKey, ...(baseURL ? { baseURL } : {}), maxRetries: 0, timeout: settings.timeout }),
    )
    return client
  }
  return {
    name,
    // The endpoint is not part of the identity: a replay through another proxy must still hit.
    cacheIdentity: { kind: 'openai', model: options.model, temperature },
    async grade(request: GradeRequest): Promise<Verdict> {
      const sdk = await getClient()
      return gradeWithRepair(
        settings,
        async (messages: ChatMessage[], signal) => {
          const reply = await sdk.chat.completions.create(
            {
              model: options.model,
              temperature,
              messages,
              response_format: {
                type: 'json_schema',
                json_schema: { name: 'verdict', strict: true, schema: { ...VERDICT_JSON_SCHEMA } },
              },
            },
            { signal },
          )
          return {
            text: reply.choices[0]?.message?.content ?? '',
            usage: {
              inputTokens: reply.usage?.prompt_tokens ?? 0,
              outputTokens: reply.usage?.completion_tokens ?? 0,
            },
          }
        },
        request,
      )
    },
    async embed(texts: string[], embedOptions?: { signal?: AbortSignal }): Promise<number[][]> {
      const sdk = await getClient()
      const model = options.embeddingModel ?? 'text-embedding-3-small'
      const { value } = await callWithRetries(
        { ...settings, name: `openai:${model}` },
        (signal) => sdk.embeddings.create({ model, input: texts }, { signal }),
        embedOptions?.signal,
      )
      return [...value.data].sort((a, b) => a.index - b.index).map((d) => d.embedding)
    },
  }
}
