/**
 * The CLI's access to the state folder: `runs.db` opened lazily (read-only unless a command writes,
 * so that reading works while vitest writes and on a file a killed process left behind), and run
 * selectors turned into JSON reports, with report files read without needing a store at all.
 */

import { existsSync } from 'node:fs'
import { SelectorError, StoreError, UsageError } from '../errors.js'
import { mergeAgreements } from '../report/agreement.js'
import { recordedCost } from '../report/cost.js'
import { validateReport } from '../report/json.js'
import { type HumanLabel, indexLabels, labelRunKey, withCaseLabels } from '../report/labels.js'
import { runKey } from '../report/run-key.js'
import type { JsonReport } from '../report/types.js'
import { openRunStore } from '../store/open.js'
import { runsDbPath } from '../store/paths.js'
import { type ResolveOptions, resolveSelector } from '../store/selectors.js'
import { listStoreSpool, storeSpoolDir } from '../store/store-spool.js'
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
  /** The shared store's URL (`--store`, else VITEST_JUDGE_STORE_URL), or null for `<dir>/runs.db`. */
  readonly storeUrl: string | null
  private store: RunStore | undefined
  private storeWritable = false
  /** The open under way, so that concurrent first callers (the `ui` server's requests) share it. */
  private opening: Promise<RunStore> | undefined

  constructor(io: CliIo, dir: string, storeUrl?: string) {
    this.io = io
    this.dir = dir
    const url = storeUrl ?? (io.env.VITEST_JUDGE_STORE_URL || undefined)
    if (url !== undefined && !/^postgres(ql)?:\/\//i.test(url.trim())) {
      throw new UsageError(
        '--store (or VITEST_JUDGE_STORE_URL) must be a postgres:// URL, e.g. postgres://user@host:5432/db.',
      )
    }
    this.storeUrl = url?.trim() ?? null
  }

  /** Where the runs are, for messages: `<dir>/runs.db`, or the store URL without its password. */
  get runsFile(): string {
    if (this.storeUrl !== null) return withoutPassword(this.storeUrl)
    return displayPath(this.io, runsDbPath(this.dir))
  }

  /** Whether there is a run store to read (a shared store always is). */
  hasRuns(): boolean {
    return this.storeUrl !== null || existsSync(runsDbPath(this.dir))
  }

  /**
   * The run store; read-only unless `write`. A missing `runs.db` is a `StoreError` saying how to get
   * one: the CLI never creates an empty store by looking at it.
   */
  async runs(options: { write?: boolean } = {}): Promise<RunStore> {
    const write = options.write === true
    if (this.store !== undefined && (this.storeWritable || !write)) return this.store
    if (this.opening !== undefined) {
      if (!write) return this.opening
      // A write after a read-only open under way: that one lands first, then this one replaces it.
      await this.opening.catch(() => undefined)
      return this.runs(options)
    }
    this.opening = this.open(write).finally(() => {
      this.opening = undefined
    })
    return this.opening
  }

  private async open(write: boolean): Promise<RunStore> {
    if (!this.hasRuns()) {
      throw new StoreError(
        `No runs recorded in ${this.runsFile} yet: run vitest (with the vitest-judge plugin) first, ` +
          'or pass --dir (or set VITEST_JUDGE_DIR) to the folder it wrote to.',
      )
    }
    await this.store?.close()
    this.store = await openRunStore({ dir: this.dir, url: this.storeUrl, readonly: !write })
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
      report: await this.withLabels(await store.getReport(resolved.id)),
      origin: { kind: 'store', invocationId: resolved.id },
    }
    if (resolved.runId !== undefined) selection.runId = resolved.runId
    return selection
  }

  /**
   * The report with the store's current review labels beside its cases (`labels`, stale ones
   * marked), replacing what the run kept when it was recorded. A store from before labels has none.
   */
  async withLabels(report: JsonReport): Promise<JsonReport> {
    let labels: HumanLabel[]
    try {
      labels = await (await this.runs()).listLabels()
    } catch (error) {
      if (error instanceof StoreError || /no such table|does not exist/i.test(String(error))) return report
      throw error
    }
    const index = indexLabels(labels)
    return {
      ...report,
      runs: report.runs.map((run) => ({ ...run, cases: withCaseLabels(run.cases, index, labelRunKey(run)) })),
    }
  }

  /**
   * A line about invocations kept in `<dir>/store-spool` while the shared store was away (they are
   * in no store yet, so no listing shows them), or undefined when there are none.
   */
  spoolNote(): string | undefined {
    let waiting: number
    try {
      waiting = listStoreSpool(this.dir).length
    } catch {
      return undefined
    }
    if (waiting === 0) return undefined
    const where = displayPath(this.io, storeSpoolDir(this.dir))
    return (
      `${waiting} ${waiting === 1 ? 'invocation is' : 'invocations are'} kept in ${where} while the shared store was away, ` +
      'and not listed here: `vitest-judge store flush` writes them.'
    )
  }

  /** Closes the store, if it was opened. */
  async close(): Promise<void> {
    const opening = this.opening
    if (opening !== undefined) await opening.catch(() => undefined)
    const store = this.store
    this.store = undefined
    await store?.close()
  }
}
/**
 * `report` reduced to the runs of `files` (for a selector that named one run). When runs are left
 * out, the invocation's `cost` becomes that of the runs kept (without the budget, which was the
 * whole invocation's), and so does its judge-human `agreement`.
 */
export function onlyFiles(report: JsonReport, files: ReadonlySet<string>): JsonReport {
  const runs = report.runs.filter((run) => files.has(runKey(run)))
  if (runs.length === report.runs.length) return report
  const { cost: _cost, agreement: _agreement, ...rest } = report
  const cost = report.cost === undefined ? undefined : recordedCost(runs)
  const agreement = report.agreement === undefined ? undefined : mergeAgreements(runs)
  return {
    ...rest,
    runs,
    ...(cost ? { cost } : {}),
    ...(agreement && Object.keys(agreement).length > 0 ? { agreement } : {}),
  }
}

/** The key (`ReportRun.key`) of run `runId` in `report`. */
export function fileOfRun(report: JsonReport, runId: string): string {
  const run = report.runs.find((r) => r.id === runId)
  if (run === undefined) throw new SelectorError(`Run ${runId} is not in invocation ${report.invocation.id}.`)
  return runKey(run)
}

/** A URL with its password removed, for messages. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = ''
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1@')
  }
}
