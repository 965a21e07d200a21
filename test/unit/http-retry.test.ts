/**
 * The one HTTP retry policy (src/http-retry.ts) that the judges, MLflow and GitHub clients use:
 * the three forms of the server's wait, backoff with jitter, the caps and abort. Time is Vitest's
 * fake clock, so waits are checked exactly and nothing here is timed.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import {
  backoffMs,
  type ClassifiedFailure,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  withRetries,
} from '../../src/http-retry.js'

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0)

function headers(values: Record<string, string>): Headers {
  return new Headers(values)
}

describe('parseRetryAfter', () => {
  test('seconds', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }), NOW)).toBe(2000)
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }), NOW)).toBe(500)
  })

  test('an HTTP date, and one already past', () => {
    const inFive = new Date(NOW + 5000).toUTCString()
    expect(parseRetryAfter(headers({ 'retry-after': inFive }), NOW)).toBe(5000)
    expect(parseRetryAfter(headers({ 'retry-after': new Date(NOW - 60_000).toUTCString() }), NOW)).toBe(0)
  })

  test('retry-after-ms, which wins over retry-after', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1500' }), NOW)).toBe(1500)
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), NOW)).toBe(250)
  })

  test('absent or unreadable is no wait asked', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter(headers({}))).toBeUndefined()
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined()
    expect(parseRetryAfter(headers({ 'retry-after-ms': '-5' }))).toBeUndefined()
  })
})

test('retryable statuses: 408, 409, 429 and 5xx, nothing else', () => {
  expect([408, 409, 429, 500, 502, 503, 529].every(isRetryableStatus)).toBe(true)
  expect([200, 400, 401, 403, 404, 422, undefined].some(isRetryableStatus)).toBe(false)
})

test('backoff doubles with ±25 % jitter and stops growing at maxDelayMs', () => {
  for (let i = 0; i < 50; i++) {
    const second = backoffMs({ baseDelayMs: 100 }, 1)
    expect(second).toBeGreaterThanOrEqual(150)
    expect(second).toBeLessThanOrEqual(250)
    const late = backoffMs({ baseDelayMs: 100, maxDelayMs: 1000 }, 10)
    expect(late).toBeGreaterThanOrEqual(750)
    expect(late).toBeLessThanOrEqual(1250)
  }
})

describe('withRetries', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(NOW)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const failure = (extra: Partial<ClassifiedFailure> = {}): ClassifiedFailure => ({
    retryable: true,
    status: 429,
    message: 'rate limited',
    ...extra,
  })

  /** A call failing `failures` times (classified as given), then answering 'ok'; records when each attempt started. */
  function flaky(failures: number) {
    const starts: number[] = []
    const attempt = async () => {
      starts.push(Date.now() - NOW)
      if (starts.length <= failures) throw new Error(`failure ${starts.length}`)
      return 'ok'
    }
    return { attempt, starts }
  }

  async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: Error & Record<string, unknown> }> {
    const outcome = promise.then(
      (value) => ({ value }),
      (error: Error & Record<string, unknown>) => ({ error }),
    )
    await vi.runAllTimersAsync()
    return outcome
  }

  test('waits exactly as long as each form of retry-after asks, instead of the backoff', async () => {
    // The server's answers to the three failed attempts, read when each failure is classified.
    const answers = [
      () => headers({ 'retry-after': '3' }),
      () => headers({ 'retry-after': new Date(NOW + 10_000).toUTCString() }),
      () => headers({ 'retry-after-ms': '1500' }),
    ]
    let failed = 0
    const classify = () => failure({ retryAfterMs: parseRetryAfter(answers[failed++]?.()) })
    const { attempt, starts } = flaky(3)
    const result = await settle(withRetries(attempt, classify, { maxRetries: 5, baseDelayMs: 1 }))
    expect(result.value).toEqual({ value: 'ok', attempts: 4 })
    // 3 s; then until the date, 10 s after the start; then 1.5 s more.
    expect(starts).toEqual([0, 3000, 10_000, 11_500])
  })

  test('without retry-after: the backoff, doubling', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const { attempt, starts } = flaky(3)
    const result = await settle(withRetries(attempt, () => failure(), { maxRetries: 3, baseDelayMs: 100 }))
    expect(result.value?.attempts).toBe(4)
    expect(starts).toEqual([0, 100, 300, 700])
    vi.mocked(Math.random).mockRestore()
  })

  test('the total time cap: no retry whose wait would end past it', async () => {
    const { attempt, starts } = flaky(10)
    const policy: RetryPolicy = { maxRetries: 10, baseDelayMs: 1, totalMs: 10_000 }
    const result = await settle(withRetries(attempt, () => failure({ retryAfterMs: 4000 }), policy))
    // Attempts at 0, 4 s and 8 s; a fourth would start at 12 s, past the 10 s cap.
    expect(starts).toEqual([0, 4000, 8000])
    expect(result.error?.message).toBe('failure 3')
    expect(result.error?.attempts).toBe(3)
    expect(result.error?.retryStop).toBe('total')
  })

  test('a wait longer than maxRetryAfterMs fails now rather than retrying early', async () => {
    const { attempt, starts } = flaky(1)
    const result = await settle(
      withRetries(attempt, () => failure({ retryAfterMs: 120_000 }), { maxRetries: 3, baseDelayMs: 1 }),
    )
    expect(starts).toEqual([0])
    expect(result.error?.retryStop).toBe('retry-after')
  })

  test('stops when retries run out, and at once for what is not retryable', async () => {
    const spent = flaky(10)
    const out = await settle(withRetries(spent.attempt, () => failure(), { maxRetries: 2, baseDelayMs: 1 }))
    expect(spent.starts).toHaveLength(3)
    expect(out.error).toMatchObject({ attempts: 3, retryStop: 'retries' })

    const refused = flaky(10)
    const no = await settle(
      withRetries(refused.attempt, () => failure({ retryable: false, status: 400 }), { maxRetries: 2, baseDelayMs: 1 }),
    )
    expect(refused.starts).toHaveLength(1)
    expect(no.error).toMatchObject({ attempts: 1, retryStop: undefined })
  })

  test('abort stops the wait and rejects with the reason', async () => {
    const controller = new AbortController()
    const { attempt, starts } = flaky(10)
    const promise = withRetries(attempt, () => failure({ retryAfterMs: 30_000 }), {
      maxRetries: 5,
      baseDelayMs: 1,
      signal: controller.signal,
    })
    const outcome = promise.catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(1000)
    controller.abort(new Error('case timed out'))
    expect(await outcome).toEqual(new Error('case timed out'))
    await vi.runAllTimersAsync()
    expect(starts).toEqual([0])
  })
})
