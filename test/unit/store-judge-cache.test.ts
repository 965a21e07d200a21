import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { buildGradingPrompt, PROMPT_HEAD, type RubricSpec } from '../../src/judges/prompt.js'
import { VERDICT_JSON_SCHEMA } from '../../src/judges/verdict-schema.js'
import { cacheKey, canonicalJson, gradeCacheKey, SqliteJudgeCache } from '../../src/store/judge-cache.js'
import { cacheDbPath } from '../../src/store/paths.js'
import { judgeCacheContract } from '../store-contract/judge-cache-contract.js'

judgeCacheContract({
  name: 'SQLite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'vj-store-cache-'))
    const empty = mkdtempSync(join(tmpdir(), 'vj-store-cache-ro-'))
    const cache = new SqliteJudgeCache(dir)
    const opened = [cache]
    const track = (c: SqliteJudgeCache) => {
      opened.push(c)
      return c
    }
    return {
      cache,
      open: async (options = {}) => track(new SqliteJudgeCache(dir, options)),
      openEmptyReadonly: async () => track(new SqliteJudgeCache(empty, { readonly: true })),
      async hits() {
        const raw = new BetterSqlite3(cacheDbPath(dir), { readonly: true })
        try {
          return raw.prepare('SELECT key, hit_count, last_used_at FROM entries ORDER BY key').all() as {
            key: string
            hit_count: number
            last_used_at: number | null
          }[]
        } finally {
          raw.close()
        }
      },
      async dispose() {
        for (const c of opened) c.closeSync()
        rmSync(dir, { recursive: true, force: true })
        rmSync(empty, { recursive: true, force: true })
      },
    }
  },
})

const parts = {
  judge: 'openai',
  model: 'gpt-4.1-mini',
  prompt: [
    { role: 'system', content: 'You grade answers.' },
    { role: 'user', content: 'Q: capital of France? A: Paris' },
  ],
  schema: { type: 'object', properties: { score: { type: 'integer' }, justification: { type: 'string' } } },
  params: { temperature: 0 },
  trial: 0,
}

const RUBRIC_FOR_KEYS: RubricSpec = {
  name: 'm',
  version: 'v1',
  definition: 'D',
  gradingPrompt: 'G',
  fields: ['output'],
}

describe('cacheKey', () => {
  test('is a SHA-256 hex digest that ignores key order at every depth', () => {
    const key = cacheKey(parts)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    const reordered = {
      trial: 0,
      params: { temperature: 0 },
      schema: { properties: { justification: { type: 'string' }, score: { type: 'integer' } }, type: 'object' },
      prompt: [
        { content: 'You grade answers.', role: 'system' },
        { content: 'Q: capital of France? A: Paris', role: 'user' },
      ],
      model: 'gpt-4.1-mini',
      judge: 'openai',
    }
    expect(cacheKey(reordered)).toBe(key)
    expect(cacheKey({ ...parts, extra: undefined })).toBe(key)
  })

  test('changes with any nested value, with array order and with types', () => {
    const key = cacheKey(parts)
    const variants: unknown[] = [
      { ...parts, trial: 1 },
      { ...parts, params: { temperature: 0.1 } },
      { ...parts, params: { temperature: 0, seed: 1 } },
      { ...parts, prompt: [...parts.prompt].reverse() },
      { ...parts, prompt: [parts.prompt[0], { role: 'user', content: 'Q: capital of France? A: Lyon' }] },
      { ...parts, schema: { ...parts.schema, properties: { score: { type: 'number' } } } },
      { ...parts, trial: '0' },
      { ...parts, trial: null },
    ]
    const keys = new Set(variants.map(cacheKey))
    expect(keys.size).toBe(variants.length)
    expect(keys.has(key)).toBe(false)
  })

  test("a grade key made from the prompt's shared head is the key of the whole parts, for any text", () => {
    const texts = [
      'plain',
      '"quoted" \\ back',
      'line\nfeed\ttab\u0001',
      'emoji \ud83d\ude00',
      'lone \ud800',
      '\udc00 low',
      '…’',
      '',
    ]
    const judge = { kind: 'openai', model: 'gpt-4.1-mini', baseURL: 'https://api.openai.com/v1' }
    let checked = 0
    for (const [i, text] of texts.entries()) {
      const rubric: RubricSpec = {
        name: `metric_${i}`,
        version: text,
        definition: `Definition ${text}`,
        gradingPrompt: text,
        fields: ['input', 'output', 'expected'],
        examples: [{ output: text, score: 3, justification: text }],
      }
      for (const other of texts) {
        const prompt = buildGradingPrompt(rubric, { input: text, output: other, expected: `${other}${text}` })
        const head = (prompt as { [PROMPT_HEAD]?: string })[PROMPT_HEAD]
        for (const metricVersion of [rubric.version, undefined]) {
          const parts = { judge, prompt, schema: VERDICT_JSON_SCHEMA, metric: rubric.name, metricVersion, trial: i % 2 }
          const whole = cacheKey({
            v: 1,
            kind: 'grade',
            ...parts,
            prompt: { system: prompt.system, user: prompt.user },
          })
          expect(gradeCacheKey(parts, head)).toBe(whole)
          expect(gradeCacheKey(parts)).toBe(whole)
          checked++
        }
      }
    }
    expect(checked).toBe(texts.length * texts.length * 2)
    // Metric and version are told apart whatever characters they hold (the kept hash states are per pair).
    const tricky = buildGradingPrompt({ ...RUBRIC_FOR_KEYS, name: 'a\u0000b' }, { output: 'x' })
    const head = (tricky as { [PROMPT_HEAD]?: string })[PROMPT_HEAD]
    const one = { judge, prompt: tricky, schema: {}, metric: 'a\u0000b', metricVersion: 'c', trial: 0 }
    const two = { ...one, metric: 'a', metricVersion: 'b\u0000c' }
    expect(gradeCacheKey(one, head)).toBe(cacheKey({ v: 1, kind: 'grade', ...one, prompt: { ...tricky } }))
    expect(gradeCacheKey(two, head)).toBe(cacheKey({ v: 1, kind: 'grade', ...two, prompt: { ...tricky } }))
    // A head the prompt does not start with, or a prompt with more fields, takes the whole key.
    const prompt = { system: 'S', user: 'head\n\nrest', extra: 1 }
    const parts = { judge, prompt, schema: {}, metric: 'm', metricVersion: 'v1', trial: 0 }
    expect(gradeCacheKey(parts, 'head\n\n')).toBe(cacheKey({ v: 1, kind: 'grade', ...parts }))
    const plain = { system: 'S', user: 'head\n\nrest' }
    expect(gradeCacheKey({ ...parts, prompt: plain }, 'other\n\n')).toBe(
      cacheKey({ v: 1, kind: 'grade', ...parts, prompt: plain }),
    )
    expect(gradeCacheKey({ ...parts, prompt: plain }, 'head\n\n')).toBe(
      cacheKey({ v: 1, kind: 'grade', ...parts, prompt: plain }),
    )
  })

  test('canonical JSON is plain sorted JSON, and values JSON cannot tell apart are refused', () => {
    expect(canonicalJson({ b: [3, undefined, { d: 1, c: 'x' }], a: new Date(0) })).toBe(
      '{"a":"1970-01-01T00:00:00.000Z","b":[3,null,{"c":"x","d":1}]}',
    )
    expect(() => cacheKey({ m: new Map() })).toThrow(TypeError)
    expect(() => cacheKey(10n)).toThrow(TypeError)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => cacheKey(cyclic)).toThrow(/cycle/)
    // The same object twice is not a cycle.
    const shared = { x: 1 }
    expect(() => cacheKey({ a: shared, b: shared })).not.toThrow()
  })
})
