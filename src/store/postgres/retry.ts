/**
 * Retrying a statement when the connection drops (a server restart), with backoff. Not the HTTP
 * policy (`http-retry.ts`): what is retried here is a lost connection, for a time window (the
 * server may take seconds to come back), never a status or a server-asked wait, and a retried write
 * must know it is a retry (`attempt`) because its first try may have committed.
 */

import { type Env, processEnv } from '../../env.js'
import { ConfigError, StoreError } from '../../errors.js'
import { describePgError, isConnectionError } from './driver.js'
import type { PgLocation } from './url.js'

/** Why a server could not be used, naming host and database (never the password). */
export function unreachable(location: PgLocation, error: unknown): StoreError {
  return new StoreError(
    `Cannot reach the PostgreSQL store at ${location.host}, database "${location.database}" (${describePgError(error)}). ` +
      'Start the server or check the URL (option `store` / VITEST_JUDGE_STORE_URL, `cache.url` / VITEST_JUDGE_CACHE_URL); ' +
      'without a URL the local SQLite files in `dir` are used.',
    { cause: error },
  )
}

/** How long writes and reads keep retrying a lost connection before giving up (ms). @default 30_000 */
export const RETRY_BUDGET_MS = 30_000

/**
 * The retry window: VITEST_JUDGE_STORE_RETRY_MS (milliseconds, 0 for a single attempt), else
 * {@link RETRY_BUDGET_MS}. Read at each write, so that a test can shorten it for a child process.
 */
export function retryBudgetMs(env: Env = processEnv()): number {
  const raw = env.VITEST_JUDGE_STORE_RETRY_MS?.trim()
  if (raw === undefined || raw === '') return RETRY_BUDGET_MS
  const ms = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(ms)) {
    throw new ConfigError(
      `VITEST_JUDGE_STORE_RETRY_MS must be a whole number of milliseconds (e.g. 30000, the default), got "${raw}".`,
    )
  }
  return ms
}

/** Runs `fn`, again after a lost connection (100 ms, doubling up to 2 s) until `budgetMs` has passed. */
export async function withRetry<T>(
  location: PgLocation,
  fn: (attempt: number) => Promise<T>,
  budgetMs = retryBudgetMs(),
): Promise<T> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      if (error instanceof StoreError || !isConnectionError(error)) throw error
      if (Date.now() - started >= budgetMs) throw unreachable(location, error)
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** (attempt - 1), budgetMs)))
    }
  }
}
