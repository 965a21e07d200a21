/**
 * What the OpenAI and Gemini judges share: one call, one repair attempt for a reply that is not
 * the asked JSON, retries with backoff, and provider failures turned into `JudgeError`s.
 */
import { JudgeError, MissingPackageError } from '../errors.js'
import {
  type ClassifiedFailure,
  isRetryableStatus,
  parseRetryAfter,
  timeoutSignal,
  withRetries,
} from '../http-retry.js'
import type { CompletionReply, CompletionRequest, GradeRequest, Usage, Verdict } from './types.js'

/** One chat message for a provider. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** A provider's raw completion. */
export interface Completion {
  text: string
  usage?: Usage
}

/** Settings shared by the LLM judges. */
export interface LlmCallSettings {
  /** Judge name for messages, e.g. `openai:gpt-4.1-mini`. */
  name: string
  maxRetries: number
  /** Per-attempt timeout, ms. */
  timeout: number
  /** First backoff delay, ms. */
  retryDelayMs: number
  /** Where the provider is, for messages (host only, never a key). */
  endpoint: string
  classify(error: unknown): ClassifiedFailure
}

/** The retry and timeout options both LLM judge factories take. */
export interface LlmCallOptions {
  maxRetries?: number
  timeout?: number
  retryDelayMs?: number
}

/** Applies the shared defaults (4 retries, 60 s per attempt, 500 ms first backoff). */
export function llmCallSettings(
  name: string,
  options: LlmCallOptions,
  endpoint: string,
  classify: LlmCallSettings['classify'],
): LlmCallSettings {
  return {
    name,
    maxRetries: options.maxRetries ?? 4,
    timeout: options.timeout ?? 60_000,
    retryDelayMs: options.retryDelayMs ?? 500,
    endpoint,
    classify,
  }
}

/** Runs one provider call with retries; throws a `JudgeError` on final failure. */
export async function callWithRetries<T>(
  settings: LlmCallSettings,
  call: (signal: AbortSignal) => Promise<T>,
  outer?: AbortSignal,
): Promise<{ value: T; attempts: number }> {
  try {
    return await withRetries(
      () => {
        const signal = timeoutSignal(settings.timeout, outer)
        return call(signal).catch((error: unknown) => {
          if (signal.aborted && !outer?.aborted) {
            throw Object.assign(new Error(`timed out after ${settings.timeout} ms`), { isTimeout: true, cause: error })
          }
          throw error
        })
      },
      (error) =>
        (error as { isTimeout?: boolean }).isTimeout
          ? { retryable: true, timeout: true, message: 'timeout' }
          : settings.classify(error),
      { maxRetries: settings.maxRetries, baseDelayMs: settings.retryDelayMs, signal: outer },
    )
  } catch (error) {
    if (error instanceof JudgeError) throw error
    const attempts = (error as { attempts?: number }).attempts ?? 1
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`
    if (outer?.aborted) {
      throw new JudgeError('VJ_JUDGE_TIMEOUT', settings.name, `aborted (the case timed out) after ${tries}.`, {
        cause: error,
        retries: attempts - 1,
      })
    }
    if ((error as { isTimeout?: boolean }).isTimeout) {
      throw new JudgeError(
        'VJ_JUDGE_TIMEOUT',
        settings.name,
        `no answer from ${settings.endpoint} within ${settings.timeout} ms, ${tries}. Raise \`timeout\` or check the server.`,
        { cause: error, retries: attempts - 1 },
      )
    }
    const failure = settings.classify(error)
    const status = failure.status
    throw new JudgeError(
      'VJ_JUDGE_HTTP',
      settings.name,
      `${status ? `HTTP ${status}` : 'request failed'} from ${settings.endpoint} after ${tries}: ${failure.message}`,
      status === undefined ? { cause: error, retries: attempts - 1 } : { status, cause: error, retries: attempts - 1 },
    )
  }
}

/** Grades with one repair attempt: a reply that is not the asked JSON is sent back once with the problem. */
export async function gradeWithRepair(
  settings: LlmCallSettings,
  complete: (messages: ChatMessage[], signal: AbortSignal) => Promise<Completion>,
  request: GradeRequest,
): Promise<Verdict> {
  const messages: ChatMessage[] = [
    { role: 'system', content: request.prompt.system },
    { role: 'user', content: request.prompt.user },
  ]
  const usage: Usage = { inputTokens: 0, outputTokens: 0 }
  let attempts = 0
  // Provider retries (429, 5xx, timeouts) of both rounds; a repair round is a request, not a retry.
  let retries = 0
  let lastProblem = ''
  for (let round = 0; round < 2; round++) {
    const { value, attempts: used } = await callWithRetries(
      settings,
      (signal) => complete(messages, signal),
      request.signal,
    )
    attempts += used
    retries += used - 1
    usage.inputTokens += value.usage?.inputTokens ?? 0
    usage.outputTokens += value.usage?.outputTokens ?? 0
    // zod loads here, on the first reply: a fully cached run never pays for it.
    const { parseVerdict, repairMessage } = await import('./verdict.js')
    const parsed = parseVerdict(value.text)
    if (parsed.ok) {
      return {
        score: parsed.score,
        justification: parsed.justification,
        usage,
        attempts,
        ...(retries > 0 ? { retries } : {}),
      }
    }
    lastProblem = parsed.problem
    messages.push({ role: 'assistant', content: value.text }, { role: 'user', content: repairMessage(parsed.problem) })
  }
  throw new JudgeError(
    'VJ_JUDGE_BAD_REPLY',
    settings.name,
    `the reply was not the asked JSON, also after one repair attempt (${lastProblem}).`,
  )
}

/**
 * A free-text completion (the simulated user) with the judge's retries; no repair round, as any text
 * is an answer. `complete` is the provider's call without a response format.
 */
export async function completeWithRetries(
  settings: LlmCallSettings,
  complete: (messages: ChatMessage[], signal: AbortSignal) => Promise<Completion>,
  request: CompletionRequest,
): Promise<CompletionReply> {
  const messages: ChatMessage[] = [{ role: 'system', content: request.system }, ...request.messages]
  const { value, attempts } = await callWithRetries(settings, (signal) => complete(messages, signal), request.signal)
  return {
    text: value.text,
    ...(value.usage ? { usage: value.usage } : {}),
    ...(attempts > 1 ? { retries: attempts - 1 } : {}),
  }
}

/**
 * A chat provider's `grade` and `complete`, the same for every provider: the SDK client is made (and
 * its key checked) first, then `send(messages, signal, verdict)` is called, with the verdict's
 * response format when grading (`verdict` true) and without it for free text.
 */
export function chatJudgeCalls(
  settings: LlmCallSettings,
  ready: () => Promise<unknown>,
  send: (messages: ChatMessage[], signal: AbortSignal, verdict: boolean) => Promise<Completion>,
): {
  grade(request: GradeRequest): Promise<Verdict>
  complete(request: CompletionRequest): Promise<CompletionReply>
} {
  return {
    async grade(request) {
      await ready()
      return gradeWithRepair(settings, (messages, signal) => send(messages, signal, true), request)
    },
    async complete(request) {
      await ready()
      return completeWithRetries(settings, (messages, signal) => send(messages, signal, false), request)
    },
  }
}

/** The host (and port) of a URL, for messages; never the query string. */
export function endpointOf(url: string | undefined, fallback: string): string {
  if (!url) return fallback
  try {
    return new URL(url).host || fallback
  } catch {
    return fallback
  }
}

/**
 * Classifies an error of a Stainless-generated SDK (`openai`, `@anthropic-ai/sdk`): an HTTP status
 * with its `retry-after`, or a refused or dropped connection (no status), which is worth another try.
 */
export function classifySdkError(error: unknown): ClassifiedFailure {
  const e = error as { status?: number; headers?: Headers; message?: string; name?: string }
  const status = typeof e.status === 'number' ? e.status : undefined
  // The SDK's error classes keep `name` 'Error'; the class tells a refused or dropped connection.
  const kind = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name
  const connection = [e.name, kind].some((n) => n === 'APIConnectionError' || n === 'APIConnectionTimeoutError')
  const retryAfterMs = e.headers && typeof e.headers.get === 'function' ? parseRetryAfter(e.headers) : undefined
  return {
    retryable: status === undefined ? connection : isRetryableStatus(status),
    ...(status !== undefined ? { status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    message: String(e.message ?? error).slice(0, 300),
  }
}

/** Imports a provider SDK on first use; a missing package is an error that says what to install. */
export async function loadSdk<T>(provider: string, sdkPackage: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MissingPackageError(`the ${provider} judge`, sdkPackage)
    }
    throw error
  }
}
