/**
 * Heuristic text metrics computed without an LLM: exact match, Levenshtein, SQuAD token F1,
 * and sentence BLEU (ROUGE is in rouge.ts, readability in readability.ts). Pure functions; none returns NaN.
 */
import { tokenize } from '../text/words.js'

function collapseWhitespace(text: string): string {
  return text.trim().replace(/\s+/g, ' ')
}

/**
 * 1 when `output` equals `expected` after trimming both ends and collapsing every run of
 * whitespace to one space, else 0. Case-sensitive, like MLflow's `exact_match`.
 */
export function exactMatchScore(output: string, expected: string): number {
  return collapseWhitespace(output) === collapseWhitespace(expected) ? 1 : 0
}

/**
 * Levenshtein edit distance (insertions, deletions, substitutions, each costing 1) between two
 * strings, counted in Unicode code points, so an emoji or a CJK character is one edit.
 */
export function levenshteinDistance(a: string, b: string): number {
  const left = Array.from(a, (char) => char.codePointAt(0) ?? 0)
  const right = Array.from(b, (char) => char.codePointAt(0) ?? 0)
  if (left.length === 0) return right.length
  if (right.length === 0) return left.length
  let previous = Uint32Array.from({ length: right.length + 1 }, (_, j) => j)
  let current = new Uint32Array(right.length + 1)
  for (let i = 1; i <= left.length; i++) {
    current[0] = i
    const char = left[i - 1]
    for (let j = 1; j <= right.length; j++) {
      const cost = char === right[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    ;[previous, current] = [current, previous]
  }
  return previous[right.length]!
}

/**
 * `1 - levenshteinDistance(output, expected) / max(length)`, lengths in Unicode code points, on
 * the raw strings (no trimming or case folding). 1 when both are empty, 0 when nothing is shared.
 */
export function levenshteinSimilarity(output: string, expected: string): number {
  const longest = Math.max(Array.from(output).length, Array.from(expected).length)
  if (longest === 0) return 1
  return 1 - levenshteinDistance(output, expected) / longest
}

// Python's `\b` in SQuAD's `re.sub(r'\b(a|an|the)\b', ...)` is Unicode-aware: a word character is any
// letter, digit or `_`, so `the` inside `theя` stays. JavaScript's `\b` knows only ASCII.
const SQUAD_ARTICLES_RE = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu

/**
 * SQuAD v1.1's `normalize_answer`: lowercase, punctuation and symbols removed, the articles
 * `a`/`an`/`the` removed as whole words, whitespace collapsed. Unicode punctuation and symbols
 * (`«»`, `—`, `€`) are removed too, where the script removes only ASCII `string.punctuation`.
 */
export function squadNormalize(text: string): string {
  return squadTokens(text).join(' ')
}

function squadTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .replace(SQUAD_ARTICLES_RE, ' ')
    .split(/\s+/)
    .filter((token) => token.length > 0)
}

/** 1 when both texts are equal after SQuAD's `normalize_answer` (see `squadNormalize`), else 0. */
export function squadExactMatch(output: string, expected: string): number {
  return squadNormalize(output) === squadNormalize(expected) ? 1 : 0
}

function counts(items: readonly string[]): Map<string, number> {
  const map = new Map<string, number>()
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1)
  return map
}

function clippedOverlap(candidate: Map<string, number>, reference: Map<string, number>): number {
  let overlap = 0
  for (const [item, count] of candidate) overlap += Math.min(count, reference.get(item) ?? 0)
  return overlap
}

/**
 * SQuAD-style token F1. Both texts are normalized as in the SQuAD evaluation script (lowercase,
 * punctuation and symbols deleted, articles `a`/`an`/`the` removed, split on whitespace); the
 * overlap is the multiset intersection of the tokens; precision = overlap / output tokens,
 * recall = overlap / expected tokens, F1 = 2PR / (P + R). 1 when both have no tokens, 0 when only
 * one has none or nothing overlaps.
 */
export function tokenF1(output: string, expected: string): number {
  const predicted = squadTokens(output)
  const truth = squadTokens(expected)
  if (predicted.length === 0 || truth.length === 0) return predicted.length === truth.length ? 1 : 0
  const overlap = clippedOverlap(counts(predicted), counts(truth))
  if (overlap === 0) return 0
  const precision = overlap / predicted.length
  const recall = overlap / truth.length
  return (2 * precision * recall) / (precision + recall)
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const grams: string[] = []
  for (let i = 0; i + n <= tokens.length; i++) grams.push(tokens.slice(i, i + n).join('\u0000'))
  return counts(grams)
}

/**
 * Sentence BLEU-4 against one reference, over lowercase word tokens (see `tokenize`).
 * Geometric mean of the clipped n-gram precisions p1..p4 with uniform weights 1/4, times the
 * brevity penalty `exp(1 - r / c)` when the output (c tokens) is shorter than the reference
 * (r tokens), else 1. Smoothing is Lin & Och (2004) add-one for n > 1, as NLTK's
 * `SmoothingFunction().method2`: `p_n = (matches + 1) / (output n-grams + 1)` for n = 2..4, while
 * p1 stays unsmoothed, so no shared word gives 0. Unlike NLTK, an order the output is too short
 * to have (no n-grams) counts 1, so identical texts always give 1. 1 when both have no tokens,
 * 0 when only one has none.
 */
export function bleu(output: string, expected: string): number {
  const candidate = tokenize(output)
  const reference = tokenize(expected)
  if (candidate.length === 0 || reference.length === 0) return candidate.length === reference.length ? 1 : 0
  let logSum = 0
  for (let n = 1; n <= 4; n++) {
    const candidateGrams = ngrams(candidate, n)
    const total = Math.max(0, candidate.length - n + 1)
    const matches = clippedOverlap(candidateGrams, ngrams(reference, n))
    const precision = n === 1 ? matches / total : (matches + 1) / (total + 1)
    if (precision === 0) return 0
    logSum += Math.log(precision) / 4
  }
  const brevity = candidate.length > reference.length ? 1 : Math.exp(1 - reference.length / candidate.length)
  return brevity * Math.exp(logSum)
}
