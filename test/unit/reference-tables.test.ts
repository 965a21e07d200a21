/**
 * The heuristic metrics against the reference implementations users compare them with. The tables in
 * test/reference/ hold inputs and the values the references gave (tool, version and options inside);
 * scripts/reference/make-tables.py made them. Where this project deliberately differs, the row is
 * listed here with the reason and our own value is checked.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { bleu, squadExactMatch, tokenF1 } from '../../src/metrics/heuristics.js'
import { rougeLScore, rougeLsumScore, rougeN } from '../../src/metrics/rouge.js'

function table<T>(name: string): { rows: T[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../reference/${name}`, import.meta.url), 'utf8'))
}

interface RougeRow {
  prediction: string
  target: string
  rouge1: { fmeasure: number }
  rouge2: { fmeasure: number }
  rougeL: { fmeasure: number }
  rougeLsum: { fmeasure: number }
}

const NON_ASCII_RE = /[^ -~\s]/

describe('ROUGE against rouge_score', () => {
  const rows = table<RougeRow>('rouge-score.json').rows
  const ours = (row: RougeRow) => ({
    rouge1: rougeN(row.prediction, row.target, 1).fmeasure,
    rouge2: rougeN(row.prediction, row.target, 2).fmeasure,
    rougeL: rougeLScore(row.prediction, row.target).fmeasure,
    rougeLsum: rougeLsumScore(row.prediction, row.target).fmeasure,
  })

  test('ASCII text: every row agrees to 1e-12, except two empty texts (ours 1, theirs 0)', () => {
    const ascii = rows.filter((row) => !NON_ASCII_RE.test(row.prediction + row.target))
    expect(ascii.length).toBeGreaterThan(40)
    for (const row of ascii) {
      const mine = ours(row)
      const bothEmpty = !/[a-z0-9]/i.test(row.prediction) && !/[a-z0-9]/i.test(row.target)
      for (const key of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const) {
        if (bothEmpty) expect([key, mine[key]]).toEqual([key, 1])
        else
          expect([row.prediction, key, mine[key]]).toEqual([row.prediction, key, expect.closeTo(row[key].fmeasure, 12)])
      }
    }
  })

  test('other scripts: rouge_score drops every non-ASCII letter, we keep them', () => {
    const row = rows.find((r) => r.prediction === 'Москва — столица России.')!
    expect(row.rouge1.fmeasure).toBe(0)
    // [москва, столица, россии] vs [столица, россии, город, москва]: P = 3/3, R = 3/4, F = 6/7
    expect(ours(row).rouge1).toBeCloseTo(6 / 7, 12)
    const ja = rows.find((r) => r.prediction === '東京は日本の首都です。')!
    expect(ja.rouge1.fmeasure).toBe(0)
    expect(ours(ja).rouge1).toBe(1) // the same characters in another order
  })
})

interface SquadRow {
  prediction: string
  truth: string
  f1: number
  exact_match: number
}

describe('token F1 and exact match against the SQuAD v1.1 script', () => {
  const rows = table<SquadRow>('squad-v1.1.json').rows
  // Unicode punctuation: the script removes ASCII punctuation only; we remove «», —, … as well.
  const unicodePunctuation = (row: SquadRow) =>
    /[^ -~]/u.test((row.prediction + row.truth).replace(/[\p{L}\p{M}\p{N}\s]/gu, ''))
  // Two texts without tokens: the script gives F1 0, we give 1 (identical answers score 1).
  const bothEmpty = (row: SquadRow) => row.f1 === 0 && row.exact_match === 1

  test('every row agrees except the documented differences', () => {
    let compared = 0
    for (const row of rows) {
      if (unicodePunctuation(row) || bothEmpty(row)) continue
      compared++
      expect([row.prediction, row.truth, tokenF1(row.prediction, row.truth)]).toEqual([
        row.prediction,
        row.truth,
        expect.closeTo(row.f1, 12),
      ])
      expect([row.prediction, squadExactMatch(row.prediction, row.truth)]).toEqual([row.prediction, row.exact_match])
    }
    expect(compared).toBeGreaterThan(60)
  })

  test('the documented differences', () => {
    const dash = rows.find((r) => r.prediction === 'Москва — столица России.')!
    // The script keeps "—" as a token: P = 4/4, R = 4/5, F1 = 8/9; without it P = 3/3, R = 3/4, F1 = 6/7.
    expect(dash.f1).toBeCloseTo(8 / 9, 12)
    expect(tokenF1(dash.prediction, dash.truth)).toBeCloseTo(6 / 7, 12)
    const empty = rows.find((r) => r.prediction === '' && r.truth === '')!
    expect(empty.f1).toBe(0)
    expect(tokenF1('', '')).toBe(1)
  })
})

interface BleuRow {
  candidate: string
  reference: string
  candidateTokens: string[]
  referenceTokens: string[]
  bleu: number | null
}

describe('BLEU against NLTK sentence_bleu (method2)', () => {
  const rows = table<BleuRow>('nltk-bleu.json').rows
  test('every output of 4 or more tokens agrees to 1e-12', () => {
    let compared = 0
    for (const row of rows) {
      if (row.candidateTokens.length < 4 || row.referenceTokens.length === 0 || row.bleu === null) continue
      compared++
      expect([row.candidate, bleu(row.candidate, row.reference)]).toEqual([row.candidate, expect.closeTo(row.bleu, 12)])
    }
    expect(compared).toBeGreaterThan(50)
  })

  test('shorter outputs: orders the output is too short to have count 1 here, 1/2 after NLTK smoothing', () => {
    const row = rows.find((r) => r.candidate === 'Paris' && r.reference === 'Paris')!
    // NLTK: p1 = 1, p2..p4 = (0 + 1) / (max(1, 0) + 1) = 1/2, so BLEU = (1/2)^(3/4).
    expect(row.bleu).toBeCloseTo(0.5 ** 0.75, 12)
    expect(bleu('Paris', 'Paris')).toBe(1)
  })
})
