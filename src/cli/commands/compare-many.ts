/**
 * `vitest-judge compare A B C ...`: several invocations (or report files) side by side, one variant
 * matrix per file they share, as text, markdown or JSON. The columns are the selectors, labelled by
 * the invocation (tag, `branch@commit`, id) or by a param (`--by params.model`).
 */

import { UsageError } from '../../errors.js'
import { invocationLabel } from '../../report/compare.js'
import { palette } from '../../report/console.js'
import { escapeMarkdown } from '../../report/markdown.js'
import { runKey } from '../../report/run-key.js'
import type { JsonReport, ReportRun, VariantMatrix } from '../../report/types.js'
import { variantMatrix } from '../../report/variant-matrix.js'
import { renderVariantMatrixMarkdown, renderVariantMatrixText } from '../../report/variant-render.js'
import { EXIT } from '../command.js'
import { type CliIo, clean, formatTime, println, useColor, writeOutput } from '../io.js'
import { fileOfRun, onlyFiles, type State } from '../state.js'

/** Divergent cases listed per file with `--cases`. */
const DIVERGENT_CASES = 5

/** Options of {@link compareMany}, parsed by the `compare` command. */
export interface CompareManyOptions {
  format: 'text' | 'markdown' | 'json'
  alpha: number
  /** `params.NAME` to label the columns by. */
  by?: string
  cases: boolean
  out?: string
}

/** One column: what a selector named. */
export interface CompareColumn {
  label: string
  selector: string
  invocationId: string
  startedAt: string
  params: Record<string, string | number | boolean>
}

/** The JSON output of `compare A B C ... --format json`. */
export interface CompareManyReport {
  version: 1
  columns: CompareColumn[]
  alpha: number
  /** One matrix per file shared by at least two columns, by file. */
  variants: VariantMatrix[]
  /** Files only one column has (not compared). */
  unshared: { file: string; column: string }[]
}

function paramName(by: string | undefined): string | undefined {
  if (by === undefined) return undefined
  const match = /^params\.(.+)$/.exec(by.trim())
  if (!match?.[1]) {
    throw new UsageError(`--by takes params.NAME (e.g. --by params.model), got "${clean(by, 60)}".`)
  }
  return match[1]
}

/** The value of param `name` for a column: a run's own params (variants) first, then the invocation's. */
function paramOf(report: JsonReport, name: string): string | undefined {
  const values = new Set<string>()
  for (const run of report.runs) {
    const value = run.params?.[name]
    if (value !== undefined) values.add(String(value))
  }
  if (values.size === 1) return [...values][0]
  const value = report.invocation.params?.[name]
  return value === undefined ? undefined : String(value)
}

function uniqueLabels(labels: string[]): string[] {
  const seen = new Map<string, number>()
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1
    seen.set(label, count)
    return count === 1 && labels.indexOf(label) === labels.lastIndexOf(label) ? label : `${label} (${count})`
  })
}

/** Runs `compare A B C ...`; returns the exit code. */
export async function compareMany(
  state: State,
  selectors: string[],
  options: CompareManyOptions,
  io: CliIo,
): Promise<number> {
  if (selectors.length < 2) {
    throw new UsageError(
      `compare needs at least two selectors to compare side by side, got one ("${clean(selectors[0], 60)}"). ` +
        'Name more (`vitest-judge compare tag:a tag:b latest`), or compare with the baseline: `vitest-judge compare --head <sel>`.',
    )
  }
  const param = paramName(options.by)
  const selections: { selector: string; report: JsonReport }[] = []
  for (const selector of selectors) {
    const selection = await state.select(selector)
    const report =
      selection.runId === undefined
        ? selection.report
        : onlyFiles(selection.report, new Set([fileOfRun(selection.report, selection.runId)]))
    selections.push({ selector, report })
  }
  const labels = uniqueLabels(
    selections.map(({ selector, report }) => {
      if (param === undefined) return invocationLabel(report.invocation)
      const value = paramOf(report, param)
      if (value === undefined) {
        const known = Object.keys(report.invocation.params ?? {})
        throw new UsageError(
          `--by params.${clean(param, 40)}: ${clean(selector, 60)} (invocation ${clean(report.invocation.id, 30)}) has no param "${clean(param, 40)}"` +
            ` (its params: ${known.length > 0 ? known.map((k) => clean(k, 30)).join(', ') : 'none'}). Set it with the plugin's \`params\` option.`,
        )
      }
      return value
    }),
  )
  const columns: CompareColumn[] = selections.map(({ selector, report }, i) => ({
    label: labels[i] as string,
    selector,
    invocationId: report.invocation.id,
    startedAt: report.invocation.startedAt,
    params: report.invocation.params ?? {},
  }))
  const byFile = new Map<string, { column: number; run: ReportRun }[]>()
  selections.forEach(({ report }, column) => {
    for (const run of report.runs) {
      const list = byFile.get(runKey(run)) ?? []
      list.push({ column, run })
      byFile.set(runKey(run), list)
    }
  })
  const files = [...byFile.keys()].sort()
  const shared = files.filter((file) => (byFile.get(file)?.length ?? 0) >= 2)
  if (shared.length === 0) {
    const listed = selections
      .map(({ report }, i) => `${labels[i]}: ${report.runs.map((r) => clean(runKey(r), 60)).join(', ') || 'no runs'}`)
      .join('; ')
    throw new UsageError(
      `The ${selectors.length} selections share no test file, so there is nothing to compare side by side (${clean(listed, 600)}). ` +
        'Pick invocations that ran the same eval files.',
    )
  }
  const matrices = shared.map((file) =>
    variantMatrix(
      file,
      (byFile.get(file) ?? []).map(({ column, run }) => ({ label: labels[column] as string, run })),
      { alpha: options.alpha, maxCases: options.cases ? DIVERGENT_CASES : 0 },
    ),
  )
  const unshared = files
    .filter((file) => !shared.includes(file))
    .map((file) => ({ file, column: labels[byFile.get(file)?.[0]?.column ?? 0] as string }))
  const result: CompareManyReport = { version: 1, columns, alpha: options.alpha, variants: matrices, unshared }
  const toFile = options.out !== undefined && options.out !== '-'
  const text =
    options.format === 'json'
      ? `${JSON.stringify(result, null, 2)}\n`
      : options.format === 'markdown'
        ? renderMarkdown(result)
        : renderText(result, !toFile && useColor(io))
  if (options.out === undefined) io.stdout(text)
  else {
    const written = writeOutput(io, options.out, text)
    if (written !== null) println(io, `Wrote the ${options.format} comparison to ${written}.`)
  }
  return EXIT.ok
}

function renderText(result: CompareManyReport, color: boolean): string {
  const p = palette(color)
  const lines = ['', ` ${p.bold(p.cyan('vitest-judge'))}  ${result.columns.length} invocations side by side`]
  for (const column of result.columns) {
    lines.push(
      `   ${p.bold(clean(column.label, 40))}  ${clean(column.selector, 60)} · ${clean(column.invocationId, 30)} · ${formatTime(column.startedAt)}`,
    )
  }
  lines.push('')
  for (const matrix of result.variants) lines.push(renderVariantMatrixText(matrix, p), '')
  for (const { file, column } of result.unshared) {
    lines.push(` ${p.yellow('note')} ${clean(file, 100)} is only in ${clean(column, 40)}: not compared`)
  }
  return `${lines.join('\n').trimEnd()}\n`
}

function renderMarkdown(result: CompareManyReport): string {
  const lines = [`## vitest-judge: ${result.columns.length} invocations side by side`, '']
  for (const column of result.columns) {
    lines.push(
      `- **${escapeMarkdown(column.label, 60)}**: ${escapeMarkdown(column.selector, 80)} · ${escapeMarkdown(column.invocationId, 40)} · ${escapeMarkdown(column.startedAt, 40)}`,
    )
  }
  lines.push('')
  for (const matrix of result.variants)
    lines.push(renderVariantMatrixMarkdown(matrix, escapeMarkdown, { heading: '###' }), '')
  for (const { file, column } of result.unshared) {
    lines.push(`> ${escapeMarkdown(file, 100)} is only in ${escapeMarkdown(column, 60)}: not compared`)
  }
  return `${lines.join('\n').trimEnd()}\n`
}
