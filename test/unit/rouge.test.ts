import { describe, expect, test } from 'vitest'
import { rougeLScore, rougeLsumScore, rougeN, rougeTokens } from '../../src/metrics/rouge.js'

describe('rougeTokens', () => {
  test('as rouge_score for ASCII: lowercase, split at anything but letters and digits', () => {
    expect(rougeTokens("Don't stop: end-to-end_tests, 3.14!")).toEqual([
      'don',
      't',
      'stop',
      'end',
      'to',
      'end',
      'tests',
      '3',
      '14',
    ])
  })
  test('keeps other letters; one token per Han or kana character', () => {
    expect(rougeTokens('Café Москва')).toEqual(['café', 'москва'])
    expect(rougeTokens('東京は日本')).toEqual(['東', '京', 'は', '日', '本'])
  })
})

describe('ROUGE-N, ROUGE-L, ROUGE-Lsum (hand-computed)', () => {
  test('rouge1 and rouge2 with clipped counts', () => {
    // pred [the, cat, the, cat] target [the, cat, sat]: unigram hits min(2,1)+min(2,1) = 2, P = 2/4, R = 2/3
    const r1 = rougeN('the cat the cat', 'the cat sat', 1)
    expect(r1.precision).toBe(0.5)
    expect(r1.recall).toBeCloseTo(2 / 3, 12)
    expect(r1.fmeasure).toBeCloseTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 12)
    // bigrams pred [the cat, cat the, the cat] target [the cat, cat sat]: hits 1, P = 1/3, R = 1/2, F = 0.4
    expect(rougeN('the cat the cat', 'the cat sat', 2).fmeasure).toBeCloseTo(0.4, 12)
  })

  test('the hyphen run no longer glues words: 1.0 for the same words', () => {
    expect(rougeLScore('packages--typically libraries', 'packages typically libraries').fmeasure).toBe(1)
  })

  test('rougeL: LCS over tokens', () => {
    expect(rougeLScore('police killed the gunman', 'police kill the gunman').fmeasure).toBeCloseTo(0.75, 12)
  })

  test('rougeLsum: union LCS over newline-separated sentences, no double counting', () => {
    // The ROUGE paper's example (Lin 2004, 3.2): r = w1 w2 w3 w4 w5; c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5.
    // Union LCS of r with c1, c2 = w1 w2 w3 w5: 4 hits; R = 4/5, P = 4/10.
    const s = rougeLsumScore('w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5', 'w1 w2 w3 w4 w5')
    expect(s.recall).toBeCloseTo(4 / 5, 12)
    expect(s.precision).toBeCloseTo(4 / 10, 12)
    // Without newlines it is ROUGE-L.
    expect(rougeLsumScore('a b c', 'a c').fmeasure).toBeCloseTo(rougeLScore('a b c', 'a c').fmeasure, 12)
  })

  test('edges: two texts without tokens score 1, one empty text scores 0, too short for bigrams scores 0', () => {
    expect(rougeN('', '...', 1).fmeasure).toBe(1)
    expect(rougeLsumScore('', '').fmeasure).toBe(1)
    expect(rougeN('', 'Paris', 1).fmeasure).toBe(0)
    expect(rougeLScore('Paris', '').fmeasure).toBe(0)
    expect(rougeN('Paris', 'Paris', 2).fmeasure).toBe(0)
  })
})
