import { describe, expect, test } from 'vitest'
import { ConfigError, MetricError } from '../../src/errors.js'
import { defineMetric } from '../../src/metrics/define-metric.js'
import type { MetricInput } from '../../src/metrics/types.js'
import { directContext, scriptedJudge } from './metric-context.js'

const context = directContext(scriptedJudge([3]))
const input: MetricInput = { input: 'q', output: 'Hello world', expected: 'hello', extra: { input: 'q', lang: 'en' } }

describe('defineMetric({ name, score }): code metrics after make_metric', () => {
  test('a boolean is 1 or 0; the name becomes snake_case; not judged', async () => {
    const metric = defineMetric({ name: 'startsWithHello', score: ({ output }) => output.startsWith('Hello') })
    expect(metric.name).toBe('starts_with_hello')
    expect(metric.judged).toBe(false)
    expect(metric.kind).toBe('score')
    expect(await metric.score(input, context)).toEqual({ score: 1 })
    expect(await metric.score({ output: 'Bye' }, context)).toEqual({ score: 0 })
  })

  test('sync or async; { score, justification }; sees every field and the dataset row', async () => {
    const seen: MetricInput[] = []
    const metric = defineMetric({
      name: 'lang_ok',
      score: async (fields) => {
        seen.push(fields)
        return { score: 0.5, justification: `lang ${String(fields.extra?.lang)}` }
      },
    })
    expect(await metric.score(input, context)).toEqual({ score: 0.5, justification: 'lang en' })
    expect(seen[0]).toMatchObject({ input: 'q', output: 'Hello world', expected: 'hello' })
  })

  test('a thrown error fails with MetricError naming the metric, never a score', async () => {
    const metric = defineMetric({
      name: 'boom',
      score: () => {
        throw new Error('no parser for this')
      },
    })
    const error = await metric.score(input, context).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MetricError)
    expect((error as MetricError).code).toBe('VJ_METRIC')
    expect((error as Error).message).toBe('Metric boom: score() threw: no parser for this')
  })

  test('a score outside 0..1, NaN or a string is an error; a measurement takes any finite number', async () => {
    const tooBig = defineMetric({ name: 'words', score: ({ output }) => output.split(' ').length })
    await expect(tooBig.score(input, context)).rejects.toThrow(/returned 2, outside 0\.\.1.*kind: 'measurement'/)
    const nan = defineMetric({ name: 'nan', score: () => Number.NaN })
    await expect(nan.score(input, context)).rejects.toThrow(/finite number.*got NaN/)
    const text = defineMetric({ name: 'text', score: () => 'yes' as unknown as number })
    await expect(text.score(input, context)).rejects.toThrow(/got "yes"/)
    const words = defineMetric({
      name: 'words',
      kind: 'measurement',
      greaterIsBetter: false,
      score: ({ output }) => output.split(' ').length,
    })
    expect(words.kind).toBe('measurement')
    expect(words.greaterIsBetter).toBe(false)
    expect(await words.score(input, context)).toEqual({ score: 2 })
  })

  test('bad definitions are ConfigErrors', () => {
    expect(() => defineMetric({ name: '', score: () => 1 })).toThrow(ConfigError)
    expect(() => defineMetric({ name: 'x', kind: 'other' as 'score', score: () => 1 })).toThrow(/kind/)
    expect(() => defineMetric({ name: 'x' } as never)).toThrow(/`score` \(a code metric\)/)
  })
})
