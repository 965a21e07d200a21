/** Turns judge specs (`openai:<model>`, `gemini:<model>`, `local`) into judges, once per worker. */
import { ConfigError, UnknownJudgeError } from '../errors.js'
import { gemini } from './gemini-judge.js'
import { local } from './local-judge.js'
import { openai } from './openai-judge.js'
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
  let judge: Judge
  const colon = spec.indexOf(':')
  const kind = colon === -1 ? spec : spec.slice(0, colon)
  const model = colon === -1 ? '' : spec.slice(colon + 1)
  if (spec === 'local') judge = local()
  else if (kind === 'openai' && model) judge = openai({ model })
  else if (kind === 'gemini' && model) judge = gemini({ model })
  else if (kind === 'custom' && model) {
    const found = custom.get(model)
    if (!found) {
      throw new ConfigError(
        `The plugin option \`judge\` is a Judge object named "${model}", which cannot be sent to test workers. ` +
          `Call registerJudge(yourJudge) from 'vitest-judge' in a setup file (test.setupFiles) so the workers know it.`,
      )
    }
    return found
  } else throw new UnknownJudgeError(spec)
  bySpec.set(spec, judge)
  return judge
}

/** Checks a spec string names a known kind, without creating a judge (plugin start-up check). */
export function checkJudgeSpec(spec: string): void {
  if (spec === 'local' || spec.startsWith('custom:')) return
  if (/^(openai|gemini):.+/.test(spec)) return
  throw new UnknownJudgeError(spec)
}

/**
 * Resolves the judge of `embeddingSimilarity({ judge })`, where the model in the spec is an
 * embedding model (`openai:text-embedding-3-small`, `gemini:gemini-embedding-001`).
 */
export function resolveEmbeddingJudge(spec: string | Judge): Judge {
  if (typeof spec !== 'string') return spec
  const colon = spec.indexOf(':')
  const kind = colon === -1 ? spec : spec.slice(0, colon)
  const model = colon === -1 ? '' : spec.slice(colon + 1)
  if (kind === 'openai' && model) return openai({ model, embeddingModel: model })
  if (kind === 'gemini' && model) return gemini({ model, embeddingModel: model })
  return resolveJudge(spec)
}
