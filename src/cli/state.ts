/**
 * The CLI's access to the state folder: `runs.db` opened lazily (read-only unless a command writes,
 * so that reading works while vitest writes and on a file a killed process left behind), and run
 * selectors turned into JSON reports, with report files read without needing a store at all.
 */
import { existsSync } from 'node:fs'
import { SelectorError, StoreError } from '../errors.js'
import { validateReport } from '../report/json.js'
import type { JsonReport } from '../report/types.js'
import { openRunStore } from '../store/open.js'
import { runsDbPath } from '../store/paths.js'
import { type ResolveOptions, resolveSelector } from '../store/selectors.js'
import type { RunStore } from '../store/types.js'
import { type CliIo, displayPath } from './io.js'

export { SELECTOR_HELP } from '../store/selectors.js'

/** What a selector designated, as a report. */
export interface Selection {
  /** The whole invocation's report (validated when it came from a file). */
  report: JsonReport
  /** Where it came from: an invocation of the store, or a JSON report file. */
  origin: { kind: 'store'; invocationId: string } | { kind: 'file'; path: string }
  /** The run the selector named, when it was a run id. */
  runId?: string
}

/** The state folder of one command: the run store, opened on first use and closed by `close()`. */
export class State {
  /** Absolute path of the state folder. */
  readonly dir: string
  private readonly io: CliIo
  private store: RunStore | undefined
  private storeWritable = false

  constructor(io: CliIo, dir: string) {
    this.io = io
    this.dir = dir
  }

  /** `<dir>/runs.db` for messages. */
  get runsFile(): string {
    return displayPath(this.io, runsDbPath(this.dir))
  }

  /** Whether `runs.db` exists. */
  hasRuns(): boolean {
    return existsSync(runsDbPath(this.dir))
  }

  /**
   * The run store; read-only unless `write`. A missing `runs.db` is a `StoreError` saying how to get
   * one: the CLI never creates an empty store by looking at it.
   */
  async runs(options: { write?: boolean } = {}): Promise<RunStore> {
    const write = options.write === true
    if (this.store !== undefined && (this.storeWritable || !write)) return this.store
    if (!this.hasRuns()) {
      throw new StoreError(
        `No runs recorded in ${this.runsFile} yet: run vitest (with the vitest-judge plugin) first, ` +
          'or pass --dir (or set VITEST_JUDGE_DIR) to the folder it wrote to.',
      )
    }
    await this.store?.close()
    this.store = await openRunStore({ dir: this.dir, readonly: !write })
    this.storeWritable = write
    return this.store
  }

  /**
   * Resolves a selector to a report (see `resolveSelector`: a report path never opens the store).
   */
  async select(selector: string, options: ResolveOptions = {}): Promise<Selection> {
    const resolved = await resolveSelector(selector, () => this.runs(), {
      ...options,
      cwd: this.io.cwd,
      display: (path) => displayPath(this.io, path),
    })
    if (resolved.kind === 'report') {
      return {
        report: validateReport(resolved.report, displayPath(this.io, resolved.path)),
        origin: { kind: 'file', path: resolved.path },
      }
    }
    const store = await this.runs()
    const selection: Selection = {
      report: await store.getReport(resolved.id),
      origin: { kind: 'store', invocationId: resolved.id },
    }
    if (resolved.runId !== undefined) selection.runId = resolved.runId
    return selection
  }

  /** Closes the store, if it was opened. */
  async close(): Promise<void> {
    const store = this.store
    this.store = undefined
    await store?.close()
  }
}
/** `report` reduced to the runs of `files` (for a selector that named one run). */
export function onlyFiles(report: JsonReport, files: ReadonlySet<string>): JsonReport {
  return { ...report, runs: report.runs.filter((run) => files.has(run.file)) }
}

/** The file of run `runId` in `report`. */
export function fileOfRun(report: JsonReport, runId: string): string {
  const run = report.runs.find((r) => r.id === runId)
  if (run === undefined) throw new SelectorError(`Run ${runId} is not in invocation ${report.invocation.id}.`)
  return run.file
}
