/**
 * The Anthropic judge, over `@anthropic-ai/sdk` (Messages API). The verdict comes as a forced tool
 * call (`tool_choice: { type: 'tool', name: 'verdict' }`) whose input schema is the verdict's JSON
 * schema; its input is checked like any other reply, with the same one repair attempt and retries.
 */
import type Anthropic from '@anthropic-ai/sdk'
import { ConfigError } from '../errors.js'
import { registerSecret } from '../redact.js'
import {
  type ChatMessage,
  type Completion,
  chatJudgeCalls,
  classifySdkError,
  endpointOf,
  llmCallSettings,
} from './llm-judge.js'
import { type JudgeProvider, type LlmJudgeOptions, lazyClient, resolveBaseUrl } from './provider.js'
import { providerInfo } from './providers.js'
import type { Judge } from './types.js'
import { VERDICT_JSON_SCHEMA } from './verdict-schema.js'

/** Options of `anthropic(...)`. */
export interface AnthropicJudgeOptions extends LlmJudgeOptions {
  /** Upper bound of the reply's tokens (the Messages API requires one). @default 1024 */
  maxTokens?: number
}

/** The Anthropic provider: `anthropic:<model>`, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL. */
export const anthropicProvider: JudgeProvider<AnthropicJudgeOptions> = {
  ...providerInfo('anthropic'),
  create: (options) => anthropic(options),
}

const VERDICT_TOOL = 'verdict'

/** Creates an Anthropic judge. The SDK (an optional dependency) loads on first use. */
export function anthropic(options: AnthropicJudgeOptions): Judge {
  const provider = anthropicProvider
  const baseURL = resolveBaseUrl(provider, options)
  if (options.temperature !== undefined) {
    throw new ConfigError(
      'anthropic({ temperature }) is not supported: the Messages API of @anthropic-ai/sdk 1.x no longer takes a temperature. Leave it out.',
    )
  }
  const maxTokens = options.maxTokens ?? 1024
  const name = `${provider.prefix}:${options.model}`
  registerSecret(options.apiKey)
  const settings = llmCallSettings(name, options, endpointOf(baseURL, 'api.anthropic.com'), classifySdkError)
  const getClient = lazyClient(
    provider,
    options.apiKey,
    () => import('@anthropic-ai/sdk'),
    ({ default: AnthropicClient }, apiKey): Anthropic =>
      // baseURL is always passed (null = the public API) so the SDK does not read ANTHROPIC_BASE_URL itself.
      new AnthropicClient({ apiKey, baseURL: baseURL ?? null, maxRetries: 0, timeout: settings.timeout }),
  )
  // One Messages call: the verdict as a forced tool call when grading, plain text otherwise.
  const send = async (messages: ChatMessage[], signal: AbortSignal, verdict: boolean): Promise<Completion> => {
    const sdk = await getClient()
    const system = messages.find((m) => m.role === 'system')?.content
    const reply = await sdk.messages.create(
      {
        model: options.model,
        max_tokens: maxTokens,
        ...(system ? { system } : {}),
        messages: messages
          .filter((m) => m.role !== 'system')
          .map((m) => ({
            role: m.role === 'assistant' ? ('assistant' as const) : ('user' as const),
            content: m.content,
          })),
        ...(verdict
          ? {
              tools: [
                {
                  name: VERDICT_TOOL,
                  description: 'Records the grade of the answer on the 1-5 rubric and why.',
                  input_schema: {
                    ...VERDICT_JSON_SCHEMA,
                    properties: { ...VERDICT_JSON_SCHEMA.properties },
                    required: [...VERDICT_JSON_SCHEMA.required],
                  },
                },
              ],
              tool_choice: { type: 'tool' as const, name: VERDICT_TOOL },
            }
          : {}),
      },
      { signal },
    )
    // The tool input is already an object; as JSON text it goes through the one verdict parser.
    const call = reply.content.find((block) => block.type === 'tool_use' && block.name === VERDICT_TOOL)
    const text =
      verdict && call && call.type === 'tool_use'
        ? JSON.stringify(call.input)
        : reply.content.map((block) => (block.type === 'text' ? block.text : '')).join('')
    return {
      text,
      usage: { inputTokens: reply.usage?.input_tokens ?? 0, outputTokens: reply.usage?.output_tokens ?? 0 },
    }
  }
  return {
    name,
    // The endpoint is not part of the identity: a replay through another proxy must still hit.
    cacheIdentity: { kind: 'anthropic', model: options.model, maxTokens },
    ...chatJudgeCalls(settings, getClient, send),
  }
}
