/**
 * Human review labels (`vitest-judge ui`): a person's grade and comment on one metric of one case,
 * kept in the run store and keyed to the case by its run key, its name and the digest of what it
 * was asked (input, expected, context), so a label follows its case across runs while those are
 * unchanged and reads as stale once they change. Pure functions over plain data: the reporter, the
 * CLI, the ui server and the page share them.
 */
import { agreementOf, withLabelCounts } from './agreement.js'
import { caseDigest } from './dataset-digest.js'
import { type LabelScale, labelGradeText } from './label-scale.js'
import { runKey } from './run-key.js'
import { metricBaseName } from './text.js'
import type { MetricAgreement, ReportCase, ReportRun } from './types.js'

/** One reviewer's label on one metric of one case (the current one: a new label replaces it). */
export interface HumanLabel {
  /** The case's run key: its file, or `<file> [<variant>]` for a variant's run. */
  file: string
  /** The case's full name (as in the report). */
  case: string
  metric: string
  /** 1-5 on the `grade` scale; 1 (pass) or 0 (fail) on the `pass` scale; null for a comment alone. */
  grade: number | null
  scale: LabelScale
  comment?: string
  reviewer: string
  /** When it was given (ISO 8601). */
  at: string
  /** {@link caseDigest} of the case when it was labelled. */
  caseDigest: string
}

/** A label as shown beside a case's score: whether the case changed since. */
export interface CaseLabel extends Omit<HumanLabel, 'file' | 'case' | 'metric'> {
  /** The case's input, expected text or context changed since the label was given. */
  stale: boolean
}

export { type LabelScale, labelDisagrees, labelGradeText, labelScaleOf } from './label-scale.js'

/** The run key a label is filed under (a variant's run has its own cases and scores). */
export function labelRunKey(run: Pick<ReportRun, 'file'> & { key?: string }): string {
  return runKey(run)
}

/** Why a label cannot be stored, or undefined when it can. */
export function labelProblem(label: Partial<HumanLabel>): string | undefined {
  if (typeof label.file !== 'string' || label.file === '') return 'a label needs the file of its case'
  if (typeof label.case !== 'string' || label.case === '') return 'a label needs the name of its case'
  if (typeof label.metric !== 'string' || label.metric === '') return 'a label needs a metric'
  if (label.scale !== 'grade' && label.scale !== 'pass') return "a label's scale is 'grade' (1-5) or 'pass' (1/0)"
  const g = label.grade
  if (g !== null && g !== undefined) {
    if (label.scale === 'grade' && !(Number.isInteger(g) && g >= 1 && g <= 5)) return 'a grade is an integer 1-5'
    if (label.scale === 'pass' && g !== 0 && g !== 1) return 'a pass/fail label is 1 (pass) or 0 (fail)'
  }
  if ((g === null || g === undefined) && !label.comment) return 'a label needs a grade or a comment'
  if (label.comment !== undefined && typeof label.comment !== 'string') return 'a comment is text'
  if (typeof label.comment === 'string' && label.comment.length > MAX_COMMENT) {
    return `a comment is at most ${MAX_COMMENT} characters`
  }
  if (typeof label.reviewer !== 'string' || label.reviewer === '') return 'a label needs a reviewer'
  if (typeof label.caseDigest !== 'string' || !/^[0-9a-f]{16}$/.test(label.caseDigest)) {
    return "a label needs its case's digest (16 hex digits)"
  }
  return undefined
}

/** The longest comment kept. */
export const MAX_COMMENT = 4000

/** Labels by run key, then case name, then metric. */
export type LabelIndex = Map<string, Map<string, Map<string, HumanLabel>>>

/** Indexes labels for {@link labelsOfCase}. */
export function indexLabels(labels: readonly HumanLabel[]): LabelIndex {
  const index: LabelIndex = new Map()
  for (const label of labels) {
    const cases = index.get(label.file) ?? new Map<string, Map<string, HumanLabel>>()
    index.set(label.file, cases)
    const metrics = cases.get(label.case) ?? new Map<string, HumanLabel>()
    cases.set(label.case, metrics)
    metrics.set(label.metric, label)
  }
  return index
}

/** A case's labels per metric, each marked stale when the case changed since. Undefined when none. */
export function labelsOfCase(index: LabelIndex, runKey: string, c: ReportCase): Record<string, CaseLabel> | undefined {
  const metrics = index.get(runKey)?.get(c.name)
  if (metrics === undefined || metrics.size === 0) return undefined
  const digest = caseDigest(c)
  const out: Record<string, CaseLabel> = {}
  for (const [metric, label] of metrics) {
    const { file: _f, case: _c, metric: _m, ...rest } = label
    out[metric] = { ...rest, stale: label.caseDigest !== digest }
  }
  return out
}

/**
 * Pools store labels into the cases' human grades for agreement: a current (not stale) label on the
 * 1-5 scale becomes `human[metric]` unless the dataset already gave one for that case and metric
 * (the dataset wins). Returns new cases (the input is not changed) and how many grades came from labels.
 */
export function poolHumanGrades(
  cases: readonly ReportCase[],
  index: LabelIndex,
  runKey: string,
): { cases: ReportCase[]; fromLabels: number; datasetWon: number; pooled: Set<string>; overruled: Set<string> } {
  let fromLabels = 0
  let datasetWon = 0
  const pooled = new Set<string>()
  const overruled = new Set<string>()
  const out = cases.map((c) => {
    const labels = labelsOfCase(index, runKey, c)
    if (labels === undefined) return c
    let human: Record<string, number> | undefined
    for (const [metric, label] of Object.entries(labels)) {
      if (label.stale || label.scale !== 'grade' || label.grade === null) continue
      if (c.human?.[metric] !== undefined) {
        datasetWon++
        overruled.add(labelKey(c.name, metric))
        continue
      }
      human ??= { ...c.human }
      human[metric] = label.grade
      fromLabels++
      pooled.add(labelKey(c.name, metric))
    }
    return human === undefined ? c : { ...c, human }
  })
  return { cases: out, fromLabels, datasetWon, pooled, overruled }
}

function labelKey(caseName: string, metric: string): string {
  return `${caseName}\u0000${metric}`
}

/**
 * A run's judge-human agreement with its store labels pooled in ({@link poolHumanGrades}), each
 * metric saying how many of its grades came from labels and how many labels the dataset overruled.
 * Only grades the agreement counts (the case has the judge's 1-5 grade) are counted.
 */
export function agreementWithLabels(
  cases: readonly ReportCase[],
  index: LabelIndex,
  runKey: string,
  file?: string,
): Record<string, MetricAgreement> {
  const pooled = poolHumanGrades(cases, index, runKey)
  const agreement = agreementOf(pooled.cases, file)
  const counts = new Map<string, { fromLabels: number; datasetWon: number }>()
  for (const c of pooled.cases) {
    for (const [key, result] of Object.entries(c.metrics ?? {})) {
      if (typeof result.raw !== 'number') continue
      const metric = metricBaseName(key)
      const k = labelKey(c.name, metric)
      const entry = counts.get(metric) ?? { fromLabels: 0, datasetWon: 0 }
      if (pooled.pooled.has(k)) entry.fromLabels++
      if (pooled.overruled.has(k)) entry.datasetWon++
      counts.set(metric, entry)
    }
  }
  for (const [metric, a] of Object.entries(agreement)) agreement[metric] = withLabelCounts(a, counts.get(metric))
  return agreement
}

/** The cases with their labels attached (`labels`, replacing any kept before); the input is not changed. */
export function withCaseLabels(cases: readonly ReportCase[], index: LabelIndex, runKey: string): ReportCase[] {
  return cases.map((c) => {
    const labels = labelsOfCase(index, runKey, c)
    const { labels: _old, ...rest } = c
    return labels === undefined ? rest : { ...rest, labels }
  })
}

/** The columns of `labels export` (SPEC), in order. */
export const LABEL_EXPORT_COLUMNS = ['case', 'file', 'metric', 'grade', 'reviewer', 'comment', 'at'] as const

/** One row of `labels export`. */
export type LabelExportRow = Record<(typeof LABEL_EXPORT_COLUMNS)[number], string | number | null>

/** A label as an export row. */
export function labelExportRow(label: HumanLabel): LabelExportRow {
  return {
    case: label.case,
    file: label.file,
    metric: label.metric,
    grade: label.grade,
    reviewer: label.reviewer,
    comment: label.comment ?? null,
    at: label.at,
  }
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; a leading formula sign is neutralised. */
function csvField(value: string | number | null): string {
  if (value === null) return ''
  let text = String(value)
  // Spreadsheets run a cell that starts with = + - @ as a formula: reviewer comments are hostile text.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Labels as CSV (header line first) or JSON lines. */
export function formatLabels(labels: readonly HumanLabel[], format: 'jsonl' | 'csv'): string {
  const rows = labels.map(labelExportRow)
  if (format === 'jsonl') return rows.map((row) => `${JSON.stringify(row)}\n`).join('')
  const lines = [LABEL_EXPORT_COLUMNS.join(',')]
  for (const row of rows) lines.push(LABEL_EXPORT_COLUMNS.map((k) => csvField(row[k])).join(','))
  return `${lines.join('\r\n')}\r\n`
}

/**
 * Plain-text lines for the labelled cases of a report (for `show`): each label beside the judge's
 * grade or score, stale ones marked. Text only; the caller cleans it for its terminal.
 */
export function labelLines(report: {
  runs: ReadonlyArray<Pick<ReportRun, 'file' | 'cases'> & { key?: string }>
}): string[] {
  const lines: string[] = []
  for (const run of report.runs) {
    for (const c of run.cases) {
      for (const [metric, label] of Object.entries(c.labels ?? {})) {
        const result = c.metrics?.[metric]
        const judge =
          typeof result?.raw === 'number'
            ? `judge ${Math.round(result.raw * 100) / 100}/5`
            : result?.pass !== undefined && result.pass !== null
              ? `judge ${result.pass ? 'pass' : 'fail'}`
              : c.scores[metric] !== undefined && c.scores[metric] !== null
                ? `judge ${c.scores[metric]}`
                : 'judge n/a'
        const comment = label.comment ? ` "${label.comment}"` : ''
        const stale = label.stale ? ' [stale: the case changed since]' : ''
        lines.push(
          `${labelRunKey(run)} > ${c.name} · ${metric}: ${judge} · human ${labelGradeText(label)} by ${label.reviewer}${comment}${stale}`,
        )
      }
    }
  }
  return lines
}
