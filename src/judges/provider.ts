/**
 * What a judge provider declares about itself (`ProviderInfo`, listed in `providers.ts`, from which
 * the default judge, the key check, spec parsing, help text and messages are derived) and how it
 * makes a judge (`JudgeProvider`, one per provider file: `openai-judge.ts`, `gemini-judge.ts`,
 * `anthropic-judge.ts`, listed for the workers in `provider-factories.ts`).
 */

import { envValue } from '../env.js'
import { ConfigError, MissingKeyError } from '../errors.js'
import { type LlmCallOptions, loadSdk } from './llm-judge.js'
import type { Judge } from './types.js'

/** Options every LLM judge factory takes (`openai(...)`, `gemini(...)`, `anthropic(...)`). */
export interface LlmJudgeOptions extends LlmCallOptions {
  /** Model, e.g. `gpt-4.1-mini`, `gemini-2.5-flash`, `claude-haiku-4-5`. */
  model: string
  /**
   * Another endpoint (a proxy, a gateway, an OpenAI-compatible server).
   * @default the provider's base-URL env variable (`OPENAI_BASE_URL`, `GEMINI_BASE_URL`, `ANTHROPIC_BASE_URL`), else its public API
   */
  baseURL?: string
  /** Same as `baseURL` (the spelling `@google/genai` uses); accepted for every provider. */
  baseUrl?: string
  /** @default the provider's key env variable(s) */
  apiKey?: string
  /** @default 0 */
  temperature?: number
}

/**
 * What a provider declares about itself, with no code that reaches its SDK: the registry, the
 * default judge, the key check, `--help` and messages read only this, so the CLI and the plugin
 * never load a judge module (and its lazy SDK import).
 */
export interface ProviderInfo {
  /** The spec prefix: `openai` in `openai:gpt-4.1-mini`. */
  readonly prefix: string
  /** Env variables holding the API key, in the order they are read. */
  readonly keyEnv: readonly string[]
  /** Env variable holding the base URL. */
  readonly baseUrlEnv: string
  /** Model of the default judge when only this provider's key is set. */
  readonly defaultModel: string
  /** The npm package of the SDK (loaded on first use). */
  readonly sdkPackage: string
  /** Default embedding model for `embeddingSimilarity`, when the provider has embeddings. */
  readonly embeddingModel?: string
}

/** One judge provider: its declaration and how to make a judge (worker side). */
export interface JudgeProvider<Options extends LlmJudgeOptions = LlmJudgeOptions> extends ProviderInfo {
  /** A judge whose `embed` uses `model`, when the provider has embeddings. */
  createEmbedding?(model: string): Judge
  /** Makes a judge. */
  create(options: Options): Judge
}

/** The base URL from the options (either spelling), else from the provider's env variable. */
export function resolveBaseUrl(
  provider: Pick<ProviderInfo, 'prefix' | 'baseUrlEnv'>,
  options: Pick<LlmJudgeOptions, 'baseURL' | 'baseUrl'>,
): string | undefined {
  if (options.baseURL !== undefined && options.baseUrl !== undefined && options.baseURL !== options.baseUrl) {
    throw new ConfigError(
      `${provider.prefix}({ ... }) got both \`baseURL\` and \`baseUrl\` with different values; pass only \`baseURL\`.`,
    )
  }
  return options.baseURL ?? options.baseUrl ?? envValue(provider.baseUrlEnv)
}

/** The API key from the option, else the first of the provider's env variables that is set. */
export function resolveApiKey(provider: Pick<ProviderInfo, 'keyEnv'>, apiKey: string | undefined): string | undefined {
  if (apiKey) return apiKey
  for (const name of provider.keyEnv) {
    const value = envValue(name)
    if (value) return value
  }
  return undefined
}

/**
 * A provider's SDK client, made on first use: the API key (the option, else the provider's env
 * variables) is required then, not when the judge is created, and the SDK is loaded once.
 */
export function lazyClient<Sdk, Client>(
  provider: Pick<ProviderInfo, 'prefix' | 'sdkPackage' | 'keyEnv'>,
  apiKeyOption: string | undefined,
  load: () => Promise<Sdk>,
  make: (sdk: Sdk, apiKey: string) => Client,
): () => Promise<Client> {
  let client: Promise<Client> | undefined
  return () => {
    const apiKey = resolveApiKey(provider, apiKeyOption)
    if (!apiKey) throw new MissingKeyError(provider.prefix, [...provider.keyEnv])
    client ??= loadSdk(provider.prefix, provider.sdkPackage, load).then((sdk) => make(sdk, apiKey))
    return client
  }
}
