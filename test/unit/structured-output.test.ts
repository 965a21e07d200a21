import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { ConfigError, MetricError } from '../../src/errors.js'
import {
  formatIssuePath,
  jsonValid,
  matchesSchema,
  type StandardSchemaLike,
} from '../../src/metrics/structured-output.js'
import { directContext, scriptedJudge } from './metric-context.js'

const context = directContext(scriptedJudge([3]))
const score = (metric: ReturnType<typeof jsonValid>, output: string) => metric.score({ output }, context)

describe('jsonValid', () => {
  test('valid JSON scores 1; anything else 0 with the parse error', async () => {
    expect(await score(jsonValid(), '{"a": [1, 2]}')).toEqual({ score: 1, justification: 'Valid JSON.' })
    expect(await score(jsonValid(), '42')).toMatchObject({ score: 1 })
    const bad = await score(jsonValid(), '{"a": 1,}')
    expect(bad.score).toBe(0)
    expect(bad.justification).toMatch(/^Output is not valid JSON \(.+\)\.$/)
    expect(await score(jsonValid(), '  ')).toEqual({ score: 0, justification: 'Output is empty.' })
  })

  test('a fenced ```json block is accepted and said; fenced: false refuses it', async () => {
    const fenced = 'Here you go:\n```json\n{"city": "Paris"}\n```\nAnything else?'
    expect(await score(jsonValid(), fenced)).toEqual({
      score: 1,
      justification: 'Valid JSON, parsed from a fenced code block.',
    })
    expect((await score(jsonValid({ fenced: false }), fenced)).score).toBe(0)
    const brokenFence = '```json\n{"city": Paris}\n```'
    expect((await score(jsonValid(), brokenFence)).justification).toMatch(
      /^Output is not valid JSON in its fenced block \(/,
    )
  })
})

describe('matchesSchema', () => {
  const Answer = z.object({ city: z.string(), population: z.number().int(), tags: z.array(z.string()) })

  test('a zod schema: 1 when it matches, else 0 with failing paths and messages', async () => {
    const ok = await score(matchesSchema(Answer), '{"city": "Paris", "population": 2100000, "tags": []}')
    expect(ok).toEqual({ score: 1, justification: 'Matches the schema.' })
    const bad = await score(matchesSchema(Answer), '{"city": "Paris", "population": "2.1M", "tags": [1]}')
    expect(bad.score).toBe(0)
    expect(bad.justification).toMatch(/^Does not match the schema: \$\.population: .*number.*; \$\.tags\[0\]: .*string/)
  })

  test('not JSON scores 0 and says so; fenced JSON is said', async () => {
    expect(await score(matchesSchema(Answer), 'Paris')).toMatchObject({
      score: 0,
      justification: expect.stringMatching(/not valid JSON/),
    })
    const fenced = '```\n{"city": "Paris", "population": 1, "tags": ["x"]}\n```'
    expect(await score(matchesSchema(Answer), fenced)).toEqual({
      score: 1,
      justification: 'Matches the schema (parsed from a fenced code block).',
    })
  })

  test('any Standard Schema, sync or async, with path segments as keys or { key }', async () => {
    const even: StandardSchemaLike = {
      '~standard': {
        version: 1,
        vendor: 'hand-made',
        validate: async (value) =>
          typeof value === 'object' && value !== null && (value as { n?: number }).n === 2
            ? { value }
            : { issues: [{ message: 'must be 2', path: [{ key: 'n' }] }] },
      },
    }
    expect((await score(matchesSchema(even), '{"n": 2}')).score).toBe(1)
    expect((await score(matchesSchema(even), '{"n": 3}')).justification).toBe(
      'Does not match the schema: $.n: must be 2.',
    )
    expect(formatIssuePath(['a', 0, 'b-c', { key: 'd' }])).toBe('$.a[0]["b-c"].d')
  })

  test('a schema whose validation throws fails with MetricError; a non-schema is a ConfigError', async () => {
    const throwing = z.string().refine(() => {
      throw new Error('refinement crashed')
    })
    await expect(score(matchesSchema(throwing), '"x"')).rejects.toBeInstanceOf(MetricError)
    expect(() => matchesSchema({} as never)).toThrow(ConfigError)
  })
})
