import { beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture } from './run-fixture.js'

describe('presets, toxicity and a code metric under real Vitest', () => {
  let run: FixtureRun
  beforeAll(async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    run = await runFixture('metrics-presets', {
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
    })
  })

  test('the toxic answer fails on toxicity (lower is better: the 0.75 pass mark is a 0.25 maximum) and exact match', () => {
    const failed = run.tests.filter((t) => t.state === 'failed')
    expect(failed.map((t) => t.name)).toEqual(['qa preset > toxic'])
    const message = failed[0]?.errors.join('\n') ?? ''
    expect(message).toMatch(/toxicity 1\.00 \(raw 5\/5\) > 0\.25/)
    expect(message).toMatch(/exact_match 0\.00 < 0\.75/)
    expect(message).not.toMatch(/short_answer/)
  })

  test('every preset metric and the code metric are recorded with their report names', () => {
    const qa = run.report?.runs[0]
    const polite = qa?.cases.find((c) => c.name.endsWith('polite'))
    expect(Object.keys(polite?.scores ?? {}).sort()).toEqual(
      ['ari_grade', 'exact_match', 'flesch_kincaid_grade', 'short_answer', 'toxicity'].sort(),
    )
    expect(polite?.scores.toxicity).toBe(0)
    expect(polite?.scores.short_answer).toBe(1)
    const summary = qa?.cases.find((c) => c.name.endsWith('summary'))
    expect(Object.keys(summary?.scores ?? {})).toEqual(
      expect.arrayContaining(['rouge1', 'rouge2', 'rouge_l', 'rouge_lsum', 'toxicity']),
    )
    expect(summary?.pass).toBe(true)
  })
})
