/** The report writers of one invocation, in the order their files are written. */
import type { ResolvedVitestJudgeOptions } from '../../config.js'
import { HtmlWriter } from './html-writer.js'
import { JsonWriter } from './json-writer.js'
import { JunitWriter } from './junit-writer.js'
import { MarkdownWriter } from './markdown-writer.js'
import type { ReportWriter } from './report-writer.js'

/** New writers for the reports `options` ask for (the markdown writer also feeds `GITHUB_STEP_SUMMARY`). */
export function createWriters(
  options: Pick<ResolvedVitestJudgeOptions, 'reports' | 'junit' | 'gate' | 'githubStepSummary'> & {
    traces?: { inReport: boolean }
  },
): ReportWriter[] {
  const writers: ReportWriter[] = []
  if (options.reports.json !== false)
    writers.push(new JsonWriter(options.reports.json, options.traces?.inReport ?? true))
  if (options.reports.junit !== false) writers.push(new JunitWriter(options.reports.junit, options.junit))
  writers.push(new MarkdownWriter(options.reports.markdown, options.githubStepSummary))
  if (options.reports.html !== false) writers.push(new HtmlWriter(options.reports.html, options.gate.enabled))
  return writers
}
