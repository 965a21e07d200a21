/**
 * The judge-cache contract: every behaviour of `JudgeCache` tested once, run against each backend
 * (test/unit/store-judge-cache.test.ts for SQLite, test/integration/store-postgres.test.ts for
 * PostgreSQL).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { StoreError } from '../../src/errors.js'
import type { JudgeCache } from '../../src/store/types.js'

/** One backend under test. */
export interface JudgeCacheBackend {
  name: string
  /** A fresh, empty location with a cache open on it. */
  create(): Promise<{
    cache: JudgeCache
    /** Another cache on the same location. */
    open(options?: { readonly?: boolean; recordHits?: boolean }): Promise<JudgeCache>
    /** A read-only cache on a location nothing was ever written to. */
    openEmptyReadonly(): Promise<JudgeCache>
    /** Stored hit counts, by key order. */
    hits(): Promise<{ key: string; hit_count: number; last_used_at: number | null }[]>
    dispose(): Promise<void>
  }>
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

/** Defines the contract's tests for one backend. */
export function judgeCacheContract(backend: JudgeCacheBackend): void {
  describe(`JudgeCache contract (${backend.name})`, () => {
    let env: Awaited<ReturnType<JudgeCacheBackend['create']>>
    let cache: JudgeCache

    beforeEach(async () => {
      env = await backend.create()
      cache = env.cache
    })

    afterEach(async () => {
      await env.dispose()
    })

    test('set, get and getMany', async () => {
      const verdict = { score: 4, justification: 'Close "enough" — ✓', usage: { input: 10, output: 3 } }
      await cache.set('k1', {
        kind: 'grade',
        judge: 'openai:gpt-4.1-mini',
        metric: 'answer_similarity',
        value: verdict,
      })
      await cache.set('k2', {
        kind: 'embed',
        judge: 'gemini:text-embedding-004',
        value: [0.1, -0.25, 1e-9],
        createdAt: 5,
      })
      expect(await cache.get('k1')).toEqual({
        kind: 'grade',
        judge: 'openai:gpt-4.1-mini',
        metric: 'answer_similarity',
        value: verdict,
        createdAt: expect.any(Number),
      })
      expect(await cache.get('k2')).toEqual({
        kind: 'embed',
        judge: 'gemini:text-embedding-004',
        value: [0.1, -0.25, 1e-9],
        createdAt: 5,
      })
      expect(await cache.get('missing')).toBeUndefined()
      const many = await cache.getMany(['k2', 'missing', 'k1', 'k1'])
      expect([...many.keys()].sort()).toEqual(['k1', 'k2'])
      expect(many.get('k1')?.value).toEqual(verdict)
      expect((await cache.getMany([])).size).toBe(0)
    })

    test('set overwrites, and another connection sees the write at once', async () => {
      await cache.set('k', { kind: 'grade', judge: 'local', value: 1 })
      await cache.set('k', { kind: 'grade', judge: 'local', value: 2 })
      const other = await env.open()
      try {
        expect((await other.get('k'))?.value).toBe(2)
      } finally {
        await other.close()
      }
      expect(await rejection(cache.set('u', { kind: 'grade', judge: 'local', value: undefined }))).toBeInstanceOf(
        TypeError,
      )
    })

    test('a secret quoted in a verdict is never stored', async () => {
      const key = 'sk-cachecontract0123456789abcdef'
      await cache.set('s', { kind: 'grade', judge: 'local', value: { justification: `it said ${key}` } })
      expect(JSON.stringify((await cache.get('s'))?.value)).not.toContain(key)
    })

    test('stats count entries, bytes, ages, hits and kinds', async () => {
      expect(await cache.stats()).toMatchObject({
        entries: 0,
        bytes: 0,
        oldest: null,
        newest: null,
        hits: 0,
        byKind: {},
      })
      await cache.set('a', { kind: 'grade', judge: 'local', value: { score: 5 }, createdAt: 1000 })
      await cache.set('b', { kind: 'grade', judge: 'local', value: { score: 3 }, createdAt: 3000 })
      await cache.set('c', { kind: 'embed', judge: 'openai:text-embedding-3-small', value: [1, 2], createdAt: 2000 })
      await cache.get('a')
      await cache.get('a')
      await cache.getMany(['b', 'c'])
      const stats = await cache.stats()
      expect(stats).toMatchObject({ entries: 3, oldest: 1000, newest: 3000, hits: 4 })
      expect(stats.byKind).toEqual({
        grade: { entries: 2, bytes: 2 * (1 + '{"score":5}'.length) },
        embed: { entries: 1, bytes: 1 + '[1,2]'.length },
      })
      expect(stats.bytes).toBe((stats.byKind.grade?.bytes ?? 0) + (stats.byKind.embed?.bytes ?? 0))
      expect(stats.fileBytes).toBeGreaterThan(0)
      await cache.close()
      expect(await env.hits()).toEqual([
        { key: 'a', hit_count: 2, last_used_at: expect.any(Number) },
        { key: 'b', hit_count: 1, last_used_at: expect.any(Number) },
        { key: 'c', hit_count: 1, last_used_at: expect.any(Number) },
      ])
    })

    test('clear deletes everything, or what was not used for a while', async () => {
      const day = 24 * 60 * 60 * 1000
      const now = Date.now()
      await cache.set('old', { kind: 'grade', judge: 'local', value: 1, createdAt: now - 40 * day })
      await cache.set('old-but-used', { kind: 'grade', judge: 'local', value: 1, createdAt: now - 40 * day })
      await cache.set('new', { kind: 'grade', judge: 'local', value: 1, createdAt: now - day })
      await cache.get('old-but-used')
      expect(await cache.clear({ olderThanMs: 30 * day })).toBe(1)
      expect(await cache.get('old')).toBeUndefined()
      expect(await cache.get('new')).toBeDefined()
      expect(await cache.clear({ vacuum: true })).toBe(2)
      expect((await cache.stats()).entries).toBe(0)
    })

    test('read-only: an empty location is an empty cache, and writes are refused', async () => {
      const reader = await env.openEmptyReadonly()
      try {
        expect(await reader.get('k')).toBeUndefined()
        expect((await reader.getMany(['k'])).size).toBe(0)
        expect((await reader.stats()).entries).toBe(0)
        expect(await rejection(reader.set('k', { kind: 'grade', judge: 'local', value: 1 }))).toBeInstanceOf(StoreError)
      } finally {
        await reader.close()
      }
      await cache.set('k', { kind: 'grade', judge: 'local', value: 7 })
      const replay = await env.open({ readonly: true })
      try {
        expect((await replay.get('k'))?.value).toBe(7)
        expect((await rejection(replay.clear())).message).toMatch(/read-only/)
      } finally {
        await replay.close()
      }
    })
  })
}
