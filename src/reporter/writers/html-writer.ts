/**
 * `reports.html`: the self-contained HTML report. The invocation's runs are spooled as page JSON as
 * each file finishes; at the end the page is written around them, with the baseline's runs (for the
 * case diffs and the Compare view) and the experiment's recent history (for the trends).
 */
import { redact, redactor } from '../../redact.js'
import { pageAssets } from '../../report/html/assets.js'
import { type PageHeader, pageHeader, pageHistory } from '../../report/html/page-data.js'
import {
  encodeRun,
  INVOCATION_CLOSE,
  invocationOpen,
  pageHead,
  pageTail,
  RUN_SEPARATOR,
  scriptSafeJson,
} from '../../report/html/render-page.js'
import type { ReportRun } from '../../report/types.js'
import type { ReportEnd, ReportOutput, ReportWriter, RunPiece } from './report-writer.js'

/** The writer of `reports.html`. */
export class HtmlWriter implements ReportWriter {
  readonly piece: RunPiece = {
    ext: 'page.b64',
    redacts: true,
    render: (run, put) => put(encodeRun(run, false, redactor())),
  }

  readonly baselinePiece: RunPiece = {
    ext: 'base.page.b64',
    redacts: true,
    render: (run, put) => put(encodeRun(run, true, redactor())),
  }

  /**
   * @param path the report file.
   * @param gate whether a gate is evaluated (the page then shows its verdict).
   */
  constructor(
    private readonly path: string,
    private readonly gate: boolean,
  ) {
    // Read (and kept) now, while the tests run, not in the run's last milliseconds (about 3 ms);
    // a missing asset is reported when the page is written.
    try {
      pageAssets()
    } catch {}
  }

  async write(end: ReportEnd, out: ReportOutput): Promise<void> {
    const missing: string[] = []
    let history: PageHeader['history'] = null
    const experiment = end.report.invocation.experiment ?? 'default'
    if (end.history) history = await pageHistory(experiment, end.history, missing)
    else missing.push('Trends: runs are not recorded (no run store), so there is no history of this experiment.')
    const baseline = end.baseline
    const header = pageHeader({
      mode: 'file',
      report: end.report,
      comparison: end.report.comparison,
      hasBaseline: baseline !== undefined && baseline !== null,
      gateFailures: this.gate ? end.gateFailures : null,
      notes: end.notes,
      missing,
      history,
    })
    const assets = pageAssets()
    // The store is async and the page is streamed synchronously: the baseline's runs not spooled
    // while the invocation ran are read first.
    const baselineRuns = new Map<string, string | ReportRun | undefined>()
    if (baseline) {
      for (const file of baseline.files) {
        baselineRuns.set(file, end.spooledBaselinePiece(file, this.baselinePiece) ?? (await baseline.run(file)))
      }
    }
    out.stream(this.path, (sink) => {
      sink.put(pageHead(redact(scriptSafeJson(header)), header.mode, assets))
      sink.put(invocationOpen(redact(scriptSafeJson(end.report.invocation)), 0))
      end.files.forEach((file, i) => {
        if (i > 0) sink.put(RUN_SEPARATOR)
        end.putPiece(sink, file, this.piece)
      })
      sink.put(INVOCATION_CLOSE)
      if (baseline) {
        sink.put(invocationOpen(redact(scriptSafeJson(baseline.invocation)), 1))
        let first = true
        for (const run of baselineRuns.values()) {
          if (!run) continue
          if (!first) sink.put(RUN_SEPARATOR)
          first = false
          if (typeof run === 'string') sink.copy(run)
          else this.baselinePiece.render(run, (text) => sink.put(text), baseline.invocation)
        }
        sink.put(INVOCATION_CLOSE)
      }
      sink.put(pageTail(assets))
    })
  }
}
