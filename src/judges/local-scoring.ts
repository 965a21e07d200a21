/**
 * Scoring of the offline `local` judge: deterministic 1-5 verdicts computed from the texts alone
 * (stemmed content-word overlap, character trigrams, numbers and negations), for the built-in
 * similarity, correctness, relevance and faithfulness metrics when no LLM judge is available.
 */
import { isNumberToken, isStopWord, splitSentences, splitWords, stem, tokenize } from '../text/words.js'

/** An integer score on the judges' 1-5 rubric (5 best). */
export type LocalScore = 1 | 2 | 3 | 4 | 5

/** A local judge verdict. */
export interface LocalVerdict {
  score: LocalScore
  /** Names the shared, missing and unsupported key words; at most about 200 characters. */
  justification: string
  /** The 0..1 signal the score was cut from (higher is better), for ordering close cases. */
  signal: number
}

/** How the local judge scores, in a few sentences for the README and for messages. */
export const LOCAL_JUDGE_DESCRIPTION =
  'The local judge is deterministic and offline: it compares the texts themselves, without a model. ' +
  'It blends the overlap of stemmed content words (stop words removed) with the cosine of character trigrams, ' +
  'which also copes with inflected languages such as Russian, and lowers the score when numbers or names differ ' +
  'or a statement is negated. It sees shared words, not meaning: synonyms and reasoning need an LLM judge.'

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nor', 'cannot', 'не', 'нет', 'ни', 'никогда'])
const NUMBER_WORDS: Record<string, string> = {
  zero: '0',
  // `one` is left out: it is a pronoun as often as a number (`one of the largest`).
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
}
// Words that ask rather than tell: they carry no topic, so an answer need not repeat them.
const QUESTION_WORDS = new Set(
  splitWords(`
  what who whom whose which how why when where explain name describe define list tell give please briefly main кто
  что какой какая какое какие каков какова каково каковы почему зачем где когда сколько объясните объясни назовите
  назови опишите опиши расскажите перечислите
`),
)

interface Term {
  /** Stem, prefixed with `not:` when the word is negated. */
  key: string
  /** The word as written (lowercase), for justifications. */
  surface: string
  number: boolean
  /** Written with a capital letter somewhere (`Jupiter`, `iOS`): likely a name. */
  entity: boolean
}

interface Analysis {
  terms: Term[]
  numbers: Set<string>
  trigrams: Map<string, number>
}

function normalizeNumber(token: string): string {
  // `1,000` is a thousands separator; `3,5` is a decimal comma.
  if (/^\d{1,3}(?:,\d{3})+$/.test(token)) return token.replace(/,/g, '')
  return token.replace(',', '.')
}

function isNegation(token: string): boolean {
  return NEGATIONS.has(token) || token.endsWith("n't")
}

// Sentence openers that are capitalized for grammar, not because they name something.
const OPENERS = new Set(
  splitWords(`
  yes no well sure okay ok answer overall however therefore thus
`),
)

function capitalizedWords(text: string): Set<string> {
  const normalized = text.normalize('NFC')
  const words = new Set<string>()
  for (const match of normalized.matchAll(/\p{L}[\p{L}\p{M}\p{N}'’-]*/gu)) {
    if (!/\p{Lu}/u.test(match[0])) continue
    const lower = match[0].toLowerCase()
    let i = match.index - 1
    while (i >= 0 && /[ \t"'“«(]/u.test(normalized[i] ?? '')) i--
    const opensSentence = i < 0 || /[.!?…:\n]/u.test(normalized[i] ?? '')
    if (opensSentence && (OPENERS.has(lower) || lower.endsWith('ly'))) continue
    for (const part of lower.split('-')) words.add(part)
  }
  return words
}

function analyze(text: string, drop: ReadonlySet<string> = new Set()): Analysis {
  const capitalized = capitalizedWords(text)
  const seen = new Map<string, Term>()
  const numbers = new Set<string>()
  const trigrams = new Map<string, number>()
  let negatePending = false
  for (const token of tokenize(text)) {
    if (isNegation(token)) {
      negatePending = true
      continue
    }
    const numberWord = NUMBER_WORDS[token]
    const parts = isNumberToken(token) || numberWord ? [numberWord ?? token] : token.split('-')
    for (const part of parts) {
      if (!part || isStopWord(part) || drop.has(part)) continue
      const number = isNumberToken(part)
      if (!number && [...part].length < 2) continue
      const value = number ? normalizeNumber(part) : stem(part)
      const key = negatePending ? `not:${value}` : value
      if (number) numbers.add(value)
      const entity = capitalized.has(part)
      const known = seen.get(key)
      if (known) known.entity ||= entity
      else seen.set(key, { key, surface: negatePending ? `not ${part}` : part, number, entity })
      negatePending = false
      const padded = ` ${part.replace(/ё/g, 'е')} `
      for (let i = 0; i + 3 <= padded.length; i++) {
        const gram = padded.slice(i, i + 3)
        trigrams.set(gram, (trigrams.get(gram) ?? 0) + 1)
      }
    }
  }
  return { terms: [...seen.values()], numbers, trigrams }
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

// One insertion, deletion, substitution or swap of neighbours (`einstien` / `einstein`).
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false
  const start = commonPrefixLength(a, b)
  const restA = a.slice(start)
  const restB = b.slice(start)
  if (restA.slice(1) === restB.slice(1) || restA.slice(1) === restB || restA === restB.slice(1)) return true
  return restA.length >= 2 && restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2)
}

// Stems equal, sharing a long prefix (`detoxificat` / `detoxifi`) because the light stemmer leaves
// some derivations apart, or one typo apart in long words. Numbers and negated words must match exactly.
function termsMatch(a: Term, b: Term): boolean {
  if (a.key === b.key) return true
  if (a.number || b.number || a.key.startsWith('not:') !== b.key.startsWith('not:')) return false
  const shorter = Math.min(a.key.length, b.key.length)
  const prefix = commonPrefixLength(a.key, b.key)
  if (prefix >= 5 && prefix >= 0.75 * shorter) return true
  return shorter >= 6 && withinOneEdit(a.key, b.key)
}

interface Overlap {
  matchedA: Term[]
  missingA: Term[]
  matchedB: Term[]
  missingB: Term[]
}

function overlap(a: readonly Term[], b: readonly Term[]): Overlap {
  const matchedA = a.filter((term) => b.some((other) => termsMatch(term, other)))
  const missingA = a.filter((term) => !matchedA.includes(term))
  const matchedB = b.filter((term) => a.some((other) => termsMatch(term, other)))
  const missingB = b.filter((term) => !matchedB.includes(term))
  return { matchedA, missingA, matchedB, missingB }
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0
  let normA = 0
  let normB = 0
  for (const [gram, count] of a) {
    normA += count * count
    dot += count * (b.get(gram) ?? 0)
  }
  for (const count of b.values()) normB += count * count
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB)
}

function fBeta(precision: number, recall: number, beta: number): number {
  if (precision === 0 || recall === 0) return 0
  const b2 = beta * beta
  return ((1 + b2) * precision * recall) / (b2 * precision + recall)
}

/** Terms written plainly in one text and negated in the other (`plants` vs `not plants`). */
function contradictions(a: readonly Term[], b: readonly Term[]): string[] {
  const keysB = new Set(b.map((term) => term.key))
  const found: string[] = []
  for (const term of a) {
    const flipped = term.key.startsWith('not:') ? term.key.slice(4) : `not:${term.key}`
    if (keysB.has(flipped)) found.push(term.key.startsWith('not:') ? term.surface : `not ${term.surface}`)
  }
  return found
}

/** Cut points on a 0..1 signal: the score is 1 + the number of cut points the signal reaches. */
function toScore(signal: number, cuts: readonly [number, number, number, number]): LocalScore {
  let score = 1
  for (const cut of cuts) if (signal >= cut) score++
  return score as LocalScore
}

function listWords(terms: readonly Term[], max: number): string {
  const words = [...new Set(terms.map((term) => term.surface))]
  const shown = words.slice(0, max).join(', ')
  return words.length > max ? `${shown}, …` : shown
}

function capLength(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`
}

function describeOverlap(parts: Array<[string, readonly Term[]]>, notes: readonly string[]): string {
  const pieces: string[] = [...notes]
  for (const [label, terms] of parts) if (terms.length > 0) pieces.push(`${label}: ${listWords(terms, 6)}`)
  return capLength(`${pieces.join('; ')}.`)
}

/**
 * Similarity cut points on the blended 0..1 signal: >= 0.22 scores 2, >= 0.4 scores 3,
 * >= 0.55 scores 4, >= 0.72 scores 5.
 */
export const SIMILARITY_CUTS = [0.22, 0.4, 0.55, 0.72] as const

/**
 * Correctness cut points (same signal shape, recall-weighted): >= 0.22 scores 2, >= 0.4 scores 3,
 * >= 0.58 scores 4, >= 0.75 scores 5.
 */
export const CORRECTNESS_CUTS = [0.22, 0.4, 0.58, 0.75] as const

/**
 * Relevance cut points on the 0..1 relevance signal: >= 0.15 scores 2, >= 0.35 scores 3,
 * >= 0.55 scores 4, >= 0.75 scores 5.
 */
export const RELEVANCE_CUTS = [0.15, 0.35, 0.55, 0.75] as const

/**
 * Faithfulness cut points on the 0..1 support signal: >= 0.25 scores 2, >= 0.5 scores 3,
 * >= 0.7 scores 4, >= 0.9 scores 5.
 */
export const FAITHFULNESS_CUTS = [0.25, 0.5, 0.7, 0.9] as const

interface Comparison {
  signal: number
  justification: string
}

function compare(output: string, reference: string, beta: number, strictNumbers: boolean): Comparison {
  const out = analyze(output)
  const ref = analyze(reference)
  if (out.terms.length === 0 || ref.terms.length === 0) {
    const same = output.trim().toLowerCase() === reference.trim().toLowerCase()
    return { signal: same ? 1 : 0, justification: same ? 'Same text.' : 'One text has no content words.' }
  }
  const { matchedA, missingA: extra, missingB: missing } = overlap(out.terms, ref.terms)
  const precision = matchedA.length / out.terms.length
  const recall = (ref.terms.length - missing.length) / ref.terms.length
  let signal = 0.65 * fBeta(precision, recall, beta) + 0.35 * cosine(out.trigrams, ref.trigrams)

  const notes: string[] = []
  const missingNumbers = [...ref.numbers].filter((n) => !out.numbers.has(n))
  const otherNumbers = [...out.numbers].filter((n) => !ref.numbers.has(n))
  if (missingNumbers.length > 0 && otherNumbers.length > 0) {
    // A different number where the reference has one is usually a wrong fact, not a paraphrase.
    signal *= 1 - 0.6 * (missingNumbers.length / ref.numbers.size)
    notes.push(`numbers differ (${otherNumbers.slice(0, 3).join(', ')} vs ${missingNumbers.slice(0, 3).join(', ')})`)
  } else if (strictNumbers && missingNumbers.length > 0) {
    signal *= 1 - 0.4 * (missingNumbers.length / ref.numbers.size)
    notes.push(`missing numbers: ${missingNumbers.slice(0, 3).join(', ')}`)
  }
  const missingNames = missing.filter((term) => term.entity && !term.number)
  const otherNames = extra.filter((term) => term.entity && !term.number)
  if (missingNames.length > 0 && otherNames.length > 0) {
    // `Saturn is the largest planet` for `Jupiter is...`: same frame, another name; the name is the answer.
    const share = missingNames.length / ref.terms.filter((term) => term.entity && !term.number).length
    signal *= 1 - 0.55 * Math.min(1, 2 * share)
    notes.push(`names differ (${listWords(otherNames, 2)} vs ${listWords(missingNames, 2)})`)
  }
  const contradicted = contradictions(out.terms, ref.terms)
  if (contradicted.length > 0) {
    signal *= 0.5 ** Math.min(2, contradicted.length)
    notes.push(`contradicts: ${contradicted.slice(0, 3).join(', ')}`)
  }
  const matchedRef = ref.terms.filter((term) => !missing.includes(term))
  const justification = describeOverlap(
    [
      ['shared', matchedRef],
      ['missing', missing],
      ['extra', extra],
    ],
    notes,
  )
  return { signal: Math.max(0, Math.min(1, signal)), justification }
}

/**
 * How similar in meaning `output` is to `reference`, 1-5. The signal is
 * `0.65 * F1(stemmed content words) + 0.35 * cosine(character trigrams of the content words)`;
 * words match when their stems are equal, share a long prefix, or are one typo apart (6+ letters).
 * Then three penalties, each multiplying the signal:
 * - a reference number replaced by another number: `1 - 0.6 * share of reference numbers missing`;
 * - a capitalized reference word (a likely name: `Jupiter`, `iOS`) missing while the output has
 *   another one (`Saturn`): `1 - 0.55 * min(1, 2 * share of reference names missing)`;
 * - a word negated in one text and plain in the other (`not plants` / `plants`): `0.5` each, at most twice.
 * The signal maps to 1-5 through `SIMILARITY_CUTS`. Texts without content words score 5 when
 * equal (ignoring case and surrounding space), else 1.
 */
export function localSimilarity(output: string, reference: string): LocalVerdict {
  const { signal, justification } = compare(output, reference, 1, false)
  return { score: toScore(signal, SIMILARITY_CUTS), justification, signal }
}

/**
 * Whether `output` states the facts of `reference`, 1-5: like `localSimilarity` but with a
 * recall-weighted F (beta = 2, missing reference words cost more than extra words), and a
 * reference number that is simply absent also lowers the signal (by `0.4 *` the share missing).
 * Maps to 1-5 through `CORRECTNESS_CUTS`.
 */
export function localCorrectness(output: string, reference: string): LocalVerdict {
  const { signal, justification } = compare(output, reference, 2, true)
  return { score: toScore(signal, CORRECTNESS_CUTS), justification, signal }
}

/**
 * Whether `output` addresses `question`, 1-5. The question's content words, minus question words
 * (what, who, which, how, explain, name...), are looked for in the answer: `coverage` is the share
 * found and `focus` the share of answer sentences that mention one of them. Without context the
 * signal is `0.6 * coverage + 0.4 * focus`. With `context`, answer words found in the context
 * sentences that mention the question's words also count (`link`, the share of answer words so
 * supported), and the signal is the larger of the two ways: a short answer such as `Einstein.`
 * to `Who developed relativity?` is relevant only when the context links the two. Maps to 1-5
 * through `RELEVANCE_CUTS`; an answer without content words scores 1.
 */
export function localRelevance(output: string, question: string, context?: string): LocalVerdict {
  const answer = analyze(output)
  const asked = analyze(question, QUESTION_WORDS)
  if (answer.terms.length === 0) return { score: 1, justification: 'The answer has no content words.', signal: 0 }
  if (asked.terms.length === 0) {
    return { score: 3, justification: 'The question has no content words to look for; cannot tell.', signal: 0.5 }
  }
  const { matchedB: covered, missingB: uncovered } = overlap(answer.terms, asked.terms)
  const coverage = covered.length / asked.terms.length
  const sentences = splitSentences(output)
  const focused = sentences.filter((sentence) => overlap(analyze(sentence).terms, asked.terms).matchedA.length > 0)
  const focus = sentences.length === 0 ? 0 : focused.length / sentences.length
  let signal = 0.6 * coverage + 0.4 * focus
  const notes: string[] = []
  if (context !== undefined && context.trim() !== '') {
    const related = splitSentences(context).filter(
      (sentence) => overlap(analyze(sentence).terms, asked.terms).matchedA.length > 0,
    )
    const relatedTerms = analyze(related.join('\n')).terms
    const linked = overlap(answer.terms, relatedTerms).matchedA.length / answer.terms.length
    if (linked > signal) {
      signal = linked
      notes.push(`context links ${Math.round(linked * 100)}% of the answer's words to the question`)
    }
  }
  return {
    score: toScore(signal, RELEVANCE_CUTS),
    signal,
    justification: describeOverlap(
      [
        ['question words answered', covered],
        ['not addressed', uncovered],
      ],
      notes,
    ),
  }
}

/**
 * Whether the claims of `output` are supported by `context`, 1-5. Each answer word (stemmed
 * content word) counts as supported when the context has it; a number must appear in the context
 * as written and a word negated on one side only is unsupported. `words` is the share of supported
 * answer words; `sentences` is the share of answer sentences with at least 75% of their words
 * supported and no unsupported number. The signal is `0.5 * words + 0.5 * sentences`, mapped
 * through `FAITHFULNESS_CUTS`; an answer without content words scores 1.
 */
export function localFaithfulness(output: string, context: string): LocalVerdict {
  const answer = analyze(output)
  const source = analyze(context)
  if (answer.terms.length === 0) {
    return { score: 1, justification: 'The answer has no content words to check.', signal: 0 }
  }
  const supported = (term: Term): boolean => source.terms.some((other) => termsMatch(term, other))
  const unsupported = answer.terms.filter((term) => !supported(term))
  const words = 1 - unsupported.length / answer.terms.length
  const sentences = splitSentences(output)
    .map((sentence) => analyze(sentence).terms)
    .filter((terms) => terms.length > 0)
  const grounded = sentences.filter((terms) => {
    const bad = terms.filter((term) => !supported(term))
    return bad.length <= 0.25 * terms.length && !bad.some((term) => term.number)
  })
  const sentenceShare = sentences.length === 0 ? words : grounded.length / sentences.length
  const signal = 0.5 * words + 0.5 * sentenceShare
  const supportedTerms = answer.terms.filter((term) => !unsupported.includes(term))
  const notes = [`${grounded.length} of ${sentences.length} sentences supported`]
  return {
    score: toScore(signal, FAITHFULNESS_CUTS),
    signal,
    justification: describeOverlap(
      [
        ['unsupported', unsupported],
        ['supported', supportedTerms],
      ],
      notes,
    ),
  }
}
