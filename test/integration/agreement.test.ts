import { describe, expect, inject, test } from 'vitest'
import { emptyConfusion, quadraticWeightedKappa } from '../../src/report/agreement.js'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { runFixture } from './run-fixture.js'

async function run(env: Record<string, string> = {}) {
  const tenant = fakeTenant(inject('fakeProviderUrl'))
  return runFixture('agreement', {
    env: {
      OPENAI_API_KEY: FAKE_API_KEY,
      OPENAI_BASE_URL: tenant.openaiBaseURL,
      VITEST_JUDGE: 'openai:fake-judge',
      VITEST_JUDGE_BASELINE: 'false',
      ...env,
    },
  })
}

// (judge, human) of both files: labels.eval.ts then column.eval.ts.
const PAIRS = [
  [5, 5],
  [4, 5],
  [4, 4],
  [3, 3],
  [2, 3],
  [1, 1],
  [5, 1],
  [2, 2],
  [3, 3],
  [5, 4],
] as const

describe('agreement with human labels in a real run', () => {
  test('reports kappa, Spearman, exact and within-one agreement, the confusion matrix and the worst cases', async () => {
    const result = await run()
    expect(result.exitCode).toBe(0)
    const a = result.report?.agreement?.answer_similarity
    const confusion = emptyConfusion()
    for (const [judge, human] of PAIRS) {
      const row = confusion[human - 1] as number[]
      row[judge - 1] = (row[judge - 1] ?? 0) + 1
    }
    expect(a?.n).toBe(10)
    expect(a?.confusion).toEqual(confusion)
    expect(a?.kappa).toBeCloseTo(quadraticWeightedKappa(confusion) as number, 12)
    // Exact: 6 of 10; within one: all but (5, 1).
    expect(a?.exact).toBe(0.6)
    expect(a?.withinOne).toBe(0.9)
    expect(a?.disagreements[0]).toMatchObject({ case: 'labelled > case-6', file: 'labels.eval.ts', human: 1, judge: 5 })
    expect(a?.disagreements[0]?.justification).toContain('directive')
    // Per file too.
    const column = result.report?.runs.find((r) => r.file === 'column.eval.ts')
    expect(column?.agreement?.answer_similarity?.n).toBe(2)
    expect(column?.cases.map((c) => c.human)).toEqual([{ answer_similarity: 3 }, { answer_similarity: 4 }])
    expect(result.stdout).toMatch(/judge vs human answer_similarity: kappa \d\.\d\d \[/)
  })

  test('gate.minAgreement fails the run when kappa is under the mark, and says so', async () => {
    const failing = await run({ MIN_AGREEMENT: '0.95' })
    expect(failing.tests.every((t) => t.state === 'passed')).toBe(true)
    expect(failing.exitCode).toBe(1)
    expect(failing.stdout).toMatch(
      /✗ gate answer_similarity: judge-human agreement kappa \d\.\d\d \(95% CI .*\) over 10 labelled cases is under gate\.minAgreement 0\.95/,
    )
    const passing = await run({ MIN_AGREEMENT: '0.1' })
    expect(passing.exitCode).toBe(0)
  })
})
