/**
 * The spool of one invocation: the report writers' per-run pieces, written as each file finishes
 * to a folder inside the state folder (so a run killed before its end leaves nothing outside
 * `<dir>`), copied into the report files at the end, then removed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { redactor } from '../redact.js'
import type { ReportInvocation, ReportRun } from '../report/types.js'
import { writeSink } from './file-sink.js'
import type { RunPiece } from './writers/report-writer.js'

/** A spool folder, made on the first piece. */
export class Spool {
  private dir: string | undefined
  private failed = false

  private baselineId: string | undefined
  /** File -> index of the baseline's spooled run pieces. */
  private readonly baseline = new Map<string, number>()

  /** @param parent the state folder. */
  constructor(private readonly parent: string) {}

  private ensureDir(): string {
    if (!this.dir) {
      mkdirSync(this.parent, { recursive: true })
      this.dir = mkdtempSync(join(this.parent, '.spool-'))
    }
    return this.dir
  }

  /**
   * Writes the pieces of `run` under `index`; false when they could not all be written (then, and
   * for every later run, the reports are rendered at the end from the runs kept in memory).
   */
  put(index: number, run: ReportRun, pieces: readonly RunPiece[], invocation: ReportInvocation): boolean {
    if (this.failed || pieces.length === 0) return false
    try {
      const dir = this.ensureDir()
      // Redacted a case at a time: a secret sits inside one case's text, never across two.
      const clean = redactor()
      for (const piece of pieces) {
        writeSink(join(dir, `${index}.${piece.ext}`), (sink) =>
          piece.render(run, (t) => sink.put(piece.redacts ? t : clean(t)), invocation),
        )
      }
      return true
    } catch {
      this.failed = true
      return false
    }
  }

  /**
   * Writes the pieces of a baseline's run (`baseId`'s run of `file`), read while the invocation ran:
   * at the end they are copied instead of being read and rendered again. Redacted as in `put`.
   */
  putBaseline(
    baseId: string,
    file: string,
    run: ReportRun,
    pieces: readonly RunPiece[],
    invocation: ReportInvocation,
  ): void {
    if (this.failed || pieces.length === 0) return
    // Pieces of another baseline (the selector named another invocation at the end) are not reused.
    if (this.baselineId !== undefined && this.baselineId !== baseId) this.baseline.clear()
    if (this.baseline.has(file)) return
    try {
      const dir = this.ensureDir()
      const index = this.baseline.size
      for (const piece of pieces) {
        const clean = redactor()
        writeSink(join(dir, `base-${index}.${piece.ext}`), (sink) =>
          piece.render(run, (t) => sink.put(piece.redacts ? t : clean(t)), invocation),
        )
      }
      this.baselineId = baseId
      this.baseline.set(file, index)
    } catch {
      // The piece is then rendered at the end from the store.
    }
  }

  /** The spooled piece of the baseline `baseId`'s run of `file`, or undefined. */
  baselinePath(baseId: string, file: string, ext: string): string | undefined {
    const index = this.baseline.get(file)
    if (!this.dir || index === undefined || this.baselineId !== baseId) return undefined
    return join(this.dir, `base-${index}.${ext}`)
  }

  /** The file of a spooled piece, or undefined when nothing was spooled. */
  path(index: number, ext: string): string | undefined {
    return this.dir ? join(this.dir, `${index}.${ext}`) : undefined
  }

  /** Removes the folder. */
  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true })
    this.dir = undefined
    this.baseline.clear()
  }
}
