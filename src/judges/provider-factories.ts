/** The workers' side of the provider registry: each provider's factory, by spec prefix. */
import { anthropicProvider } from './anthropic-judge.js'
import { geminiProvider } from './gemini-judge.js'
import { openaiProvider } from './openai-judge.js'
import type { JudgeProvider } from './provider.js'

const FACTORIES: readonly JudgeProvider[] = [
  openaiProvider as JudgeProvider,
  geminiProvider as JudgeProvider,
  anthropicProvider as JudgeProvider,
]

/** The factory of a provider listed in `providers.ts`. */
export function judgeProvider(prefix: string): JudgeProvider {
  const found = FACTORIES.find((p) => p.prefix === prefix)
  if (!found) throw new Error(`vitest-judge: provider "${prefix}" has no factory in provider-factories.ts`)
  return found
}
