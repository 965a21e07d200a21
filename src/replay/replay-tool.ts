/** `replayTool(name, fn)`: a tool function whose results go through the app cache. */
import { type AppCacheMode, checkAppCacheMode } from '../config.js'
import { ConfigError } from '../errors.js'
import { appCall, armAppCache, timed } from './app-call.js'
import { fromStorable, toStorable } from './serialize.js'

/** Options of `replayTool`. */
export interface ReplayToolOptions<A extends unknown[]> {
  /** This tool's mode (VITEST_JUDGE_APP_CACHE still wins). @default the suite's `appCache`, else the plugin's */
  mode?: AppCacheMode
  /**
   * What of the arguments identifies a call. @default every argument, except the AI SDK's second
   * `execute` argument (`{ toolCallId, messages, abortSignal }`), which changes on every call
   */
  key?: (...args: A) => unknown
}

/**
 * Wraps a tool function so that its results are recorded and replayed like the app's model calls
 * (see the `appCache` option): in `auto` mode a call with arguments already seen returns the
 * recorded result without running `fn`. The result must be JSON (Dates and byte arrays are kept);
 * a call that throws is not recorded. The wrapped function always returns a promise.
 *
 * ```ts
 * const weather = tool({ inputSchema, execute: replayTool('weather', fetchWeather) })
 * ```
 */
export function replayTool<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => R | PromiseLike<R>,
  options: ReplayToolOptions<A> = {},
): (...args: A) => Promise<Awaited<R>> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError('replayTool(name, fn): `name` must be a non-empty string (it is part of the key).')
  }
  if (typeof fn !== 'function') throw new ConfigError(`replayTool("${name}", fn): \`fn\` must be a function.`)
  const mode =
    options.mode === undefined ? undefined : checkAppCacheMode(options.mode, `replayTool("${name}") \`mode\``)
  armAppCache()
  return (...args: A) =>
    appCall<Awaited<R>>(
      {
        kind: 'tool',
        name: `tool ${name}`,
        request: { tool: name, args: toStorable(options.key ? options.key(...args) : keyArgs(args)) },
        hint: JSON.stringify(toStorable(args[0]))?.slice(0, 200),
        mode,
      },
      {
        live: async (record): Promise<Awaited<R>> => {
          const { value, latencyMs } = await timed(async () => fn(...args))
          record?.(toStorable(value) ?? null, { latencyMs })
          return value as Awaited<R>
        },
        replay: (entry) => fromStorable(entry.value) as Awaited<R>,
      },
    )
}

function keyArgs(args: unknown[]): unknown[] {
  const last = args[1]
  const aiSdkOptions =
    args.length === 2 && last !== null && typeof last === 'object' && 'toolCallId' in (last as Record<string, unknown>)
  return aiSdkOptions ? [args[0]] : args
}
