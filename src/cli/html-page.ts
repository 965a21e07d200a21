/**
 * The HTML page of `vitest-judge report` and `vitest-judge ui`, assembled from selected invocations
 * (store or JSON report files): the first is the page's own, the second (or, for one invocation of
 * the store, the previous one of its experiment) its baseline, and all of them in the Compare view.
 */

import { DEFAULT_ALPHA } from '../defaults.js'
import { SelectorError, StoreError } from '../errors.js'
import { redact } from '../redact.js'
import { compareReports } from '../report/compare.js'
import { pageAssets } from '../report/html/assets.js'
import { type PageHeader, pageHeader, pageHistory, runsAppUsage } from '../report/html/page-data.js'
import { renderPage } from '../report/html/render-page.js'
import type { JsonReport } from '../report/types.js'
import { variantMatricesOf } from '../report/variant-matrix.js'
import { fileOfRun, onlyFiles, type Selection, type State } from './state.js'

/** Options of {@link buildPage}. */
export interface BuildPageOptions {
  /** @default 'file' */
  mode?: PageHeader['mode']
  /** Live mode: the page follows the newest invocation. */
  follow?: boolean
  /** Significance level of the comparison. @default 0.05 */
  alpha?: number
}

async function previousOf(state: State, head: Selection): Promise<Selection | undefined> {
  if (head.origin.kind !== 'store') return undefined
  const experiment = head.report.invocation.experiment
  try {
    return await state.select('previous', {
      before: head.report.invocation.id,
      ...(experiment !== undefined ? { experiment } : {}),
    })
  } catch (error) {
    if (error instanceof SelectorError) return undefined
    throw error
  }
}

/** The page (HTML text) for `selectors`, read through `state`. */
export async function buildPage(
  state: State,
  selectors: readonly string[],
  options: BuildPageOptions = {},
): Promise<string> {
  const selections: Selection[] = []
  for (const sel of selectors) selections.push(await state.select(sel))
  const head = selections[0]
  if (!head) throw new SelectorError('No invocation to show.')
  const notes: string[] = []
  const missing: string[] = []
  if (selections.length === 1) {
    const previous = await previousOf(state, head)
    if (previous) selections.push(previous)
  }
  // A run id shows that run's file only, as `show` does.
  const reports: JsonReport[] = selections.map((s) =>
    s.runId === undefined ? s.report : onlyFiles(s.report, new Set([fileOfRun(s.report, s.runId)])),
  )
  const headReport = reports[0] as JsonReport
  const baseReport = reports[1]
  let comparison = headReport.comparison
  if (baseReport) {
    comparison = compareReports(
      baseReport,
      { ...headReport, comparison: null },
      { alpha: options.alpha ?? DEFAULT_ALPHA },
    )
  } else if (comparison) {
    missing.push('The baseline named in this report is not available: its cases are not shown beside these.')
  } else notes.push('No baseline to compare with: the previous invocation of this experiment is not recorded.')
  let history: PageHeader['history'] = null
  if (state.hasRuns()) {
    const experiment = head.report.invocation.experiment ?? 'default'
    history = await pageHistory(
      experiment,
      async (limit) => (await state.runs()).listInvocations({ limit, experiment }),
      missing,
      (error) => error instanceof StoreError,
    )
  } else missing.push(`Trends: no run history in ${state.runsFile} (the report was made from report files only).`)
  const header = pageHeader({
    mode: options.mode ?? 'file',
    report: headReport,
    comparison,
    hasBaseline: baseReport !== undefined,
    notes,
    missing,
    history,
    // A report file carries its matrices; an invocation read back from the store gets them made the same way.
    variants:
      (head.runId === undefined ? headReport.variants : undefined) ??
      variantMatricesOf(headReport.runs, { alpha: options.alpha ?? DEFAULT_ALPHA }),
    follow: options.follow === true,
    // An invocation read back from the store has no total of its own: its runs' figures make it.
    app: runsAppUsage(headReport.runs) ?? null,
  })
  return renderPage(
    header,
    reports.map((report) => ({ invocation: report.invocation, runs: report.runs })),
    pageAssets(),
    redact,
  )
}

/** A live page without an invocation: it says why and reloads when the first one completes. */
export function emptyPage(reason: string): string {
  const header = pageHeader({ mode: 'live', report: null, missing: [reason], follow: true })
  return renderPage(header, [], pageAssets(), redact)
}
