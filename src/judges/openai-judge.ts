/** The OpenAI judge, over the `openai` SDK (chat completions with a JSON-schema response format). */
import type OpenAI from 'openai'
import { registerSecret } from '../redact.js'
import {
  type ChatMessage,
  type Completion,
  callWithRetries,
  chatJudgeCalls,
  classifySdkError,
  endpointOf,
  llmCallSettings,
} from './llm-judge.js'
import { type JudgeProvider, type LlmJudgeOptions, lazyClient, resolveBaseUrl } from './provider.js'
import { providerInfo } from './providers.js'
import type { Judge } from './types.js'
import { VERDICT_JSON_SCHEMA } from './verdict-schema.js'

/** Options of `openai(...)`. `baseURL` may be any OpenAI-compatible server (Azure, Ollama, vLLM, LM Studio). */
export interface OpenAIJudgeOptions extends LlmJudgeOptions {
  /** Model for `embeddingSimilarity`. @default `text-embedding-3-small` */
  embeddingModel?: string
}

/** The OpenAI provider: `openai:<model>`, OPENAI_API_KEY, OPENAI_BASE_URL. */
export const openaiProvider: JudgeProvider<OpenAIJudgeOptions> = {
  ...providerInfo('openai'),
  createEmbedding: (model) => openai({ model, embeddingModel: model }),
  create: (options) => openai(options),
}

/** Creates an OpenAI judge. The SDK loads on first use. */
export function openai(options: OpenAIJudgeOptions): Judge {
  const provider = openaiProvider
  const baseURL = resolveBaseUrl(provider, options)
  const temperature = options.temperature ?? 0
  const name = `${provider.prefix}:${options.model}`
  registerSecret(options.apiKey)
  const settings = llmCallSettings(name, options, endpointOf(baseURL, 'api.openai.com'), classifySdkError)
  const getClient = lazyClient(
    provider,
    options.apiKey,
    () => import('openai'),
    ({ default: OpenAIClient }, apiKey): OpenAI =>
      new OpenAIClient({ apiKey, ...(baseURL ? { baseURL } : {}), maxRetries: 0, timeout: settings.timeout }),
  )
  // One chat completion: the verdict's JSON schema as response format when grading, none for free text.
  const chat = async (messages: ChatMessage[], signal: AbortSignal, verdict: boolean): Promise<Completion> => {
    const sdk = await getClient()
    const reply = await sdk.chat.completions.create(
      {
        model: options.model,
        temperature,
        messages,
        ...(verdict
          ? {
              response_format: {
                type: 'json_schema' as const,
                json_schema: { name: 'verdict', strict: true, schema: { ...VERDICT_JSON_SCHEMA } },
              },
            }
          : {}),
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
  }
  return {
    name,
    // The endpoint is not part of the identity: a replay through another proxy must still hit.
    cacheIdentity: { kind: 'openai', model: options.model, temperature },
    ...chatJudgeCalls(settings, getClient, chat),
    async embed(texts: string[], embedOptions?: { signal?: AbortSignal }): Promise<number[][]> {
      const sdk = await getClient()
      const model = options.embeddingModel ?? provider.embeddingModel ?? 'text-embedding-3-small'
      const { value } = await callWithRetries(
        { ...settings, name: `${provider.prefix}:${model}` },
        (signal) => sdk.embeddings.create({ model, input: texts }, { signal }),
        embedOptions?.signal,
      )
      return [...value.data].sort((a, b) => a.index - b.index).map((d) => d.embedding)
    },
  }
}
