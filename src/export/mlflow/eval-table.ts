/**
 * The `eval_results_table.json` artifact in the shape `mlflow.evaluate` logs it with `log_table`
 * (a pandas frame written `orient="split", index=False`: `{"columns": [...], "data": [[...], ...]}`),
 * so `mlflow.load_table("eval_results_table.json")` and MLflow's evaluation view read it. One row
 * per case: `inputs`, `ground_truth`, `outputs`, then per metric `<name>/<version>/score` (judged
 * metrics on the raw 1-5 scale) and `<name>/<version>/justification`, `latency` and `token_count`
 * as plain columns (as MLflow names them), then vitest-judge's `case`, `pass`, `id` and `error`, and
 * for a run with conversations `conversation`: the transcript as text (`Turn N, user:` blocks, the
 * judges' format), so the table shows what the conversation metrics read.
 */
import { formatTranscript } from '../../report/conversation.js'
import { metricBaseName } from '../../report/text.js'
import type { ReportRun } from '../../report/types.js'
import { DEFAULT_METRIC_VERSION, isRowOnly, mlflowMetricName, mlflowValue, onRawScale } from './metric-names.js'

/** The artifact name `mlflow.evaluate` uses, and the table tag MLflow's `load_table` searches for. */
export const EVAL_TABLE_FILE = 'eval_results_table.json'

/** A table as pandas' `orient="split"` JSON without index. */
export interface SplitTable {
  columns: string[]
  data: Array<Array<string | number | boolean | null>>
}

interface MetricColumns {
  key: string
  judged: boolean
  score: string
  justification: string | undefined
}

/** The table of one run's cases. */
export function evalResultsTable(run: ReportRun): SplitTable {
  // Per metric key (a matcher used twice keeps its `#2`), whether judged and its version.
  const seen = new Map<string, { version: string; judged: boolean; justified: boolean }>()
  for (const testCase of run.cases) {
    for (const key of Object.keys(testCase.scores)) {
      const result = testCase.metrics?.[key]
      let entry = seen.get(key)
      if (!entry) {
        entry = { version: DEFAULT_METRIC_VERSION, judged: false, justified: false }
        seen.set(key, entry)
      }
      if (result?.version) entry.version = result.version
      if (typeof result?.raw === 'number' && onRawScale(metricBaseName(key), true)) entry.judged = true
      if (result?.justification) entry.justified = true
    }
  }
  const metricColumns: MetricColumns[] = []
  for (const [key, entry] of seen) {
    const base = metricBaseName(key)
    const suffix = key.slice(base.length)
    if (isRowOnly(base)) {
      metricColumns.push({ key, judged: false, score: key, justification: undefined })
      continue
    }
    const name = `${mlflowMetricName(base)}${suffix}/${entry.version}`
    metricColumns.push({
      key,
      judged: entry.judged,
      score: `${name}/score`,
      justification: entry.justified ? `${name}/justification` : undefined,
    })
  }
  const columns = ['inputs', 'ground_truth', 'outputs']
  for (const m of metricColumns) {
    columns.push(m.score)
    if (m.justification) columns.push(m.justification)
  }
  columns.push('case', 'pass', 'id', 'error')
  const conversations = run.cases.some((c) => c.turns && c.turns.length > 0)
  if (conversations) columns.push('conversation')
  const data = run.cases.map((testCase) => {
    const row: Array<string | number | boolean | null> = [
      testCase.input ?? null,
      testCase.expected ?? null,
      testCase.output ?? null,
    ]
    for (const m of metricColumns) {
      const result = testCase.metrics?.[m.key]
      const score = testCase.scores[m.key]
      row.push(score === undefined ? null : mlflowValue({ score, raw: result?.raw ?? null }, m.judged))
      if (m.justification) row.push(result?.justification ?? result?.error?.message ?? null)
    }
    row.push(testCase.name, testCase.pass, testCase.id ?? null, testCase.error ?? null)
    if (conversations) row.push(testCase.turns ? formatTranscript(testCase.turns) : null)
    return row
  })
  return { columns, data }
}

/** The `mlflow.loggedArtifacts` tag value `log_table` sets, which `load_table` searches for. */
export function loggedArtifactsTag(paths: readonly string[]): string {
  // json.dumps' default separators: `load_table` matches `"path"%:%"<file>",%"type"%:%"table"`.
  return `[${paths.map((path) => `{"path": ${JSON.stringify(path)}, "type": "table"}`).join(', ')}]`
}
