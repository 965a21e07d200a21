/**
 * The judge-scored matchers. Each is async: the judgement runs, is recorded on the test, and the
 * matcher answers `{ pass, message }`. Because Vitest 4 lets an un-awaited async matcher pass
 * silently, every judgement is also registered on `task.promises`, which the runner awaits after
 * the test body: a forgotten `await` still fails the test.
 */
import { checkScore } from '../config.js'
import { ConfigError } from '../errors.js'
import type { Judge } from '../judges/types.js'
import { answerRelevance, answerSimilarity, faithfulness } from '../metrics/judged-metrics.js'
import { preferenceMetric } from '../metrics/preference.js'
import type { Metric, MetricInput, ToolCall } from '../metrics/types.js'
import { redact } from '../redact.js'
import { type CaseMeta, emptyCaseMeta, META_KEY } from '../report/case-meta.js'
import { singleLine, stripUnsafe } from '../report/text.js'
import { callSiteIn, captureCallSite } from './call-site.js'
import { runtimeOptions } from './runtime-options.js'
import { type AnnotatableTask, annotateResult } from './test-annotations.js'
import { toText } from './text-value.js'

/** Options every matcher takes. */
export interface JudgeMatcherOptions {
  /** Judge for this assertion, e.g. `'openai:gpt-4.1'`. @default the plugin's judge */
  judge?: string | Judge
  /** Pass mark, 0..1. @default the plugin's `minScore` */
  minScore?: number
}

/** Options of `toBeSimilarTo`. */
export interface ToBeSimilarToOptions extends JudgeMatcherOptions {
  /** The question, shown to the judge. */
  input?: string
}

/** Options of `toBeRelevantTo`. */
export interface ToBeRelevantToOptions extends JudgeMatcherOptions {
  /** Retrieved context, shown to the judge. */
  context?: string
}

/** Options of `toBeFaithfulTo`. */
export interface ToBeFaithfulToOptions extends JudgeMatcherOptions {
  /** The question, shown to the judge. */
  input?: string
}

/** Options of `toScore`. */
export interface ToScoreOptions extends JudgeMatcherOptions {
  input?: string
  expected?: string
  /** Retrieved context: one text, or the chunks in retrieval order (`contextPrecision`, `contextRecall`). */
  context?: string | string[]
  /** Tool calls made (`toolCallAccuracy`). */
  toolCalls?: ToolCall[]
  /** Tool calls expected (`toolCallAccuracy`). */
  expectedToolCalls?: ToolCall[]
}

/** Options of `toBePreferredOver`. */
export interface ToBePreferredOverOptions extends JudgeMatcherOptions {
  /** What "better" means. @default DEFAULT_PREFERENCE_CRITERIA */
  criteria?: string
  /** The question both answers reply to, shown to the judge. */
  input?: string
}

/** The part of Vitest's matcher state the matchers use. */
interface MatcherThis {
  isNot: boolean
  task?: {
    meta: object
    promises?: Promise<unknown>[]
    concurrent?: boolean
    /** Vitest's test context; `_local` says whether the test took its own `expect` from it. */
    context?: { _local?: boolean }
    file?: { filepath?: string }
  } & AnnotatableTask
  utils?: { printReceived?(value: unknown): string }
}

interface MatcherResult {
  pass: boolean
  message: () => string
}

let scoring: Promise<typeof import('./scoring.js')> | undefined

/** The scoring module, loaded on first use (see the module comment). */
function loadScoring(): Promise<typeof import('./scoring.js')> {
  scoring ??= import('./scoring.js')
  return scoring
}

// The runner prints the message as it is: control characters, escape sequences and bidi overrides
// of an answer are removed (JSON.stringify leaves DEL, C1 controls and bidi overrides raw).
function excerpt(text: string, max = 600): string {
  const shown = stripUnsafe(text.length > max ? text.slice(0, max) : text)
  return text.length > max ? `${shown}… (${text.length - max} more characters)` : shown
}

function caseMeta(task: MatcherThis['task']): CaseMeta {
  if (!task) return emptyCaseMeta()
  const meta = task.meta as Record<string, unknown>
  const existing = meta[META_KEY] as CaseMeta | undefined
  if (existing) return existing
  const created = emptyCaseMeta()
  meta[META_KEY] = created
  return created
}

/**
 * Whether the matcher was called through the global expect in a test.concurrent test: its state
 * follows whichever test started last (Vitest refuses snapshots there for the same reason), so the
 * judgement would be recorded on another case.
 */
function globalExpectInConcurrentTest(state: MatcherThis): boolean {
  return state.task?.concurrent === true && state.task.context?._local === false
}

async function judge(
  state: MatcherThis,
  matcher: string,
  metric: Metric,
  input: MetricInput,
  options: JudgeMatcherOptions,
): Promise<MatcherResult> {
  // Before any await: the stack holds the test's line, read only if the assertion fails.
  const site = captureCallSite()
  if (globalExpectInConcurrentTest(state)) {
    throw new ConfigError(
      `${matcher} in a test.concurrent test needs the test's own expect: ` +
        `test.concurrent(name, async ({ expect }) => { await expect(answer).${matcher}(...) }). ` +
        'The global expect cannot tell concurrent tests apart, so the judgement could be recorded on another test.',
    )
  }
  // For a lower-is-better metric (toxicity) the plugin's pass mark is mirrored into a maximum; a
  // `minScore` given to the call is that metric's maximum as written.
  const minScore =
    options.minScore === undefined
      ? metric.greaterIsBetter
        ? runtimeOptions().minScore
        : Math.round((1 - runtimeOptions().minScore) * 1e12) / 1e12
      : checkScore(options.minScore, `${matcher}({ minScore })`)
  const meta = caseMeta(state.task)
  const { reaches, recordMetric, scoreMetric } = await loadScoring()
  meta.output ??= input.output
  if (input.input !== undefined) meta.input ??= input.input
  if (input.expected !== undefined) meta.expected ??= input.expected
  const outcome = await scoreMetric(metric, input, meta, {
    ...(options.judge !== undefined ? { judge: options.judge } : {}),
    threshold: minScore,
  })
  const key = recordMetric(meta, metric.name, outcome.result)
  const failedAt = () => {
    if (meta.location) return
    const at = callSiteIn(site, state.task?.file?.filepath)
    if (at) meta.location = at
  }
  if (!outcome.ok) {
    failedAt()
    annotateResult(state.task, key, outcome.result)
    throw outcome.error
  }
  const { value } = outcome
  const pass = reaches(metric, value.score, minScore)
  const not = state.isNot
  const failed = pass === Boolean(not)
  if (failed) failedAt()
  annotateResult(state.task, key, outcome.result, failed)
  const [reached, missed] = metric.greaterIsBetter ? ['>=', '<'] : ['<=', '>']
  const message = () => {
    const verdict = not
      ? `expected the answer NOT to pass ${metric.name}, but it scored ${value.score.toFixed(2)} ${reached} pass mark ${minScore}`
      : `expected the answer to pass ${metric.name}, but it scored ${value.score.toFixed(2)} ${missed} pass mark ${minScore}`
    const lines = [
      `${matcher}: ${verdict}`,
      `  metric:        ${metric.name}`,
      `  score:         ${value.score.toFixed(2)}${value.raw !== undefined ? ` (raw ${value.raw}/5)` : ''}`,
      `  pass mark:     ${minScore}`,
      `  judge:         ${value.judge ?? runtimeOptions().judge}${value.cached ? ' (cached)' : ''}`,
    ]
    // One line: the runner prints this message, and a log line starting with `::` is a workflow command.
    if (value.justification) lines.push(`  justification: ${singleLine(excerpt(value.justification, 400))}`)
    lines.push(`  output:        ${JSON.stringify(excerpt(input.output))}`)
    if (input.expected !== undefined) lines.push(`  expected:      ${JSON.stringify(excerpt(input.expected, 300))}`)
    // The runner prints this message as it is: an answer that holds a key must not show it.
    return redact(lines.join('\n'))
  }
  return { pass, message }
}

function guarded(state: MatcherThis, result: Promise<MatcherResult>): Promise<MatcherResult> {
  const task = state.task
  // A refused call names no test of its own: its failure goes to the caller's await only.
  if (task && !globalExpectInConcurrentTest(state)) {
    const isNot = state.isNot === true
    const guard = result.then((r) => {
      if (r.pass === isNot) {
        throw new Error(
          `${r.message()}\n\n(vitest-judge: this assertion was not awaited. Write \`await expect(...)\` so it fails at its line.)`,
        )
      }
    })
    guard.catch(() => {})
    task.promises ??= []
    task.promises.push(guard)
  }
  return result
}

/** The matcher implementations, for `expect.extend`. */
export const judgeMatchers = {
  toBeSimilarTo(this: MatcherThis, received: unknown, truth: unknown, options: ToBeSimilarToOptions = {}) {
    const input: MetricInput = { output: toText(received), expected: toText(truth) }
    if (options.input !== undefined) input.input = options.input
    return guarded(this, judge(this, 'toBeSimilarTo', answerSimilarity(), input, options))
  },
  toBeRelevantTo(this: MatcherThis, received: unknown, question: unknown, options: ToBeRelevantToOptions = {}) {
    const input: MetricInput = { output: toText(received), input: toText(question) }
    if (options.context !== undefined) input.context = options.context
    return guarded(this, judge(this, 'toBeRelevantTo', answerRelevance(), input, options))
  },
  toBeFaithfulTo(this: MatcherThis, received: unknown, context: unknown, options: ToBeFaithfulToOptions = {}) {
    const input: MetricInput = { output: toText(received), context: toText(context) }
    if (options.input !== undefined) input.input = options.input
    return guarded(this, judge(this, 'toBeFaithfulTo', faithfulness(), input, options))
  },
  toScore(this: MatcherThis, received: unknown, metric: Metric, options: ToScoreOptions = {}) {
    if (!metric || typeof metric.score !== 'function') {
      throw new TypeError('toScore(metric) needs a metric: metrics.answerSimilarity(), defineMetric({...}), ...')
    }
    const input: MetricInput = { output: toText(received) }
    if (options.input !== undefined) input.input = options.input
    if (options.expected !== undefined) input.expected = options.expected
    if (options.context !== undefined) {
      const chunks = Array.isArray(options.context) ? options.context.map(toText) : [options.context]
      input.context = Array.isArray(options.context) ? toText(options.context) : options.context
      input.contextChunks = chunks
    }
    if (options.toolCalls !== undefined) input.toolCalls = options.toolCalls
    if (options.expectedToolCalls !== undefined) input.expectedToolCalls = options.expectedToolCalls
    return guarded(this, judge(this, 'toScore', metric, input, options))
  },
  toBePreferredOver(this: MatcherThis, received: unknown, other: unknown, options: ToBePreferredOverOptions = {}) {
    const input: MetricInput = { output: toText(received) }
    if (options.input !== undefined) input.input = options.input
    const otherText = toText(other)
    const metric = preferenceMetric(options.criteria, undefined, () => otherText)
    return guarded(this, judge(this, 'toBePreferredOver', metric, input, options))
  },
}
