/** The shared store's retry window (VITEST_JUDGE_STORE_RETRY_MS) and the retry loop it bounds. */
import { describe, expect, test } from 'vitest'
import { ConfigError, StoreError } from '../../src/errors.js'
import { RETRY_BUDGET_MS, retryBudgetMs, withRetry } from '../../src/store/postgres/retry.js'
import { parsePgUrl } from '../../src/store/postgres/url.js'

const location = parsePgUrl('postgres://vj:pw-window-secret@db.example:5432/evals', 'test')

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
}

describe('retry window', () => {
  test('30 s by default; VITEST_JUDGE_STORE_RETRY_MS in milliseconds; anything else is VJ_CONFIG', () => {
    expect(RETRY_BUDGET_MS).toBe(30_000)
    expect(retryBudgetMs({})).toBe(30_000)
    expect(retryBudgetMs({ VITEST_JUDGE_STORE_RETRY_MS: ' ' })).toBe(30_000)
    expect(retryBudgetMs({ VITEST_JUDGE_STORE_RETRY_MS: '1500' })).toBe(1500)
    expect(retryBudgetMs({ VITEST_JUDGE_STORE_RETRY_MS: '0' })).toBe(0)
    for (const bad of ['1.5', '-1', '30s', 'abc']) {
      expect(() => retryBudgetMs({ VITEST_JUDGE_STORE_RETRY_MS: bad })).toThrow(ConfigError)
    }
    expect(() => retryBudgetMs({ VITEST_JUDGE_STORE_RETRY_MS: '30s' })).toThrow(
      /VITEST_JUDGE_STORE_RETRY_MS must be a whole number of milliseconds/,
    )
  })

  test('a lost connection is retried until the window has passed, then VJ_STORE naming host and database', async () => {
    let attempts = 0
    const started = Date.now()
    const error = await withRetry(
      location,
      async () => {
        attempts++
        throw refused()
      },
      400,
    ).catch((e: unknown) => e)
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    expect(attempts).toBeGreaterThanOrEqual(3)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as Error).message).toMatch(/Cannot reach the PostgreSQL store at db\.example:5432, database "evals"/)
    expect((error as Error).message).not.toContain('pw-window-secret')
  })

  test('a window of 0 tries once; a connection back within the window succeeds', async () => {
    let attempts = 0
    await expect(
      withRetry(
        location,
        async () => {
          attempts++
          throw refused()
        },
        0,
      ),
    ).rejects.toBeInstanceOf(StoreError)
    expect(attempts).toBe(1)
    let calls = 0
    const value = await withRetry(
      location,
      async () => {
        if (++calls < 3) throw refused()
        return 'written'
      },
      5000,
    )
    expect([value, calls]).toEqual(['written', 3])
  })
})
