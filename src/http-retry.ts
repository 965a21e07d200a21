/**
 * The one retry policy of vitest-judge's HTTP clients (the judges' providers, MLflow, GitHub):
 * which statuses are worth another try, exponential backoff with jitter, the server's own wait
 * (`retry-after` in seconds or as an HTTP date, `retry-after-ms`), a cap on the whole call's time,
 * and abort. Each client only says how its failures classify (an SDK error, a `fetch` response) and
 * whether a request may be repeated at all (GitHub never repeats a POST that may have landed).
 *
 * The stores keep their own retry (`store/postgres/retry.ts`, `store/database.ts`): they retry a lost
 * database connection or a busy SQLite lock for a time window, not an HTTP status, and SQLite's
 * wait is synchronous.
 */

/** A failure classified for the retry loop. */
export interface ClassifiedFailure {
  retryable: boolean
  status?: number
  /** The wait the server asked for (`retry-after`), ms. */
  retryAfterMs?: number
  timeout?: boolean
  message: string
}

/** How a call is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number
  /** First backoff in ms; doubled at each retry, ±25 % jitter, at most `maxDelayMs`. */
  baseDelayMs: number
  /** Longest backoff between two attempts, ms. @default 8000 */
  maxDelayMs?: number
  /** Longest wait a server may ask for (`retry-after`); asked for longer, the call fails now. @default 60000 */
  maxRetryAfterMs?: number
  /** No retry starts when its wait would end this long after the first attempt began, ms. @default 300000 */
  totalMs?: number
  /** Stops waiting and retrying. */
  signal?: AbortSignal | undefined
}

/** Defaults of the optional {@link RetryPolicy} fields. */
export const RETRY_DEFAULTS = { maxDelayMs: 8000, maxRetryAfterMs: 60_000, totalMs: 300_000 } as const

/** Why the loop stopped retrying a retryable failure, set on the error it rethrows (`retryStop`). */
export type RetryStop = 'retries' | 'retry-after' | 'total'

/** Whether an HTTP status is worth retrying (as openai-node: 408, 409, 429, 5xx). */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500)
}

/** The backoff before retry number `retry` (0 for the first retry), with jitter. */
export function backoffMs(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, retry: number): number {
  const ceiling = policy.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs
  return Math.min(ceiling, policy.baseDelayMs * 2 ** retry) * (0.75 + Math.random() * 0.5)
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, the retries run out, the server
 * asks for a longer wait than the policy allows, or the next wait would pass the time cap. Returns
 * the value and how many attempts it took; a final failure is rethrown with `attempts` and
 * `retryStop` set on it.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  classify: (error: unknown) => ClassifiedFailure,
  policy: RetryPolicy,
): Promise<{ value: T; attempts: number }> {
  const started = Date.now()
  const maxRetryAfter = policy.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs
  const total = policy.totalMs ?? RETRY_DEFAULTS.totalMs
  for (let n = 0; ; n++) {
    try {
      return { value: await attempt(n), attempts: n + 1 }
    } catch (error) {
      if (policy.signal?.aborted) throw error
      const failure = classify(error)
      const stop = (why?: RetryStop) => Object.assign(error as object, { attempts: n + 1, retryStop: why })
      if (!failure.retryable) throw stop()
      if (n >= policy.maxRetries) throw stop('retries')
      const asked = failure.retryAfterMs
      if (asked !== undefined && asked > maxRetryAfter) throw stop('retry-after')
      const wait = asked ?? backoffMs(policy, n)
      if (Date.now() + wait - started > total) throw stop('total')
      await sleep(wait, policy.signal)
    }
  }
}

/** Headers as `fetch` and the SDKs give them. */
export interface HeaderLookup {
  get(name: string): string | null
}

/**
 * The wait a response asks for, ms: `retry-after-ms` (OpenAI, Anthropic), else `retry-after` in
 * seconds or as an HTTP date (RFC 9110), else undefined. A date in the past is no wait.
 */
export function parseRetryAfter(headers: HeaderLookup | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined
  const ms = headers.get('retry-after-ms')?.trim()
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms)
  const value = headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

/** Combines a per-request timeout with an outer abort signal. */
export function timeoutSignal(timeoutMs: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return outer ? AbortSignal.any([timeout, outer]) : timeout
}

/** Waits `ms`, rejecting with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * A non-2xx response turned into an error for {@link withRetries}: its status, headers and body
 * text (read once), for the client's classifier and its final message.
 */
export class HttpStatusFailure extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string,
  ) {
    super(`HTTP ${status}`)
    this.name = 'HttpStatusFailure'
  }
}
