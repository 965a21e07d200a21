import { beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture } from './run-fixture.js'

describe('describeEval from a .jsonl file with judged and computed metrics', () => {
  let tenant: FakeTenant
  let run: FixtureRun
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    run = await runFixture('eval-suite', {
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
    })
  })

  test('every case is one test; the wrong answer fails, the others pass', () => {
    expect(run.tests).toHaveLength(8)
    const failed = run.tests.filter((t) => t.state === 'failed')
    expect(failed.map((t) => t.name)).toEqual(['factual QA > boiling-point'])
    expect(failed[0]?.errors.join('\n')).toMatch(/answer_similarity 0\.00 .*< 0\.5/)
  })

  test('the run records every metric per case and aggregates', () => {
    const qa = run.report?.runs[0]
    expect(qa?.file).toBe('qa.eval.ts')
    expect(qa?.cases).toHaveLength(8)
    const aggregates = qa?.aggregates ?? {}
    expect(Object.keys(aggregates).sort()).toEqual(['answer_similarity', 'latency', 'token_count', 'token_f1'])
    expect(aggregates.answer_similarity?.n).toBe(8)
    expect(aggregates.answer_similarity?.mean).toBeCloseTo(7 / 8, 5)
    expect(aggregates.answer_similarity?.pass_rate).toBeCloseTo(7 / 8, 5)
    expect(aggregates.token_count?.mean).toBeCloseTo((7 * 15 + 18) / 8, 5)
    expect(qa?.cache).toEqual({ hits: 0, misses: 8 })
  })

  test("a case's context is kept as its dataset gave it, with its digest", () => {
    const relativity = run.report?.runs[0]?.cases.find((c) => c.id === 'relativity')
    expect(relativity?.context).toEqual([
      'Einstein published special relativity in 1905.',
      'General relativity followed in 1915.',
    ])
    expect(relativity?.contextDigest).toMatch(/^[0-9a-f]{16}$/)
    expect(run.report?.runs[0]?.cases.filter((c) => c.context !== undefined)).toHaveLength(1)
  })

  test('the console shows the aggregate table', () => {
    expect(run.stdout).toContain('answer_similarity')
    expect(run.stdout).toContain('qa.eval.ts')
  })
})

test('a broken data line is an error naming the file and the line', async () => {
  const run = await runFixture('broken-data')
  expect(run.exitCode).toBe(1)
  expect(`${run.stdout}\n${run.stderr}`).toMatch(/broken\.jsonl:3/)
})
