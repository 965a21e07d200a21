/** Where the store's files live inside the state folder (option `dir`, env VITEST_JUDGE_DIR). */
import { join } from 'node:path'

/** The run history: `<dir>/runs.db`. */
export function runsDbPath(dir: string): string {
  return join(dir, 'runs.db')
}

/** The judge cache: `<dir>/cache.db`. */
export function cacheDbPath(dir: string): string {
  return join(dir, 'cache.db')
}

/**
 * The mark a worker leaves when the shared judge cache stayed away for its whole retry window:
 * `<dir>/shared-cache-away` (the next test files try once instead of waiting again).
 */
export function cacheAwayMarkPath(dir: string): string {
  return join(dir, 'shared-cache-away')
}
