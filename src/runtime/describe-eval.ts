/**
 * `describeEval`: a dataset-driven suite. Every case is one Vitest test; cases run concurrently,
 * bounded per suite; each case runs the task (`trials` times), scores every metric, records the
 * result on the test for the reporter, and fails when a score misses its threshold.
 */
import { performance } from 'node:perf_hooks'
import { describe } from 'vitest'
import { type AppCacheMode, checkAppCacheMode } from '../config.js'
import { ConfigError } from '../errors.js'
import type { Judge } from '../judges/types.js'
import type { Metric, MetricInput, MetricValue, ToolCall } from '../metrics/types.js'
import { redact } from '../redact.js'
import { newAppCase, settleAppCase, withAppCase } from '../replay/app-call.js'
import type { CaseMeta } from '../report/case-meta.js'
import { textDigest } from '../report/dataset-digest.js'
import { singleLine, stripUnsafe } from '../report/text.js'
import { toolCalls as traceToolCalls } from '../report/trace.js'
import type { CaseTrace, TrajectoryStep } from '../report/trace-types.js'
import type { CaseMetricResult } from '../report/types.js'
import { type CaseCollector, collectorOf } from '../tracing/collector.js'
import { withFields } from '../with-fields.js'
import { callSiteIn, captureCallSite } from './call-site.js'
import { caseTest } from './case-test.js'
import { type CaseLocation, caseProblem, type EvalCase, type EvalData, loadCases } from './dataset.js'
import { humanLabelsOf } from './human-labels.js'
import { createLimiter } from './limiter.js'
import { runtimeOptions } from './runtime-options.js'
import { reaches, recordMetric, type ScoreOutcome, scoreMetric } from './scoring.js'
import { annotateCase } from './test-annotations.js'
import { toText } from './text-value.js'
import { type ResolvedVariant, resolveVariants, type VariantsOption, type VariantValue } from './variants.js'

/** What a task returns: the output text, or the output with token usage and the tool calls it made. */
export type TaskResult =
  | string
  | { output: string; usage?: { inputTokens: number; outputTokens: number }; toolCalls?: ToolCall[] }

/**
 * The task's second argument: the case's own fields (today's signature), plus `case` (the case
 * itself) and, in a suite with `variants`, `variant` (the variant's value) and `variantName`.
 * A dataset column named `case`, `variant` or `variantName` is read through `context.case`.
 */
export type TaskContext<TInput = unknown, TVariant = undefined> = EvalCase<TInput> & {
  /** The case being run. */
  case: EvalCase<TInput>
  /** The variant's value (`undefined` in a suite without `variants`). */
  variant: TVariant
  /** The variant's name (`undefined` in a suite without `variants`). */
  variantName: string | undefined
  /**
   * What the app did in this trial so far (its spans; read it after the app returns):
   * `expect(context.trace).toHaveCalledTool('search')`. Empty when it made none or traces are off.
   */
  readonly trace: CaseTrace
}

/** Options of `describeEval`. */
export interface DescribeEvalOptions<TInput = unknown, TVariant = undefined> {
  /** An array of cases, a function returning one (async allowed), or a `.jsonl` / `.json` / `.csv` path or glob. */
  data: EvalData<TInput>
  /** The system under test: input -> output. */
  task: (input: TInput, context: TaskContext<TInput, TVariant>) => TaskResult | Promise<TaskResult>
  /**
   * Run the suite once per variant: a record of named plain values (`{ mini: { model: 'gpt-4.1-mini' } }`)
   * or an array of `{ name, ...fields }`. Test names carry the variant (`[mini] case-3`); each variant
   * is recorded as its own run, its fields merged into the run's params; a `judge` field judges that
   * variant with another judge. @default none: the suite runs once
   */
  variants?: VariantsOption<TVariant>
  /** Metrics to score every case with. */
  metrics: Metric[]
  /** Pass mark for every score metric, or per metric name. @default the plugin's `minScore` */
  threshold?: number | Record<string, number>
  /** Runs per case; the case's score is the mean. @default 1 */
  trials?: number
  /** Cases in flight at once in this suite. @default the plugin's `concurrency` */
  concurrency?: number
  /** Per-case timeout in ms (task, all trials and judging). @default 120000 */
  timeout?: number
  /** Judge for the suite's judged metrics. @default the plugin's judge */
  judge?: string | Judge
  /**
   * Name of the dataset column holding human grades (1-5) per metric, `{ answer_similarity: 4 }` or
   * one grade for every judged metric; the run reports the judge's agreement with them.
   * @default `human` (a case's `human` field)
   */
  humanLabels?: string
  /**
   * The app cache mode of this suite's model and tool calls (`appCacheMiddleware()`, `cachedModel()`,
   * `replayTool()`), over the plugin's `appCache` option; VITEST_JUDGE_APP_CACHE still wins.
   * @default the plugin's `appCache` option
   */
  appCache?: AppCacheMode
}

/** The cases' test titles: a name given twice gets ` (2)`, ` (3)`... so each test is its own. */
export function uniqueTitles(names: readonly string[]): string[] {
  const seen = new Map<string, number>()
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1
    seen.set(name, count)
    return count > 1 ? `${name} (${count})` : name
  })
}

/** A case's test title in a variant: `[variant] title` (no variant: the title). */
export function variantTitle(variant: { name: string } | undefined, title: string): string {
  return variant ? `[${singleLine(variant.name)}] ${title}` : title
}

function caseName(evalCase: EvalCase, index: number): string {
  // One line: a test name reaches log lines, where a line starting with `::` is a workflow command.
  if (evalCase.id !== undefined) return singleLine(String(evalCase.id))
  const text = stripUnsafe(toText(evalCase.input)).replace(/\s+/g, ' ').trim()
  return text.length > 80 ? `${text.slice(0, 77)}...` : text || `case ${index + 1}`
}

/** The pass mark of a metric in a suite: by name, else the shared mark (flipped for lower-is-better), none for measurements. */
export function thresholdFor(
  metric: Metric,
  threshold: number | Record<string, number> | undefined,
  minScore: number,
): number | null {
  if (typeof threshold === 'object' && threshold !== null && metric.name in threshold)
    return threshold[metric.name] ?? null
  if (metric.kind === 'measurement') return null
  const shared = typeof threshold === 'number' ? threshold : minScore
  // A pass mark shared by every metric reads "this good": for a lower-is-better score (toxicity) that is
  // a maximum of 1 - mark. A mark given for the metric by name is its maximum as written.
  return metric.greaterIsBetter ? shared : Math.round((1 - shared) * 1e12) / 1e12
}

function checkOptions(name: string, options: DescribeEvalOptions<unknown, unknown>): void {
  if (typeof options.task !== 'function') throw new ConfigError(`describeEval("${name}"): \`task\` must be a function.`)
  if (!Array.isArray(options.metrics) || options.metrics.length === 0) {
    throw new ConfigError(
      `describeEval("${name}"): \`metrics\` must list at least one metric, e.g. [metrics.answerSimilarity()].`,
    )
  }
  checkThreshold(name, options.threshold, options.metrics, 'describeEval')
  if (options.appCache !== undefined) checkAppCacheMode(options.appCache, `describeEval("${name}"): \`appCache\``)
  const trials = options.trials ?? 1
  if (!Number.isInteger(trials) || trials < 1)
    throw new ConfigError(`describeEval("${name}"): \`trials\` must be a whole number >= 1.`)
}

/** Checks a suite's `threshold` against its metrics; `what` names the suite function in messages. */
export function checkThreshold(
  name: string,
  threshold: number | Record<string, number> | undefined,
  metrics: readonly Pick<Metric, 'name' | 'kind'>[],
  what: string,
): void {
  const checkMark = (value: number, field: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new ConfigError(`${what}("${name}"): ${field} must be a number.`)
  }
  if (typeof threshold === 'number') {
    if (threshold < 0 || threshold > 1) {
      throw new ConfigError(`${what}("${name}"): \`threshold\` must be a number from 0 to 1, got ${threshold}.`)
    }
  } else if (threshold) {
    const byName = new Map(metrics.map((m) => [m.name, m]))
    for (const [metricName, value] of Object.entries(threshold)) {
      checkMark(value, `\`threshold.${metricName}\``)
      const metric = byName.get(metricName)
      if (!metric) {
        throw new ConfigError(
          `${what}("${name}"): \`threshold.${metricName}\` names no metric of this suite (metrics: ${[...byName.keys()].join(', ')}).`,
        )
      }
      if (metric.kind === 'score' && (value < 0 || value > 1)) {
        throw new ConfigError(
          `${what}("${name}"): \`threshold.${metricName}\` must be a number from 0 to 1 (a normalized score), got ${value}.`,
        )
      }
    }
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

/** A task result with its usage as token counts. */
export interface NormalizedTaskResult {
  output: string
  tokens?: { input: number; output: number }
  toolCalls?: ToolCall[]
}

/** Reads what a task (or a conversation's `chat`) returned. */
export function normalizeTaskResult(result: TaskResult): NormalizedTaskResult {
  if (typeof result === 'string') return { output: result }
  if (result && typeof result === 'object' && 'output' in result) {
    const usage = result.usage
    const toolCalls = result.toolCalls
    if (toolCalls !== undefined && !isToolCalls(toolCalls)) {
      throw new ConfigError(
        `the task returned \`toolCalls\`, which must be ${TOOL_CALLS_SHAPE}, got ${JSON.stringify(toolCalls)?.slice(0, 120)}.`,
      )
    }
    return {
      output: toText(result.output),
      ...(usage ? { tokens: { input: usage.inputTokens ?? 0, output: usage.outputTokens ?? 0 } } : {}),
      ...(toolCalls !== undefined ? { toolCalls } : {}),
    }
  }
  return { output: toText(result) }
}

function isToolCalls(value: unknown): value is ToolCall[] {
  return (
    Array.isArray(value) &&
    value.every((call) => call !== null && typeof call === 'object' && typeof (call as ToolCall).name === 'string')
  )
}

const TOOL_CALLS_SHAPE = 'an array of { name, arguments? } objects'

/** A case's `expectedToolCalls` must be tool calls: else a `VJ_DATASET` error naming its file and line. */
function checkExpectedToolCalls(value: unknown, where: () => CaseLocation): asserts value is ToolCall[] {
  if (isToolCalls(value)) return
  throw caseProblem(
    where(),
    `\`expectedToolCalls\` must be ${TOOL_CALLS_SHAPE}, got ${JSON.stringify(value)?.slice(0, 120)}.`,
  )
}

// A CSV column holds the calls as JSON text.
function parsedToolCalls(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

function contextChunks(context: unknown): string[] {
  return Array.isArray(context) ? context.map(toText) : [toText(context)]
}

/** Defines a dataset-driven eval suite: one Vitest test per case (per case and variant with `variants`). */
export function describeEval<TInput = unknown, TVariant = VariantValue>(
  name: string,
  options: DescribeEvalOptions<TInput, TVariant> & { variants: VariantsOption<TVariant> },
): void
export function describeEval<TInput = unknown>(name: string, options: DescribeEvalOptions<TInput>): void
export function describeEval<TInput = unknown, TVariant = undefined>(
  name: string,
  options: DescribeEvalOptions<TInput, TVariant>,
): void {
  checkOptions(name, options as DescribeEvalOptions<unknown, unknown>)
  const variants: (ResolvedVariant<TVariant> | undefined)[] =
    options.variants === undefined ? [undefined] : resolveVariants(name, options.variants)
  // The cases are declared here by the library: a failed one points at the describeEval(...) call.
  const declared = captureCallSite()
  describe(name, async () => {
    const settings = runtimeOptions()
    const loaded = await loadCases(options.data, settings.root)
    // One limit for the whole suite: variants x cases share `concurrency`.
    const limiter = createLimiter(options.concurrency ?? settings.concurrency)
    const trials = options.trials ?? 1
    const timeout = options.timeout ?? 120_000
    const titles = uniqueTitles(loaded.map(({ case: evalCase }, index) => caseName(evalCase, index)))
    for (const variant of variants) {
      loaded.forEach(({ case: evalCase, where }, index) => {
        const title = variantTitle(variant, titles[index] as string)
        caseTest(title, timeout, variant, async (task, signal, meta) => {
          let failed = true
          try {
            await limiter.run(() =>
              runCase(evalCase, where, options, variant, meta, trials, settings.minScore, signal, collectorOf(task)),
            )
            failed = false
          } finally {
            if (failed) {
              const at = callSiteIn(declared, task.file?.filepath)
              if (at) meta.location = at
            }
            annotateCase(task, meta, failed)
          }
        })
      })
    }
  })
}

async function runCase<TInput, TVariant>(
  evalCase: EvalCase<TInput>,
  where: () => CaseLocation,
  options: DescribeEvalOptions<TInput, TVariant>,
  variant: ResolvedVariant<TVariant> | undefined,
  meta: CaseMeta,
  trials: number,
  minScore: number,
  signal: AbortSignal,
  collector: CaseCollector | undefined,
): Promise<void> {
  if (evalCase.id !== undefined) meta.id = String(evalCase.id)
  meta.input = toText(evalCase.input)
  if (evalCase.expected !== undefined) meta.expected = toText(evalCase.expected)
  if (evalCase.context !== undefined) {
    meta.contextDigest = textDigest(toText(evalCase.context))
    // Kept as the dataset gave it (text, or a list of chunks), so a reviewed case can go back into a dataset whole.
    meta.context = Array.isArray(evalCase.context) ? contextChunks(evalCase.context) : toText(evalCase.context)
  }
  const human = humanLabelsOf(
    evalCase as EvalCase,
    options.humanLabels,
    options.metrics.filter((m) => m.judged).map((m) => m.name),
    where,
  )
  if (human) meta.human = human
  const expectedToolCalls = parsedToolCalls(evalCase.expectedToolCalls)
  if (expectedToolCalls !== undefined) checkExpectedToolCalls(expectedToolCalls, where)
  const perMetric = new Map<Metric, ScoreOutcome[]>()
  const latencies: number[] = []
  let trialStart = 0
  const context = withFields(evalCase, {
    case: evalCase,
    variant: variant?.value,
    variantName: variant?.name,
  }) as unknown as TaskContext<TInput, TVariant>
  Object.defineProperty(context, 'trace', {
    enumerable: false,
    get: () => collector?.snapshot(trialStart) ?? { spans: [], dropped: 0 },
  })
  const expectedTrajectory = parsedToolCalls(evalCase.expectedTrajectory) as Array<string | TrajectoryStep> | undefined
  const judge = variant?.judge ?? options.judge
  const appCase = newAppCase(meta, options.appCache)
  for (let trial = 0; trial < trials; trial++) {
    trialStart = collector?.spans.length ?? 0
    const started = performance.now()
    let raw: TaskResult
    try {
      raw = await withAppCase(appCase, () => options.task(evalCase.input, context))
    } catch (error) {
      // The app's own error after a replay miss (an AI SDK stream reports "no output") hides the cause.
      if (appCase.miss) throw appCase.miss
      throw error
    }
    const latencyMs = performance.now() - started
    // A replay miss fails the case even when the app caught it; a stream's recording is written first.
    await settleAppCase(appCase)
    latencies.push(latencyMs)
    const normalized = normalizeTaskResult(raw)
    const { output, tokens } = normalized
    const trace = collector?.snapshot(trialStart)
    // The calls the app made, read from its trace when the task returned none.
    const traced = trace ? traceToolCalls(trace) : []
    const toolCalls: ToolCall[] | undefined =
      normalized.toolCalls ??
      (traced.length > 0
        ? traced.map((c) => ({
            name: c.name,
            arguments:
              c.arguments !== null && typeof c.arguments === 'object' && !Array.isArray(c.arguments)
                ? (c.arguments as Record<string, unknown>)
                : typeof c.arguments === 'string'
                  ? c.arguments
                  : {},
          }))
        : undefined)
    if (trial === 0) meta.output = output
    if (tokens) {
      meta.tokens ??= { input: 0, output: 0 }
      meta.tokens.input += tokens.input
      meta.tokens.output += tokens.output
    }
    const input: MetricInput = {
      output,
      latencyMs,
      ...(evalCase.expected !== undefined ? { expected: toText(evalCase.expected) } : {}),
      ...(evalCase.context !== undefined
        ? { context: toText(evalCase.context), contextChunks: contextChunks(evalCase.context) }
        : {}),
      ...(toolCalls !== undefined ? { toolCalls } : {}),
      ...(expectedToolCalls !== undefined ? { expectedToolCalls } : {}),
      ...(evalCase.input !== undefined ? { input: toText(evalCase.input) } : {}),
      ...(tokens ? { tokens } : {}),
      ...(trace ? { trace } : {}),
      ...(Array.isArray(expectedTrajectory) ? { expectedTrajectory } : {}),
      extra: evalCase,
    }
    const outcomes = await Promise.all(
      options.metrics.map((metric) =>
        scoreMetric(metric, input, meta, {
          trial,
          signal,
          threshold: thresholdFor(metric, options.threshold, minScore),
          ...(judge !== undefined ? { judge } : {}),
        }),
      ),
    )
    options.metrics.forEach((metric, i) => {
      const list = perMetric.get(metric) ?? []
      const outcome = outcomes[i]
      if (outcome) list.push(outcome)
      perMetric.set(metric, list)
    })
  }
  meta.latencyMs = mean(latencies)

  const failures: string[] = []
  let firstError: Error | undefined
  for (const metric of options.metrics) {
    const outcomes = perMetric.get(metric) ?? []
    const threshold = thresholdFor(metric, options.threshold, minScore)
    const errored = outcomes.find((o): o is Extract<ScoreOutcome, { ok: false }> => !o.ok)
    if (errored) {
      recordMetric(meta, metric.name, errored.result)
      firstError ??= errored.error
      continue
    }
    const values = outcomes.map((o) => (o as { value: MetricValue }).value)
    const score = mean(values.map((v) => v.score))
    const first = outcomes[0]?.result
    const raws = values.map((v) => v.raw).filter((r): r is number => r !== undefined)
    const result: CaseMetricResult = withFields(first ?? { kind: metric.kind }, {
      score,
      ...(raws.length > 0 ? { raw: mean(raws) } : {}),
      pass: threshold === null ? null : reaches(metric, score, threshold),
      ...(trials > 1 ? { trials: values.map((v) => v.score) } : {}),
    })
    recordMetric(meta, metric.name, result)
    if (result.pass === false && threshold !== null) {
      const why = result.justification ? `: ${singleLine(result.justification.slice(0, 300))}` : ''
      const rawText = typeof result.raw === 'number' ? ` (raw ${Number(result.raw.toFixed(2))}/5)` : ''
      const judgeText = result.judge ? `, judge ${result.judge}` : ''
      failures.push(
        `${metric.name} ${score.toFixed(2)}${rawText} ${metric.greaterIsBetter ? '<' : '>'} ${threshold}${judgeText}${why}`,
      )
    }
  }
  if (firstError) throw firstError
  if (failures.length > 0) {
    const output = meta.output ?? ''
    const shown = stripUnsafe(output.length > 600 ? `${output.slice(0, 600)}…` : output)
    const error = new Error(
      redact(
        `${failures.length} metric${failures.length === 1 ? '' : 's'} below the pass mark:\n  ${failures.join('\n  ')}\n  output: ${JSON.stringify(shown)}`,
      ),
    )
    error.name = 'AssertionError'
    throw error
  }
}
