/**
 * A worker's shared (PostgreSQL) judge cache that may go away mid-run. Its calls are retried for the
 * retry window by the backend; when the server stays away longer, the cache is skipped for the rest
 * of the worker: a lookup is a miss and the judge is asked (its answer is a real verdict, never a
 * made-up score), a write is dropped, and the worker says so once. A replay (`readonly`) is never
 * wrapped: without its cache it cannot answer, and fails.
 */
import { StoreError } from '../errors.js'
import type { CachedEntry, CacheEntryInput, CacheStats, JudgeCache } from '../store/types.js'

/** Wraps a shared cache being opened; `warn` receives the one line said when it goes away. */
export class TolerantCache implements JudgeCache {
  private away = false
  private opened: JudgeCache | undefined

  /**
   * @param opening the cache being opened.
   * @param warn receives the one line said when the cache goes away.
   * @param onAway called once when it goes away (the worker leaves a mark for the next ones).
   */
  constructor(
    private readonly opening: Promise<JudgeCache>,
    private readonly warn: (message: string) => void = (message) => console.warn(message),
    private readonly onAway: () => void = () => {},
  ) {
    // A failed open is handled at the first use; it must not be reported as unhandled before.
    opening.catch(() => {})
  }

  /** Where the entries live (without a password), once the cache is open. */
  get location(): string {
    return this.opened?.location ?? 'the shared judge cache'
  }

  /** Whether the cache went away (then skipped until the worker ends). */
  get isAway(): boolean {
    return this.away
  }

  private async cache(): Promise<JudgeCache> {
    this.opened ??= await this.opening
    return this.opened
  }

  /** Runs `fn` on the cache; on a store that is away, says so once and resolves to `fallback`. */
  private async tolerate<T>(fallback: T, fn: (cache: JudgeCache) => Promise<T>): Promise<T> {
    if (this.away) return fallback
    try {
      return await fn(await this.cache())
    } catch (error) {
      if (!(error instanceof StoreError)) throw error
      if (!this.away) {
        this.away = true
        this.onAway()
        this.warn(
          `vitest-judge: the shared judge cache is away (${error.message}): the judge calls of this worker ` +
            'go to the provider, uncached, until it ends.',
        )
      }
      return fallback
    }
  }

  get(key: string): Promise<CachedEntry | undefined> {
    return this.tolerate(undefined, (cache) => cache.get(key))
  }

  getMany(keys: readonly string[]): Promise<Map<string, CachedEntry>> {
    return this.tolerate(new Map<string, CachedEntry>(), (cache) => cache.getMany(keys))
  }

  set(key: string, entry: CacheEntryInput): Promise<void> {
    return this.tolerate(undefined, (cache) => cache.set(key, entry))
  }

  async stats(): Promise<CacheStats> {
    return (await this.cache()).stats()
  }

  async clear(options?: { olderThanMs?: number; vacuum?: boolean }): Promise<number> {
    return (await this.cache()).clear(options)
  }

  async flush(): Promise<void> {
    if (!this.away) await (await this.cache()).flush()
  }

  async close(): Promise<void> {
    const cache = await this.opening.catch(() => undefined)
    await cache?.close()
  }
}
