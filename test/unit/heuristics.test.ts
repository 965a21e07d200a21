import { describe, expect, test } from 'vitest'
import {
  bleu,
  exactMatchScore,
  levenshteinDistance,
  levenshteinSimilarity,
  squadExactMatch,
  squadNormalize,
  tokenF1,
} from '../../src/metrics/heuristics.js'
import { rougeLScore } from '../../src/metrics/rouge.js'

const rougeL = (a: string, b: string) => rougeLScore(a, b).fmeasure

describe('exactMatchScore', () => {
  test('ignores surrounding and repeated whitespace', () => {
    expect(exactMatchScore('  Paris  is\n nice ', 'Paris is nice')).toBe(1)
  })

  test('is case-sensitive and punctuation-sensitive', () => {
    expect(exactMatchScore('paris', 'Paris')).toBe(0)
    expect(exactMatchScore('Paris.', 'Paris')).toBe(0)
  })

  test('two empty strings match', () => {
    expect(exactMatchScore('', '  ')).toBe(1)
  })
})

describe('levenshtein', () => {
  test('kitten -> sitting is 3 edits, similarity 1 - 3/7', () => {
    expect(levenshteinDistance('kitten', 'sitting')).toBe(3)
    expect(levenshteinSimilarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 10)
  })

  test('flaw -> lawn is 2 edits over 4 characters', () => {
    expect(levenshteinDistance('flaw', 'lawn')).toBe(2)
    expect(levenshteinSimilarity('flaw', 'lawn')).toBe(0.5)
  })

  test('counts Unicode code points, not UTF-16 units', () => {
    // '😀' is two UTF-16 units but one code point: one deletion over a length of 2.
    expect(levenshteinDistance('😀a', 'a')).toBe(1)
    expect(levenshteinSimilarity('😀a', 'a')).toBe(0.5)
    expect(levenshteinDistance('ёж', 'еж')).toBe(1)
  })

  test('edge cases', () => {
    expect(levenshteinSimilarity('', '')).toBe(1)
    expect(levenshteinSimilarity('abc', '')).toBe(0)
    expect(levenshteinDistance('', 'abc')).toBe(3)
    expect(levenshteinSimilarity('abc', 'abc')).toBe(1)
    expect(levenshteinSimilarity('abc', 'xyz')).toBe(0)
  })
})

describe('tokenF1', () => {
  test('a partial overlap', () => {
    // output [albert, einstein, developed, relativity], expected [einstein, developed, theory, of, relativity]
    // ("the" removed); overlap 3, P = 3/4, R = 3/5, F1 = 2 * 0.75 * 0.6 / 1.35 = 2/3.
    expect(tokenF1('Albert Einstein developed relativity', 'Einstein developed the theory of relativity')).toBeCloseTo(
      2 / 3,
      10,
    )
  })

  test('articles, case and punctuation are ignored', () => {
    expect(tokenF1('The cat sat on the mat!', 'a cat sat on a MAT')).toBe(1)
    expect(tokenF1('U.S.A.', 'USA')).toBe(1)
  })

  test('overlap is clipped by counts', () => {
    // [cat, cat, cat] vs [cat, dog]: overlap 1, P = 1/3, R = 1/2, F1 = (2/6) / (5/6) = 0.4
    expect(tokenF1('the cat cat cat', 'cat dog')).toBeCloseTo(0.4, 10)
  })

  test('empty cases', () => {
    expect(tokenF1('', '')).toBe(1)
    expect(tokenF1('the', 'a')).toBe(1)
    expect(tokenF1('', 'Paris')).toBe(0)
    expect(tokenF1('Paris', '')).toBe(0)
    expect(tokenF1('London', 'Paris')).toBe(0)
  })
})

describe('tokenF1 and SQuAD normalization beyond ASCII', () => {
  test('articles are removed only as whole words, with a Unicode-aware boundary', () => {
    // SQuAD (Python's Unicode \b): "ağa" keeps its "a"s, so ["ağa"] vs ["ağ"] share nothing.
    expect(tokenF1('ağa', 'ağ')).toBe(0)
    expect(squadNormalize('theя the end')).toBe('theя end')
    expect(squadNormalize('a café, an idea')).toBe('café idea')
  })

  test('SQuAD exact match ignores case, punctuation and articles', () => {
    expect(squadExactMatch('The Eiffel Tower!', 'eiffel tower')).toBe(1)
    expect(squadExactMatch('Eiffel Towers', 'eiffel tower')).toBe(0)
  })
})

describe('rougeL', () => {
  test('one substituted word', () => {
    // LCS(police killed the gunman, police kill the gunman) = 3; P = R = 3/4
    expect(rougeL('police killed the gunman', 'police kill the gunman')).toBeCloseTo(0.75, 10)
  })

  test('word order matters', () => {
    // LCS(the gunman kill police, police kill the gunman) = 2 ("the gunman"); P = R = 1/2
    expect(rougeL('the gunman kill police', 'police kill the gunman')).toBeCloseTo(0.5, 10)
  })

  test('different lengths', () => {
    // LCS(a b c d e, a c e) = 3; P = 3/5, R = 1, F = 1.2 / 1.6 = 0.75
    expect(rougeL('a b c d e', 'A, C, E.')).toBeCloseTo(0.75, 10)
  })

  test('edge cases', () => {
    expect(rougeL('Same text here.', 'same text here')).toBe(1)
    expect(rougeL('', '')).toBe(1)
    expect(rougeL('', 'x')).toBe(0)
    expect(rougeL('dog', 'cat')).toBe(0)
  })
})

describe('bleu', () => {
  test('identical texts give 1, short or long', () => {
    expect(bleu('hello world', 'hello world')).toBe(1)
    expect(bleu('Paris', 'Paris')).toBe(1)
    const long = 'The quick brown fox jumps over the lazy dog near the river bank.'
    expect(bleu(long, long)).toBe(1)
  })

  test('a hand-computed sentence', () => {
    // c = r = 6, BP = 1. p1 = 5/6 (second "the" clipped); bigrams 3 of 5 -> (3+1)/(5+1);
    // trigrams 2 of 4 -> 3/5; 4-grams 1 of 3 -> 2/4. BLEU = (5/6 * 4/6 * 3/5 * 2/4)^(1/4) = (1/6)^(1/4)
    expect(bleu('the cat sat on the mat', 'the cat sat on a mat')).toBeCloseTo((1 / 6) ** 0.25, 10)
    expect(bleu('the cat sat on the mat', 'the cat sat on a mat')).toBeCloseTo(0.6389, 4)
  })

  test('brevity penalty', () => {
    // c = 2, r = 6: BP = exp(1 - 6/2) = e^-2; every precision is 1 (orders 3 and 4 have no n-grams)
    expect(bleu('the cat', 'the cat sat on the mat')).toBeCloseTo(Math.exp(-2), 10)
  })

  test('no penalty for a longer output', () => {
    // c = 3, r = 2: BP = 1; p1 = 2/3, p2 = (1+1)/(2+1) = 2/3, p3 = (0+1)/(1+1), p4 = (0+1)/(0+1)
    expect(bleu('the cat sat', 'the cat')).toBeCloseTo(((2 / 3) * (2 / 3) * (1 / 2) * 1) ** 0.25, 10)
  })

  test('no shared word gives 0; empty cases', () => {
    expect(bleu('dog', 'cat')).toBe(0)
    expect(bleu('', '')).toBe(1)
    expect(bleu('', 'cat')).toBe(0)
    expect(bleu('cat', '')).toBe(0)
  })
})
