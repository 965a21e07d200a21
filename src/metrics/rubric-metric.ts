/** A metric graded by a judge on a 1-5 rubric, normalized to 0..1 as (raw - 1) / 4. */
import { MissingFieldError } from '../errors.js'
import { buildGradingPrompt, type GradingExample, type RubricSpec } from '../judges/prompt.js'
import type { Judge, JudgeFields, Verdict } from '../judges/types.js'
import type { Metric, MetricContext, MetricInput, MetricValue } from './types.js'

/** Options every judged metric factory accepts. */
export interface JudgedMetricOptions {
  /** Judge for this metric, overriding the plugin's default. */
  judge?: string | Judge
  /** Extra scored examples appended to the built-in ones. */
  examples?: GradingExample[]
}

/** Normalizes a 1-5 grade to 0..1. */
export function normalizeRaw(raw: number): number {
  return (raw - 1) / 4
}

const FIELD_HINT: Record<'input' | 'expected' | 'context', string> = {
  input: 'give the case an `input` (describeEval data) or pass `{ input }` to the matcher.',
  expected: 'give the case an `expected` value (the reference answer).',
  context: 'give the case a `context` (the retrieved text) or pass `{ context }` to the matcher.',
}

/** Builds a judged metric from a rubric. */
export function rubricMetric(
  rubric: RubricSpec & { requires: ReadonlyArray<'input' | 'expected' | 'context'>; greaterIsBetter?: boolean },
  options: JudgedMetricOptions & { builtin: boolean },
): Metric {
  const spec: RubricSpec = { ...rubric, examples: [...(rubric.examples ?? []), ...(options.examples ?? [])] }
  return {
    name: rubric.name,
    kind: 'score',
    greaterIsBetter: rubric.greaterIsBetter ?? true,
    requires: rubric.requires,
    version: rubric.version,
    judged: true,
    ...(options.judge !== undefined ? { judge: options.judge } : {}),
    async score(input: MetricInput, context: MetricContext): Promise<MetricValue> {
      for (const field of rubric.requires) {
        if (input[field] === undefined) throw new MissingFieldError(rubric.name, field, FIELD_HINT[field])
      }
      const fields: JudgeFields = { output: input.output }
      for (const field of rubric.fields) {
        const value = input[field]
        if (value !== undefined) fields[field] = value
      }
      const verdict = await context.grade(context.judge, {
        metric: rubric.name,
        metricVersion: rubric.version,
        builtin: options.builtin,
        prompt: buildGradingPrompt(spec, fields),
        fields,
        trial: context.trial,
        ...(context.signal ? { signal: context.signal } : {}),
      })
      return verdictValue(verdict, context.judge)
    },
  }
}

/** A judge's 1-5 verdict as a metric's value: normalized score, raw grade, justification, judge, cache, tokens. */
export function verdictValue(verdict: Verdict & { cached: boolean }, judge: Judge): MetricValue {
  return {
    score: normalizeRaw(verdict.score),
    raw: verdict.score,
    justification: verdict.justification,
    judge: judge.name,
    cached: verdict.cached,
    ...(verdict.usage ? { usage: verdict.usage } : {}),
  }
}
