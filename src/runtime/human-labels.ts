/** Human grades of a case: its `human` field, or the column named by the suite's `humanLabels` option. */
import { DatasetError } from '../errors.js'
import { type CaseLocation, caseProblem, type EvalCase } from './dataset.js'

/**
 * Reads the human grades of a case: `{ metric: grade }` (a CSV cell may hold it as JSON text), or
 * one grade for every judged metric of the suite. Grades are integers 1-5 on the judges' rubric.
 * Returns undefined when the case has none; throws `DatasetError` for a grade that is not one,
 * naming the file and line from `where` (the case's place in its dataset).
 */
export function humanLabelsOf(
  evalCase: EvalCase,
  column: string | undefined,
  judgedMetrics: readonly string[],
  where?: () => CaseLocation,
): Record<string, number> | undefined {
  const problem = (message: string) => (where ? caseProblem(where(), message) : new DatasetError(message))
  const field = column ?? 'human'
  let value = evalCase[field]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'string') {
    const text = value.trim()
    try {
      value = text.startsWith('{') ? (JSON.parse(text) as unknown) : Number(text)
    } catch {
      throw problem(`the \`${field}\` field holds ${JSON.stringify(text.slice(0, 80))}, which is not JSON.`)
    }
  }
  const grades: Record<string, number> =
    typeof value === 'number'
      ? Object.fromEntries(judgedMetrics.map((m) => [m, value as number]))
      : value && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, number>)
        : {}
  if (typeof value !== 'number' && (typeof value !== 'object' || Array.isArray(value))) {
    throw problem(
      `the \`${field}\` field must be { metric: grade } or one grade 1-5, got ${JSON.stringify(value)?.slice(0, 80)}.`,
    )
  }
  for (const [metric, grade] of Object.entries(grades)) {
    if (!Number.isInteger(grade) || grade < 1 || grade > 5) {
      throw problem(
        `the human grade of ${metric} in \`${field}\` must be a whole number from 1 to 5 (the judges' rubric), got ${JSON.stringify(grade)}.`,
      )
    }
  }
  return Object.keys(grades).length > 0 ? grades : undefined
}
