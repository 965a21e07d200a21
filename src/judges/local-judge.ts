/**
 * The embedded offline judge: deterministic, no network, no key. It scores the built-in judged
 * metrics from the texts themselves (see `local-scoring.ts`) and refuses custom rubrics, which
 * need a real LLM.
 */
import { JudgeError } from '../errors.js'
import { localCorrectness, localFaithfulness, localRelevance, localSimilarity } from './local-scoring.js'
import { judgeSpecForms, keyEnvNames } from './providers.js'
import type { GradeRequest, Judge, Verdict } from './types.js'

const DIMENSIONS = 256

function trigramVector(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0)
  const padded = ` ${text.toLowerCase().replace(/\s+/g, ' ').trim()} `
  const chars = Array.from(padded)
  for (let i = 0; i + 3 <= chars.length; i++) {
    const gram = chars.slice(i, i + 3).join('')
    let hash = 2166136261
    for (let j = 0; j < gram.length; j++) {
      hash ^= gram.charCodeAt(j)
      hash = Math.imul(hash, 16777619)
    }
    const index = (hash >>> 0) % DIMENSIONS
    vector[index] = (vector[index] ?? 0) + 1
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1
  return vector.map((v) => v / norm)
}

function need(request: GradeRequest, field: 'input' | 'expected' | 'context'): string {
  const value = request.fields[field]
  if (value === undefined) {
    throw new JudgeError('VJ_JUDGE_UNSUPPORTED', 'local', `metric ${request.metric} needs \`${field}\`.`)
  }
  return value
}

function needsLlmJudge(request: GradeRequest): JudgeError {
  const what = request.builtin ? 'the metric' : 'the custom rubric metric'
  return new JudgeError(
    'VJ_JUDGE_UNSUPPORTED',
    'local',
    `the offline local judge cannot grade ${what} "${request.metric}": it needs an LLM judge. ` +
      `Set ${keyEnvNames().join(' or ')}, or pass \`judge: '${judgeSpecForms()[0]}'\` to the metric or the plugin.`,
  )
}

/** Creates the offline local judge. */
export function local(): Judge {
  return {
    name: 'local',
    cacheIdentity: { kind: 'local', version: 1 },
    async grade(request: GradeRequest): Promise<Verdict> {
      const { output } = request.fields
      // The scorer is chosen by name, so a custom metric that reuses a built-in name must not get it.
      if (!request.builtin) throw needsLlmJudge(request)
      switch (request.metric) {
        case 'answer_similarity':
          return localSimilarity(output, need(request, 'expected'))
        case 'answer_correctness':
          return localCorrectness(output, need(request, 'expected'))
        case 'answer_relevance':
          return localRelevance(output, need(request, 'input'), request.fields.context)
        case 'relevance':
          return localRelevance(output, need(request, 'input'), need(request, 'context'))
        case 'faithfulness':
          return localFaithfulness(output, need(request, 'context'))
        default:
          throw needsLlmJudge(request)
      }
    },
    async embed(texts: string[]): Promise<number[][]> {
      return texts.map(trigramVector)
    },
  }
}
