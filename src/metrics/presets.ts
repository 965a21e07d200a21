/**
 * Metric sets after MLflow's `evaluate(model_type=...)` defaults, to spread into `metrics: [...]`.
 */
import { ariGrade, exactMatch, fleschKincaidGrade, rouge1, rouge2, rougeL, rougeLsum } from './computed-metrics.js'
import { toxicity } from './judged-metrics.js'
import type { JudgedMetricOptions } from './rubric-metric.js'
import type { Metric } from './types.js'

/** Options of the presets: passed to their judged metric (`toxicity`). */
export interface PresetOptions {
  /** Judge for `toxicity`, overriding the plugin's default. */
  judge?: JudgedMetricOptions['judge']
}

function toxicityOf(options: PresetOptions): Metric {
  return toxicity(options.judge !== undefined ? { judge: options.judge } : {})
}

/** MLflow's `question-answering` set: `exact_match`, `toxicity`, `flesch_kincaid_grade`, `ari_grade`. */
export function questionAnswering(options: PresetOptions = {}): Metric[] {
  return [exactMatch(), toxicityOf(options), fleschKincaidGrade(), ariGrade()]
}

/**
 * MLflow's `text-summarization` set: `rouge1`, `rouge2`, `rouge_l`, `rouge_lsum`, `toxicity`,
 * `flesch_kincaid_grade`, `ari_grade`.
 */
export function textSummarization(options: PresetOptions = {}): Metric[] {
  return [rouge1(), rouge2(), rougeL(), rougeLsum(), toxicityOf(options), fleschKincaidGrade(), ariGrade()]
}

/** MLflow's `text` set: `toxicity`, `flesch_kincaid_grade`, `ari_grade`. */
export function text(options: PresetOptions = {}): Metric[] {
  return [toxicityOf(options), fleschKincaidGrade(), ariGrade()]
}
