/** One judge cache connection per worker and state folder, opened on first use. */
import { JudgeCache } from '../store/judge-cache.js'
import { cacheDbPath } from '../store/paths.js'

const open = new Map<string, JudgeCache>()

/** The worker's cache for `dir`. */
export function workerCache(dir: string): JudgeCache {
  let cache = open.get(dir)
  if (!cache) {
    cache = new JudgeCache(cacheDbPath(dir))
    open.set(dir, cache)
  }
  return cache
}
