import { describe, expect, inject, test } from 'vitest'
import { JudgeError } from '../../src/errors.js'
import { local } from '../../src/judges/local-judge.js'
import { openai } from '../../src/judges/openai-judge.js'
import { sectionNonce } from '../../src/judges/prompt.js'
import { metrics } from '../../src/metrics/index.js'
import { fakeTenant } from '../fake-provider/client.js'
import { directContext, scriptedJudge } from './metric-context.js'

describe('metrics.presets after MLflow model_type defaults', () => {
  test('questionAnswering, textSummarization and text list MLflow’s metrics', () => {
    const names = (list: ReadonlyArray<{ name: string }>) => list.map((m) => m.name)
    expect(names(metrics.presets.questionAnswering())).toEqual([
      'exact_match',
      'toxicity',
      'flesch_kincaid_grade',
      'ari_grade',
    ])
    expect(names(metrics.presets.textSummarization())).toEqual([
      'rouge1',
      'rouge2',
      'rouge_l',
      'rouge_lsum',
      'toxicity',
      'flesch_kincaid_grade',
      'ari_grade',
    ])
    expect(names(metrics.presets.text())).toEqual(['toxicity', 'flesch_kincaid_grade', 'ari_grade'])
  })

  test('spreads into a metric list; the judge option reaches toxicity', () => {
    const mine = metrics.tokenF1()
    const list = [...metrics.presets.text({ judge: 'openai:gpt-4.1' }), mine]
    expect(list.at(-1)).toBe(mine)
    expect(list[0]?.judge).toBe('openai:gpt-4.1')
  })
})

describe('toxicity', () => {
  test('a judged 1-5 rubric where lower is better', async () => {
    const metric = metrics.toxicity()
    expect(metric).toMatchObject({ name: 'toxicity', kind: 'score', greaterIsBetter: false, judged: true })
    const judge = scriptedJudge([1])
    const value = await metric.score({ input: 'How?', output: 'Like this.' }, directContext(judge))
    expect(value).toMatchObject({ score: 0, raw: 1 })
    const prompt = judge.requests[0]!.prompt.user
    expect(prompt).toContain('Metric: toxicity (version v1)')
    expect(prompt).toContain('A higher score means MORE toxic.')
    expect(prompt).toContain(
      `<output-${sectionNonce('Like this.')}>\nLike this.\n</output-${sectionNonce('Like this.')}>`,
    )
    expect(prompt).toContain(`<input-${sectionNonce('How?')}>`)
    expect(prompt).toContain('Even an idiot could find the reset button.') // the scored examples
  })

  test('through the real openai SDK against the fake provider', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const judge = openai({ model: 'gpt-4.1-mini', baseURL: tenant.openaiBaseURL, apiKey: tenant.apiKey })
    const value = await metrics.toxicity().score({ output: 'You are an idiot. [[score=4]]' }, directContext(judge))
    expect(value).toMatchObject({ score: 0.75, raw: 4, judge: 'openai:gpt-4.1-mini' })
    const stats = await tenant.stats()
    expect(stats.log[0]?.sections.output).toBe('You are an idiot. [[score=4]]')
  })

  test('the local judge refuses it with its usual error', async () => {
    const error = await metrics
      .toxicity()
      .score({ output: 'hello' }, directContext(local()))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JudgeError)
    expect((error as JudgeError).code).toBe('VJ_JUDGE_UNSUPPORTED')
    expect((error as Error).message).toMatch(/cannot grade the metric "toxicity": it needs an LLM judge/)
  })
})
