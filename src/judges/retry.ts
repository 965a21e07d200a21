/** Retry with backoff for provider calls (429, 408, 409, 5xx, timeouts, dropped connections). */

/** A provider failure classified for the retry loop. */
export interface ClassifiedFailure {
  retryable: boolean
  status?: number
  /** Server-requested wait (retry-after), ms. */
  retryAfterMs?: number
  timeout?: boolean
  message: string
}

/** Retry settings. */
export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number
  /** First backoff delay in ms; doubles per retry, with jitter, capped at 8 s. */
  baseDelayMs: number
  signal?: AbortSignal
}

/** Whether an HTTP status is worth retrying (as openai-node: 408, 409, 429, 5xx). */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500)
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
 * Runs `attempt` until it succeeds, a failure is not retryable, or retries run out. Returns the
 * value and how many attempts it took. `classify` turns a thrown error into a decision.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  classify: (error: unknown) => ClassifiedFailure,
  options: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  for (let n = 0; ; n++) {
    try {
      return { value: await attempt(n), attempts: n + 1 }
    } catch (error) {
      if (options.signal?.aborted) throw error
      const failure = classify(error)
      if (!failure.retryable || n >= options.maxRetries) throw Object.assign(error as object, { attempts: n + 1 })
      const backoff = Math.min(8000, options.baseDelayMs * 2 ** n) * (0.75 + Math.random() * 0.5)
      const wait = failure.retryAfterMs !== undefined && failure.retryAfterMs <= 60_000 ? failure.retryAfterMs : backoff
      await sleep(wait, options.signal)
    }
  }
}

/** Parses a `retry-after` / `retry-after-ms` header value into ms. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined): number | undefined {
  if (!headers) return undefined
  const ms = headers.get('retry-after-ms')
  if (ms && Number.isFinite(Number(ms))) return Number(ms)
  const s = headers.get('retry-after')
  if (s === null || s === '') return undefined
  const seconds = Number(s)
  if (Number.isFinite(seconds)) return seconds * 1000
  const date = Date.parse(s)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

/** Combines a per-request timeout with an outer abort signal. */
export function timeoutSignal(timeoutMs: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return outer ? AbortSignal.any([timeout, outer]) : timeout
}
