import { describe, expect, test } from 'vitest'
import { ConfigError, MissingFieldError } from '../../src/errors.js'
import { toolCallAccuracy } from '../../src/metrics/tool-calls.js'
import type { ToolCall } from '../../src/metrics/types.js'
import { directContext, scriptedJudge } from './metric-context.js'

const context = directContext(scriptedJudge([3]))
const run = (
  options: Parameters<typeof toolCallAccuracy>[0],
  toolCalls: ToolCall[] | undefined,
  expectedToolCalls: ToolCall[],
) => toolCallAccuracy(options).score({ output: '', ...(toolCalls ? { toolCalls } : {}), expectedToolCalls }, context)

const weather = { name: 'get_weather', arguments: { city: 'Paris', unit: 'C' } }
const search = { name: 'search', arguments: { q: 'Paris' } }

describe('toolCallAccuracy', () => {
  test('the same calls in another order: 1 with order any, half with order exact', async () => {
    expect(await run({}, [search, weather], [weather, search])).toEqual({
      score: 1,
      justification: '2 of 2 calls match.',
    })
    const exact = await run({ order: 'exact' }, [search, weather], [weather, search])
    expect(exact.score).toBe(0)
    expect(exact.justification).toBe(
      '0 of 2 calls match; different: #1 search instead of get_weather, #2 get_weather instead of search.',
    )
  })

  test('missing and extra calls are named; the score is matched / max(expected, made)', async () => {
    const value = await run({}, [search, { name: 'send_email' }], [weather, search])
    expect(value.score).toBe(0.5)
    expect(value.justification).toBe('1 of 2 calls match; missing: get_weather; extra: send_email.')
  })

  test('arguments: exact compares deeply, subset allows extra keys, ignore compares names', async () => {
    const made = [{ name: 'get_weather', arguments: { city: 'Paris', unit: 'C', lang: 'fr' } }]
    const exact = await run({}, made, [weather])
    expect(exact).toEqual({ score: 0, justification: '0 of 1 call match; different: get_weather (lang).' })
    expect((await run({ arguments: 'subset' }, made, [weather])).score).toBe(1)
    const wrongCity = [{ name: 'get_weather', arguments: { city: 'Lyon', unit: 'C' } }]
    expect((await run({ arguments: 'subset' }, wrongCity, [weather])).justification).toBe(
      '0 of 1 call match; different: get_weather (city).',
    )
    expect((await run({ arguments: 'ignore' }, wrongCity, [weather])).score).toBe(1)
  })

  test('arguments as a JSON string (OpenAI tool calls) are parsed', async () => {
    const made = [{ name: 'get_weather', arguments: '{"unit":"C","city":"Paris"}' }]
    expect((await run({}, made, [weather])).score).toBe(1)
    await expect(run({}, [{ name: 'get_weather', arguments: 'not json' }], [weather])).rejects.toThrow(ConfigError)
  })

  test('none expected and none made is 1; no toolCalls reported counts as none made', async () => {
    expect((await run({}, undefined, [])).score).toBe(1)
    expect(await run({}, undefined, [search])).toEqual({
      score: 0,
      justification: '0 of 1 call match; missing: search.',
    })
  })

  test('a case without expectedToolCalls is a MissingFieldError; bad options are ConfigErrors', async () => {
    await expect(toolCallAccuracy().score({ output: '' }, context)).rejects.toBeInstanceOf(MissingFieldError)
    expect(() => toolCallAccuracy({ order: 'sorted' as 'any' })).toThrow(ConfigError)
    expect(() => toolCallAccuracy({ arguments: 'loose' as 'exact' })).toThrow(ConfigError)
  })
})
