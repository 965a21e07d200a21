/**
 * The provider registry: the one list of LLM judge providers and what each declares. The default
 * judge, the key check, spec parsing, the help text and the messages that name providers are all
 * derived from it. It holds declarations only, so the plugin and the CLI (whose `--help` reads it)
 * never load a judge module; the workers find each provider's factory in `provider-factories.ts`.
 * Adding a provider: its declaration here, one file exporting its `JudgeProvider`, one line there.
 */
import { MissingKeyError, UnknownJudgeError } from '../errors.js'
import type { ProviderInfo } from './provider.js'

/** Every provider, in the order the default judge looks for their keys. */
export const PROVIDERS: readonly ProviderInfo[] = [
  {
    prefix: 'openai',
    keyEnv: ['OPENAI_API_KEY'],
    baseUrlEnv: 'OPENAI_BASE_URL',
    defaultModel: 'gpt-4.1-mini',
    sdkPackage: 'openai',
    embeddingModel: 'text-embedding-3-small',
  },
  {
    prefix: 'gemini',
    keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    baseUrlEnv: 'GEMINI_BASE_URL',
    defaultModel: 'gemini-2.5-flash',
    sdkPackage: '@google/genai',
    embeddingModel: 'gemini-embedding-001',
  },
  {
    prefix: 'anthropic',
    keyEnv: ['ANTHROPIC_API_KEY'],
    baseUrlEnv: 'ANTHROPIC_BASE_URL',
    defaultModel: 'claude-haiku-4-5',
    sdkPackage: '@anthropic-ai/sdk',
  },
]

/** The declaration of a provider the registry lists (throws for an unknown prefix: a programming error). */
export function providerInfo(prefix: string): ProviderInfo {
  const found = findProvider(prefix)
  if (!found) throw new Error(`vitest-judge: no provider "${prefix}" in the registry`)
  return found
}

/** A judge spec taken apart. */
export type ParsedJudgeSpec =
  | { kind: 'local' }
  | { kind: 'custom'; name: string }
  | { kind: 'provider'; provider: ProviderInfo; model: string }

/** The provider with this spec prefix, if any. */
export function findProvider(prefix: string): ProviderInfo | undefined {
  return PROVIDERS.find((p) => p.prefix === prefix)
}

/** Parses `'<provider>:<model>'`, `'local'` or `'custom:<name>'`; undefined for anything else. */
export function parseJudgeSpec(spec: string): ParsedJudgeSpec | undefined {
  if (spec === 'local') return { kind: 'local' }
  const colon = spec.indexOf(':')
  if (colon <= 0 || colon === spec.length - 1) return undefined
  const prefix = spec.slice(0, colon)
  const rest = spec.slice(colon + 1)
  if (prefix === 'custom') return { kind: 'custom', name: rest }
  const provider = findProvider(prefix)
  return provider ? { kind: 'provider', provider, model: rest } : undefined
}

/** The spec forms users may type, for messages and help: `'openai:<model>'`, ..., `'local'`. */
export function judgeSpecForms(): string[] {
  return [...PROVIDERS.map((p) => `${p.prefix}:<model>`), 'local']
}

/** Parses a spec or throws `UnknownJudgeError` listing the accepted forms. */
export function parseJudgeSpecOrThrow(spec: string): ParsedJudgeSpec {
  const parsed = parseJudgeSpec(spec)
  if (!parsed) throw new UnknownJudgeError(spec, judgeSpecForms())
  return parsed
}

/** Why the default judge is what it is: an option, VITEST_JUDGE, a provider's key (`<prefix>-key`), or nothing set. */
export type JudgeSource = 'option' | 'env' | 'default' | `${string}-key`

/** The first set value of a provider's key variables. */
function keyOf(provider: ProviderInfo, env: Record<string, string | undefined>): string | undefined {
  for (const name of provider.keyEnv) if (env[name]) return env[name]
  return undefined
}

/** The default judge: VITEST_JUDGE, else the first provider whose key is set (with its default model), else `local`. */
export function defaultJudgeSpec(env: Record<string, string | undefined>): { judge: string; source: JudgeSource } {
  if (env.VITEST_JUDGE) return { judge: env.VITEST_JUDGE, source: 'env' }
  for (const provider of PROVIDERS) {
    if (keyOf(provider, env))
      return { judge: `${provider.prefix}:${provider.defaultModel}`, source: `${provider.prefix}-key` }
  }
  return { judge: 'local', source: 'default' }
}

/** The error for a provider spec whose key is not set, else undefined (local, custom and unknown specs need none). */
export function missingKeyError(spec: string, env: Record<string, string | undefined>): MissingKeyError | undefined {
  const parsed = parseJudgeSpec(spec)
  if (parsed?.kind !== 'provider' || keyOf(parsed.provider, env)) return undefined
  return new MissingKeyError(parsed.provider.prefix, [...parsed.provider.keyEnv])
}

/** Every provider's key variables, e.g. for the notice that no key is set. */
export function keyEnvNames(): string[] {
  return PROVIDERS.flatMap((p) => p.keyEnv)
}

/** The notice printed once when no key is set and the offline local judge is used. */
export function localJudgeNotice(): string {
  const keys = PROVIDERS.map((p) => p.keyEnv[0]).join(', ')
  return (
    `vitest-judge: no ${keys} or VITEST_JUDGE is set, so judged metrics use the offline ` +
    'local judge (deterministic text overlap). Set a key or the `judge` option for an LLM judge.'
  )
}

/** Lines describing the judges and their env variables, for `--help` and the README. */
export function judgeHelpLines(): string[] {
  const rows = PROVIDERS.map((p) => {
    const spec = `${p.prefix}:<model>`.padEnd(20)
    return `  ${spec} key ${p.keyEnv.join(' or ')}, endpoint ${p.baseUrlEnv} (default model ${p.defaultModel}; needs ${p.sdkPackage})`
  })
  return [
    ...rows,
    `  ${'local'.padEnd(20)} offline and deterministic, no key`,
    `  Default: VITEST_JUDGE, else the first provider above whose key is set, else local.`,
  ]
}
