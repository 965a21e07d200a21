/**
 * The kind and direction of each built-in metric that is not a score where greater is better,
 * written once: the metric definitions take theirs from here, and the comparison falls back on it
 * for reports that did not record `kind` and `greaterIsBetter` per case (reports written before
 * those fields, and hand-made ones). Pure data, so the browser page can import it.
 */

/** What a metric is, as a comparison needs to know it. */
export interface MetricNature {
  kind: 'score' | 'measurement'
  greaterIsBetter: boolean
}

const SCORE: MetricNature = { kind: 'score', greaterIsBetter: true }

/** The built-in metrics that are measurements, or better when smaller, by report name. */
export const BUILT_IN_NATURES: Readonly<Record<string, MetricNature>> = {
  latency: { kind: 'measurement', greaterIsBetter: false },
  token_count: { kind: 'measurement', greaterIsBetter: false },
  flesch_kincaid_grade: { kind: 'measurement', greaterIsBetter: false },
  ari_grade: { kind: 'measurement', greaterIsBetter: false },
  toxicity: { kind: 'score', greaterIsBetter: false },
  user_frustration: { kind: 'score', greaterIsBetter: false },
  step_count: { kind: 'measurement', greaterIsBetter: false },
  app_tokens: { kind: 'measurement', greaterIsBetter: false },
  app_cost_usd: { kind: 'measurement', greaterIsBetter: false },
}

/** A metric's nature when a report does not say: a built-in's own, else a score where greater is better. */
export function builtInNature(metric: string): MetricNature {
  return Object.hasOwn(BUILT_IN_NATURES, metric) ? (BUILT_IN_NATURES[metric] as MetricNature) : SCORE
}
