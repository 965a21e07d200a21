/**
 * The CLI's access to the state folder: `runs.db` opened lazily (read-only unless a command writes,
 * so that reading works while vitest writes and on a file a killed process left behind), and run
 * selectors turned into JSON reports, with report files read without needing a store at all.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { SelectorError, StoreError } from '../errors.js'
import { parseReport, validateReport } from '../report/json.js'
import type { JsonReport } from '../report/types.js'
import { runsDbPath } from '../store/paths.js'
import { type ResolveOptions, RunStore } from '../store/run-store.js'
import { type CliIo, displayPath } from './io.js'

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
  runs(options: { write?: boolean } = {}): RunStore {
    const write = options.write === true
    if (this.store !== undefined && (this.storeWritable || !write)) return this.store
    if (!this.hasRuns()) {
      throw new StoreError(
        `No runs recorded in ${this.runsFile} yet: run vitest (with the vitest-judge plugin) first, ` +
          'or pass --dir (or set VITEST_JUDGE_DIR) to the folder it wrote to.',
      )
    }
    this.store?.close()
    this.store = new RunStore(this.dir, { readonly: !write })
    this.storeWritable = write
    return this.store
  }

  /**
   * Resolves a selector to a report. A path (it has a slash or ends in `.json`) is read as a JSON
   * report file without opening the store; anything else goes through `RunStore.resolveSelector`.
   */
  select(selector: string, options: ResolveOptions = {}): Selection {
    const sel = selector.trim()
    if (sel === '') throw new SelectorError(`An empty run selector selects nothing. ${SELECTOR_HELP}`)
    if (/[/\\]/.test(sel) || /\.json$/i.test(sel)) return this.readFile(sel)
    const resolved = this.runs().resolveSelector(sel, options)
    if (resolved.kind === 'report') {
      return {
        report: validateReport(resolved.report, displayPath(this.io, resolved.path)),
        origin: { kind: 'file', path: resolved.path },
      }
    }
    const selection: Selection = {
      report: this.runs().getReport(resolved.id),
      origin: { kind: 'store', invocationId: resolved.id },
    }
    if (resolved.runId !== undefined) selection.runId = resolved.runId
    return selection
  }

  /** Closes the store, if it was opened. */
  close(): void {
    this.store?.close()
    this.store = undefined
  }

  private readFile(selector: string): Selection {
    const path = resolve(this.io.cwd, selector)
    const shown = displayPath(this.io, path)
    if (!existsSync(path)) throw new SelectorError(`No JSON report at ${shown}. ${SELECTOR_HELP}`)
    if (statSync(path).isDirectory()) {
      throw new SelectorError(`${shown} is a folder, not a JSON report. ${SELECTOR_HELP}`)
    }
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error)
      throw new SelectorError(`Cannot read the JSON report ${shown} (${reason}).`)
    }
    return { report: parseReport(text, shown), origin: { kind: 'file', path } }
  }
}

/** The selector forms, for messages. */
export const SELECTOR_HELP =
  'A selector is `latest`, `previous`, an invocation or run id (or a unique prefix of 4+ characters), ' +
  '`tag:<name>`, `branch:<name>`, or the path of a JSON report (e.g. .vitest-judge/report.json).'

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
