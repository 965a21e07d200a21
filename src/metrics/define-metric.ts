/**
 * Custom metrics: judged on a 1-5 rubric after MLflow's `make_genai_metric`, or computed by code
 * after MLflow's `make_metric`.
 */
import { ConfigError } from '../errors.js'
import type { GradingExample } from '../judges/prompt.js'
import type { Judge } from '../judges/types.js'
import { type CodeMetricOptions, codeMetric } from './code-metric.js'
import { rubricMetric } from './rubric-metric.js'
import type { Metric } from './types.js'

/** A scored example of a custom metric (1..5 score and why), shown to the judge. */
export type MetricExample = GradingExample

/** Options of `defineMetric` for a metric a judge grades on a 1-5 rubric. */
export interface JudgedMetricDefinition {
  /** Name in reports; converted to snake_case. */
  name: string
  /** What the metric measures. */
  definition: string
  /** The 1-5 rubric ("Score 1: ... Score 5: ..."). */
  gradingPrompt: string
  /** Scored examples shown to the judge. @default [] */
  examples?: MetricExample[]
  /** Part of the cache key: bump it when the rubric changes. @default 'v1' */
  version?: string
  /** Whether a higher score is better. @default true */
  greaterIsBetter?: boolean
  /** Case fields the judge sees besides the output. @default ['input'] plus whatever the examples use */
  parameters?: Array<'input' | 'expected' | 'context'>
  /** Judge for this metric, overriding the default. */
  judge?: string | Judge
}

/** Options of `defineMetric`: a judged rubric (`definition` + `gradingPrompt`) or code (`score`). */
export type DefineMetricOptions = JudgedMetricDefinition | CodeMetricOptions

/** Converts a name to snake_case (`answerTone` -> `answer_tone`). */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
}

/**
 * Defines a custom metric: with `score`, a code metric (see `CodeMetricOptions`); with
 * `definition` and `gradingPrompt`, an LLM-judged metric on a 1-5 rubric.
 */
export function defineMetric(options: DefineMetricOptions): Metric {
  if (options && 'score' in options && options.score !== undefined) {
    if (!options.name) throw new ConfigError('defineMetric needs a `name`.')
    return codeMetric({ ...options, name: toSnakeCase(options.name) })
  }
  const judged = options as JudgedMetricDefinition
  return judgedMetric(judged)
}

function judgedMetric(options: JudgedMetricDefinition): Metric {
  if (!options.name || !options.definition || !options.gradingPrompt) {
    throw new ConfigError(
      'defineMetric needs `name`, `definition` and `gradingPrompt` (a judged metric), or `name` and `score` (a code metric).',
    )
  }
  const examples = options.examples ?? []
  for (const example of examples) {
    if (!Number.isInteger(example.score) || example.score < 1 || example.score > 5) {
      throw new ConfigError(
        `defineMetric "${options.name}": example scores must be integers 1-5, got ${example.score}.`,
      )
    }
  }
  const parameters = options.parameters ?? [
    'input' as const,
    ...(examples.some((e) => e.expected !== undefined) ? (['expected'] as const) : []),
    ...(examples.some((e) => e.context !== undefined) ? (['context'] as const) : []),
  ]
  return rubricMetric(
    {
      name: toSnakeCase(options.name),
      version: options.version ?? 'v1',
      requires: [],
      fields: [...parameters.filter((p) => p === 'input'), 'output', ...parameters.filter((p) => p !== 'input')],
      definition: options.definition,
      gradingPrompt: options.gradingPrompt,
      examples,
      greaterIsBetter: options.greaterIsBetter ?? true,
    },
    { builtin: false, ...(options.judge !== undefined ? { judge: options.judge } : {}) },
  )
}
