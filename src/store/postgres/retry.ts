/** Retrying a statement when the connection drops (a server restart), with backoff. */
import { StoreError } from '../../errors.js'
import { isConnectionError } from './driver.js'
import { unreachable } from './schema.js'
import type { PgLocation } from './url.js'

/** How long writes and reads keep retrying a lost connection before giving up (ms). @default 30_000 */
export const RETRY_BUDGET_MS = 30_000

/** Runs `fn`, again after a lost connection (100 ms, doubling up to 2 s) until `budgetMs` has passed. */
export async function withRetry<T>(
  location: PgLocation,
  fn: (attempt: number) => Promise<T>,
  budgetMs = RETRY_BUDGET_MS,
): Promise<T> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      if (error instanceof StoreError || !isConnectionError(error)) throw error
      if (Date.now() - started >= budgetMs) throw unreachable(location, error)
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** (attempt - 1))))
    }
  }
}
