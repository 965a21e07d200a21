/** One judge cache connection per worker and state folder, opened on first use. */
import { JudgeCache } from '../store/judge-cache.js'

const open = new Map<string, JudgeCache>()

function closeAll(): void {
  // Flushes the batched hit counts (used by `cache clear --older-than`) before the worker exits.
  for (const cache of open.values()) {
    try {
      cache.close()
    } catch {
      // The counts are best effort; a busy database must not fail the worker's exit.
    }
  }
  open.clear()
}

/** The worker's cache for `dir` (read-only in `readonly` mode: a replay never writes). */
export function workerCache(dir: string, readonly: boolean): JudgeCache {
  const id = `${readonly ? 'ro' : 'rw'}:${dir}`
  let cache = open.get(id)
  if (!cache) {
    if (open.size === 0) process.once('exit', closeAll)
    cache = new JudgeCache(dir, { readonly })
    open.set(id, cache)
  }
  return cache
}
