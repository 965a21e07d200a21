/**
 * Markdown summary for a pull request comment or `GITHUB_STEP_SUMMARY`: a status line, a table
 * of files, the most regressed cases, and per-file metric tables folded in `<details>`. Everything
 * that comes from a run (model output, case and file names) goes through {@link escapeMarkdown}.
 */

import { labelNote } from './agreement.js'
import { type GateFailure, replayedText, tooFewCasesText } from './compare.js'
import { costLines, describeAppUsage, describeCost } from './cost.js'
import { runKey } from './run-key.js'
import { type ReportRunSummary, type ReportSummary, type SummaryInput, summarizeReport } from './summary.js'
import { excerpt, formatDelta, formatP, formatPercent, formatValue, plural } from './text.js'
import type { CaseDelta, MetricAgreement, MetricComparison, ReportComparison, RunComparison } from './types.js'
import { renderVariantMatrixMarkdown } from './variant-render.js'

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /**
   * Title in the status line.
   * @default 'vitest-judge'
   */
  title?: string
  /**
   * Most regressed (or failed) cases listed, overall and per file.
   * @default 10
   */
  maxCases?: number
  /**
   * Hidden HTML comment at the top, used to find and update a sticky PR comment; `false` for none.
   * @default '<!-- vitest-judge -->'
   */
  marker?: string | false
  /** Gate failures to list under the status line (they also make the status ❌). */
  gateFailures?: GateFailure[]
  /** Notes to list (e.g. why there is no baseline). */
  notes?: string[]
  /**
   * Longest output in characters; details of files without problems are dropped first to fit
   * (GitHub comments hold 65,536).
   * @default 60000
   */
  maxLength?: number
}

/** The default sticky-comment marker. */
export const MARKDOWN_MARKER = '<!-- vitest-judge -->'

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '|': '&#124;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '~': '&#126;',
  $: '&#36;',
}

/**
 * Escapes untrusted text for one markdown table cell or HTML line, cut to `max` characters: one
 * line (newlines become spaces), no control characters, HTML and markdown punctuation as entities
 * (so no tags, links, images, emphasis, math or table breaks), and a zero-width space after `@`,
 * `#` before a digit, `www.` and `://` so that nobody is mentioned, no issue is referenced and no URL
 * is linked. Entities rather than backslashes, so that no backslash can pair up with a `|`.
 *
 * The summary is also read raw (terminals, logs), so a character is left as it is where markdown
 * gives it no meaning: `_` between two letters or digits (`answer_similarity`: GFM never emphasizes
 * inside a word), `<` not followed by what starts a tag or an autolink (`p=<0.001`), `>` but at the
 * start (a quote), `&` not followed by what starts an entity, and `"` (no data goes in an attribute).
 */
export function escapeMarkdown(text: string | undefined | null, max = 120): string {
  return excerpt(text, max)
    .replace(/@/g, '@\u200b')
    .replace(/#(?=\d)/g, '#\u200b')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/(www)\./gi, '$1\u200b.')
    .replace(
      /[|\\`*[\]~$]|&(?=[#A-Za-z0-9])|<(?=[A-Za-z/!?])|^>|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g,
      (c) => ENTITIES[c] ?? c,
    )
}

// Names that read the same in a code span as in the source: no backtick, pipe or backslash.
const CODE_SAFE = /^[A-Za-z0-9_.:#/@+= -]+$/

/**
 * A metric name for markdown: a code span (`` `answer_similarity` ``) when it holds only
 * characters a code span shows as they are, else {@link escapeMarkdown}. Mentions, issue references
 * and links are not made inside a code span.
 */
export function markdownName(name: string, max = 60): string {
  const text = excerpt(name, max)
  return text && CODE_SAFE.test(text) && text.trim() === text ? `\`${text}\`` : escapeMarkdown(name, max)
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`
}

function header(names: string[], align: string[]): string[] {
  return [row(names), row(align)]
}

const METRIC_STATUS: Record<MetricComparison['status'], string> = {
  regressed: '❌ regressed',
  improved: '✅ improved',
  unchanged: '➖ unchanged',
  new: '🆕 new',
  removed: '🗑️ removed',
}

interface FileView {
  file: string
  run: ReportRunSummary | undefined
  comparison: RunComparison | undefined
  failed: number
  judgeErrors: number
  regressed: number
  improved: number
  gateFailures: number
  /** 2: regression or gate failure, 1: failed cases or judge errors, 0: fine. */
  severity: number
}

function fileViews(report: ReportSummary, gateFailures: GateFailure[]): FileView[] {
  // Keyed by run key: a file's variants are shown as runs of their own.
  const files = new Set([...report.runs.map(runKey), ...(report.comparison?.runs ?? []).map(runKey)])
  const runs = new Map(report.runs.map((r) => [runKey(r), r]))
  const comparisons = new Map((report.comparison?.runs ?? []).map((r) => [runKey(r), r]))
  const views = [...files].map((file): FileView => {
    const run = runs.get(file)
    const comparison = comparisons.get(file)
    const failed = run?.failedCount ?? 0
    const judgeErrors = run?.judgeErrors ?? 0
    const regressed = comparison?.metrics.filter((m) => m.status === 'regressed').length ?? 0
    const improved = comparison?.metrics.filter((m) => m.status === 'improved').length ?? 0
    const gate = gateFailures.filter((g) => (g.key ?? g.file) === file).length
    const severity =
      regressed > 0 || gate > 0 ? 2 : failed > 0 || judgeErrors > 0 || run?.status === 'interrupted' ? 1 : 0
    return { file, run, comparison, failed, judgeErrors, regressed, improved, gateFailures: gate, severity }
  })
  return views.sort((a, b) => b.severity - a.severity || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}

const SEVERITY_ICON = ['✅', '⚠️', '❌']

function significance(m: MetricComparison): string {
  const few = tooFewCasesText(m)
  const warning = few ? ` ⚠️ ${few}` : ''
  if (m.pValue === null) return `n/a${warning}`
  const p = formatP(m.pValue)
  if (m.pAdjusted === undefined || m.pAdjusted === null) {
    const outside = m.pAdjusted === null && m.kind === 'measurement' ? ', not gated' : ''
    return `${m.significant ? `**${p}**` : p} (${m.test}${outside})${warning}`
  }
  const adjusted = formatP(m.pAdjusted)
  // The adjusted p-value is one-sided (the gate's) when `pOneSided` was recorded, and the raw one two-sided.
  const label = m.pOneSided === undefined ? 'adj.' : 'one-sided adj.'
  return `${p}, ${label} ${m.significant ? `**${adjusted}**` : adjusted} (${m.test})${warning}`
}

/** `, gate: one-sided p-values, Tarone-Holm over 30 tests (…)` when the comparison records a correction. */
function correctionText(comparison: ReportComparison): string {
  const c = comparison.correction
  if (!c) return ''
  if (c.sided === 'one-sided') {
    const left = c.excluded > 0 ? `; ${c.excluded} more could not reach α/${c.tests} with so few changed cases` : ''
    return (
      `; p is two-sided; the gate's p-values are one-sided (each metric's worse direction), adjusted by Tarone's ` +
      `procedure with Holm's step-down over ${plural(c.tests, 'test')} (adj.: family-wise error at most α${left})`
    )
  }
  const left = c.excluded > 0 ? `; ${c.excluded} more could not reach α with so few changed cases` : ''
  return `, Holm's step-down correction over ${plural(c.tests, 'test')} (adj. p: family-wise error at most α${left})`
}

function metricTable(view: FileView): string[] {
  const lines: string[] = []
  const run = view.run
  if (view.comparison) {
    lines.push(
      ...header(
        ['metric', 'baseline', 'current', 'delta', 'significance (p)', 'status'],
        [':---', '---:', '---:', '---:', '---:', ':---'],
      ),
    )
    for (const m of view.comparison.metrics) {
      const n = run?.aggregates[m.metric]?.n
      lines.push(
        row([
          markdownName(m.metric, 60),
          formatValue(m.baseMean),
          `${formatValue(m.headMean)}${n !== undefined ? ` (n=${n})` : ''}`,
          formatDelta(m.delta),
          significance(m),
          METRIC_STATUS[m.status],
        ]),
      )
    }
  } else if (run) {
    lines.push(
      ...header(
        ['metric', 'n', 'mean', 'p90', 'min', 'max', 'pass rate'],
        [':---', '---:', '---:', '---:', '---:', '---:', '---:'],
      ),
    )
    for (const [metric, a] of Object.entries(run.aggregates)) {
      lines.push(
        row([
          markdownName(metric, 60),
          String(a.n),
          a.n > 0 ? formatValue(a.mean) : '-',
          a.n > 0 ? formatValue(a.p90) : '-',
          a.n > 0 ? formatValue(a.min) : '-',
          a.n > 0 ? formatValue(a.max) : '-',
          a.n > 0 ? formatPercent(a.pass_rate) : '-',
        ]),
      )
    }
  }
  return lines
}

function caseTable(deltas: CaseDelta[], withFile: Map<CaseDelta, string> | null): string[] {
  const names = [...(withFile ? ['file'] : []), 'case', 'metric', 'baseline', 'current', 'delta', 'output']
  const lines = header(
    names,
    names.map((n) => (['baseline', 'current', 'delta'].includes(n) ? '---:' : ':---')),
  )
  for (const d of deltas) {
    const ci = d.ci ? ` [${formatValue(d.ci[0])}, ${formatValue(d.ci[1])}]` : ''
    lines.push(
      row([
        ...(withFile ? [escapeMarkdown(withFile.get(d), 60)] : []),
        escapeMarkdown(d.name, 80),
        markdownName(d.metric, 40),
        formatValue(d.base),
        `${formatValue(d.head)}${ci}`,
        formatDelta(d.delta),
        escapeMarkdown(d.output, 120),
      ]),
    )
  }
  return lines
}

function failedCaseTable(run: ReportRunSummary, max: number): string[] {
  const failed = run.failedCases.slice(0, max)
  if (failed.length === 0) return []
  const lines = header(['case', 'why', 'output'], [':---', ':---', ':---'])
  for (const c of failed) {
    const reasons: string[] = []
    for (const [key, result] of Object.entries(c.metrics ?? {})) {
      if (result.error) reasons.push(`${key}: judge error ${result.error.code}`)
      else if (result.pass === false) {
        reasons.push(`${key} ${formatValue(result.score)} < ${formatValue(result.threshold ?? null)}`)
      }
    }
    if (reasons.length === 0 && c.error) reasons.push(c.error)
    lines.push(
      row([escapeMarkdown(c.name, 80), escapeMarkdown(reasons.join('; '), 120), escapeMarkdown(c.output, 120)]),
    )
  }
  return lines
}

function fileDetails(view: FileView, maxCases: number): string {
  const parts: string[] = []
  const bits: string[] = []
  if (view.regressed > 0) bits.push(`${view.regressed} regressed`)
  if (view.improved > 0) bits.push(`${view.improved} improved`)
  if (view.failed > 0) bits.push(`${view.failed} failed`)
  if (view.judgeErrors > 0) bits.push(plural(view.judgeErrors, 'judge error'))
  if (view.comparison?.status === 'new') bits.push('new file')
  if (view.comparison?.status === 'removed') bits.push('removed file')
  const summary = `${SEVERITY_ICON[view.severity]} ${escapeMarkdown(view.file, 100)}${bits.length ? `: ${bits.join(', ')}` : ''}`
  parts.push(`<details><summary>${summary}</summary>`, '')
  parts.push(...metricTable(view), '')
  const regressed = view.comparison?.regressedCases.slice(0, maxCases) ?? []
  if (regressed.length > 0) parts.push('Most regressed cases:', '', ...caseTable(regressed, null), '')
  else if (view.run && view.failed > 0) parts.push('Failed cases:', '', ...failedCaseTable(view.run, maxCases), '')
  const changes: string[] = []
  if (view.comparison?.status === 'matched') {
    if (view.comparison.newCases.length > 0) changes.push(`${view.comparison.newCases.length} new cases`)
    if (view.comparison.removedCases.length > 0) changes.push(`${view.comparison.removedCases.length} removed cases`)
    const changedCases = view.comparison.changedCases?.length ?? 0
    if (changedCases > 0)
      changes.push(`${changedCases} changed cases (new input, expected text or context: not compared)`)
  }
  const replayed = view.comparison ? replayedText(view.comparison) : null
  if (replayed) changes.push(replayed)
  else if (view.run?.appCache && view.run.appCache.replayedCases > 0) {
    changes.push(`app calls replayed in ${view.run.appCache.replayedCases} of ${view.run.caseCount} cases (recordings)`)
  }
  if (view.run) {
    const { hits, misses } = view.run.cache
    changes.push(
      `cache ${hits} hits / ${misses} misses`,
      `judge tokens ${view.run.tokens.input} in / ${view.run.tokens.output} out`,
    )
    if (view.run.cost) changes.push(escapeMarkdown(describeCost(view.run.cost), 300))
    if (view.run.app) changes.push(escapeMarkdown(describeAppUsage(view.run.app), 300))
  }
  if (changes.length > 0) parts.push(changes.join(' · '), '')
  parts.push('</details>')
  return parts.join('\n')
}

/** The judge-human agreement: one row per metric, then each metric's confusion matrix and largest disagreements, folded. */
function agreementSection(agreement: Record<string, MetricAgreement>): string[] {
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2))
  const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)}%`)
  const lines = [
    '**Agreement with human labels** (quadratic-weighted kappa, 95% percentile-bootstrap interval)',
    '',
    ...header(
      ['metric', 'n', 'kappa', '95% CI', 'Spearman', 'exact', 'within one'],
      [':---', '---:', '---:', ':---:', '---:', '---:', '---:'],
    ),
  ]
  for (const a of Object.values(agreement)) {
    const ci = a.kappaCi ? `${f(a.kappaCi[0])} to ${f(a.kappaCi[1])}` : 'n/a'
    lines.push(
      row([escapeMarkdown(a.metric, 80), String(a.n), f(a.kappa), ci, f(a.spearman), pct(a.exact), pct(a.withinOne)]),
    )
  }
  const notes = Object.values(agreement)
    .filter((a) => a.fromLabels || a.datasetWon)
    .map((a) => `${escapeMarkdown(a.metric, 80)}:${escapeMarkdown(labelNote(a).replace(/^ ·/, ''), 300)}`)
  if (notes.length > 0) lines.push('', notes.join('  \n'))
  for (const a of Object.values(agreement)) {
    lines.push(
      '',
      `<details><summary>${escapeMarkdown(a.metric, 80)}: confusion matrix and largest disagreements</summary>`,
      '',
    )
    lines.push(...header(['human \\ judge', '1', '2', '3', '4', '5'], [':---', '---:', '---:', '---:', '---:', '---:']))
    a.confusion.forEach((counts, i) => {
      lines.push(row([`**${i + 1}**`, ...counts.map(String)]))
    })
    if (a.disagreements.length > 0) {
      lines.push('', ...header(['case', 'human', 'judge', 'justification'], [':---', '---:', '---:', ':---']))
      for (const d of a.disagreements) {
        const name = d.file ? `${d.file}: ${d.case}` : d.case
        lines.push(
          row([
            escapeMarkdown(name, 120),
            String(d.human),
            String(d.judge),
            escapeMarkdown(d.justification ?? '', 200),
          ]),
        )
      }
    }
    lines.push('', '</details>')
  }
  return lines
}

/**
 * Renders the report as markdown for a PR comment. Status: ❌ when a gate failed or a metric
 * regressed, ⚠️ when cases failed or judges errored, ✅ otherwise. With a comparison, each file
 * gets metric | baseline | current | delta | significance (p) | status; without one, the current
 * aggregates. Files with problems come first; the output stays under `maxLength`.
 */
export function renderMarkdown(input: SummaryInput, opts: MarkdownOptions = {}): string {
  const report = summarizeReport(input)
  const title = escapeMarkdown(opts.title ?? 'vitest-judge', 80)
  const maxCases = opts.maxCases ?? 10
  const maxLength = opts.maxLength ?? 60_000
  const gateFailures = opts.gateFailures ?? []
  const comparison = report.comparison
  const views = fileViews(report, gateFailures)
  const cases = report.runs.reduce((s, r) => s + r.caseCount, 0)
  const failed = views.reduce((s, v) => s + v.failed, 0)
  const judgeErrors = views.reduce((s, v) => s + v.judgeErrors, 0)
  const regressed = views.reduce((s, v) => s + v.regressed, 0)
  const improved = views.reduce((s, v) => s + v.improved, 0)
  const severity = Math.max(0, ...views.map((v) => v.severity), gateFailures.length > 0 ? 2 : 0)

  const top: string[] = []
  const marker = opts.marker === undefined ? MARKDOWN_MARKER : opts.marker
  if (marker) top.push(marker)
  const facts = [plural(report.runs.length, 'file'), plural(cases, 'case')]
  if (failed > 0) facts.push(`${failed} failed`)
  if (judgeErrors > 0) facts.push(plural(judgeErrors, 'judge error'))
  if (comparison) {
    facts.push(`${regressed} ${regressed === 1 ? 'metric' : 'metrics'} regressed`, `${improved} improved`)
  }
  if (gateFailures.length > 0) facts.push(`gate failed (${gateFailures.length})`)
  top.push(`## ${SEVERITY_ICON[severity]} ${title}: ${facts.join(' · ')}`, '')
  if (comparison) {
    top.push(
      `Baseline **${escapeMarkdown(comparison.base.label, 60)}** → current **${escapeMarkdown(comparison.head.label, 60)}** ` +
        `· significance: paired sign-flip / unpaired permutation test, α = ${comparison.alpha}${correctionText(comparison)}`,
      '',
    )
  } else top.push('No baseline to compare with: current aggregates only.', '')
  if (gateFailures.length > 0) {
    top.push('**Gate failures**', '', ...gateFailures.map((g) => `- ${escapeMarkdown(g.message, 300)}`), '')
  }
  if (opts.notes?.length) top.push(...opts.notes.map((n) => `> ${escapeMarkdown(n, 300)}`), '')
  if (report.cost)
    top.push(
      costLines(report.cost)
        .map((line) => escapeMarkdown(line, 400))
        .join('  \n'),
      '',
    )
  if (report.app) top.push(escapeMarkdown(describeAppUsage(report.app), 400), '')
  if (report.agreement && Object.keys(report.agreement).length > 0) top.push(...agreementSection(report.agreement), '')

  const summaryNames = comparison
    ? ['', 'file', 'cases', 'failed', 'judge errors', 'regressed', 'improved']
    : ['', 'file', 'cases', 'failed', 'judge errors']
  top.push(
    ...header(
      summaryNames,
      summaryNames.map((_, i) => (i < 2 ? ':---' : '---:')),
    ),
  )
  for (const v of views) {
    const cells = [
      SEVERITY_ICON[v.severity] ?? '',
      escapeMarkdown(v.file, 100),
      String(v.run?.caseCount ?? 0),
      String(v.failed),
      String(v.judgeErrors),
    ]
    if (comparison) cells.push(String(v.regressed), String(v.improved))
    top.push(row(cells))
  }
  top.push('')

  if (comparison) {
    const fileOf = new Map<CaseDelta, string>()
    const all: CaseDelta[] = []
    for (const run of comparison.runs) {
      for (const d of run.regressedCases) {
        fileOf.set(d, runKey(run))
        all.push(d)
      }
    }
    // Only score-kind drops share one scale, so only they are ranked across files.
    const scoreDrops = all.filter((d) => d.kind !== 'measurement')
    scoreDrops.sort((a, b) => Math.abs(b.delta ?? 0) - Math.abs(a.delta ?? 0))
    if (scoreDrops.length > 0) {
      top.push('### Most regressed cases', '', ...caseTable(scoreDrops.slice(0, maxCases), fileOf), '')
    }
  }

  for (const matrix of report.variants ?? []) top.push(renderVariantMatrixMarkdown(matrix, escapeMarkdown), '')

  const details = views.map((v) => ({ view: v, text: fileDetails(v, maxCases) }))
  const head = top.join('\n')
  let budget = maxLength - head.length - 200
  const kept: string[] = []
  let omitted = 0
  // Files with problems first (views are sorted that way), then the rest while there is room.
  for (const d of details) {
    if (d.text.length + 2 <= budget) {
      kept.push(d.text)
      budget -= d.text.length + 2
    } else omitted++
  }
  const tail = omitted > 0 ? [`_Details of ${omitted} files omitted to fit; see the JSON report._`, ''] : []
  return `${[head, ...kept.flatMap((k) => [k, '']), ...tail].join('\n').trimEnd()}\n`
}
