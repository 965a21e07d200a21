/**
 * Readability grades counted the way `textstat` counts (what MLflow's `flesch_kincaid_grade_level`
 * and `ari_grade_level` call), so the grades agree with it on English: textstat's words, its
 * sentence rule, its character count, and its syllables: the CMU Pronouncing Dictionary (npm
 * `cmu-pronouncing-dictionary`), else en-US hyphenation (npm `hyphen`), both loaded on first use.
 */
import { countSyllables } from '../text/words.js'

/** Lowercase word -> ARPAbet phones (the first pronunciation), as `cmu-pronouncing-dictionary` ships it. */
export type PronouncingDictionary = Readonly<Record<string, string>>

/** Syllables of one lowercase word. */
export type SyllableCounter = (word: string) => number

const CYRILLIC_RE = /[\u0400-\u04ff]/u
const HYPHEN_MARK = '\u0000'

/**
 * Syllables as textstat (en_US) counts them, from the data given: CMUdict's first pronunciation (the
 * phones carrying a stress digit) when the word is there; else, as textstat's pyphen fallback, the
 * pieces of the word's en-US hyphenation (TeX patterns, npm `hyphen`). Cyrillic words deliberately
 * count their vowels (Russian syllables; textstat counts 1 per word, see the README). Without data,
 * `countSyllables`'s rules.
 */
export function syllableCounter(
  dictionary?: PronouncingDictionary,
  hyphenate?: (word: string) => string,
): SyllableCounter {
  return (word) => {
    if (CYRILLIC_RE.test(word)) return countSyllables(word)
    const phones = dictionary?.[word]
    if (phones !== undefined) return phones.split(' ').filter((phone) => /\d$/.test(phone)).length
    if (hyphenate) return hyphenate(word).split(HYPHEN_MARK).length
    return countSyllables(word)
  }
}

let loading: Promise<SyllableCounter> | undefined

/** Loads CMUdict and the en-US hyphenation patterns once per process (only the Flesch-Kincaid metric pays for them). */
export function loadSyllableCounter(): Promise<SyllableCounter> {
  loading ??= Promise.all([import('cmu-pronouncing-dictionary'), import('hyphen/en-us/index.js')]).then(
    ([cmu, hyphen]) => {
      // A CommonJS module: its exports arrive as `default` under Node's ESM loader.
      type Hyphen = { hyphenateSync: typeof hyphen.hyphenateSync }
      const api: Hyphen = (hyphen as unknown as { default?: Hyphen }).default ?? hyphen
      return syllableCounter(cmu.dictionary as PronouncingDictionary, (word) =>
        api.hyphenateSync(word, { hyphenChar: HYPHEN_MARK, minWordLength: 1 }),
      )
    },
  )
  return loading
}

// Python's `\w` (textstat runs on `re` with str patterns): letters, digits and `_`.
const WORD_CHAR = '[\\p{L}\\p{N}_]'
// textstat keeps an apostrophe only before a contraction ending: 't, 's, 'd, 've, 'll, 're.
const NON_CONTRACTION_APOSTROPHE_RE = /'(?!(?:[tsd]|ve|ll|re))/gu
const PUNCTUATION_RE = /[^\p{L}\p{N}_\s']/gu
// textstat: re.findall(r"\b[^.!?]+[.!?]*", text), with Python's Unicode word boundary.
const SENTENCE_RE = new RegExp(
  `(?:(?<=${WORD_CHAR})(?!${WORD_CHAR})|(?<!${WORD_CHAR})(?=${WORD_CHAR}))[^.!?]+[.!?]*`,
  'gu',
)

function splitWhitespace(text: string): string[] {
  return text.split(/\s+/u).filter((piece) => piece !== '')
}

/**
 * textstat's words: apostrophes that do not start a contraction ending removed, then every character
 * other than a letter, digit, `_`, whitespace or apostrophe (hyphens and dashes included: `end-to-end`
 * is one word `endtoend`), then split at whitespace.
 */
export function readabilityWords(text: string): string[] {
  return splitWhitespace(text.replace(NON_CONTRACTION_APOSTROPHE_RE, '').replace(PUNCTUATION_RE, ''))
}

/**
 * textstat's sentence count: pieces from a word boundary up to and including a run of `.`, `!` or
 * `?`; pieces of two words or fewer are not counted; at least 1 for non-empty text, 0 for empty text.
 */
export function readabilitySentences(text: string): number {
  if (text.length === 0) return 0
  const pieces = text.match(SENTENCE_RE) ?? []
  const counted = pieces.filter((piece) => readabilityWords(piece).length > 2).length
  return Math.max(1, counted)
}

/** The counts the two grades are made of. */
export interface ReadabilityCounts {
  /** textstat's words (`readabilityWords`). */
  words: number
  /** textstat's sentences (`readabilitySentences`). */
  sentences: number
  /** Syllables of the words (`wordSyllables`). */
  syllables: number
  /** Characters other than whitespace, punctuation included (textstat's ARI count). */
  characters: number
  /** Whitespace-separated pieces, punctuation-only ones included (textstat's ARI word count). */
  rawWords: number
}

const RULES = syllableCounter()

/** Counts a text as textstat does; syllables from `syllables` (`loadSyllableCounter()`; default: rules only). */
export function readabilityCounts(text: string, syllables: SyllableCounter = RULES): ReadabilityCounts {
  const words = readabilityWords(text)
  let total = 0
  for (const word of words) total += syllables(word.toLowerCase())
  return {
    words: words.length,
    sentences: readabilitySentences(text),
    syllables: total,
    characters: Array.from(text.replace(/\s/gu, '')).length,
    rawWords: splitWhitespace(text).length,
  }
}

/**
 * Flesch-Kincaid grade: `0.39 * words / sentences + 11.8 * syllables / words - 15.59`, with textstat's
 * counts (`readabilityCounts`); 0 for text without words, as textstat. Unrounded (textstat's public
 * function rounds to 2 decimals). Lower reads easier.
 */
export function fleschKincaidGrade(text: string, syllables?: SyllableCounter): number {
  const c = readabilityCounts(text, syllables)
  if (c.words === 0 || c.sentences === 0 || c.syllables === 0) return 0
  return 0.39 * (c.words / c.sentences) + 11.8 * (c.syllables / c.words) - 15.59
}

/**
 * Automated Readability Index: `4.71 * characters / rawWords + 0.5 * words / sentences - 21.43`, with
 * textstat's counts: characters are all non-whitespace characters (punctuation too) over the
 * whitespace-separated pieces; words per sentence as for Flesch-Kincaid. 0 for text without words.
 */
export function ariGrade(text: string): number {
  const c = readabilityCounts(text)
  if (c.rawWords === 0 || c.words === 0 || c.sentences === 0) return 0
  const perWord = c.characters / c.rawWords
  const perSentence = c.words / c.sentences
  if (perWord === 0 || perSentence === 0) return 0
  return 4.71 * perWord + 0.5 * perSentence - 21.43
}
