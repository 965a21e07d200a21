/**
 * Scoring one case with one metric inside a worker: judge resolution, the judge cache, the
 * per-worker concurrency limit, and the bookkeeping recorded on the test.
 */
import { CacheMissError, JudgeError, VitestJudgeError } from '../errors.js'
import { priceOf, usdOf } from '../judges/pricing.js'
import { PROMPT_HEAD } from '../judges/prompt.js'
import { resolveJudge } from '../judges/resolve-judge.js'
import type { CompletionReply, CompletionRequest, GradeRequest, Judge, Verdict } from '../judges/types.js'
import { VERDICT_JSON_SCHEMA } from '../judges/verdict-schema.js'
import type { Metric, MetricContext, MetricInput, MetricValue } from '../metrics/types.js'
import { redact } from '../redact.js'
import type { CaseMeta } from '../report/case-meta.js'
import { defuseCommands } from '../report/text.js'
import type { CaseMetricResult } from '../report/types.js'
import { cacheKey, gradeCacheKey } from '../store/judge-cache.js'
import { outsideCase } from '../tracing/collector.js'
import { withFields } from '../with-fields.js'
import { budgetCounter, budgetError } from './budget.js'
import { createLimiter, type Limiter } from './limiter.js'
import { runtimeOptions } from './runtime-options.js'
import { workerCache } from './worker-cache.js'

let judgeLimiter: Limiter | undefined

/** The verdict schema as part of a grade's cache key: a frozen copy, whose canonical text is computed once. */
const SCHEMA_IN_KEY = deepFreeze(structuredClone(VERDICT_JSON_SCHEMA))

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const field of Object.values(value)) deepFreeze(field)
    Object.freeze(value)
  }
  return value
}

function limiter(): Limiter {
  judgeLimiter ??= createLimiter(runtimeOptions().concurrency)
  return judgeLimiter
}

/** The judge a metric uses: the call's override, else the metric's, else the plugin default. */
export function judgeFor(metric: Metric, override?: string | Judge): Judge {
  return resolveJudge(override ?? metric.judge ?? runtimeOptions().judge)
}

function cacheable(judge: Judge): boolean {
  // The local judge is deterministic and free; caching it would only cost disk.
  return judge.cacheIdentity.kind !== 'local' && runtimeOptions().cache !== 'off'
}

/**
 * Judge calls in flight in this worker, by cache key: a second request for the same key (e.g. two
 * variants that gave the same output) waits for the first instead of calling the provider again.
 */
const inFlight = new Map<string, Promise<unknown>>()

async function cachedCall<T>(
  judge: Judge,
  keyOf: () => string,
  entry: { kind: 'grade' | 'embed' | 'complete'; metric: string },
  what: string,
  meta: CaseMeta,
  call: () => Promise<T>,
): Promise<{ value: T; cached: boolean }> {
  const mode = runtimeOptions().cache
  if (!cacheable(judge)) return { value: await limiter().run(() => budgeted(judge, call)), cached: false }
  const cache = await workerCache(runtimeOptions().dir, mode === 'readonly', runtimeOptions().cacheUrl ?? null)
  const key = keyOf()
  if (mode !== 'refresh') {
    const hit = await cache.get(key)
    if (hit) {
      meta.cache.hits++
      return { value: hit.value as T, cached: true }
    }
  }
  const pending = inFlight.get(key)
  if (pending) {
    // Counted as a hit: the answer comes from the call already made (or its error, which is not cached).
    const value = (await pending) as T
    meta.cache.hits++
    return { value, cached: true }
  }
  meta.cache.misses++
  if (mode === 'readonly') throw new CacheMissError(what)
  const promise = limiter()
    .run(() => budgeted(judge, call))
    .then(async (value) => {
      await cache.set(key, { kind: entry.kind, judge: judge.name, metric: entry.metric, value })
      return value
    })
  inFlight.set(key, promise)
  try {
    return { value: await promise, cached: false }
  } finally {
    inFlight.delete(key)
  }
}

/**
 * Runs a provider call under the invocation's budget: counted when it starts (refused with
 * `VJ_BUDGET` once the budget is gone), its USD added when it ends. The local judge is free and
 * uncounted.
 */
async function budgeted<T>(judge: Judge, call: () => Promise<T>): Promise<T> {
  const { budget, budgetKey, dir, pricing } = runtimeOptions()
  if (!budget || !budgetKey || judge.cacheIdentity.kind === 'local') return call()
  const counter = budgetCounter(dir)
  const price = priceOf(judge.name, pricing)
  if (budget.maxUsd !== null && !price) {
    counter.refuse(budgetKey)
    throw budgetError(
      judge.name,
      budget,
      'the budget has `maxUsd` but this judge has no known price, so its spending cannot be counted. Add it to the `pricing` option.',
    )
  }
  if (!counter.reserve(budgetKey, budget)) throw budgetError(judge.name, budget)
  const value = await call()
  const usage = (value as { usage?: Verdict['usage'] } | null)?.usage
  if (price && usage) counter.spend(budgetKey, usdOf({ input: usage.inputTokens, output: usage.outputTokens }, price))
  return value
}

function tallyCall(meta: CaseMeta, judge: string, usage: Verdict['usage'], cached: boolean): void {
  meta.judgeCalls ??= {}
  const tally = meta.judgeCalls[judge] ?? {
    calls: 0,
    input: 0,
    output: 0,
    cached: 0,
    cachedInput: 0,
    cachedOutput: 0,
  }
  meta.judgeCalls[judge] = tally
  if (cached) {
    tally.cached++
    tally.cachedInput += usage?.inputTokens ?? 0
    tally.cachedOutput += usage?.outputTokens ?? 0
  } else {
    tally.calls++
    tally.input += usage?.inputTokens ?? 0
    tally.output += usage?.outputTokens ?? 0
  }
}

/** A metric context bound to one case record. */
export function metricContext(judge: Judge, trial: number, meta: CaseMeta, signal?: AbortSignal): MetricContext {
  return {
    judge,
    trial,
    ...(signal ? { signal } : {}),
    async grade(j: Judge, request: GradeRequest) {
      const keyOf = () =>
        gradeCacheKey(
          {
            judge: j.cacheIdentity,
            prompt: request.prompt,
            schema: SCHEMA_IN_KEY,
            metric: request.metric,
            metricVersion: request.metricVersion,
            trial: request.trial,
          },
          (request.prompt as { [PROMPT_HEAD]?: string })[PROMPT_HEAD],
        )
      const { value, cached } = await cachedCall<Verdict>(
        j,
        keyOf,
        { kind: 'grade', metric: request.metric },
        `metric ${request.metric} (judge ${j.name}, trial ${request.trial})`,
        meta,
        () => j.grade(request),
      )
      if (!cached && value.usage) {
        meta.judgeTokens.input += value.usage.inputTokens
        meta.judgeTokens.output += value.usage.outputTokens
      }
      tallyCall(meta, j.name, value.usage, cached)
      if (!cached && value.retries) meta.retries = (meta.retries ?? 0) + value.retries
      return withFields(value, { cached })
    },
    async embed(j: Judge, texts: string[]) {
      const embed = j.embed
      if (!embed) {
        throw new JudgeError(
          'VJ_JUDGE_UNSUPPORTED',
          j.name,
          'this judge cannot embed texts: give embeddingSimilarity a judge with embeddings, e.g. ' +
            "embeddingSimilarity({ judge: 'openai:text-embedding-3-small' }) or 'gemini:gemini-embedding-001'.",
        )
      }
      const keyParts = { v: 1, kind: 'embed', judge: j.cacheIdentity, texts, metric: 'embedding_similarity' }
      const { value, cached } = await cachedCall<number[][]>(
        j,
        () => cacheKey(keyParts),
        { kind: 'embed', metric: keyParts.metric },
        `embeddings (judge ${j.name})`,
        meta,
        () => embed.call(j, texts, signal ? { signal } : undefined),
      )
      return { vectors: value, cached }
    },
  }
}

/**
 * A free-text completion (the simulated user of a conversation) through the judge cache, the budget,
 * the per-worker limit and the cost tally, like a grading: keyed by the judge and the full prompt, so
 * an unchanged conversation replays the same user turns without a call.
 */
export async function completeCached(
  judge: Judge,
  request: CompletionRequest,
  meta: CaseMeta,
  trial: number,
  what: string,
): Promise<CompletionReply & { cached: boolean }> {
  const complete = judge.complete
  if (!complete) {
    throw new JudgeError(
      'VJ_JUDGE_UNSUPPORTED',
      judge.name,
      `this judge cannot write text, so it cannot play the simulated user (${what}). ` +
        "Give describeConversation a `simulator` that can, e.g. simulator: 'openai:gpt-4.1-mini', or script the user's turns with `turns`.",
    )
  }
  const keyParts = {
    v: 1,
    kind: 'complete',
    judge: judge.cacheIdentity,
    system: request.system,
    messages: request.messages,
    metric: 'simulated_user',
    trial,
  }
  const { value, cached } = await cachedCall<CompletionReply>(
    judge,
    () => cacheKey(keyParts),
    { kind: 'complete', metric: keyParts.metric },
    what,
    meta,
    () => complete.call(judge, request),
  )
  if (!cached && value.usage) {
    meta.judgeTokens.input += value.usage.inputTokens
    meta.judgeTokens.output += value.usage.outputTokens
  }
  tallyCall(meta, judge.name, value.usage, cached)
  if (!cached && value.retries) meta.retries = (meta.retries ?? 0) + value.retries
  return withFields(value, { cached })
}

/** Options for scoring one metric. */
export interface ScoreOptions {
  judge?: string | Judge
  trial?: number
  signal?: AbortSignal
  /** Pass mark (for score-kind metrics, and measurements when asked). */
  threshold?: number | null
}

/** A scored metric, or the error that stopped it. */
export type ScoreOutcome =
  | { ok: true; value: MetricValue; result: CaseMetricResult }
  | { ok: false; error: Error; result: CaseMetricResult }

/** The default judge's name, for messages. */
export function runtimeJudgeName(): string {
  return runtimeOptions().judge
}

/** Whether a value reaches a pass mark in the metric's direction. */
export function reaches(metric: Pick<Metric, 'greaterIsBetter'>, value: number, threshold: number): boolean {
  return metric.greaterIsBetter ? value >= threshold : value <= threshold
}

/** Scores one metric on one case; never throws for a judge failure (it comes back as `ok: false`). */
export function scoreMetric(
  metric: Metric,
  input: MetricInput,
  meta: CaseMeta,
  options: ScoreOptions = {},
): Promise<ScoreOutcome> {
  // The judge's own model calls are the evaluation, not the system under test: no case records them.
  return outsideCase(() => scoreMetricInCase(metric, input, meta, options))
}

async function scoreMetricInCase(
  metric: Metric,
  input: MetricInput,
  meta: CaseMeta,
  options: ScoreOptions,
): Promise<ScoreOutcome> {
  const threshold = options.threshold ?? null
  const base: CaseMetricResult = {
    score: null,
    kind: metric.kind,
    greaterIsBetter: metric.greaterIsBetter,
    version: metric.version,
    ...(threshold !== null ? { threshold } : {}),
  }
  let judge: Judge | undefined
  try {
    judge = metric.judged ? judgeFor(metric, options.judge) : undefined
    const context = judge
      ? metricContext(judge, options.trial ?? 0, meta, options.signal)
      : metricContext(resolveJudge('local'), options.trial ?? 0, meta, options.signal)
    const value = await metric.score(input, context)
    const result: CaseMetricResult = withFields(base, {
      score: value.score,
      ...(value.raw !== undefined ? { raw: value.raw } : {}),
      ...(value.justification !== undefined ? { justification: redact(value.justification) } : {}),
      ...(value.judge !== undefined ? { judge: value.judge } : {}),
      pass: threshold === null ? null : reaches(metric, value.score, threshold),
    })
    return { ok: true, value, result }
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught))
    // The runner prints this message line by line: no line of it may read as a workflow command.
    const defused = defuseCommands(error.message)
    if (defused !== error.message) {
      try {
        error.message = defused
      } catch {
        // A frozen error keeps its message.
      }
    }
    if (error instanceof JudgeError && error.retries > 0) meta.retries = (meta.retries ?? 0) + error.retries
    if (error instanceof JudgeError || error instanceof CacheMissError || !(error instanceof VitestJudgeError)) {
      meta.judgeErrors++
    }
    const code = error instanceof VitestJudgeError ? error.code : 'VJ_ERROR'
    return {
      ok: false,
      error,
      result: withFields(base, {
        pass: threshold === null ? null : false,
        ...(judge ? { judge: judge.name } : {}),
        error: { code, message: redact(error.message).slice(0, 2000) },
      }),
    }
  }
}

/** Stores a metric result on the record under a unique key (`name`, `name#2`, ...); returns the key. */
export function recordMetric(meta: CaseMeta, name: string, result: CaseMetricResult): string {
  let key = name
  for (let i = 2; key in meta.metrics; i++) key = `${name}#${i}`
  meta.metrics[key] = result
  return key
}
