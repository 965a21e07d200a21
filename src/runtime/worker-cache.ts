/** One judge cache connection per worker and state folder, opened on first use. */
import { JudgeCache } from '../store/judge-cache.js'

const open = new Map<string, JudgeCache>()

/** The worker's cache for `dir` (read-only in `readonly` mode: a replay never writes). */
export function workerCache(dir: string, readonly: boolean): JudgeCache {
  const id = `${readonly ? 'ro' : 'rw'}:${dir}`
  let cache = open.get(id)
  if (!cache) {
    cache = new JudgeCache(dir, { readonly })
    open.set(id, cache)
  }
  return cache
}
