/**
 * A worker's shared judge cache when the server stays away (src/runtime/tolerant-cache.ts): a real
 * PostgreSQL client against a loopback port nobody listens on, and a real SQLite cache for the
 * normal path.
 */
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { TolerantCache } from '../../src/runtime/tolerant-cache.js'
import { workerCache } from '../../src/runtime/worker-cache.js'
import { SqliteJudgeCache } from '../../src/store/judge-cache.js'
import { openJudgeCache } from '../../src/store/open.js'
import { cacheAwayMarkPath } from '../../src/store/paths.js'

let dir: string
let closedPort: number
const savedWindow = process.env.VITEST_JUDGE_STORE_RETRY_MS

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vj-tolerant-'))
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
  process.env.VITEST_JUDGE_STORE_RETRY_MS = '300'
})

afterAll(() => {
  if (savedWindow === undefined) delete process.env.VITEST_JUDGE_STORE_RETRY_MS
  else process.env.VITEST_JUDGE_STORE_RETRY_MS = savedWindow
  rmSync(dir, { recursive: true, force: true })
})

describe('a shared judge cache that stays away', () => {
  test('lookups are misses, writes are dropped, and the worker says so once (no password)', async () => {
    const warnings: string[] = []
    const url = `postgres://vj:tolerant-secret-pw@127.0.0.1:${closedPort}/evals`
    const cache = new TolerantCache(openJudgeCache({ dir, url, retryOpen: true }), (m) => warnings.push(m))
    const started = Date.now()
    expect(await cache.get('k1')).toBeUndefined()
    // The open was retried for the window before the cache was given up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    await cache.set('k1', { kind: 'grade', judge: 'openai:m', value: { score: 1 } })
    expect((await cache.getMany(['k1', 'k2'])).size).toBe(0)
    expect(await cache.get('k2')).toBeUndefined()
    expect(cache.isAway).toBe(true)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      new RegExp(
        `the shared judge cache is away \\(Cannot reach the PostgreSQL store at 127\\.0\\.0\\.1:${closedPort}, database "evals"`,
      ),
    )
    expect(warnings[0]).toMatch(/go to the provider, uncached, until it ends/)
    expect(warnings[0]).not.toContain('tolerant-secret-pw')
    await cache.flush()
    await cache.close()
  })

  test('a cache that is there is used as is', async () => {
    const warnings: string[] = []
    const cache = new TolerantCache(Promise.resolve(new SqliteJudgeCache(dir)), (m) => warnings.push(m))
    await cache.set('k', { kind: 'grade', judge: 'openai:m', value: { score: 0.5 } })
    expect((await cache.get('k'))?.value).toEqual({ score: 0.5 })
    expect([...(await cache.getMany(['k', 'x'])).keys()]).toEqual(['k'])
    expect((await cache.stats()).entries).toBe(1)
    expect(cache.location).toBe(join(dir, 'cache.db'))
    expect(cache.isAway).toBe(false)
    expect(warnings).toEqual([])
    await cache.close()
  })
})

describe('one wait per outage, not one per test file', () => {
  test('a worker that waited in vain leaves a mark; the next test files try once; a stale mark is waited out', async () => {
    const state = mkdtempSync(join(tmpdir(), 'vj-away-mark-'))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      // Each URL is a new cache of the worker, as a new test file's module instance would open.
      const url = (db: string) => `postgres://vj@127.0.0.1:${closedPort}/${db}`
      process.env.VITEST_JUDGE_STORE_RETRY_MS = '300'
      let started = Date.now()
      expect(await (await workerCache(state, false, url('first'))).get('k')).toBeUndefined()
      expect(Date.now() - started).toBeGreaterThanOrEqual(300)
      expect(existsSync(cacheAwayMarkPath(state))).toBe(true)
      // A window long enough to notice: with the mark, the next file does not wait it.
      process.env.VITEST_JUDGE_STORE_RETRY_MS = '60000'
      started = Date.now()
      expect(await (await workerCache(state, false, url('second'))).get('k')).toBeUndefined()
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(String(warn.mock.calls.at(-1)?.[0])).toMatch(/Found away by another worker at .*: not waited for again/)
      // A mark older than five minutes is an earlier outage: the window is waited again.
      const old = new Date(Date.now() - 10 * 60_000)
      utimesSync(cacheAwayMarkPath(state), old, old)
      process.env.VITEST_JUDGE_STORE_RETRY_MS = '400'
      started = Date.now()
      expect(await (await workerCache(state, false, url('third'))).get('k')).toBeUndefined()
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    } finally {
      process.env.VITEST_JUDGE_STORE_RETRY_MS = '300'
      warn.mockRestore()
      rmSync(state, { recursive: true, force: true })
    }
  })
})
