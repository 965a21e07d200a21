/**
 * Review labels in a real `vitest run` (issue 28): labels saved in the store count in the next
 * run's agreement and in `gate.minAgreement`; the dataset's `human` grade wins for the same case.
 */
import { expect, inject, test } from 'vitest'
import { caseDigest } from '../../src/report/dataset-digest.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { runFixture, tempStateDir } from './run-fixture.js'

test('labels saved in the store: the next vitest run reports kappa over them and gates on it', async () => {
  const tenant = fakeTenant(inject('fakeProviderUrl'))
  const dir = tempStateDir()
  const env = {
    OPENAI_API_KEY: FAKE_API_KEY,
    OPENAI_BASE_URL: tenant.openaiBaseURL,
    VITEST_JUDGE: 'openai:fake-judge',
    VITEST_JUDGE_BASELINE: 'false',
  }
  const first = await runFixture('review-labels', { env, dir })
  expect(first.exitCode).toBe(0)
  expect(first.report?.agreement?.answer_similarity?.n).toBe(1)
  const run = first.report?.runs[0]
  const store = new SqliteRunStore(dir)
  // Human grades: case-0 1 (the dataset's 5 wins), case-1..4 as the judge, case-5 1 (judge 5).
  const grades = [1, 4, 3, 2, 1, 1]
  for (const [i, c] of (run?.cases ?? []).entries()) {
    await store.saveLabel({
      file: run?.key ?? run?.file ?? '',
      case: c.name,
      metric: 'answer_similarity',
      grade: grades[i] ?? null,
      scale: 'grade',
      reviewer: 'ada',
      at: new Date().toISOString(),
      caseDigest: caseDigest(c),
    })
  }
  await store.close()

  const second = await runFixture('review-labels', { env, dir })
  expect(second.exitCode).toBe(0)
  const a = second.report?.agreement?.answer_similarity
  expect(a).toMatchObject({ n: 6, fromLabels: 5, datasetWon: 1 })
  expect(a?.confusion[4]?.[4]).toBe(1) // case-0: the dataset's 5, not the label's 1
  expect(a?.disagreements[0]).toMatchObject({ case: 'reviewed > case-5', human: 1, judge: 5 })
  expect(second.report?.runs[0]?.cases[1]?.labels?.answer_similarity).toMatchObject({ grade: 4, stale: false })
  expect(second.stdout).toContain('5 grades from review labels; 1 review label not used')

  const gated = await runFixture('review-labels', { env: { ...env, MIN_AGREEMENT: '0.99' }, dir })
  expect(gated.exitCode).not.toBe(0)
  expect(gated.stdout + gated.stderr).toMatch(/answer_similarity/)
}, 240_000)
