/** `reports.markdown`, and the same summary appended to `GITHUB_STEP_SUMMARY` when it is set. */
import { appendFileSync } from 'node:fs'
import { redact } from '../../redact.js'
import { renderMarkdown } from '../../report/markdown.js'
import type { ReportEnd, ReportOutput, ReportWriter } from './report-writer.js'

/** The writer of `reports.markdown` and of the GitHub step summary. */
export class MarkdownWriter implements ReportWriter {
  /**
   * @param path the report file, or `false` for the step summary only.
   * @param summaryFile GITHUB_STEP_SUMMARY (resolved option `githubStepSummary`), or null.
   */
  constructor(
    private readonly path: string | false,
    private readonly summaryFile: string | null = null,
  ) {}

  write(end: ReportEnd, out: ReportOutput): void {
    const render = () => renderMarkdown(end.report, { gateFailures: end.gateFailures, notes: end.notes })
    let markdown: string | undefined
    out.stream(this.path, (sink) => {
      markdown = render()
      sink.put(redact(markdown))
    })
    const summaryFile = this.summaryFile
    if (!summaryFile) return
    try {
      appendFileSync(summaryFile, `${redact(markdown ?? render())}\n`)
    } catch (error) {
      out.fail(`vitest-judge: cannot append to GITHUB_STEP_SUMMARY: ${(error as Error).message}`)
    }
  }
}
