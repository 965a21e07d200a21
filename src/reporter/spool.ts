/**
 * The spool of one invocation: the report writers' per-run pieces, written as each file finishes
 * to a folder inside the state folder (so a run killed before its end leaves nothing outside
 * `<dir>`), copied into the report files at the end, then removed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { redact } from '../redact.js'
import type { ReportInvocation, ReportRun } from '../report/types.js'
import { writeSink } from './file-sink.js'
import type { RunPiece } from './writers/report-writer.js'

/** A spool folder, made on the first piece. */
export class Spool {
  private dir: string | undefined
  private failed = false

  /** @param parent the state folder. */
  constructor(private readonly parent: string) {}

  /**
   * Writes the pieces of `run` under `index`; false when they could not all be written (then, and
   * for every later run, the reports are rendered at the end from the runs kept in memory).
   */
  put(index: number, run: ReportRun, pieces: readonly RunPiece[], invocation: ReportInvocation): boolean {
    if (this.failed || pieces.length === 0) return false
    try {
      if (!this.dir) {
        mkdirSync(this.parent, { recursive: true })
        this.dir = mkdtempSync(join(this.parent, '.spool-'))
      }
      const dir = this.dir
      // Redacted a case at a time: a secret sits inside one case's text, never across two.
      for (const piece of pieces) {
        writeSink(join(dir, `${index}.${piece.ext}`), (sink) =>
          piece.render(run, (t) => sink.put(piece.redacts ? t : redact(t)), invocation),
        )
      }
      return true
    } catch {
      this.failed = true
      return false
    }
  }

  /** The file of a spooled piece, or undefined when nothing was spooled. */
  path(index: number, ext: string): string | undefined {
    return this.dir ? join(this.dir, `${index}.${ext}`) : undefined
  }

  /** Removes the folder. */
  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true })
    this.dir = undefined
  }
}
