/** One judge cache per worker and location, opened on first use. */
import { SqliteJudgeCache } from '../store/judge-cache.js'
import { openJudgeCache } from '../store/open.js'
import type { JudgeCache } from '../store/types.js'

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
    if (url) {
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
