/**
 * The reporter's terminal summary: per file a compact table of the aggregates (with the
 * comparison columns when there is a baseline), the top regressed cases, then gate failures,
 * notes and the files written. Bounded for large runs: past `maxFiles` only files with problems
 * are shown, plus a count of the rest.
 */

import { describeAgreement } from './agreement.js'
import { type GateFailure, replayedText, tooFewCasesText } from './compare.js'
import { costLines, describeAppUsage, formatUsd } from './cost.js'
import { runKey } from './run-key.js'
import { type ReportRunSummary, type SummaryInput, summarizeReport } from './summary.js'
import { excerpt, formatCount, formatDelta, formatP, formatPercent, formatValue, plural } from './text.js'
import type { MetricComparison, RunComparison } from './types.js'
import { renderVariantMatrixText } from './variant-render.js'

/** Options of {@link renderConsole}. */
export interface ConsoleOptions {
  /** Whether to use ANSI colors. */
  color: boolean
  /**
   * Line width to fit in.
   * @default 100
   */
  width?: number
  /**
   * Files shown in full; beyond it only files with failures, judge errors or regressions are.
   * @default 20
   */
  maxFiles?: number
  /**
   * Regressed cases listed per file.
   * @default 3
   */
  maxCases?: number
  /** Paths of the reports written, shown last. */
  filesWritten?: string[]
  /** Gate failures, listed after the files. */
  gateFailures?: GateFailure[]
  /** Notes (no baseline, warnings), listed after the files. */
  notes?: string[]
}

/** One ANSI style; the identity when colors are off. */
export type Paint = (text: string) => string

/** The ANSI styles the console output uses. */
export interface Palette {
  bold: Paint
  dim: Paint
  red: Paint
  green: Paint
  yellow: Paint
  cyan: Paint
}

/** The styles for `color` on or off. */
export function palette(color: boolean): Palette {
  const code =
    (open: number, close: number): Paint =>
    (text) =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text
  return {
    bold: code(1, 22),
    dim: code(2, 22),
    red: code(31, 39),
    green: code(32, 39),
    yellow: code(33, 39),
    cyan: code(36, 39),
  }
}

/** Cuts `text` to `max` characters keeping both ends (file paths keep their file name). */
function middle(text: string, max: number): string {
  if (text.length <= max) return text
  const keep = Math.max(1, max - 1)
  const front = Math.ceil(keep / 3)
  return `${text.slice(0, front)}…${text.slice(text.length - (keep - front))}`
}

/** Untrusted text as one safe line of at most `max` characters. */
function safe(text: string | undefined | null, max: number): string {
  return excerpt(text, max)
}

interface FileSummary {
  run: ReportRunSummary | undefined
  file: string
  comparison: RunComparison | undefined
  failed: number
  problems: boolean
}

/** Aggregate columns and their widths. */
const COLUMNS: [string, number][] = [
  ['n', 6],
  ['mean', 8],
  ['var', 8],
  ['p90', 8],
  ['min', 8],
  ['max', 8],
  ['pass', 8],
]
const DELTA_WIDTH = 10
/** Gate failures listed one per line; the rest are counted. */
const MAX_GATE_LINES = 10
const P_WIDTH = 8

function metricRows(summary: FileSummary, width: number, p: Palette): string[] {
  const run = summary.run
  const compared = new Map((summary.comparison?.metrics ?? []).map((m) => [m.metric, m]))
  const metrics = [...new Set([...Object.keys(run?.aggregates ?? {}), ...compared.keys()])]
  if (metrics.length === 0) return []
  const withComparison = summary.comparison !== undefined && summary.comparison.status !== 'new'
  const adjusted = withComparison && summary.comparison?.metrics.some((m) => m.pAdjusted !== undefined)
  const fixed =
    4 + COLUMNS.reduce((s, [, w]) => s + w, 0) + (withComparison ? DELTA_WIDTH + P_WIDTH : 0) + (adjusted ? P_WIDTH : 0)
  const longest = Math.max(6, ...metrics.map((m) => m.length))
  // Names get what the width leaves, but never less than 18 (answer_correctness) nor more than they need.
  const nameWidth = Math.min(longest, Math.max(18, Math.min(40, width - fixed)))
  const pad = (cells: string[]) => cells.map((c, i) => c.padStart(COLUMNS[i]?.[1] ?? 8)).join('')
  const lines = [
    p.dim(
      `    ${'metric'.padEnd(nameWidth)}${pad(COLUMNS.map(([name]) => name))}` +
        `${withComparison ? `${'delta'.padStart(DELTA_WIDTH)}${'p(2s)'.padStart(P_WIDTH)}` : ''}` +
        `${adjusted ? 'p1 adj'.padStart(P_WIDTH) : ''}`,
    ),
  ]
  const warnings: string[] = []
  for (const metric of metrics) {
    const a = run?.aggregates[metric]
    const has = a !== undefined && a.n > 0
    const cells = [
      String(a?.n ?? 0),
      has ? formatValue(a.mean) : '-',
      has ? formatValue(a.variance) : '-',
      has ? formatValue(a.p90) : '-',
      has ? formatValue(a.min) : '-',
      has ? formatValue(a.max) : '-',
      has ? formatPercent(a.pass_rate) : '-',
    ]
    let tail = ''
    const m: MetricComparison | undefined = compared.get(metric)
    if (withComparison && m) {
      if (m.status === 'new' || m.status === 'removed') tail = m.status.padStart(DELTA_WIDTH)
      else {
        const arrow = m.status === 'regressed' ? '▼' : m.status === 'improved' ? '▲' : ' '
        const delta = `${formatDelta(m.delta)} ${arrow}`.padStart(DELTA_WIDTH)
        const paint = m.status === 'regressed' ? p.red : m.status === 'improved' ? p.green : (t: string) => t
        tail = `${paint(delta)}${formatP(m.pValue).padStart(P_WIDTH)}`
        // A measurement outside the gate's family has no adjusted p-value: it is shown, not gated.
        if (adjusted)
          tail += (m.pAdjusted === null || m.pAdjusted === undefined ? '-' : formatP(m.pAdjusted)).padStart(P_WIDTH)
        const few = tooFewCasesText(m)
        if (few) warnings.push(`    ${p.yellow('!')} ${middle(safe(metric, 200), nameWidth)}: ${few}`)
      }
    }
    lines.push(`    ${middle(safe(metric, 200), nameWidth).padEnd(nameWidth)}${pad(cells)}${tail}`)
  }
  return [...lines, ...warnings]
}

function fileBlock(
  summary: FileSummary,
  opts: Required<Pick<ConsoleOptions, 'width' | 'maxCases'>>,
  p: Palette,
): string[] {
  const { run, comparison } = summary
  const width = opts.width
  const mark = summary.problems ? p.red('✗') : p.green('✓')
  const facts: string[] = []
  if (run) {
    facts.push(`${run.caseCount} cases`)
    if (summary.failed > 0) facts.push(p.red(`${summary.failed} failed`))
    if (run.judgeErrors > 0) facts.push(p.yellow(`${run.judgeErrors} judge errors`))
    if ((run.retries ?? 0) > 0) facts.push(`${run.retries} retries`)
    facts.push(`cache ${formatCount(run.cache.hits)}/${formatCount(run.cache.misses)}`)
    facts.push(`tokens ${formatCount(run.tokens.input)}/${formatCount(run.tokens.output)}`)
    if (run.cost) facts.push(run.cost.usd === null ? p.yellow('cost unknown') : `cost ${formatUsd(run.cost.usd)}`)
    if (run.app) facts.push(safe(describeAppUsage(run.app), 300))
    if (run.status === 'interrupted') facts.push(p.yellow('interrupted'))
    const app = run.appCache
    if (app && app.replayedCases > 0) facts.push(p.yellow(`app replayed ${app.replayedCases}/${run.caseCount} cases`))
    if (app && app.misses > 0) facts.push(p.red(`${app.misses} replay misses`))
    if (app && app.recorded > 0) facts.push(`app recorded ${app.recorded} calls`)
  }
  if (comparison?.status === 'new') facts.push(p.cyan('new file'))
  if (comparison?.status === 'removed') facts.push(p.yellow('removed file (in baseline only)'))
  const name = middle(safe(summary.file, 400), Math.max(20, Math.min(70, width - 40)))
  const lines = [` ${mark} ${p.bold(name)}  ${p.dim(facts.join(' · '))}`]
  lines.push(...metricRows(summary, width, p))
  if (comparison) {
    for (const d of comparison.regressedCases.slice(0, opts.maxCases)) {
      const ci = d.ci ? ` [${formatValue(d.ci[0])}, ${formatValue(d.ci[1])}]` : ''
      const what = `${formatValue(d.base)} → ${formatValue(d.head)}${ci}`
      const label = safe(d.name, 40)
      const room = Math.max(10, width - 12 - label.length - d.metric.length - what.length)
      const output = d.output ? p.dim(` "${safe(d.output, room)}"`) : ''
      lines.push(`    ${p.red('↓')} ${label}  ${safe(d.metric, 40)} ${what}${output}`)
    }
    const more = comparison.regressedCases.length - opts.maxCases
    const changes: string[] = []
    if (more > 0) changes.push(`${more} more regressed cases in the report`)
    if (comparison.status === 'matched' && comparison.newCases.length > 0)
      changes.push(`${comparison.newCases.length} new cases`)
    if (comparison.status === 'matched' && comparison.removedCases.length > 0) {
      changes.push(`${comparison.removedCases.length} removed cases`)
    }
    const changedCases = comparison.changedCases?.length ?? 0
    if (comparison.status === 'matched' && changedCases > 0) {
      changes.push(`${changedCases} changed cases (new input, expected text or context: not compared)`)
    }
    const replayed = replayedText(comparison)
    if (replayed) changes.push(replayed)
    if (changes.length > 0) lines.push(p.dim(`    ${changes.join(' · ')}`))
  }
  return lines
}

/**
 * Renders the terminal summary. Everything that comes from a run is stripped of control
 * characters and cut to the width; colors are plain ANSI codes, only when `color` is true.
 */
export function renderConsole(input: SummaryInput, opts: ConsoleOptions): string {
  const report = summarizeReport(input)
  const p = palette(opts.color)
  const width = Math.max(60, opts.width ?? 100)
  const maxFiles = opts.maxFiles ?? 20
  const maxCases = opts.maxCases ?? 3
  const gateFailures = opts.gateFailures ?? []
  const comparisons = new Map((report.comparison?.runs ?? []).map((r) => [runKey(r), r]))
  const runs = new Map(report.runs.map((r) => [runKey(r), r]))
  const files = [...new Set([...runs.keys(), ...comparisons.keys()])].sort()
  const summaries: FileSummary[] = files.map((file) => {
    const run = runs.get(file)
    const comparison = comparisons.get(file)
    const failed = run?.failedCount ?? 0
    const regressed = comparison?.metrics.some((m) => m.status === 'regressed') ?? false
    const problems =
      failed > 0 ||
      (run?.judgeErrors ?? 0) > 0 ||
      regressed ||
      run?.status === 'interrupted' ||
      gateFailures.some((g) => (g.key ?? g.file) === file)
    return { run, file, comparison, failed, problems }
  })

  const totals = { cases: 0, failed: 0, judgeErrors: 0, retries: 0, hits: 0, misses: 0, input: 0, output: 0 }
  for (const run of report.runs) {
    totals.cases += run.caseCount
    totals.judgeErrors += run.judgeErrors
    totals.retries += run.retries ?? 0
    totals.hits += run.cache.hits
    totals.misses += run.cache.misses
    totals.input += run.tokens.input
    totals.output += run.tokens.output
  }
  for (const s of summaries) totals.failed += s.failed
  const regressedMetrics = (report.comparison?.runs ?? []).reduce(
    (n, r) => n + r.metrics.filter((m) => m.status === 'regressed').length,
    0,
  )

  const lines: string[] = ['']
  const facts = [plural(report.runs.length, 'file'), plural(totals.cases, 'case')]
  facts.push(totals.failed > 0 ? p.red(`${totals.failed} failed`) : '0 failed')
  if (totals.judgeErrors > 0) facts.push(p.yellow(`${totals.judgeErrors} judge errors`))
  if (totals.retries > 0) facts.push(`${totals.retries} retries`)
  facts.push(`cache ${formatCount(totals.hits)} hits / ${formatCount(totals.misses)} misses`)
  facts.push(`judge tokens ${formatCount(totals.input)} in / ${formatCount(totals.output)} out`)
  lines.push(` ${p.bold(p.cyan('vitest-judge'))}  ${facts.join(' · ')}`)
  if (report.cost) {
    for (const line of costLines(report.cost)) lines.push(` ${safe(line, 400)}`)
  }
  if (report.app) lines.push(` ${safe(describeAppUsage(report.app), 400)}`)
  for (const a of Object.values(report.agreement ?? {}))
    lines.push(` judge vs human ${safe(describeAgreement(a), 400)}`)
  if (report.comparison) {
    const c = report.comparison
    const verdict =
      regressedMetrics > 0
        ? p.red(`${regressedMetrics} ${regressedMetrics === 1 ? 'metric' : 'metrics'} regressed`)
        : p.green('no significant regression')
    // Tests that could not reach alpha / K (too few changed cases) are left out of the count.
    const all = (c.correction?.tests ?? 0) + (c.correction?.excluded ?? 0)
    const over = c.correction?.excluded ? `${c.correction.tests} of ${all} tests` : plural(all, 'test')
    const correction = !c.correction
      ? ''
      : c.correction.sided === 'one-sided'
        ? `, one-sided Tarone-Holm over ${over}`
        : `, Holm over ${over}`
    lines.push(
      ` baseline ${safe(c.base.label, 40)} → current ${safe(c.head.label, 40)} (alpha ${c.alpha}${correction}): ${verdict}`,
    )
  }
  lines.push('')

  const shown = summaries.length <= maxFiles ? summaries : summaries.filter((s) => s.problems).slice(0, maxFiles)
  for (const s of shown) lines.push(...fileBlock(s, { width, maxCases }, p), '')
  const hidden = summaries.length - shown.length
  if (hidden > 0) {
    const hiddenProblems = summaries.filter((s) => s.problems).length - shown.filter((s) => s.problems).length
    const detail = hiddenProblems > 0 ? `${hiddenProblems} of them with problems, ` : ''
    lines.push(p.dim(` … ${hidden} more files not shown (${detail}see the JSON report)`), '')
  }
  for (const matrix of report.variants ?? []) lines.push(renderVariantMatrixText(matrix, p), '')

  // Gate failures and notes are what the reader must act on: cut generously, the terminal wraps.
  for (const g of gateFailures.slice(0, MAX_GATE_LINES)) lines.push(` ${p.red('✗ gate')} ${safe(g.message, 400)}`)
  if (gateFailures.length > MAX_GATE_LINES) {
    lines.push(
      ` ${p.red('✗ gate')} … and ${gateFailures.length - MAX_GATE_LINES} more gate failures (see the markdown summary)`,
    )
  }
  for (const note of opts.notes ?? []) lines.push(` ${p.yellow('note')} ${safe(note, 400)}`)
  if (opts.filesWritten?.length) {
    lines.push(` ${p.dim('reports')} ${opts.filesWritten.map((f) => safe(f, 200)).join(', ')}`)
  }
  if (gateFailures.length > 0 || opts.notes?.length || opts.filesWritten?.length) lines.push('')
  return lines.join('\n')
}
