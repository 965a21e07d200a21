/**
 * The reporter's side of a shared store that goes away mid-run: once a write fails for good (after
 * the retry window), the invocation's writes go to the local store spool instead (see
 * `store/store-spool.ts`), the run goes on, and the console says what was kept, where, and how it
 * reaches the store. At the start of the next run against the store the spool is written first.
 */

import { isAbsolute, relative } from 'node:path'
import type { ResolvedVitestJudgeOptions } from '../config.js'
import { formatWorkflowCommand } from '../report/github-annotations.js'
import { plural } from '../report/text.js'
import { flushStoreSpool, InvocationSpool, listStoreSpool, storeSpoolDir } from '../store/store-spool.js'
import type { NewInvocation, RunStore } from '../store/types.js'

/** Where the outage's messages go. */
export interface OutageLog {
  /** A line that does not change the exit code. */
  warn(message: string): void
  /** A failure: the exit code becomes 1. */
  fail(message: string): void
  /** A workflow command line, printed as is (with option `githubAnnotations`). */
  command(line: string): void
}

/** A path relative to the project when inside it, else absolute. */
function shownPath(root: string, path: string): string {
  const rel = relative(root, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

const HOW =
  'they are written to the store at the start of the next run against it, or now by `vitest-judge store flush`'

/** One invocation's writes while the shared store is away. */
export class StoreOutage {
  private kept: InvocationSpool | undefined

  constructor(
    private readonly options: ResolvedVitestJudgeOptions,
    private readonly invocation: NewInvocation,
    private readonly log: OutageLog,
    private readonly location: () => string | undefined,
  ) {}

  /** Whether the invocation's writes go to the spool. */
  get active(): boolean {
    return this.kept !== undefined
  }

  /**
   * Keeps a write (`what`, e.g. "save the run of a.eval.ts") in the spool, after the store failed
   * with `error` (undefined when it is already away). False when the store is not shared (the
   * SQLite file gets no spool: the caller reports the failure); true once spooled, or once the spool
   * failed too (then reported here, exit code 1).
   */
  spool(what: string, error: unknown, write: (spool: InvocationSpool) => void): boolean {
    if (!this.options.store) return false
    if (!this.kept) {
      this.kept = new InvocationSpool(this.options.dir, this.invocation)
      const reason = error instanceof Error ? error.message : String(error)
      this.log.warn(
        `vitest-judge: cannot ${what}: ${reason}\n` +
          `vitest-judge: the run store is away: this invocation's runs are kept in ${this.shown()} from now on; ${HOW}.`,
      )
    }
    try {
      write(this.kept)
    } catch (spoolError) {
      this.log.fail(
        `vitest-judge: cannot ${what}, and cannot keep it in ${this.shown()} either: ${(spoolError as Error).message}`,
      )
    }
    return true
  }

  /** The note of a run whose store went away: no baseline was read. */
  baselineNote(): string {
    return `No baseline to compare with (${this.options.baseline}): the run store was away, so it was not read.`
  }

  /** The closing message of an invocation kept in the spool (nothing when the store stayed). */
  report(): void {
    if (!this.kept) return
    const where = this.location()
    const message =
      `the run store${where ? ` ${where}` : ''} was away: ${plural(this.kept.runCount, 'run')} of invocation ` +
      `${this.invocation.id} ${this.kept.runCount === 1 ? 'is' : 'are'} kept in ${this.shown()}, nothing is lost; ${HOW}.`
    this.log.warn(`vitest-judge: ${message}`)
    // On a CI runner the state folder goes with the job: the warning shows on the run's page.
    if (this.options.githubAnnotations) {
      this.log.command(formatWorkflowCommand({ command: 'warning', properties: { title: 'vitest-judge' }, message }))
    }
  }

  private shown(): string {
    return this.kept ? shownPath(this.options.root, this.kept.path) : ''
  }
}

/**
 * Writes what an earlier run left in the spool into `store` (just reached at the start of a run),
 * saying what it wrote; a failure is a warning (the spool is kept), never this run's failure.
 */
export async function flushSpoolAtStart(
  options: ResolvedVitestJudgeOptions,
  store: RunStore,
  log: OutageLog,
): Promise<void> {
  const where = shownPath(options.root, storeSpoolDir(options.dir))
  let result: Awaited<ReturnType<typeof flushStoreSpool>>
  try {
    if (listStoreSpool(options.dir).length === 0) return
    result = await flushStoreSpool(options.dir, store)
  } catch (error) {
    log.warn(`vitest-judge: cannot read ${where}: ${(error as Error).message}`)
    return
  }
  const runs = result.written.reduce((n, w) => n + w.runs, 0)
  if (result.written.length > 0) {
    log.warn(
      `vitest-judge: wrote ${plural(runs, 'run')} of ${plural(result.written.length, 'invocation')} kept in ${where} ` +
        `while the store was away to ${store.location}.`,
    )
  }
  for (const left of result.left) log.warn(`vitest-judge: left invocation ${left.id} in ${where}: ${left.reason}.`)
  if (result.error) {
    log.warn(
      `vitest-judge: cannot write the runs kept in ${where}: ${result.error.message} They stay there; ` +
        'run `vitest-judge store flush` once the store is back.',
    )
  }
}

/** Says that runs wait in the spool when this run does not use a shared store (they are never written to runs.db). */
export function spoolWaitingNotice(options: ResolvedVitestJudgeOptions, log: OutageLog): void {
  let waiting: number
  try {
    waiting = listStoreSpool(options.dir).length
  } catch {
    return
  }
  if (waiting === 0) return
  const where = shownPath(options.root, storeSpoolDir(options.dir))
  log.warn(
    `vitest-judge: ${plural(waiting, 'invocation')} kept in ${where} ${waiting === 1 ? 'waits' : 'wait'} for the shared store ` +
      'it was meant for: run with that store (option `store` / VITEST_JUDGE_STORE_URL), or `vitest-judge store flush --store URL`.',
  )
}
