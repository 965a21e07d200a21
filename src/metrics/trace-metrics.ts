/**
 * Metrics on what the app did (its trace), for describeEval: `trajectoryMatch` against the case's
 * `expectedTrajectory`, the measurements `stepCount`, `appTokens`, `appCostUsd`, and the judged
 * `taskCompletion`. They read the trial's `trace` through the pure functions of `report/trace.ts`.
 */

import { MetricError, MissingFieldError } from '../errors.js'
import type { Pricing } from '../judges/pricing.js'
import {
  appCost,
  compactTrace,
  matchTrajectory,
  renderTrajectory,
  summary,
  type TrajectoryMatchOptions,
  toolCalls,
} from '../report/trace.js'
import type { TrajectoryStep } from '../report/trace-types.js'
import { runtimeOptions } from '../runtime/runtime-options.js'
import { builtInNature } from './built-in.js'
import { type JudgedMetricOptions, rubricMetric } from './rubric-metric.js'
import type { Metric, MetricInput, MetricValue } from './types.js'

function parsedTrajectory(value: unknown): Array<string | TrajectoryStep> | undefined {
  let v = value
  if (typeof value === 'string') {
    try {
      v = JSON.parse(value)
    } catch {
      // a CSV cell with names separated by `->` or commas
      v = value
        .split(/->|,/)
        .map((s) => s.trim())
        .filter(Boolean)
    }
  }
  if (!Array.isArray(v)) return undefined
  return v as Array<string | TrajectoryStep>
}

/**
 * 1 when the trial's tool calls match the case's `expectedTrajectory` (tool names, or
 * `{ name, arguments }`) in `mode` (`strict` by default, `unordered`, `subset`, `superset`), else 0.
 * Report name `trajectory_match`.
 */
export function trajectoryMatch(options: TrajectoryMatchOptions = {}): Metric {
  const mode = options.mode ?? 'strict'
  return {
    name: 'trajectory_match',
    kind: 'score',
    greaterIsBetter: true,
    requires: [],
    version: 'v1',
    judged: false,
    async score(input: MetricInput): Promise<MetricValue> {
      const expected = parsedTrajectory(input.expectedTrajectory ?? input.extra?.expectedTrajectory)
      if (!expected) {
        throw new MissingFieldError(
          'trajectory_match',
          'expectedTrajectory',
          'give the case an `expectedTrajectory`: tool names in order (["search", "lookup"]) or [{ name, arguments }].',
        )
      }
      const result = matchTrajectory(toolCalls(input.trace), expected, { ...options, mode })
      const both = `expected ${renderTrajectory(result.expected)}; actual ${renderTrajectory(result.actual)}`
      return {
        score: result.pass ? 1 : 0,
        justification: result.pass ? `Matches (${mode}): ${both}.` : `No match (${mode}, ${result.reason}): ${both}.`,
      }
    },
  }
}

function measurement(name: string, value: (input: MetricInput) => number): Metric {
  return {
    name,
    ...builtInNature(name),
    requires: [],
    version: 'v1',
    judged: false,
    async score(input) {
      return { score: value(input) }
    },
  }
}

/** Model calls plus tool calls of the trial (0 when it made no span). Report name `step_count`. */
export function stepCount(): Metric {
  return measurement('step_count', (input) => summary(input.trace).steps)
}

/** Input plus output tokens of the trial's model calls, read from its trace. Report name `app_tokens`. */
export function appTokens(): Metric {
  return measurement('app_tokens', (input) => summary(input.trace).tokens.total)
}

/** Options of `appCostUsd`. */
export interface AppCostOptions {
  /** Prices (USD per million tokens) by `provider:model` or model, over the plugin's `pricing` and the built-in table. */
  pricing?: Pricing
}

/**
 * USD of the trial's model calls, priced with the judge price table and the `pricing` option. A
 * model without a known price is an error naming it (never a cost of 0). Report name `app_cost_usd`.
 */
export function appCostUsd(options: AppCostOptions = {}): Metric {
  return measurement('app_cost_usd', (input) => {
    const cost = appCost(input.trace, { ...runtimeOptions().pricing, ...options.pricing })
    if (cost.usd === null) {
      throw new MetricError(
        'app_cost_usd',
        `no price for ${cost.unpriced.join(', ')}: add it to the \`pricing\` option (USD per million tokens), e.g. pricing: { '${cost.unpriced[0]}': { input: 0.4, output: 1.6 } }.`,
      )
    }
    return cost.usd
  })
}

/** Options of `taskCompletion`. */
export interface TaskCompletionOptions extends JudgedMetricOptions {
  /** Longest rendering of the trace shown to the judge, in characters. @default 4000 */
  maxTraceChars?: number
}

/**
 * Judged: did the app achieve what the input asked, given the input, the final output and a compact
 * rendering of its trace (tool calls with arguments and results, errors; bounded in size)? Cached like
 * every judge call. Report name `task_completion`.
 */
export function taskCompletion(options: TaskCompletionOptions = {}): Metric {
  const max = options.maxTraceChars ?? 4000
  const rubric = rubricMetric(
    {
      name: 'task_completion',
      version: 'v1',
      requires: ['input'],
      fields: ['input', 'traceText', 'output'],
      definition:
        'Task completion measures whether an AI agent achieved what the input asked, judged from the steps it took (its model calls, the tools it called with their arguments and results, and any errors) and its final answer. Taking unneeded steps is a minor flaw; failing or skipping what the task needs, or a final answer that the steps do not support, is a major one.',
      gradingPrompt: [
        'Score 1: the task was not done: wrong or no tool use, or the answer does not address the task.',
        'Score 2: a small part of the task was done; key steps failed or were skipped.',
        'Score 3: the task was partly done, or done with errors the answer hides.',
        'Score 4: the task was done, with unneeded or clumsy steps.',
        'Score 5: the task was fully done with fitting steps, and the answer reflects their results.',
      ].join('\n'),
    },
    { ...options, builtin: true },
  )
  return {
    ...rubric,
    score(input, context) {
      return rubric.score({ ...input, traceText: compactTrace(input.trace, max) }, context)
    },
  }
}
