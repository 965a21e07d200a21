/** Turns judge specs (`<provider>:<model>`, `local`, `custom:<name>`) into judges, once per worker. */
import { ConfigError } from '../errors.js'
import { local } from './local-judge.js'
import { judgeProvider } from './provider-factories.js'
import { parseJudgeSpecOrThrow } from './providers.js'
import type { Judge } from './types.js'

const bySpec = new Map<string, Judge>()
const custom = new Map<string, Judge>()

/**
 * Registers a custom `Judge` object under its name so that a plugin option `judge: myJudge`
 * (which cannot cross into test workers) resolves in them. Call it in a setup file.
 */
export function registerJudge(judge: Judge): Judge {
  custom.set(judge.name, judge)
  return judge
}

/** Resolves a spec or returns the given Judge object. Throws `UnknownJudgeError` for an unknown spec. */
export function resolveJudge(spec: string | Judge): Judge {
  if (typeof spec !== 'string') return spec
  const cached = bySpec.get(spec)
  if (cached) return cached
  const parsed = parseJudgeSpecOrThrow(spec)
  if (parsed.kind === 'custom') {
    const found = custom.get(parsed.name)
    if (!found) {
      throw new ConfigError(
        `The plugin option \`judge\` is a Judge object named "${parsed.name}", which cannot be sent to test workers. ` +
          `Call registerJudge(yourJudge) from 'vitest-judge' in a setup file (test.setupFiles) so the workers know it.`,
      )
    }
    return found
  }
  const judge =
    parsed.kind === 'local' ? local() : judgeProvider(parsed.provider.prefix).create({ model: parsed.model })
  bySpec.set(spec, judge)
  return judge
}

/**
 * Resolves the judge of `embeddingSimilarity({ judge })`, where the model in the spec is an
 * embedding model (`openai:text-embedding-3-small`, `gemini:gemini-embedding-001`).
 */
export function resolveEmbeddingJudge(spec: string | Judge): Judge {
  if (typeof spec !== 'string') return spec
  const parsed = parseJudgeSpecOrThrow(spec)
  if (parsed.kind === 'provider') {
    const provider = judgeProvider(parsed.provider.prefix)
    if (provider.createEmbedding) return provider.createEmbedding(parsed.model)
  }
  return resolveJudge(spec)
}
