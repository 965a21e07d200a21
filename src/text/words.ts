/**
 * Text utilities shared by the heuristic metrics and the local judge: Unicode-aware tokenization,
 * stop words, a light stemmer (English suffixes, a few Russian endings), sentence splitting and
 * English syllable counting. Pure functions, no dependencies.
 */

// A word starts with a letter and may carry digits and combining marks; an apostrophe or a hyphen joins
// two parts only when it stands alone between them (`end-to-end`, `don't`), so a dash written as `--`
// separates words. A number is digits with optional `.`/`,` groups, so `3.14` and `1,000` stay whole
// but `4.` loses its dot.
const TOKEN_RE = /\p{L}[\p{L}\p{M}\p{N}]*(?:['’-][\p{L}\p{M}\p{N}]+)*|\p{N}+(?:[.,]\p{N}+)*/gu
const NUMBER_RE = /^\p{N}+(?:[.,]\p{N}+)*$/u

/**
 * Splits text into lowercase word and number tokens. Punctuation and symbols are dropped, the
 * typographic apostrophe `’` becomes `'`. A single apostrophe or hyphen between two letters joins
 * them into one word (`end-to-end`, `don't`); a run of them (`packages--typically`), or one at
 * the end of a word, separates. Works for any script (Latin, Cyrillic, Greek, ...).
 *
 * @example tokenize("Don’t panic: 42 end-to-end tests.") // ['don't', 'panic', '42', 'end-to-end', 'tests']
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = []
  for (const match of text.normalize('NFC').toLowerCase().matchAll(TOKEN_RE)) {
    tokens.push(match[0].replace(/’/g, "'"))
  }
  return tokens
}

/** Whether a token is a number (`42`, `3.14`, `1,000`). */
export function isNumberToken(token: string): boolean {
  return NUMBER_RE.test(token)
}

/** Splits text at whitespace into non-empty pieces (word lists are written this way to stay compact). */
export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '')
}

/** A small English stop-word list (function words, auxiliaries, pronouns), lowercase. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  splitWords(`
  a about above after again all also am an and any are as at be because been before being below between both but by
  can could did do does doing down during each either etc few for from further had has have having he her here hers
  herself him himself his how i if in into is it it's its itself just may me might more most much must my myself of
  off on once only or other our ours ourselves out over own same shall she should so some such than that that's the
  their theirs them themselves then there there's these they this those through to too under until up upon us very
  via was we were what when where which while who whom whose why will with within would yet you your yours yourself
  yourselves
`),
)

/** A small Russian stop-word list (prepositions, conjunctions, pronouns, particles), lowercase, `ё` as `е`. */
export const RUSSIAN_STOP_WORDS: ReadonlySet<string> = new Set(
  splitWords(`
  а без бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до его ее если есть еще же
  за здесь и из или им их к как ко когда кто ли либо мне может мы на над нам нас наш наша наше нашей нашем наши него
  нее них но о об однако он она они оно от по под при про с со так также такой там те тем то того тоже той только том
  ты у уже чем что чтобы эта эти этим это этого этой этом этот эту я
`),
)

/** Whether a lowercase token is an English or Russian stop word. */
export function isStopWord(token: string): boolean {
  return ENGLISH_STOP_WORDS.has(token) || RUSSIAN_STOP_WORDS.has(token.replace(/ё/g, 'е'))
}

const LATIN_WORD_RE = /^[a-z]+$/
const CYRILLIC_RE = /[\u0400-\u04ff]/u
const VOWEL_CONSONANT_RE = /^[aeiou][b-df-hj-np-tv-z]$/

// Longest first; each entry is [suffix, replacement, minimum length of what is left before the replacement].
const ENGLISH_SUFFIXES: ReadonlyArray<readonly [string, string, number]> = [
  ['izations', 'ize', 3],
  ['ization', 'ize', 3],
  ['ational', 'ate', 3],
  ['fulness', 'ful', 3],
  ['iveness', 'ive', 3],
  ['ousness', 'ous', 3],
  ['ations', 'ate', 3],
  ['ation', 'ate', 3],
  ['ingly', '', 3],
  ['edly', '', 3],
  ['ment', '', 4],
  ['ness', '', 3],
  ['ing', '', 3],
  ['est', '', 4],
  ['ed', '', 3],
  ['er', '', 4],
  ['ly', '', 4],
]

// Longest first, so that `-ями` wins over `-и`. Russian inflection is rich: this only evens out the most
// common case and verb endings; the local judge's character trigrams cover the rest.
const RUSSIAN_ENDINGS: readonly string[] = splitWords(`
  иями ями ами ого его ому ему ыми ими ий ый ой ей ая яя ое ее ые ие ую юю ых их ом ем ам ям ах ях ов ев ью ия ию ии
  ье ья ть ет ит ут ют ат ят ал ил ла ли ло а я о е ы и у ю ь й
`)

function stemEnglish(input: string): string {
  let word = input.replace(/'s$/, '').replace(/'$/, '')
  if (word.length <= 3 || !LATIN_WORD_RE.test(word)) return word

  if (word.endsWith('sses')) word = word.slice(0, -2)
  else if (word.endsWith('ies') && word.length > 4) word = `${word.slice(0, -3)}y`
  else if (/(?:x|z|ch|sh)es$/.test(word)) word = word.slice(0, -2)
  else if (word.endsWith('s') && !/(?:ss|us|is)$/.test(word) && word.length > 3) word = word.slice(0, -1)

  let stripped = false
  for (const [suffix, replacement, minStem] of ENGLISH_SUFFIXES) {
    if (!word.endsWith(suffix)) continue
    const base = word.slice(0, -suffix.length)
    // `need`, `speed`: the `ed` belongs to the root.
    if (suffix === 'ed' && base.endsWith('e')) break
    if (base.length >= minStem) {
      word = base + replacement
      stripped = replacement === ''
    } else if ((suffix === 'ing' || suffix === 'ed') && VOWEL_CONSONANT_RE.test(base)) {
      // `using`, `used` -> `use`
      word = `${base}e`
    }
    break
  }
  if (stripped && word.length >= 4 && /([b-df-hj-kmnp-rtv-y])\1$/.test(word)) word = word.slice(0, -1)
  if (word.length >= 4 && word.endsWith('e') && !word.endsWith('ee')) word = word.slice(0, -1)
  if (word.length >= 3 && /[^aeiou]y$/.test(word)) word = `${word.slice(0, -1)}i`
  return word
}

function stemRussian(input: string): string {
  let word = input.replace(/ё/g, 'е')
  if (word.length > 5 && /(?:ся|сь)$/.test(word)) word = word.slice(0, -2)
  for (const ending of RUSSIAN_ENDINGS) {
    if (word.endsWith(ending) && word.length - ending.length >= 3) return word.slice(0, -ending.length)
  }
  return word
}

/**
 * A light stemmer for a lowercase token. English (ASCII) words lose possessives, plurals and one
 * common suffix (`-ing`, `-ed`, `-er`, `-est`, `-ly`, `-ment`, `-ness`, `-ation`...), then a final
 * `e`, with `y` written as `i`: `developed`, `develops`, `development` -> `develop`; `make`,
 * `making` -> `mak`. Cyrillic words get `ё` -> `е` and lose one common Russian ending
 * (`теорию`, `теория` -> `теор`). Any other word, and numbers, come back unchanged.
 */
export function stem(token: string): string {
  if (CYRILLIC_RE.test(token)) return stemRussian(token)
  return stemEnglish(token)
}

/**
 * Content words of a text: tokens without stop words and one-letter words, hyphenated compounds
 * split into their parts (`open-source` -> `open`, `source`), stemmed. Numbers are kept as they are.
 */
export function contentWords(text: string): string[] {
  const words: string[] = []
  for (const token of tokenize(text)) {
    const parts = isNumberToken(token) ? [token] : token.split('-')
    for (const part of parts) {
      if (!part || isStopWord(part)) continue
      if (!isNumberToken(part) && [...part].length < 2) continue
      words.push(isNumberToken(part) ? part : stem(part))
    }
  }
  return words
}

// Abbreviations whose dot does not end a sentence.
const ABBREVIATIONS = new Set(
  splitWords(`
  mr mrs ms dr prof sr jr st vs e.g i.e cf fig approx inc ltd mt т.е т.д т.п г гг др см
`),
)

/**
 * Splits text into sentences at `.`, `!`, `?` or `…` followed by whitespace (closing quotes and
 * brackets may sit between), and at line breaks. A dot after a known abbreviation (`e.g.`, `Dr.`)
 * or a single-letter initial (`J. Smith`) does not end a sentence. Pieces without a letter or
 * digit are dropped; sentences come back trimmed.
 */
export function splitSentences(text: string): string[] {
  const pieces = text.split(/(?<=[.!?…]["'”’»)\]]*)\s+|\s*\n\s*/u)
  const sentences: string[] = []
  let pending = ''
  for (const piece of pieces) {
    const current = pending ? `${pending} ${piece}` : piece
    const lastWord = /(?:^|[^\p{L}.])([\p{L}.]+)\.$/u.exec(piece)?.[1]
    if (lastWord !== undefined && (ABBREVIATIONS.has(lastWord.toLowerCase()) || /^\p{Lu}$/u.test(lastWord))) {
      pending = current
      continue
    }
    pending = ''
    if (/[\p{L}\p{N}]/u.test(current)) sentences.push(current.trim())
  }
  if (pending && /[\p{L}\p{N}]/u.test(pending)) sentences.push(pending.trim())
  return sentences
}

const CYRILLIC_VOWELS_RE = /[аеёиоуыэюя]/giu

/**
 * Syllables in one word, by the usual English heuristic: words of up to three letters have one;
 * otherwise a final silent `e`/`es` (not `-le`) or `ed` (not `-ted`/`-ded`) is dropped, a leading `y` is ignored, and
 * each run of one or two vowels (`aeiouy`) counts as a syllable, at least one per word.
 * Cyrillic words count their vowels (one vowel per syllable in Russian); numbers and words in
 * other scripts count as one syllable.
 */
export function countSyllables(word: string): number {
  const lower = word.toLowerCase()
  if (CYRILLIC_RE.test(lower)) return Math.max(1, lower.match(CYRILLIC_VOWELS_RE)?.length ?? 0)
  const letters = lower.replace(/[^a-z]/g, '')
  if (!letters) return 1
  if (letters.length <= 3) return 1
  const trimmed = letters.replace(/(?:[^laeiouy]es|[^td]ed|[^laeiouy]e)$/, (end) => end.slice(0, 1)).replace(/^y/, '')
  return Math.max(1, trimmed.match(/[aeiouy]{1,2}/g)?.length ?? 0)
}
