/** One judge cache per worker and location, opened on first use. */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { SqliteJudgeCache } from '../store/judge-cache.js'
import { openJudgeCache } from '../store/open.js'
import { cacheAwayMarkPath } from '../store/paths.js'
import type { JudgeCache } from '../store/types.js'
import { TolerantCache } from './tolerant-cache.js'
import { onWorkerFlush } from './worker-flush.js'

const open = new Map<string, JudgeCache | Promise<JudgeCache>>()
const sqlite = new Set<SqliteJudgeCache>()

function closeAll(): void {
  // Flushes the batched hit counts (used by `cache clear --older-than`) before the worker exits.
  // 'exit' handlers run synchronously: only the SQLite caches can flush here (PostgreSQL ones
  // flush every few seconds).
  for (const cache of sqlite) {
    try {
      cache.closeSync()
    } catch {
      // The counts are best effort; a busy database must not fail the worker's exit.
    }
  }
  sqlite.clear()
  open.clear()
}

/**
 * The worker's cache for `dir`, or for `url` (a shared PostgreSQL cache) when given; read-only in
 * `readonly` mode: a replay never writes. The SQLite cache is returned as is (no promise on the hot path).
 */
export function workerCache(
  dir: string,
  readonly: boolean,
  url: string | null = null,
): JudgeCache | Promise<JudgeCache> {
  const id = `${readonly ? 'ro' : 'rw'}:${url ?? dir}`
  let cache = open.get(id)
  if (!cache) {
    if (open.size === 0) process.once('exit', closeAll)
    onWorkerFlush(flushWorkerCaches)
    if (url && !readonly) {
      // A server that stays away mid-run makes the cache a miss for this worker, not a failed judge call.
      // Once a worker has waited the retry window for it in vain, the next test files try once: one
      // wait per outage, not one per test file.
      const mark = cacheAwayMarkPath(dir)
      const recent = recentlyAway(mark)
      const opening = openJudgeCache({ dir, url, readonly, retryOpen: true, ...(recent ? { openRetryMs: 0 } : {}) })
      // Reached again: the outage is over for every worker.
      if (recent)
        opening.then(
          () => rmSync(mark, { force: true }),
          () => {},
        )
      cache = new TolerantCache(
        opening,
        recent
          ? (message) => console.warn(`${message} (Found away by another worker at ${recent}: not waited for again.)`)
          : undefined,
        () => markAway(mark),
      )
    } else if (url) {
      const opening = openJudgeCache({ dir, url, readonly, retryOpen: true })
      opening.then(
        (opened) => open.set(id, opened),
        () => open.delete(id),
      )
      cache = opening
    } else {
      const created = new SqliteJudgeCache(dir, { readonly })
      sqlite.add(created)
      cache = created
    }
    open.set(id, cache)
  }
  return cache
}

/** How long a worker's finding that the shared cache is away spares the next ones the retry window. */
const AWAY_MARK_MS = 5 * 60_000

/** When the mark was left, if within {@link AWAY_MARK_MS}. */
function recentlyAway(mark: string): string | undefined {
  const at = statSync(mark, { throwIfNoEntry: false })?.mtimeMs
  if (at === undefined || Date.now() - at > AWAY_MARK_MS) return undefined
  return new Date(at).toISOString()
}

function markAway(mark: string): void {
  try {
    mkdirSync(dirname(mark), { recursive: true })
    writeFileSync(mark, `${new Date().toISOString()}\n`)
  } catch {
    // The mark only saves time; without it the next worker waits the window again.
  }
}

/** Writes the hit counts the worker's shared caches gathered (SQLite ones write on exit). */
export async function flushWorkerCaches(): Promise<void> {
  for (const cache of open.values()) {
    if (cache instanceof SqliteJudgeCache) continue
    try {
      await (await cache).flush()
    } catch {
      // Best effort, as on exit.
    }
  }
}
