/** `reports.junit`: the JUnit XML, one `<testsuite>` per file spooled as its file finishes. */
import { redact } from '../../redact.js'
import {
  type JunitOptions,
  type JunitTotals,
  junitTotals,
  renderJunitFooter,
  renderJunitHeader,
  writeJunitSuite,
} from '../../report/junit.js'
import type { ReportRun } from '../../report/types.js'
import type { ReportEnd, ReportOutput, ReportWriter, RunPiece } from './report-writer.js'

/** The writer of `reports.junit`. */
export class JunitWriter implements ReportWriter {
  readonly piece: RunPiece = {
    ext: 'xml',
    render: (run, put, invocation) => writeJunitSuite(run, invocation.startedAt, put, this.options),
  }
  /** Run id -> the counts of its suite, for the header written before the suites. */
  private readonly totals = new Map<string, JunitTotals>()

  /**
   * @param path the report file.
   * @param options what the file holds beyond Jenkins' `junit-10.xsd` (the `junit` plugin option).
   */
  constructor(
    private readonly path: string,
    private readonly options: JunitOptions = {},
  ) {}

  addRun(run: ReportRun): void {
    this.totals.set(run.id, junitTotals(run))
  }

  write(end: ReportEnd, out: ReportOutput): void {
    out.stream(this.path, (sink) => {
      const totals: JunitTotals = { tests: 0, failures: 0, errors: 0, ms: 0 }
      for (const file of end.files) {
        const junit = this.totals.get(file.summary.id)
        if (!junit) continue
        totals.tests += junit.tests
        totals.failures += junit.failures
        totals.errors += junit.errors
        totals.ms += junit.ms
      }
      sink.put(redact(renderJunitHeader(totals, {}, end.files.length === 0)))
      if (end.files.length === 0) return
      for (const file of end.files) {
        end.putPiece(sink, file, this.piece)
        sink.put('\n')
      }
      sink.put(renderJunitFooter())
    })
  }
}
