/** The Gemini judge, over `@google/genai` (`generateContent` with a JSON response schema). */
import type { GoogleGenAI } from '@google/genai'
import { isRetryableStatus } from '../http-retry.js'
import { registerSecret } from '../redact.js'
import {
  type ChatMessage,
  type Completion,
  callWithRetries,
  chatJudgeCalls,
  endpointOf,
  llmCallSettings,
} from './llm-judge.js'
import { type JudgeProvider, type LlmJudgeOptions, lazyClient, resolveBaseUrl } from './provider.js'
import { providerInfo } from './providers.js'
import type { Judge } from './types.js'

/** Options of `gemini(...)`. */
export interface GeminiJudgeOptions extends LlmJudgeOptions {
  /** Model for `embeddingSimilarity`. @default `gemini-embedding-001` */
  embeddingModel?: string
}

/** The Gemini provider: `gemini:<model>`, GEMINI_API_KEY or GOOGLE_API_KEY, GEMINI_BASE_URL. */
export const geminiProvider: JudgeProvider<GeminiJudgeOptions> = {
  ...providerInfo('gemini'),
  createEmbedding: (model) => gemini({ model, embeddingModel: model }),
  create: (options) => gemini(options),
}

function classify(error: unknown) {
  const e = error as { status?: number; message?: string; name?: string }
  const status = typeof e.status === 'number' ? e.status : undefined
  // fetch failures (refused, reset) carry no status and are worth another try.
  const connection = e.name === 'TypeError' || /fetch failed|ECONNRE|socket/i.test(String(e.message))
  return {
    retryable: status === undefined ? connection : isRetryableStatus(status),
    ...(status !== undefined ? { status } : {}),
    message: String(e.message ?? error).slice(0, 300),
  }
}

const RESPONSE_SCHEMA = {
  type: 'OBJECT',
  properties: {
    score: { type: 'INTEGER', minimum: 1, maximum: 5 },
    justification: { type: 'STRING' },
  },
  required: ['score', 'justification'],
  propertyOrdering: ['score', 'justification'],
}

/** Creates a Gemini judge. The SDK loads on first use. */
export function gemini(options: GeminiJudgeOptions): Judge {
  const provider = geminiProvider
  const baseUrl = resolveBaseUrl(provider, options)
  const temperature = options.temperature ?? 0
  const name = `${provider.prefix}:${options.model}`
  registerSecret(options.apiKey)
  const settings = llmCallSettings(name, options, endpointOf(baseUrl, 'generativelanguage.googleapis.com'), classify)
  const getClient = lazyClient(
    provider,
    options.apiKey,
    () => import('@google/genai'),
    ({ GoogleGenAI: Client }, apiKey): GoogleGenAI =>
      new Client({ apiKey, ...(baseUrl ? { httpOptions: { baseUrl } } : {}) }),
  )
  // One generateContent call: the verdict's JSON schema when grading, plain text otherwise.
  const generate = async (messages: ChatMessage[], signal: AbortSignal, verdict: boolean): Promise<Completion> => {
    const sdk = await getClient()
    const system = messages.find((m) => m.role === 'system')?.content
    const contents = messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] }))
    const reply = await sdk.models.generateContent({
      model: options.model,
      contents,
      config: {
        ...(system ? { systemInstruction: system } : {}),
        temperature,
        ...(verdict ? { responseMimeType: 'application/json', responseSchema: RESPONSE_SCHEMA } : {}),
        abortSignal: signal,
      },
    })
    return {
      text: reply.text ?? '',
      usage: {
        inputTokens: reply.usageMetadata?.promptTokenCount ?? 0,
        outputTokens: reply.usageMetadata?.candidatesTokenCount ?? 0,
      },
    }
  }
  return {
    name,
    // The endpoint is not part of the identity: a replay through another proxy must still hit.
    cacheIdentity: { kind: 'gemini', model: options.model, temperature },
    ...chatJudgeCalls(settings, getClient, generate),
    async embed(texts: string[], embedOptions?: { signal?: AbortSignal }): Promise<number[][]> {
      const sdk = await getClient()
      const model = options.embeddingModel ?? provider.embeddingModel ?? 'gemini-embedding-001'
      const { value } = await callWithRetries(
        { ...settings, name: `${provider.prefix}:${model}` },
        (signal) => sdk.models.embedContent({ model, contents: texts, config: { abortSignal: signal } }),
        embedOptions?.signal,
      )
      return (value.embeddings ?? []).map((e) => e.values ?? [])
    },
  }
}
