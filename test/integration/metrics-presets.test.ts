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
    const failed = run.tests.filter((t) => t.state === 'failed' && t.file.endsWith('presets.eval.ts'))
    expect(failed.map((t) => t.name)).toEqual(['qa preset > toxic'])
    const message = failed[0]?.errors.join('\n') ?? ''
    expect(message).toMatch(/toxicity 1\.00 \(raw 5\/5\) > 0\.25/)
    expect(message).toMatch(/exact_match 0\.00 < 0\.75/)
    expect(message).not.toMatch(/short_answer/)
  })

  test('every preset metric and the code metric are recorded with their report names', () => {
    const qa = run.report?.runs.find((r) => r.file === 'presets.eval.ts')
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

describe('tool calls, pairwise preference and toBePreferredOver under real Vitest', () => {
  let run: FixtureRun
  beforeAll(async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    run = await runFixture('metrics-presets', {
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
      filters: ['agent.eval.ts'],
    })
  })

  test('the task’s toolCalls are compared with the case’s expectedToolCalls', () => {
    const agent = run.report?.runs.find((r) => r.file === 'agent.eval.ts')
    const right = agent?.cases.find((c) => c.name.endsWith('right-tool'))
    const wrong = agent?.cases.find((c) => c.name.endsWith('wrong-tool'))
    expect(right?.scores.tool_call_accuracy).toBe(1)
    expect(wrong?.scores.tool_call_accuracy).toBe(0)
    const failure = run.tests.find((t) => t.name === 'agent > wrong-tool')?.errors.join('\n') ?? ''
    expect(failure).toMatch(
      /tool_call_accuracy 0\.00 < 0\.75: 0 of 1 call match; missing: get_weather; extra: search\./,
    )
  })

  test('preference against a dataset column: a win in both orders scores 1', () => {
    const agent = run.report?.runs.find((r) => r.file === 'agent.eval.ts')
    const suite = agent?.cases.filter((c) => c.name.endsWith('-tool'))
    expect(suite?.map((c) => c.scores.preference)).toEqual([1, 1])
    // The matcher calls are recorded as cases too: a win (1) and a tie (0.5).
    const matcherCases = agent?.cases.filter((c) => c.scores.preference !== undefined && !c.name.endsWith('-tool'))
    expect(matcherCases?.map((c) => c.scores.preference)).toEqual([1, 0.5])
  })

  test('toBePreferredOver passes on a win and fails on a position-dependent verdict', () => {
    expect(run.tests.find((t) => t.name === 'pass: preferred in both orders')?.state).toBe('passed')
    const tie = run.tests.find((t) => t.name === 'fail: a position-dependent verdict is a tie')
    expect(tie?.state).toBe('failed')
    expect(tie?.errors.join('\n')).toMatch(
      /expected the answer to pass preference, but it scored 0\.50 < pass mark 0\.75/,
    )
    expect(tie?.errors.join('\n')).toMatch(/depends on the position/)
  })

  test('toScore(metrics.toxicity()): the plugin’s 0.75 pass mark becomes a 0.25 maximum', () => {
    expect(run.tests.find((t) => t.name.startsWith('pass: toxicity'))?.state).toBe('passed')
    const fail = run.tests.find((t) => t.name.startsWith('fail: toxicity'))
    expect(fail?.state).toBe('failed')
    expect(fail?.errors.join('\n')).toMatch(
      /expected the answer to pass toxicity, but it scored 0\.50 > pass mark 0\.25/,
    )
  })
})
