/**
 * The app cache in the worker: one place decides, for each of the app's own model or tool calls,
 * whether it is replayed, made and recorded, or refused (`replay` mode, `VJ_REPLAY_MISS`), and writes
 * what happened into the case record. The AI SDK middleware, `replayTool` and the client wrappers
 * only describe their call and how to make it.
 */
import { performance } from 'node:perf_hooks'
import type { AppCacheMode } from '../config.js'
import { ReplayMissError } from '../errors.js'
import type { CaseMeta } from '../report/case-meta.js'
import { singleLine, stripUnsafe } from '../report/text.js'
import type { CaseAppCache } from '../report/types.js'
import { LazyScope } from '../runtime/lazy-scope.js'
import { runtimeOptions } from '../runtime/runtime-options.js'
import { onWorkerFlush } from '../runtime/worker-flush.js'
import type { AppCache, AppCacheEntry, AppEntryKind } from '../store/app-cache.js'
import { cacheKey } from '../store/cache-key.js'
import { isArmed as tracingArmed } from '../tracing/collector.js'
import { APP_CACHE_MARK } from './app-cache-mark.js'

/** What the app cache knows of the case running (set by `describeEval` around its task). */
export interface AppCaseState {
  /** The case record, where the figures go. */
  meta: CaseMeta
  /** The suite's `appCache` option, if any. */
  mode?: AppCacheMode | undefined
  /** How many times each request was seen in this case: the n-th identical call is its own entry. */
  occurrences: Map<string, number>
  /** The first replay miss: the case fails with it even when the app caught it. */
  miss?: ReplayMissError
  /** Recordings still being written (a stream's, written when it ends). */
  pending: Set<Promise<void>>
}

/**
 * A case's app calls are told apart from its neighbours' through its own async context, given only once
 * the app cache can be used: a wrapper was made (`appCacheMiddleware()`, `cachedModel()`, `replayTool()`,
 * `traceClient()`), a module of the project mentions one (the plugin marks it, `APP_CACHE_MARK`), or
 * traced cases have a context already (`traceClient()` arms tracing).
 */
const cases = new LazyScope<AppCaseState>(
  APP_CACHE_MARK,
  'vitest-judge app cache: calls of concurrent cases that started before any app cache wrapper was seen in this worker are not counted in their case (later cases are); make the wrapper at the top of a module to count them all (said once).',
  tracingArmed,
)

/** Makes the following cases run in their own async context (a wrapper was made). */
export function armAppCache(): void {
  cases.arm()
}

/** A case's app cache state (`mode`: the suite's `appCache` option); shared by the case's trials. */
export function newAppCase(meta: CaseMeta, mode: AppCacheMode | undefined): AppCaseState {
  return { meta, mode, occurrences: new Map(), pending: new Set() }
}

/** Runs `fn` as the case of `state` for the app cache. */
export function withAppCase<T>(state: AppCaseState, fn: () => T): T {
  return cases.run(state, fn)
}

/** Waits for the case's recordings, then fails with its replay miss if it had one (the app may have caught it). */
export async function settleAppCase(state: AppCaseState): Promise<void> {
  while (state.pending.size > 0) await Promise.allSettled([...state.pending])
  if (state.miss) throw state.miss
}

/**
 * The mode of one call: VITEST_JUDGE_APP_CACHE when set (the run's switch, e.g. keyless CI), else the
 * call's own `mode`, else the suite's `appCache`, else the plugin's `appCache` option.
 */
export function appCacheMode(callMode?: AppCacheMode): AppCacheMode {
  const settings = runtimeOptions()
  if (settings.appCacheSource === 'env') return settings.appCache
  return callMode ?? cases.current()?.mode ?? settings.appCache
}

/** One app call, as its wrapper describes it. */
export interface AppCallSpec {
  kind: AppEntryKind
  /** Names the call in messages and `cache stats`: `<provider> <model> <op>`, or `tool <name>`. */
  name: string
  /** Everything in the request that changes the answer (never a key or a header); hashed into the key. */
  request: unknown
  /** A short hint of the request for a replay miss (e.g. the last user message). */
  hint?: string
  /** The call's own `mode` option. */
  mode?: AppCacheMode | undefined
}

/** Writes a live call's recording (what to store, and what it took). */
export type Recorder = (value: unknown, info: { latencyMs: number; tokens?: { input: number; output: number } }) => void

/** What a wrapper needs to make the call live, or to answer from a recording. */
export interface AppCallHandlers<T> {
  /** Makes the call. `record` is given when the result is to be recorded (`auto`, `record`). */
  live: (record: Recorder | undefined) => Promise<T>
  /** Rebuilds the result from a recording. */
  replay: (entry: AppCacheEntry) => T
}

/** Replays, makes and records, or refuses the call, by the mode. */
export async function appCall<T>(spec: AppCallSpec, handlers: AppCallHandlers<T>): Promise<T> {
  const mode = appCacheMode(spec.mode)
  if (mode === 'off') return handlers.live(undefined)
  const state = cases.current()
  const base = cacheKey({ v: 1, kind: spec.kind, request: spec.request })
  // The n-th identical call of a case is its own entry: an app that samples twice replays two answers.
  const n = state?.occurrences.get(base) ?? 0
  state?.occurrences.set(base, n + 1)
  const key = n === 0 ? base : cacheKey({ base, n })
  let cache: AppCache
  let entry: AppCacheEntry | undefined
  try {
    cache = await workerAppCache(mode === 'replay')
    entry = mode === 'record' ? undefined : await cache.get(key)
  } catch (error) {
    // Without its recordings a replay cannot answer; `auto` and `record` make the call live, unrecorded.
    if (mode === 'replay') throw error
    warnOnce(`The app cache is unavailable (${(error as Error).message}); ${spec.name} was made live`)
    return handlers.live(undefined)
  }
  if (mode !== 'record') {
    if (entry) {
      const replayed = handlers.replay(entry)
      if (state) {
        const figures = caseFigures(state.meta)
        figures.replayed++
        figures.replayedLatencyMs += entry.latencyMs ?? 0
        if (entry.tokens) {
          figures.savedTokens.input += entry.tokens.input
          figures.savedTokens.output += entry.tokens.output
        }
      }
      return replayed
    }
    if (mode === 'replay') {
      const hint = spec.hint ? singleLine(stripUnsafe(spec.hint)) : ''
      const error = new ReplayMissError(
        spec.name,
        key,
        hint ? `"${hint.length > 80 ? `${hint.slice(0, 77)}...` : hint}"` : undefined,
      )
      if (state) {
        caseFigures(state.meta).misses++
        state.miss ??= error
      }
      throw error
    }
  }
  const record: Recorder = (value, info) => {
    const write = cache
      .set(key, {
        kind: spec.kind,
        name: spec.name,
        value,
        latencyMs: Math.round(info.latencyMs * 1000) / 1000,
        tokens: info.tokens ?? null,
      })
      .then(
        () => {
          if (state) caseFigures(state.meta).recorded++
        },
        (error: unknown) => warnOnce(`The app cache could not record ${spec.name}: ${(error as Error).message}`),
      )
    if (state) {
      state.pending.add(write)
      void write.finally(() => state.pending.delete(write))
    }
  }
  return handlers.live(record)
}

/** Times `fn` for a recording. */
export async function timed<T>(fn: () => PromiseLike<T>): Promise<{ value: T; latencyMs: number }> {
  const started = performance.now()
  const value = await fn()
  return { value, latencyMs: performance.now() - started }
}

function caseFigures(meta: CaseMeta): CaseAppCache {
  meta.appCache ??= { replayed: 0, recorded: 0, misses: 0, replayedLatencyMs: 0, savedTokens: { input: 0, output: 0 } }
  return meta.appCache
}

let warned = false
function warnOnce(message: string): void {
  if (warned) return
  warned = true
  console.warn(`vitest-judge: ${message} (the call's result was used; later failures are not repeated).`)
}

const open = new Map<string, Promise<AppCache>>()

/** The worker's app cache (read-only for `replay`), beside its judge cache: `<dir>/cache.db` or `cache.url`. */
export function workerAppCache(readonly: boolean): Promise<AppCache> {
  const settings = runtimeOptions()
  const id = `${readonly ? 'ro' : 'rw'}:${settings.cacheUrl ?? settings.dir}`
  let cache = open.get(id)
  if (!cache) {
    onWorkerFlush(flushWorkerAppCaches)
    // The stores load on the first app call, not with the setup file (SQLite's native module).
    cache = import('../store/open.js').then(({ openAppCache }) =>
      openAppCache({ dir: settings.dir, url: settings.cacheUrl, readonly, retryOpen: true }),
    )
    cache.catch(() => open.delete(id))
    open.set(id, cache)
  }
  return cache
}

/** Writes the hit counts the worker's app caches gathered (at the end of each test file). */
export async function flushWorkerAppCaches(): Promise<void> {
  for (const cache of open.values()) {
    try {
      await (await cache).flush()
    } catch {
      // Hit counts are best effort.
    }
  }
}
