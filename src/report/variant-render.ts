/**
 * Renderings of the variant matrix: terminal text (reporter console and `compare A B C`) and
 * markdown (PR comment, `compare --format markdown`). Pure functions over a {@link VariantMatrix}.
 * Labels and outputs are untrusted text: made safe for the terminal, escaped for markdown.
 */

import type { Palette } from './console.js'
import { formatUsd } from './cost.js'
import { excerpt, formatCount, formatP, formatPercent, formatValue, plural } from './text.js'
import type { VariantCell, VariantMatrix, VariantMetricRow } from './types.js'

/** Marks in the cells: the best column, and a column significantly worse than the leader. */
export const BEST_MARK = '★'
export const WORSE_MARK = '▼'

function cellText(cell: VariantCell | undefined): string {
  if (!cell || cell.mean === null) return '-'
  const ci = cell.ci ? ` [${formatValue(cell.ci[0])}, ${formatValue(cell.ci[1])}]` : ''
  return `${formatValue(cell.mean)}${ci}`
}

function mark(row: VariantMetricRow, column: number): string {
  if (row.best === column) return ` ${BEST_MARK}`
  if (row.worse.includes(column)) return ` ${WORSE_MARK}`
  return ''
}

function adjustedBetween(row: VariantMetricRow, a: number, b: number): number | null {
  const pair = row.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a))
  return pair?.pAdjusted ?? null
}

/** The verdict of one metric as a sentence, with `label` giving each column's shown name. */
export function verdictText(
  matrix: VariantMatrix,
  row: VariantMetricRow,
  label: (i: number) => string,
  metric: string = row.metric,
): string {
  if (row.verdict === 'undecided') {
    return `${metric}: undecided (fewer than two columns with at least two matched cases)`
  }
  const leader = row.leaders[0] as number
  const worse = row.worse.map((i) => `${label(i)} (p_adj ${formatP(adjustedBetween(row, leader, i))})`).join(', ')
  if (row.verdict === 'best') return `${metric}: best ${label(leader)}, better than ${worse}`
  const tie = `${metric}: tie between ${row.leaders.map(label).join(', ')} (no significant difference at alpha ${matrix.alpha}, Holm)`
  return worse ? `${tie}; worse than ${label(leader)}: ${worse}` : tie
}

function pad(text: string, width: number): string {
  const length = [...text].length
  return length >= width ? text : text + ' '.repeat(width - length)
}

/** The matrix as terminal lines. */
export function renderVariantMatrixText(matrix: VariantMatrix, p: Palette, opts: { maxLabel?: number } = {}): string {
  const maxLabel = opts.maxLabel ?? 24
  const labels = matrix.columns.map((c) => excerpt(c.label, maxLabel))
  const rows: [string, string[]][] = []
  for (const row of matrix.metrics) {
    rows.push([excerpt(row.metric, 60), row.cells.map((cell, i) => `${cellText(cell)}${mark(row, i)}`)])
    if (row.cells.some((c) => c.passRate !== null))
      rows.push(['  pass rate', row.cells.map((c) => formatPercent(c.passRate))])
  }
  const usage = matrix.usage
  if (usage.taskTokens.some((v) => v !== null))
    rows.push(['task tokens/case', usage.taskTokens.map((v) => formatValue(v))])
  if (usage.latencyMs.some((v) => v !== null))
    rows.push(['task latency ms', usage.latencyMs.map((v) => formatValue(v))])
  rows.push(['judge tokens', usage.judgeTokens.map((v) => formatCount(v))])
  if (usage.judgeCostUsd.some((v) => v !== null))
    rows.push(['judge cost', usage.judgeCostUsd.map((v) => (v === null ? '-' : formatUsd(v)))])
  const first = Math.max(18, ...rows.map(([name]) => [...name].length)) + 2
  const widths = labels.map(
    (l, i) => Math.max([...l].length, ...rows.map(([, cells]) => [...(cells[i] ?? '')].length)) + 2,
  )
  const cases = Math.max(0, ...matrix.columns.map((c) => c.cases))
  const lines = [
    `${p.bold(' variants ')} ${p.cyan(excerpt(matrix.file, 80))} ${p.dim(`· ${matrix.columns.length} columns · ${plural(cases, 'case')} · mean [95% t interval]; ${BEST_MARK} best, ${WORSE_MARK} worse than the leader (paired sign-flip, Holm, alpha ${matrix.alpha})`)}`,
    `  ${pad('', first)}${labels.map((l, i) => p.bold(pad(l, widths[i] ?? 0))).join('')}`.trimEnd(),
  ]
  for (const [name, cells] of rows) {
    const painted = cells.map((text, i) => {
      const padded = pad(text, widths[i] ?? 0)
      if (text.endsWith(BEST_MARK)) return p.green(padded)
      if (text.endsWith(WORSE_MARK)) return p.red(padded)
      return padded
    })
    lines.push(`  ${pad(name, first)}${painted.join('')}`.trimEnd())
  }
  for (const row of matrix.metrics) {
    const icon = row.verdict === 'best' ? p.green(BEST_MARK) : row.verdict === 'tie' ? p.yellow('=') : p.dim('?')
    lines.push(`  ${icon} ${verdictText(matrix, row, (i) => labels[i] ?? String(i), excerpt(row.metric, 80))}`)
  }
  for (const divergent of matrix.divergentCases) {
    lines.push(
      `  ${p.bold('case')} ${excerpt(divergent.name, 100)} ${p.dim(`(${divergent.metric} spread ${formatValue(divergent.spread)})`)}`,
    )
    matrix.columns.forEach((_c, i) => {
      lines.push(
        `    ${pad(labels[i] ?? '', Math.max(...labels.map((l) => [...l].length)))}  ${pad(formatValue(divergent.scores[i]), 6)}  ${excerpt(divergent.outputs[i] ?? '-', 120)}`,
      )
    })
  }
  return lines.join('\n')
}

/** Escapes untrusted text for markdown, cut to `max` characters (the markdown report's escaper). */
export type MarkdownEscape = (text: string, max: number) => string

/** The matrix as a markdown section (a table and the verdicts). */
export function renderVariantMatrixMarkdown(
  matrix: VariantMatrix,
  escapeMarkdown: MarkdownEscape,
  opts: { heading?: string } = {},
): string {
  const labels = matrix.columns.map((c) => escapeMarkdown(c.label, 60))
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`
  const lines = [
    // Escaped text outside a code span: inside one, its entities would show literally.
    `${opts.heading ?? '####'} Variants: ${escapeMarkdown(matrix.file, 200)}`,
    '',
    row(['metric', ...labels]),
    row(['---', ...labels.map(() => '---:')]),
  ]
  for (const metric of matrix.metrics) {
    lines.push(
      row([
        escapeMarkdown(metric.metric, 60),
        ...metric.cells.map((cell, i) => {
          const text = `${cellText(cell)}${mark(metric, i)}`
          const pass = cell.passRate === null ? '' : `<br>pass ${formatPercent(cell.passRate)}`
          return metric.best === i ? `**${text}**${pass}` : `${text}${pass}`
        }),
      ]),
    )
  }
  const usage = matrix.usage
  if (usage.taskTokens.some((v) => v !== null))
    lines.push(row(['task tokens/case', ...usage.taskTokens.map((v) => formatValue(v))]))
  if (usage.latencyMs.some((v) => v !== null))
    lines.push(row(['task latency ms', ...usage.latencyMs.map((v) => formatValue(v))]))
  lines.push(row(['judge tokens', ...usage.judgeTokens.map((v) => formatCount(v))]))
  if (usage.judgeCostUsd.some((v) => v !== null))
    lines.push(row(['judge cost', ...usage.judgeCostUsd.map((v) => (v === null ? '-' : formatUsd(v)))]))
  lines.push('')
  for (const metric of matrix.metrics) {
    const icon = metric.verdict === 'best' ? BEST_MARK : metric.verdict === 'tie' ? '=' : '?'
    lines.push(
      `- ${icon} ${verdictText(matrix, metric, (i) => labels[i] ?? String(i), escapeMarkdown(metric.metric, 60))}`,
    )
  }
  lines.push(
    '',
    `<sub>mean [95% Student t interval over cases]; ${BEST_MARK} best only when better than every other column by the paired sign-flip test on matched cases, Holm-adjusted, alpha ${matrix.alpha}; ${WORSE_MARK} significantly worse than the leader.</sub>`,
  )
  if (matrix.divergentCases.length > 0) {
    lines.push(
      '',
      '<details><summary>Most divergent cases</summary>',
      '',
      row(['case', ...labels]),
      row(['---', ...labels.map(() => '---')]),
    )
    for (const divergent of matrix.divergentCases) {
      lines.push(
        row([
          escapeMarkdown(divergent.name, 120),
          ...divergent.scores.map(
            (score, i) => `${formatValue(score)}: ${escapeMarkdown(divergent.outputs[i] ?? '-', 200)}`,
          ),
        ]),
      )
    }
    lines.push('', '</details>')
  }
  return lines.join('\n')
}
