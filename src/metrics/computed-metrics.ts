/** Metrics computed without an LLM: text overlap scores, readability grades, latency and tokens. */
import { ConfigError, MissingFieldError } from '../errors.js'
import { resolveEmbeddingJudge } from '../judges/resolve-judge.js'
import type { Judge } from '../judges/types.js'
import { builtInNature } from './built-in.js'
import {
  bleu as bleuOf,
  exactMatchScore,
  levenshteinSimilarity,
  squadExactMatch,
  tokenF1 as tokenF1Of,
} from './heuristics.js'
import {
  ariGrade as ariGradeOf,
  fleschKincaidGrade as fleschKincaidGradeOf,
  loadSyllableCounter,
} from './readability.js'
import { rougeLScore, rougeLsumScore, rougeN } from './rouge.js'
import type { Metric, MetricContext, MetricInput, MetricValue } from './types.js'

function referenceMetric(name: string, compute: (output: string, expected: string) => number): Metric {
  return {
    name,
    kind: 'score',
    greaterIsBetter: true,
    requires: ['expected'],
    version: 'v1',
    judged: false,
    async score(input: MetricInput): Promise<MetricValue> {
      if (input.expected === undefined) {
        throw new MissingFieldError(name, 'expected', 'give the case an `expected` value (the reference answer).')
      }
      return { score: compute(input.output, input.expected) }
    },
  }
}

function measurement(
  name: string,
  compute: (input: MetricInput) => number | undefined | Promise<number | undefined>,
): Metric {
  return {
    name,
    ...builtInNature(name),
    requires: [],
    version: 'v1',
    judged: false,
    async score(input: MetricInput): Promise<MetricValue> {
      const value = await compute(input)
      if (value === undefined) throw new MissingFieldError(name, 'measurement', 'it is only measured in describeEval.')
      return { score: value }
    },
  }
}

/** Options of `exactMatch`. */
export interface ExactMatchOptions {
  /**
   * `'whitespace'`: case-sensitive comparison after trimming and collapsing whitespace (MLflow's
   * `exact_match`); `'squad'`: after SQuAD v1.1's `normalize_answer` (lowercase, no punctuation,
   * no articles). @default 'whitespace'
   */
  normalize?: 'whitespace' | 'squad'
}

/** 1 when the output equals the expected answer (trimmed, whitespace collapsed; or SQuAD-normalized), else 0. */
export function exactMatch(options: ExactMatchOptions = {}): Metric {
  const normalize = options.normalize ?? 'whitespace'
  if (normalize !== 'whitespace' && normalize !== 'squad') {
    throw new ConfigError(`exactMatch({ normalize }) must be 'whitespace' or 'squad', got ${String(normalize)}.`)
  }
  return referenceMetric('exact_match', normalize === 'squad' ? squadExactMatch : exactMatchScore)
}

/** 1 - Levenshtein distance / longer length, over code points. */
export function levenshtein(): Metric {
  return referenceMetric('levenshtein', levenshteinSimilarity)
}

/** SQuAD-style token F1 against the expected answer. */
export function tokenF1(): Metric {
  return referenceMetric('token_f1', tokenF1Of)
}

/** ROUGE-1 F-measure (unigram overlap) against the expected answer, as Google's `rouge_score` computes it. */
export function rouge1(): Metric {
  return referenceMetric('rouge1', (output, expected) => rougeN(output, expected, 1).fmeasure)
}

/** ROUGE-2 F-measure (bigram overlap) against the expected answer, as Google's `rouge_score` computes it. */
export function rouge2(): Metric {
  return referenceMetric('rouge2', (output, expected) => rougeN(output, expected, 2).fmeasure)
}

/** ROUGE-L F-measure (longest common subsequence) against the expected answer, as `rouge_score` computes it. */
export function rougeL(): Metric {
  return referenceMetric('rouge_l', (output, expected) => rougeLScore(output, expected).fmeasure)
}

/** ROUGE-Lsum F-measure (summary-level LCS over newline-separated sentences), as `rouge_score` computes it. */
export function rougeLsum(): Metric {
  return referenceMetric('rouge_lsum', (output, expected) => rougeLsumScore(output, expected).fmeasure)
}

/** Smoothed sentence BLEU-4 against the expected answer. */
export function bleu(): Metric {
  return referenceMetric('bleu', bleuOf)
}

/**
 * Flesch-Kincaid grade level of the output, counted as textstat counts (a measurement; lower reads
 * easier). Syllables from CMUdict and en-US hyphenation, loaded on first use.
 */
export function fleschKincaidGrade(): Metric {
  return measurement('flesch_kincaid_grade', async (input) =>
    fleschKincaidGradeOf(input.output, await loadSyllableCounter()),
  )
}

/** Automated Readability Index grade of the output, counted as textstat counts (a measurement). */
export function ariGrade(): Metric {
  return measurement('ari_grade', (input) => ariGradeOf(input.output))
}

/** Task latency in ms (describeEval; a measurement, lower is better). */
export function latency(): Metric {
  return measurement('latency', (input) => input.latencyMs)
}

/** Tokens the task reported (input + output; a measurement, lower is better). 0 when the task reports none. */
export function tokenCount(): Metric {
  return measurement('token_count', (input) => (input.tokens ? input.tokens.input + input.tokens.output : 0))
}

/** Options of `embeddingSimilarity`. */
export interface EmbeddingSimilarityOptions {
  /**
   * Embedding provider: `'openai:<embedding-model>'`, `'gemini:<embedding-model>'`, `'local'`
   * (hashed character trigrams, offline) or a `Judge` with `embed`. @default the default judge's provider
   */
  judge?: string | Judge
}

function cosine(a: number[], b: number[]): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? 0
    const y = b[i] ?? 0
    dot += x * y
    na += x * x
    nb += y * y
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
}

/** Cosine similarity of the output's and the expected answer's embeddings, clamped to 0..1. Cached like judge calls. */
export function embeddingSimilarity(options: EmbeddingSimilarityOptions = {}): Metric {
  return {
    name: 'embedding_similarity',
    kind: 'score',
    greaterIsBetter: true,
    requires: ['expected'],
    version: 'v1',
    judged: true,
    ...(options.judge !== undefined ? { judge: resolveEmbeddingJudge(options.judge) } : {}),
    async score(input: MetricInput, context: MetricContext): Promise<MetricValue> {
      if (input.expected === undefined) {
        throw new MissingFieldError(
          'embedding_similarity',
          'expected',
          'give the case an `expected` value (the reference answer).',
        )
      }
      const { vectors, cached } = await context.embed(context.judge, [input.output, input.expected])
      const [a, b] = vectors
      const score = a && b ? Math.max(0, Math.min(1, cosine(a, b))) : 0
      return { score, judge: context.judge.name, cached }
    },
  }
}
