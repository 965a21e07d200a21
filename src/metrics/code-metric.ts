/** Code metrics: a user's function scores each case, after MLflow's `make_metric`. Never cached (it is code). */
import { ConfigError, MetricError } from '../errors.js'
import type { Metric, MetricInput, MetricValue } from './types.js'

/** What a code metric's `score` may return. */
export type CodeMetricResult = number | boolean | { score: number | boolean; justification?: string }

/** Options of `defineMetric` for a code metric. */
export interface CodeMetricOptions {
  /** Name in reports; converted to snake_case. */
  name: string
  /**
   * Scores one case from its fields (`input`, `output`, `expected`, `context`, `contextChunks`,
   * `toolCalls`, `expectedToolCalls`, `latencyMs`, `tokens`, and `extra`: the whole dataset row).
   * Sync or async. A boolean counts 1 or 0; a number must be finite (0..1 for `kind: 'score'`);
   * `{ score, justification }` adds a justification. A thrown error fails the case, naming the metric.
   */
  score: (fields: MetricInput) => CodeMetricResult | Promise<CodeMetricResult>
  /** `'score'`: 0..1 and thresholded; `'measurement'`: any finite number, recorded and aggregated only. @default 'score' */
  kind?: 'score' | 'measurement'
  /** Whether larger is better. @default true */
  greaterIsBetter?: boolean
  /** Shown in reports next to the values; part of nothing else (code metrics are never cached). @default 'v1' */
  version?: string
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 80)
  } catch {
    return String(value).slice(0, 80)
  }
}

function toValue(name: string, kind: 'score' | 'measurement', result: unknown): MetricValue {
  let justification: string | undefined
  let value: unknown = result
  if (value !== null && typeof value === 'object' && 'score' in value) {
    const why = (value as { justification?: unknown }).justification
    if (why !== undefined) justification = String(why)
    value = (value as { score: unknown }).score
  }
  if (typeof value === 'boolean') value = value ? 1 : 0
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MetricError(
      name,
      `score() must return a finite number, a boolean or { score, justification }, got ${describe(result)}.`,
    )
  }
  if (kind === 'score' && (value < 0 || value > 1)) {
    throw new MetricError(
      name,
      `score() returned ${value}, outside 0..1. Return a normalized score, or define the metric with \`kind: 'measurement'\` to record any number.`,
    )
  }
  return { score: value, ...(justification !== undefined ? { justification } : {}) }
}

/** Builds a code metric; `options.name` is already snake_case. */
export function codeMetric(options: CodeMetricOptions): Metric {
  const kind = options.kind ?? 'score'
  if (kind !== 'score' && kind !== 'measurement') {
    throw new ConfigError(`defineMetric "${options.name}": \`kind\` must be 'score' or 'measurement', got ${kind}.`)
  }
  if (typeof options.score !== 'function') {
    throw new ConfigError(`defineMetric "${options.name}": \`score\` must be a function.`)
  }
  const scoreFn = options.score
  return {
    name: options.name,
    kind,
    greaterIsBetter: options.greaterIsBetter ?? true,
    requires: [],
    version: options.version ?? 'v1',
    judged: false,
    async score(input: MetricInput): Promise<MetricValue> {
      let result: unknown
      try {
        result = await scoreFn(input)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        throw new MetricError(options.name, `score() threw: ${message}`, { cause: error })
      }
      return toValue(options.name, kind, result)
    },
  }
}
