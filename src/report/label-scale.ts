/**
 * The scale of review labels and how a label reads beside the judge: the part of `labels.ts` the
 * browser page imports too (no Node modules here).
 */

/** How a label grades: on the judged metrics' 1-5 rubric, or pass (1) / fail (0) for the others. */
export type LabelScale = 'grade' | 'pass'

/** The scale of a metric's labels: the rubric when the judge graded it 1-5, else pass/fail. */
export function labelScaleOf(result: { raw?: number | null; kind?: string } | undefined): LabelScale {
  return result !== undefined && typeof result.raw === 'number' ? 'grade' : 'pass'
}

/** A label's grade in words: `4/5`, `pass`, `fail`, or `comment` for a comment alone. */
export function labelGradeText(label: { grade: number | null; scale: LabelScale }): string {
  if (label.grade === null) return 'comment'
  if (label.scale === 'pass') return label.grade === 1 ? 'pass' : 'fail'
  return `${label.grade}/5`
}

/**
 * Whether a human label disagrees with the judge: a 1-5 grade other than the judge's rounded grade,
 * or pass/fail other than the metric's pass. False when either side is missing.
 */
export function labelDisagrees(
  label: { grade: number | null; scale: LabelScale },
  result: { raw?: number | null; pass?: boolean | null } | undefined,
): boolean {
  if (label.grade === null || result === undefined) return false
  if (label.scale === 'grade') return typeof result.raw === 'number' && Math.round(result.raw) !== label.grade
  return typeof result.pass === 'boolean' && result.pass !== (label.grade === 1)
}
