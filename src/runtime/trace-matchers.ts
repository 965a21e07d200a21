/**
 * Matchers on a case's trace (`getTrace(context)`, or the `trace` a describeEval task gets):
 * `toHaveCalledTool`, `toMatchTrajectory`, `toHaveNoFailedSpans`, `toStayWithin`. They are
 * synchronous (no judge). Using one makes the test a case of the run, so its trace is kept.
 */
import { redact } from '../redact.js'
import { type CaseMeta, emptyCaseMeta, META_KEY } from '../report/case-meta.js'
import { defuseCommands, stripUnsafe } from '../report/text.js'
import {
  matchTrajectory,
  partialMatch,
  sideBySide,
  summary,
  type TrajectoryMatchOptions,
  toolCalls,
} from '../report/trace.js'
import type { CaseTrace, TrajectoryStep } from '../report/trace-types.js'
import { getTrace } from '../tracing/case-hooks.js'

/** Limits of `toStayWithin`: each, when given, is a maximum. */
export interface TraceLimits {
  /** Model calls plus tool calls. */
  steps?: number
  /** `llm` spans. */
  modelCalls?: number
  /** Input plus output tokens of the model calls. */
  tokens?: number
  /** From the first span's start to the last span's end. */
  durationMs?: number
}

interface MatcherThis {
  isNot: boolean
  task?: { meta: object; concurrent?: boolean; context?: { _local?: boolean } }
}

interface MatcherResult {
  pass: boolean
  message: () => string
}

function isTrace(value: unknown): value is CaseTrace {
  return value !== null && typeof value === 'object' && Array.isArray((value as CaseTrace).spans)
}

/** The trace a matcher was given: a trace, or Vitest's test context (read with `getTrace`). */
function traceOf(received: unknown, matcher: string): CaseTrace {
  if (isTrace(received)) return received
  if (received !== null && typeof received === 'object' && 'task' in received) {
    return getTrace(received as { task: object })
  }
  throw new TypeError(
    `${matcher} needs a trace: expect(getTrace(context)).${matcher}(...) in a test, or expect(trace) with the \`trace\` a describeEval task or metric gets.`,
  )
}

/** Makes the test a case of the run (its trace is then kept), as a judge matcher does. */
function markCase(state: MatcherThis): void {
  const task = state.task
  // The global expect in a concurrent test names whichever test started last: no record then.
  if (!task || (task.concurrent === true && task.context?._local === false)) return
  const meta = task.meta as Record<string, unknown>
  if (!meta[META_KEY]) meta[META_KEY] = emptyCaseMeta() satisfies CaseMeta
}

// The runner prints the message as it is: no escape sequences, no secrets, no workflow commands.
function show(text: string): string {
  return defuseCommands(redact(stripUnsafe(text)))
}

function callText(step: TrajectoryStep): string {
  if (step.arguments === undefined) return step.name
  const args = typeof step.arguments === 'string' ? step.arguments : JSON.stringify(step.arguments)
  return `${step.name} ${args && args.length > 120 ? `${args.slice(0, 117)}...` : args}`
}

function callList(steps: readonly TrajectoryStep[]): string {
  return steps.length === 0
    ? '  (no tool calls)'
    : steps.map((s, i) => `  ${i + 1}. ${callText(s).replace(/\s+/g, ' ')}`).join('\n')
}

/** The matcher implementations, for `expect.extend`. */
export const traceMatchers = {
  toHaveCalledTool(this: MatcherThis, received: unknown, name: string, args?: Record<string, unknown>): MatcherResult {
    const trace = traceOf(received, 'toHaveCalledTool')
    markCase(this)
    const calls = toolCalls(trace)
    const pass = calls.some((c) => c.name === name && (args === undefined || partialMatch(args, c.arguments)))
    const wanted = args === undefined ? name : `${name} with ${JSON.stringify(args)}`
    return {
      pass,
      message: () =>
        show(
          `toHaveCalledTool: expected the app ${this.isNot ? 'NOT ' : ''}to call ${wanted}; its tool calls:\n${callList(calls)}`,
        ),
    }
  },
  toMatchTrajectory(
    this: MatcherThis,
    received: unknown,
    expected: ReadonlyArray<string | TrajectoryStep>,
    options: TrajectoryMatchOptions = {},
  ): MatcherResult {
    if (!Array.isArray(expected)) {
      throw new TypeError('toMatchTrajectory(expected) needs an array of tool names or { name, arguments } steps.')
    }
    const trace = traceOf(received, 'toMatchTrajectory')
    markCase(this)
    const result = matchTrajectory(toolCalls(trace), expected, options)
    return {
      pass: result.pass,
      message: () =>
        show(
          this.isNot
            ? `toMatchTrajectory (${result.mode}): expected the trajectory NOT to match, but it did:\n${sideBySide(result.expected, result.actual)}`
            : `toMatchTrajectory (${result.mode}${options.args === false ? ', names only' : ''}): ${result.reason ?? 'no match'}\n${sideBySide(result.expected, result.actual)}`,
        ),
    }
  },
  toHaveNoFailedSpans(this: MatcherThis, received: unknown): MatcherResult {
    const trace = traceOf(received, 'toHaveNoFailedSpans')
    markCase(this)
    const failed = trace.spans.filter((s) => s.status === 'error')
    return {
      pass: failed.length === 0,
      message: () =>
        show(
          this.isNot
            ? 'toHaveNoFailedSpans: expected a failed span, but every span succeeded.'
            : `toHaveNoFailedSpans: ${failed.length} failed span${failed.length === 1 ? '' : 's'}:\n${failed
                .slice(0, 20)
                .map((s) => `  [${s.kind}] ${s.name}: ${(s.error ?? 'error').replace(/\s+/g, ' ').slice(0, 300)}`)
                .join('\n')}`,
        ),
    }
  },
  toStayWithin(this: MatcherThis, received: unknown, limits: TraceLimits): MatcherResult {
    if (limits === null || typeof limits !== 'object') {
      throw new TypeError('toStayWithin(limits) needs { steps?, modelCalls?, tokens?, durationMs? }.')
    }
    const trace = traceOf(received, 'toStayWithin')
    markCase(this)
    const s = summary(trace)
    const actual: Record<keyof TraceLimits, number> = {
      steps: s.steps,
      modelCalls: s.modelCalls,
      tokens: s.tokens.total,
      durationMs: Math.round(s.durationMs),
    }
    const over: string[] = []
    const lines: string[] = []
    for (const key of ['steps', 'modelCalls', 'tokens', 'durationMs'] as const) {
      const limit = limits[key]
      if (limit === undefined) continue
      const bad = actual[key] > limit
      if (bad) over.push(key)
      lines.push(
        `  ${key.padEnd(10)} ${String(actual[key]).padStart(8)} ${bad ? '>' : '<='} ${limit}${bad ? '  (over)' : ''}`,
      )
    }
    if (s.dropped > 0) lines.push(`  (${s.dropped} spans were dropped at the cap: the figures count kept spans only)`)
    return {
      pass: over.length === 0,
      message: () =>
        this.isNot
          ? `toStayWithin: expected the app to exceed a limit, but it stayed within all:\n${lines.join('\n')}`
          : `toStayWithin: over the limit on ${over.join(', ')}:\n${lines.join('\n')}`,
    }
  },
}
