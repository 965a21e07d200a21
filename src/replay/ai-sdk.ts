/**
 * The app cache for the Vercel AI SDK: a language-model middleware (`wrapLanguageModel({ model,
 * middleware: appCacheMiddleware() })`) and `cachedModel(model)`. Written against the AI SDK's
 * `LanguageModelV3` (ai 6) and `LanguageModelV4` (ai 7) middleware contracts by shape, so vitest-judge never imports `ai`.
 *
 * `generateText` / `generateObject` calls are recorded as their result; `streamText` / `streamObject`
 * calls are recorded as their stream parts (plain objects) and replayed as a stream of the same parts.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { AppCacheMode } from '../config.js'
import { checkAppCacheMode } from '../config.js'
import { ConfigError } from '../errors.js'
import { otelApi, tracingLoaded } from '../tracing/api.js'
import { CACHED_HINT } from '../tracing/normalize.js'
import { withFields } from '../with-fields.js'
import { type AppCallSpec, appCall, armAppCache, timed } from './app-call.js'
import { fromStorable, toStorable } from './serialize.js'

/** What the app cache reads of an AI SDK language model. */
export interface AppCacheModelLike {
  readonly provider: string
  readonly modelId: string
}

/** The call options the AI SDK passes a model (`LanguageModelV3CallOptions`), as the app cache reads them. */
export type AppCacheCallParams = { [field: string]: unknown }

/** Options of `appCacheMiddleware()` and `cachedModel()`. */
export interface AppCacheMiddlewareOptions {
  /**
   * This model's mode, over the suite's `appCache` and the plugin option (VITEST_JUDGE_APP_CACHE still wins).
   * @default the suite's `appCache`, else the plugin's `appCache` option
   */
  mode?: AppCacheMode
  /**
   * The middleware specification the AI SDK in use expects: `v3` for ai 6, `v4` for ai 7. Neither
   * checks it at run time; it is there for the types, which also take it from where the middleware is passed.
   * @default the installed `ai` package's (read from its package.json), else `v3`
   */
  specificationVersion?: AppCacheSpecificationVersion
}

/** The AI SDK language-model middleware specification: `v3` (ai 6) or `v4` (ai 7). */
export type AppCacheSpecificationVersion = 'v3' | 'v4'

/**
 * An AI SDK language-model middleware (specification `v3`, the AI SDK 6's, or `v4`, the AI SDK 7's;
 * both have the same `wrapGenerate` / `wrapStream` shape): pass it to `wrapLanguageModel({ model, middleware })`.
 */
export interface AppCacheMiddleware<V extends AppCacheSpecificationVersion = AppCacheSpecificationVersion> {
  readonly specificationVersion: V
  /** Replays or records a `doGenerate` call. */
  wrapGenerate<R>(options: {
    doGenerate: () => PromiseLike<R>
    params: AppCacheCallParams
    model: AppCacheModelLike
  }): Promise<R>
  /** Replays or records a `doStream` call (its parts). */
  wrapStream<R extends { stream: ReadableStream<unknown> }>(options: {
    doStream: () => PromiseLike<R>
    params: AppCacheCallParams
    model: AppCacheModelLike
  }): Promise<R>
}

/**
 * The app cache as an AI SDK language-model middleware: in `auto` mode a call already recorded is
 * answered from the cache with no request, a new one is made and recorded; see the `appCache` option.
 * The key covers the provider, the model and every call option that changes the answer (prompt,
 * tools, tool choice, temperature, top-p/k, penalties, seed, stop sequences, response format, max
 * output tokens, provider options); never the headers or the abort signal, and no key is ever stored.
 *
 * ```ts
 * const model = wrapLanguageModel({ model: openai.chat('gpt-4.1-mini'), middleware: appCacheMiddleware() })
 * ```
 */
export function appCacheMiddleware<V extends AppCacheSpecificationVersion = 'v3'>(
  options: AppCacheMiddlewareOptions & { specificationVersion?: V } = {},
): AppCacheMiddleware<V> {
  const mode = options.mode === undefined ? undefined : checkAppCacheMode(options.mode, 'appCacheMiddleware `mode`')
  armAppCache()
  return {
    specificationVersion: (options.specificationVersion ?? installedSpecificationVersion()) as V,
    wrapGenerate({ doGenerate, params, model }) {
      return appCall(describeCall(model, 'generate', params, mode), {
        live: async (record) => {
          const { value, latencyMs } = await timed(doGenerate)
          record?.(storedGenerateResult(value), { latencyMs, ...tokensOf((value as { usage?: unknown }).usage) })
          return value
        },
        replay: (entry) => {
          markSpanCached()
          const stored = fromStorable(entry.value) as Record<string, unknown>
          return withFields(stored, { warnings: stored.warnings ?? [] }) as never
        },
      })
    },
    wrapStream({ doStream, params, model }) {
      return appCall(describeCall(model, 'stream', params, mode), {
        live: async (record) => {
          const { value, latencyMs: untilFirst } = await timed(doStream)
          if (!record) return value
          const started = performance.now() - untilFirst
          const [mine, theirs] = value.stream.tee()
          void collect(mine).then((parts) => {
            // A stream that failed is the provider's error, not an answer to replay.
            if (parts === undefined || parts.some((part) => typeOf(part) === 'error')) return
            const finish = parts.find((part) => typeOf(part) === 'finish') as { usage?: unknown } | undefined
            record(parts.map(toStorable), { latencyMs: performance.now() - started, ...tokensOf(finish?.usage) })
          })
          return { ...value, stream: theirs }
        },
        replay: (entry) => {
          markSpanCached()
          const parts = fromStorable(entry.value) as unknown[]
          const stream = new ReadableStream<unknown>({
            start(controller) {
              for (const part of parts) controller.enqueue(part)
              controller.close()
            },
          })
          return { stream } as never
        },
      })
    },
  }
}

/**
 * An AI SDK language model whose calls go through the app cache: the same as
 * `wrapLanguageModel({ model, middleware: appCacheMiddleware(options) })`, without importing `ai`.
 * Everything else of the model (provider, model id, supported URLs) is the model's own.
 */
export function cachedModel<M extends AppCacheModelLike>(model: M, options: AppCacheMiddlewareOptions = {}): M {
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof (model as { doGenerate?: unknown }).doGenerate !== 'function'
  ) {
    throw new ConfigError(
      'cachedModel(model) needs an AI SDK language model object (e.g. openai.chat("gpt-4.1-mini")), not a model id string.',
    )
  }
  const middleware = appCacheMiddleware(options)
  const inner = model as M & {
    doGenerate(params: AppCacheCallParams): PromiseLike<unknown>
    doStream(params: AppCacheCallParams): PromiseLike<{ stream: ReadableStream<unknown> }>
  }
  // The model itself is the prototype: its getters and fields (config, supportedUrls) read as its own.
  const wrapped = Object.create(inner) as typeof inner
  Object.defineProperties(wrapped, {
    doGenerate: {
      value: (params: AppCacheCallParams) =>
        middleware.wrapGenerate({ doGenerate: () => inner.doGenerate(params), params, model: inner }),
    },
    doStream: {
      value: (params: AppCacheCallParams) =>
        middleware.wrapStream({ doStream: () => inner.doStream(params), params, model: inner }),
    },
  })
  return wrapped
}

/**
 * Marks the AI SDK's own span of the call (`ai.generateText.doGenerate`, with `experimental_telemetry`
 * on: the middleware runs inside it) as answered by the app cache: the case's trace shows it `cached`.
 */
function markSpanCached(): void {
  if (tracingLoaded()) otelApi().trace.getActiveSpan()?.setAttribute(CACHED_HINT, true)
}

let installedVersion: AppCacheSpecificationVersion | undefined
/** `v4` when the `ai` package resolvable from the working directory is 7 or later, else `v3` (read once, never imported). */
function installedSpecificationVersion(): AppCacheSpecificationVersion {
  if (installedVersion) return installedVersion
  installedVersion = 'v3'
  try {
    const require = createRequire(join(process.cwd(), 'package.json'))
    const { version } = JSON.parse(readFileSync(require.resolve('ai/package.json'), 'utf8')) as { version?: unknown }
    if (typeof version === 'string' && Number(version.split('.')[0]) >= 7) installedVersion = 'v4'
  } catch {
    // No `ai` resolvable (or no package.json exported): the AI SDK 6's specification.
  }
  return installedVersion
}

/** Call options that never change the answer (or must never be stored). */
const NOT_IN_KEY = new Set(['abortSignal', 'headers'])

function describeCall(
  model: AppCacheModelLike,
  op: 'generate' | 'stream',
  params: AppCacheCallParams,
  mode: AppCacheMode | undefined,
): AppCallSpec {
  const request: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(params)) if (!NOT_IN_KEY.has(field)) request[field] = toStorable(value)
  const hint = lastUserText(params.prompt)
  return {
    kind: 'model',
    name: `${model.provider} ${model.modelId} ${op}`,
    request: { source: 'ai-sdk', provider: model.provider, model: model.modelId, op, params: request },
    ...(hint ? { hint } : {}),
    mode,
  }
}

/** What is kept of a generate result: no request body, no response headers or body. */
function storedGenerateResult(result: unknown): unknown {
  const { request: _request, response, ...rest } = result as { request?: unknown; response?: Record<string, unknown> }
  const kept: Record<string, unknown> = { ...rest }
  if (response && typeof response === 'object') {
    const { headers: _headers, body: _body, ...meta } = response
    kept.response = meta
  }
  return toStorable(kept)
}

async function collect(stream: ReadableStream<unknown>): Promise<unknown[] | undefined> {
  const parts: unknown[] = []
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return parts
      parts.push(value)
    }
  } catch {
    return undefined
  }
}

function typeOf(part: unknown): unknown {
  return part !== null && typeof part === 'object' ? (part as { type?: unknown }).type : undefined
}

/** Tokens of an AI SDK usage object (v3: `{ inputTokens: { total } }`; v2: `{ inputTokens: number }`). */
function tokensOf(usage: unknown): { tokens?: { input: number; output: number } } {
  if (usage === null || typeof usage !== 'object') return {}
  const count = (value: unknown): number | undefined => {
    if (typeof value === 'number') return value
    if (value !== null && typeof value === 'object') {
      const total = (value as { total?: unknown }).total
      return typeof total === 'number' ? total : undefined
    }
    return undefined
  }
  const input = count((usage as { inputTokens?: unknown }).inputTokens)
  const output = count((usage as { outputTokens?: unknown }).outputTokens)
  if (input === undefined && output === undefined) return {}
  return { tokens: { input: input ?? 0, output: output ?? 0 } }
}

function lastUserText(prompt: unknown): string | undefined {
  if (!Array.isArray(prompt)) return typeof prompt === 'string' ? prompt : undefined
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i] as { role?: unknown; content?: unknown }
    if (message?.role !== 'user') continue
    if (typeof message.content === 'string') return message.content
    if (Array.isArray(message.content)) {
      const text = message.content
        .map((part: { type?: unknown; text?: unknown }) => (part?.type === 'text' ? String(part.text) : ''))
        .join(' ')
        .trim()
      if (text) return text
    }
  }
  return undefined
}
