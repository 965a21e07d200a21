/** One judge cache per worker and location, opened on first use. */
import { SqliteJudgeCache } from '../store/judge-cache.js'
import type { JudgeCache } from '../store/types.js'

const open = new Map<string, JudgeCache>()
const sqlite = new Set<SqliteJudgeCache>()

function closeAll(): void {
  // Flushes the batched hit counts (used by `cache clear --older-than`) before the worker exits.
  // 'exit' handlers run synchronously: only the SQLite caches can flush here.
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

/** The worker's cache for `dir` (read-only in `readonly` mode: a replay never writes). */
export function workerCache(dir: string, readonly: boolean): JudgeCache {
  const id = `${readonly ? 'ro' : 'rw'}:${dir}`
  let cache = open.get(id)
  if (!cache) {
    if (open.size === 0) process.once('exit', closeAll)
    const created = new SqliteJudgeCache(dir, { readonly })
    sqlite.add(created)
    cache = created
    open.set(id, cache)
  }
  return cache
}
