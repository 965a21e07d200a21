import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { cacheKey, canonicalJson, JudgeCache } from '../../src/store/judge-cache.js'
import { cacheDbPath } from '../../src/store/paths.js'

let dir: string
let cache: JudgeCache

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vj-store-cache-'))
  cache = new JudgeCache(dir)
})

afterEach(() => {
  cache.close()
  rmSync(dir, { recursive: true, force: true })
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

describe('JudgeCache', () => {
  test('set, get and getMany', () => {
    const verdict = { score: 4, justification: 'Close "enough" — ✓', usage: { input: 10, output: 3 } }
    cache.set('k1', { kind: 'grade', judge: 'openai:gpt-4.1-mini', metric: 'answer_similarity', value: verdict })
    cache.set('k2', { kind: 'embed', judge: 'gemini:text-embedding-004', value: [0.1, -0.25, 1e-9], createdAt: 5 })
    expect(cache.get('k1')).toEqual({
      kind: 'grade',
      judge: 'openai:gpt-4.1-mini',
      metric: 'answer_similarity',
      value: verdict,
      createdAt: expect.any(Number),
    })
    expect(cache.get('k2')).toEqual({
      kind: 'embed',
      judge: 'gemini:text-embedding-004',
      value: [0.1, -0.25, 1e-9],
      createdAt: 5,
    })
    expect(cache.get('missing')).toBeUndefined()
    const many = cache.getMany(['k2', 'missing', 'k1', 'k1'])
    expect([...many.keys()].sort()).toEqual(['k1', 'k2'])
    expect(many.get('k1')?.value).toEqual(verdict)
    expect(cache.getMany([]).size).toBe(0)
  })

  test('set overwrites, and another connection sees the write at once', () => {
    cache.set('k', { kind: 'grade', judge: 'local', value: 1 })
    cache.set('k', { kind: 'grade', judge: 'local', value: 2 })
    const other = new JudgeCache(dir)
    try {
      expect(other.get('k')?.value).toBe(2)
    } finally {
      other.close()
    }
    expect(() => cache.set('u', { kind: 'grade', judge: 'local', value: undefined })).toThrow(TypeError)
  })

  test('stats count entries, bytes, ages, hits and kinds', () => {
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, oldest: null, newest: null, hits: 0, byKind: {} })
    cache.set('a', { kind: 'grade', judge: 'local', value: { score: 5 }, createdAt: 1000 })
    cache.set('b', { kind: 'grade', judge: 'local', value: { score: 3 }, createdAt: 3000 })
    cache.set('c', { kind: 'embed', judge: 'openai:text-embedding-3-small', value: [1, 2], createdAt: 2000 })
    cache.get('a')
    cache.get('a')
    cache.getMany(['b', 'c'])
    const stats = cache.stats()
    expect(stats).toMatchObject({ entries: 3, oldest: 1000, newest: 3000, hits: 4 })
    expect(stats.byKind).toEqual({
      grade: { entries: 2, bytes: 2 * (1 + '{"score":5}'.length) },
      embed: { entries: 1, bytes: 1 + '[1,2]'.length },
    })
    expect(stats.bytes).toBe(stats.byKind.grade!.bytes + stats.byKind.embed!.bytes)
    expect(stats.fileBytes).toBeGreaterThan(0)
    cache.close()
    const raw = new BetterSqlite3(cacheDbPath(dir), { readonly: true })
    const rows = raw.prepare('SELECT key, hit_count, last_used_at FROM entries ORDER BY key').all()
    raw.close()
    expect(rows).toEqual([
      { key: 'a', hit_count: 2, last_used_at: expect.any(Number) },
      { key: 'b', hit_count: 1, last_used_at: expect.any(Number) },
      { key: 'c', hit_count: 1, last_used_at: expect.any(Number) },
    ])
  })

  test('clear deletes everything, or what was not used for a while', () => {
    const day = 24 * 60 * 60 * 1000
    const now = Date.now()
    cache.set('old', { kind: 'grade', judge: 'local', value: 1, createdAt: now - 40 * day })
    cache.set('old-but-used', { kind: 'grade', judge: 'local', value: 1, createdAt: now - 40 * day })
    cache.set('new', { kind: 'grade', judge: 'local', value: 1, createdAt: now - day })
    cache.get('old-but-used')
    expect(cache.clear({ olderThanMs: 30 * day })).toBe(1)
    expect(cache.get('old')).toBeUndefined()
    expect(cache.get('new')).toBeDefined()
    expect(cache.clear({ vacuum: true })).toBe(2)
    expect(cache.stats().entries).toBe(0)
  })

  test('read-only: a missing file is an empty cache, and writes are refused', () => {
    const empty = mkdtempSync(join(tmpdir(), 'vj-store-cache-ro-'))
    const reader = new JudgeCache(empty, { readonly: true })
    try {
      expect(reader.get('k')).toBeUndefined()
      expect(reader.getMany(['k']).size).toBe(0)
      expect(reader.stats().entries).toBe(0)
      expect(() => reader.set('k', { kind: 'grade', judge: 'local', value: 1 })).toThrow(StoreError)
    } finally {
      reader.close()
      rmSync(empty, { recursive: true, force: true })
    }
    cache.set('k', { kind: 'grade', judge: 'local', value: 7 })
    const replay = new JudgeCache(dir, { readonly: true })
    try {
      expect(replay.get('k')?.value).toBe(7)
      expect(() => replay.clear()).toThrow(/read-only/)
    } finally {
      replay.close()
    }
  })
})
