/**
 * The judged results as Vitest test annotations (`context.annotate`, Vitest 4.1 and 5), so that
 * Vitest's own views (`--reporter=verbose`, the UI, the HTML reporter, its JUnit and
 * `github-actions` reporters) show the scores without vitest-judge's reporter. Each annotation is
 * a message to the main process: a `describeEval` case sends one carrying all its metrics, and when
 * the reporters in use show annotations of failed tests only (Vitest's `default` and `dot`), only
 * failed tests send any (`testAnnotations: 'failed'`, decided by the plugin).
 */

import type { CaseMeta } from '../report/case-meta.js'
import { excerpt } from '../report/text.js'
import type { CaseMetricResult } from '../report/types.js'
import { runtimeOptions } from './runtime-options.js'

/** The annotation type: Vitest's `github-actions` reporter shows it as a notice titled so. */
export const ANNOTATION_TYPE = 'vitest-judge'

/** The part of a Vitest task this module uses: its test context. */
export interface AnnotatableTask {
  context?: { annotate?: (message: string, type?: string) => Promise<unknown> }
}

function num(value: number): string {
  return String(Math.round(value * 1e4) / 1e4)
}

/**
 * One line (reporters print it as it is): `answer_similarity 0.25 (raw 2/5) below pass mark 0.75
 * · judge local · justification: ...`.
 */
export function annotationMessage(key: string, result: CaseMetricResult): string {
  const parts: string[] = []
  if (result.error) {
    const { code, message } = result.error
    parts.push(`${key} judge error ${message.startsWith(code) ? message : `${code}: ${message}`}`)
  } else {
    let head = `${key} ${result.score === null ? 'error' : num(result.score)}`
    if (result.raw !== undefined && result.raw !== null) head += ` (raw ${num(result.raw)}/5)`
    if (result.threshold !== undefined && result.threshold !== null) {
      const worse = result.greaterIsBetter === false ? 'above' : 'below'
      head += ` ${result.pass === false ? `${worse} ` : ''}pass mark ${num(result.threshold)}`
    }
    parts.push(head)
  }
  if (result.judge) parts.push(`judge ${result.judge}`)
  if (result.trials && result.trials.length > 1) parts.push(`trials ${result.trials.map(num).join(', ')}`)
  if (result.justification) parts.push(`justification: ${result.justification}`)
  return excerpt(parts.join(' · '), 1000)
}

/** Whether a test that `failed` (or not) is annotated under the `testAnnotations` setting. */
function wanted(failed: boolean): boolean {
  const setting = runtimeOptions().testAnnotations
  return setting === true || (setting === 'failed' && failed)
}

function send(task: AnnotatableTask | undefined, message: string): void {
  const annotate = task?.context?.annotate
  if (typeof annotate !== 'function') return
  try {
    // The runner awaits the annotation with the test; a failure to record it is not the test's failure.
    annotate(message, ANNOTATION_TYPE).catch(() => {})
  } catch {
    // The test already finished (an assertion that was not awaited): nothing to annotate.
  }
}

/**
 * Annotates the test with one metric result (a matcher call); does nothing when annotations are
 * off, not supported, or kept for failed tests and this assertion did not fail.
 */
export function annotateResult(
  task: AnnotatableTask | undefined,
  key: string,
  result: CaseMetricResult,
  failed = true,
): void {
  if (wanted(failed)) send(task, annotationMessage(key, result))
}

/** Separates the metrics in a case's one annotation (reporters print it on one line). */
export const METRIC_SEPARATOR = ' | '

/** Annotates the test once with every metric result of its record, in the record's order. */
export function annotateCase(task: AnnotatableTask | undefined, meta: CaseMeta, failed = true): void {
  const entries = Object.entries(meta.metrics)
  if (entries.length === 0 || !wanted(failed)) return
  send(task, entries.map(([key, result]) => annotationMessage(key, result)).join(METRIC_SEPARATOR))
}
