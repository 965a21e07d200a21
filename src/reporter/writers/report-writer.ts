/**
 * The interface every report format's writer implements (JSON, JUnit, markdown, ...). The reporter
 * hands each finished file's run to every writer, spools the writers' per-run pieces, and at the
 * end asks each writer to write its file; it renders nothing itself.
 */
import type { GateFailure } from '../../report/compare.js'
import type { InvocationAggregates } from '../../report/html/page-data.js'
import type { ReportRunSummary, ReportSummary } from '../../report/summary.js'
import type { ReportInvocation, ReportRun } from '../../report/types.js'
import type { FileSink } from '../file-sink.js'

/**
 * A run's piece of a report file that holds every case: rendered as soon as the file finishes and
 * spooled to disk, so that the cases need not stay in memory until the end.
 */
export interface RunPiece {
  /** File extension of the spooled piece, unique among the writers (e.g. `json`). */
  readonly ext: string
  /** Renders the piece of `run` through `put`, a case at a time. */
  render(run: ReportRun, put: (text: string) => void, invocation: ReportInvocation): void
  /**
   * The piece redacts its text itself, before encoding it (the HTML report's compressed runs, whose
   * encoded text must not be touched afterwards).
   */
  readonly redacts?: boolean
}

/** What the reporter keeps of one finished file until the end of the invocation. */
export interface FileRecord {
  summary: ReportRunSummary
  /** The whole run, kept only when it could not be both saved and spooled. */
  full: ReportRun | undefined
  /** Whether the run is in the run store. */
  saved: boolean
  /** Index of the spooled pieces, or undefined when they were not written. */
  spooled: number | undefined
}

/** Everything a writer may read at the end of an invocation. */
export interface ReportEnd {
  /** The finished invocation, the run summaries (sorted by file) and the comparison. */
  report: ReportSummary
  /** The finished files, in the order of `report.runs`. */
  files: readonly FileRecord[]
  gateFailures: GateFailure[]
  notes: string[]
  /** Puts the piece of a file's run: the spooled copy (redacted when spooled), else rendered now and redacted. */
  putPiece(sink: FileSink, file: FileRecord, piece: RunPiece): void
  /** The baseline the comparison used (its invocation, files and runs with their cases), when there was one. */
  baseline?: BaselineSource
  /**
   * The spooled file of the baseline's piece of `file`, when the baseline's run was read (for the
   * comparison) and rendered while the invocation ran; undefined when the writer must render it.
   */
  spooledBaselinePiece(file: string, piece: RunPiece): string | undefined
  /** The experiment's newest invocations (runs without cases), newest first; undefined without a run store. */
  history?: (limit: number) => InvocationAggregates[] | Promise<InvocationAggregates[]>
}

/** A baseline's invocation and a reader of its runs. */
export interface BaselineSource {
  /** The stored invocation's id; undefined for a JSON report file. */
  id?: string
  invocation: ReportInvocation
  files: readonly string[]
  run(file: string): ReportRun | undefined | Promise<ReportRun | undefined>
}

/** Where writers put their files; failures are reported by the reporter and make the exit code 1. */
export interface ReportOutput {
  /** Writes `path` (nothing when `false`) through a temporary file; lists it as written or reports the failure. */
  stream(path: string | false, emit: (sink: FileSink) => void): void
  /** Reports a failure (redacted) and sets the exit code to 1. */
  fail(message: string): void
}

/** One report format. A writer lives for one invocation. */
export interface ReportWriter {
  /** Called with each finished file's whole run, while its cases are in memory. */
  addRun?(run: ReportRun): void
  /** The per-run piece to spool, for a format that holds every case. */
  readonly piece?: RunPiece
  /** The piece of a baseline's run, spooled when the baseline's run is read during the invocation. */
  readonly baselinePiece?: RunPiece
  /** Writes the report at the end of the invocation. */
  write(end: ReportEnd, out: ReportOutput): void | Promise<void>
}
