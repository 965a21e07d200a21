/** Custom judged metrics, after MLflow's `make_genai_metric`. */
import { ConfigError } from '../errors.js'
import type { GradingExample } from '../judges/prompt.js'
import type { Judge } from '../judges/types.js'
import { rubricMetric } from './rubric-metric.js'
import type { Metric } from './types.js'

/** A scored example of a custom metric (1..5 score and why), shown to the judge. */
export type MetricExample = GradingExample

/** Options of `defineMetric`. */
export interface DefineMetricOptions {
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

/** Converts a name to snake_case (`answerTone` -> `answer_tone`). */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
}

/** Defines a custom LLM-judged metric on a 1-5 rubric. */
export function defineMetric(options: DefineMetricOptions): Metric {
  if (!options.name || !options.definition || !options.gradingPrompt) {
    throw new ConfigError('defineMetric needs `name`, `definition` and `gradingPrompt`.')
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
