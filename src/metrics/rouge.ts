/**
 * The ROUGE family as Google's `rouge_score` package defines it (the implementation MLflow reaches
 * through `evaluate`): ROUGE-N over n-gram counts, ROUGE-L over the longest common subsequence,
 * ROUGE-Lsum over the union LCS of newline-separated sentences. F-measures with beta = 1, no
 * stemming (`use_stemmer=False`, the default there and in MLflow). Pure functions.
 */

// rouge_score lowercases and replaces every character outside [a-z0-9] by a space. For ASCII text
// this is the same; other letters and digits are kept (rouge_score drops them, so Russian text
// scores 0 there), and Han, kana and similar scripts written without spaces become one token per
// character, as sacreBLEU's Chinese tokenizer does.
const ROUGE_TOKEN_RE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}])[\p{L}\p{M}\p{N}])+/gu

/**
 * ROUGE tokens: the lowercase text split at every character that is not a letter, a combining mark
 * or a digit (so `don't` gives `don`, `t` and `end-to-end` three tokens, as in `rouge_score`), with
 * each Han, Hiragana, Katakana, Thai, Lao, Khmer or Myanmar character a token of its own.
 *
 * @example rougeTokens("The cat's end-to-end test") // ['the', 'cat', 's', 'end', 'to', 'end', 'test']
 */
export function rougeTokens(text: string): string[] {
  return Array.from(text.normalize('NFC').toLowerCase().matchAll(ROUGE_TOKEN_RE), (match) => match[0])
}

/** Precision, recall and F-measure of one ROUGE score. */
export interface RougeScore {
  precision: number
  recall: number
  fmeasure: number
}

function score(hits: number, predicted: number, target: number): RougeScore {
  const precision = hits / Math.max(predicted, 1)
  const recall = hits / Math.max(target, 1)
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
  return { precision, recall, fmeasure }
}

const BOTH_EMPTY: RougeScore = { precision: 1, recall: 1, fmeasure: 1 }

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join('\u0000')
    counts.set(gram, (counts.get(gram) ?? 0) + 1)
  }
  return counts
}

/**
 * ROUGE-N of `prediction` against `target`: hits are the clipped count of shared n-grams;
 * precision = hits / prediction n-grams, recall = hits / target n-grams. Two texts without tokens
 * score 1 (rouge_score gives 0); a text shorter than `n` tokens has no n-grams and scores 0.
 */
export function rougeN(prediction: string, target: string, n: number): RougeScore {
  const predicted = rougeTokens(prediction)
  const reference = rougeTokens(target)
  if (predicted.length === 0 && reference.length === 0) return BOTH_EMPTY
  const predictedGrams = ngramCounts(predicted, n)
  const referenceGrams = ngramCounts(reference, n)
  let hits = 0
  for (const [gram, count] of referenceGrams) hits += Math.min(count, predictedGrams.get(gram) ?? 0)
  return score(hits, Math.max(0, predicted.length - n + 1), Math.max(0, reference.length - n + 1))
}

// Rows are the reference, columns the candidate, as in rouge_score (the LCS read back depends on it).
function lcsTable(ref: readonly string[], can: readonly string[]): Uint32Array[] {
  const table = Array.from({ length: ref.length + 1 }, () => new Uint32Array(can.length + 1))
  for (let i = 1; i <= ref.length; i++) {
    const row = table[i]!
    const previous = table[i - 1]!
    for (let j = 1; j <= can.length; j++) {
      row[j] = ref[i - 1] === can[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, row[j - 1]!)
    }
  }
  return table
}

function lcsLength(ref: readonly string[], can: readonly string[]): number {
  // Two rows suffice for the length; long answers make this the hot loop.
  let previous = new Uint32Array(can.length + 1)
  let current = new Uint32Array(can.length + 1)
  for (let i = 1; i <= ref.length; i++) {
    const token = ref[i - 1]
    for (let j = 1; j <= can.length; j++) {
      current[j] = token === can[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!)
    }
    ;[previous, current] = [current, previous]
  }
  return previous[can.length]!
}

/** Indices into `ref` of one longest common subsequence, read back the way rouge_score does. */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const table = lcsTable(ref, can)
  const indices: number[] = []
  let i = ref.length
  let j = can.length
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      indices.push(i - 1)
      i--
      j--
    } else if (table[i]![j - 1]! > table[i - 1]![j]!) j--
    else i--
  }
  return indices.reverse()
}

/**
 * ROUGE-L: with `lcs` the length of the longest common subsequence of the tokens,
 * precision = lcs / prediction tokens, recall = lcs / target tokens. Two texts without tokens score 1
 * (rouge_score gives 0); one without tokens scores 0.
 */
export function rougeLScore(prediction: string, target: string): RougeScore {
  const predicted = rougeTokens(prediction)
  const reference = rougeTokens(target)
  if (predicted.length === 0 && reference.length === 0) return BOTH_EMPTY
  if (predicted.length === 0 || reference.length === 0) return { precision: 0, recall: 0, fmeasure: 0 }
  return score(lcsLength(reference, predicted), predicted.length, reference.length)
}

function summarySentences(text: string): string[][] {
  // rouge_score: sentences are the non-empty lines (`split_summaries=False`, MLflow's setting).
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map(rougeTokens)
}

/**
 * ROUGE-Lsum, the summary-level LCS of Lin (2004) section 3.2 as rouge_score 1.5.5-compatibly
 * computes it: the texts are split into sentences at newlines; for every target sentence the
 * union of its LCS with each prediction sentence is taken, and its tokens count as hits while
 * both texts still have that token unused (no double counting). precision = hits / prediction
 * tokens, recall = hits / target tokens. Text without newlines gives ROUGE-L. Two texts without
 * tokens score 1 (rouge_score gives 0).
 */
export function rougeLsumScore(prediction: string, target: string): RougeScore {
  const candidates = summarySentences(prediction)
  const references = summarySentences(target)
  const m = references.reduce((sum, s) => sum + s.length, 0)
  const n = candidates.reduce((sum, s) => sum + s.length, 0)
  if (m === 0 && n === 0) return BOTH_EMPTY
  if (m === 0 || n === 0) return { precision: 0, recall: 0, fmeasure: 0 }
  const unusedRef = new Map<string, number>()
  const unusedCan = new Map<string, number>()
  for (const sentence of references) for (const t of sentence) unusedRef.set(t, (unusedRef.get(t) ?? 0) + 1)
  for (const sentence of candidates) for (const t of sentence) unusedCan.set(t, (unusedCan.get(t) ?? 0) + 1)
  let hits = 0
  for (const reference of references) {
    const union = new Set<number>()
    for (const candidate of candidates) for (const index of lcsIndices(reference, candidate)) union.add(index)
    for (const index of [...union].sort((a, b) => a - b)) {
      const token = reference[index]!
      const r = unusedRef.get(token) ?? 0
      const c = unusedCan.get(token) ?? 0
      if (r > 0 && c > 0) {
        hits++
        unusedRef.set(token, r - 1)
        unusedCan.set(token, c - 1)
      }
    }
  }
  return score(hits, n, m)
}
