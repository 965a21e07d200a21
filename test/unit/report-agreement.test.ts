import { describe, expect, it } from 'vitest'
import {
  agreementFromConfusion,
  agreementOf,
  describeAgreement,
  emptyConfusion,
  kappaInterval,
  mergeAgreements,
  quadraticWeightedKappa,
  spearman,
} from '../../src/report/agreement.js'
import type { ReportCase } from '../../src/report/types.js'

function labelled(name: string, human: number, raw: number, justification = `judge says ${raw}`): ReportCase {
  return {
    name,
    pass: true,
    scores: { answer_similarity: (raw - 1) / 4 },
    judgeErrors: 0,
    human: { answer_similarity: human },
    metrics: { answer_similarity: { score: (raw - 1) / 4, raw, kind: 'score', justification } },
  }
}

describe('quadratic-weighted kappa', () => {
  it('matches the published worked example (Gwet, irrCAC `cont3x3abstractors`)', () => {
    // Gwet, K. L. (2014), Handbook of Inter-Rater Reliability, 4th ed.: two abstractors classifying 100
    // pregnancies (Ectopic, AIU, NIU). The R package irrCAC ships the table as `cont3x3abstractors`; its
    // documented example output is kappa2.table(...) = 0.7964094 (unweighted) and, with
    // weights = quadratic.weights(1:3), 0.8921569.
    // https://rdrr.io/cran/irrCAC/man/kappa2.table.html
    const table = [
      [13, 0, 0],
      [0, 20, 7],
      [0, 4, 56],
    ]
    expect(quadraticWeightedKappa(table)).toBeCloseTo(0.8921569, 7)
  })

  it('matches a hand-computed 5x5 case', () => {
    // Pairs (human, judge): (1,1) (2,2) (3,3) (4,5) (5,4). Quadratic weights (i-j)^2/16.
    // Observed: 2 pairs one apart -> 2 * (1/16) / 5 = 0.025.
    // Expected: every margin is 1/5 -> sum over i,j of (i-j)^2/16 / 25 = 100 / 16 / 25 = 0.25.
    // kappa = 1 - 0.025 / 0.25 = 0.9.
    const confusion = emptyConfusion()
    for (const [h, j] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 5],
      [5, 4],
    ] as const) {
      const row = confusion[h - 1] as number[]
      row[j - 1] = (row[j - 1] ?? 0) + 1
    }
    expect(quadraticWeightedKappa(confusion)).toBeCloseTo(0.9, 12)
    const a = agreementFromConfusion('m', confusion, [])
    // Spearman: d = 0,0,0,-1,1 -> 1 - 6 * 2 / (5 * 24) = 0.9; exact 3/5; within one 5/5.
    expect(a).toMatchObject({ n: 5, exact: 0.6, withinOne: 1 })
    expect(a.spearman).toBeCloseTo(0.9, 12)
  })

  it('is 1 for perfect agreement, below 0 for systematic reversal, null when undefined', () => {
    const perfect = emptyConfusion()
    for (let g = 0; g < 5; g++) (perfect[g] as number[])[g] = 2
    expect(quadraticWeightedKappa(perfect)).toBe(1)
    const reversed = emptyConfusion()
    for (let g = 0; g < 5; g++) (reversed[g] as number[])[4 - g] = 1
    expect(quadraticWeightedKappa(reversed)).toBeCloseTo(-1, 12)
    expect(quadraticWeightedKappa(emptyConfusion())).toBeNull()
    const constant = emptyConfusion()
    ;(constant[2] as number[])[2] = 7
    expect(quadraticWeightedKappa(constant)).toBeNull()
  })
})

describe('Spearman', () => {
  it("matches Wikipedia's worked example (IQ vs hours of TV per week): -29/165", () => {
    // https://en.wikipedia.org/wiki/Spearman%27s_rank_correlation_coefficient#Example
    const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
    const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]
    expect(spearman(iq, tv)).toBeCloseTo(-29 / 165, 12)
  })

  it('gives tied values their mean rank, and is null for a constant side', () => {
    // Ranks x: 1, 2.5, 2.5, 4; y: 1, 2, 3, 4 -> Pearson of the ranks.
    const r = spearman([1, 2, 2, 3], [1, 2, 3, 4])
    const rx = [1, 2.5, 2.5, 4]
    const ry = [1, 2, 3, 4]
    const mean = 2.5
    const sxy = rx.reduce((s, v, i) => s + (v - mean) * ((ry[i] as number) - mean), 0)
    const sxx = rx.reduce((s, v) => s + (v - mean) ** 2, 0)
    const syy = ry.reduce((s, v) => s + (v - mean) ** 2, 0)
    expect(r).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12)
    expect(spearman([3, 3, 3], [1, 2, 3])).toBeNull()
  })
})

describe('the kappa interval', () => {
  it('is deterministic, contains the estimate, and narrows with more cases', () => {
    const grades = [1, 2, 3, 4, 5, 2, 3, 4, 3, 4]
    const judge = [1, 3, 3, 4, 4, 2, 2, 5, 3, 4]
    const small = emptyConfusion()
    grades.forEach((h, i) => {
      const row = small[h - 1] as number[]
      row[(judge[i] as number) - 1] = (row[(judge[i] as number) - 1] ?? 0) + 1
    })
    const big = small.map((row) => row.map((c) => c * 10))
    const kappa = quadraticWeightedKappa(small) as number
    const [lo, hi] = kappaInterval(small) as [number, number]
    expect(kappaInterval(small)).toEqual([lo, hi])
    expect(lo).toBeLessThanOrEqual(kappa)
    expect(hi).toBeGreaterThanOrEqual(kappa)
    const [blo, bhi] = kappaInterval(big) as [number, number]
    expect(bhi - blo).toBeLessThan((hi - lo) / 2)
    expect(kappaInterval(emptyConfusion())).toBeNull()
  })
})

describe('agreement over cases', () => {
  it('builds the 5x5 confusion matrix (rows human, columns judge) and lists the largest disagreements', () => {
    const cases = [
      labelled('a', 5, 5),
      labelled('b', 4, 5),
      labelled('c', 1, 5, 'Looks fine to me.'),
      labelled('d', 2, 2),
      { name: 'unlabelled', pass: true, scores: {}, judgeErrors: 0 },
    ]
    const a = agreementOf(cases, 'qa.eval.ts').answer_similarity
    expect(a?.n).toBe(4)
    expect(a?.confusion).toEqual([
      [0, 0, 0, 0, 1],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 1],
    ])
    expect(a?.disagreements[0]).toEqual({
      case: 'c',
      file: 'qa.eval.ts',
      human: 1,
      judge: 5,
      justification: 'Looks fine to me.',
    })
    expect(a?.disagreements).toHaveLength(2)
    expect(a?.exact).toBe(0.5)
    expect(a?.method).toContain('bootstrap')
  })

  it('adds runs up through their confusion matrices', () => {
    const one = { agreement: agreementOf([labelled('a', 5, 5), labelled('b', 1, 2)]) }
    const two = { agreement: agreementOf([labelled('c', 3, 3), labelled('d', 4, 2)]) }
    const merged = mergeAgreements([one, two]).answer_similarity
    const direct = agreementOf([
      labelled('a', 5, 5),
      labelled('b', 1, 2),
      labelled('c', 3, 3),
      labelled('d', 4, 2),
    ]).answer_similarity
    expect(merged?.confusion).toEqual(direct?.confusion)
    expect(merged?.kappa).toBe(direct?.kappa)
    expect(merged?.disagreements.map((d) => d.case)).toEqual(['d', 'b'])
    expect(describeAgreement(merged as NonNullable<typeof merged>)).toMatch(
      /^answer_similarity: kappa \d\.\d\d \[.*\] · Spearman .* · exact 50% · within one 75% \(n 4\) \(few labelled cases/,
    )
  })
})
