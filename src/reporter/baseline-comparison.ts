/**
 * The comparison of an invocation with its baseline, one file at a time: each run is compared with
 * the baseline's run of its file as soon as it finishes when the baseline is a complete stored
 * invocation, and the rest at the end.
 */
import type { ResolvedVitestJudgeOptions } from '../config.js'
import { SelectorError, VitestJudgeError } from '../errors.js'
import { baselineForComparison, compareReports, correctFamily } from '../report/compare.js'
import { runKey } from '../report/run-key.js'
import type { JsonReport, ReportComparison, ReportInvocation, ReportRun, RunComparison } from '../report/types.js'
import { type ResolvedSelector, resolveSelector } from '../store/selectors.js'
import type { RunStore } from '../store/types.js'
import type { BaselineSource } from './writers/report-writer.js'

/** The baseline resolved during the run, while it is a complete stored invocation. */
interface EarlyBaseline {
  baseId: string
  invocation: ReportInvocation
  /** File -> comparison of the head run with the baseline run of that file. */
  comparisons: Map<string, RunComparison>
}

/** A stored baseline's run read for the comparison, for the writers to render once. */
export interface EarlyBaselineRun {
  baseId: string
  invocation: ReportInvocation
  run: ReportRun
}

/** A head run to compare at the end: its file, and how to get its cases. */
export interface HeadRun {
  /** The run's key (`ReportRun.key`). */
  file: string
  run: () => ReportRun | Promise<ReportRun>
}

function compareSorted(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function singleRunReport(invocation: ReportInvocation, run: ReportRun | undefined): JsonReport {
  return { version: 1, invocation, runs: run ? [run] : [], comparison: null }
}

/** The baseline comparison of one invocation. */
export class BaselineComparison {
  private early: EarlyBaseline | null | undefined
  /** `early` being resolved (once per invocation). */
  private resolving: Promise<EarlyBaseline | null> | undefined
  /** Baseline runs read ahead ({@link prefetch}), by run key, until {@link addRun} takes them. */
  private readonly prefetched = new Map<string, Promise<ReportRun | undefined>>()
  /** The baseline {@link finish} compared with, for the writers that show its cases. */
  source: BaselineSource | undefined

  /**
   * @param onBaseRun receives every run of a stored baseline read for the comparison (during the
   * run or at its end), so that the writers render it once instead of reading it again.
   */
  constructor(
    private readonly options: ResolvedVitestJudgeOptions,
    private readonly onBaseRun: (base: EarlyBaselineRun) => void = () => {},
  ) {}

  /**
   * Compares the run with the baseline's run of the same file as soon as it finishes, when the
   * baseline is a complete stored invocation (it cannot change any more): the baseline is then read
   * one file at a time, while the workers run the remaining files. {@link finish} uses these
   * comparisons only when the selector still names that invocation; any failure here is left for
   * {@link finish}, which resolves the baseline again and reports what went wrong.
   */
  async addRun(store: RunStore | undefined, invocation: ReportInvocation, run: ReportRun): Promise<void> {
    const options = this.options
    const key = runKey(run)
    const prefetched = this.prefetched.get(key)
    this.prefetched.delete(key)
    try {
      const early = await this.resolveEarly(store, invocation)
      if (!early || !store) return
      const baseRun = await (prefetched ?? this.readBaseRun(store, early, key))
      const comparison = compareReports(singleRunReport(early.invocation, baseRun), singleRunReport(invocation, run), {
        alpha: options.gate.alpha,
        measurements: options.gate.measurements,
      }).runs[0]
      if (comparison) early.comparisons.set(key, comparison)
    } catch {
      this.early = null
    }
  }

  /**
   * Reads the baseline's run of `key` (a file that has just started) ahead of {@link addRun}, while
   * the file's tests run and the main process has little else to do: for the last file of a run,
   * its recording is otherwise all at the end, with nothing to overlap it. Failures are left to
   * {@link addRun}, which reads again.
   */
  prefetch(store: RunStore | undefined, invocation: ReportInvocation, key: string): void {
    if (this.early === null || this.options.baseline === false || !store || this.prefetched.has(key)) return
    const read = this.resolveEarly(store, invocation).then((early) =>
      early ? this.readBaseRun(store, early, key) : undefined,
    )
    // Rejections are seen (and the baseline read again) by addRun.
    read.catch(() => {})
    this.prefetched.set(key, read)
  }

  private async readBaseRun(store: RunStore, early: EarlyBaseline, key: string): Promise<ReportRun | undefined> {
    const baseRun = await store.getRunByFile(early.baseId, key)
    if (!baseRun) return undefined
    this.onBaseRun({ baseId: early.baseId, invocation: early.invocation, run: baseRun })
    // Read ahead, it waits for the head's file to end: only what the comparison reads is kept until then
    // (10,000 cases in 10 files: 38–40 MB promoted to the main process's old generation instead of 47–48).
    return baselineForComparison(baseRun)
  }

  /** The baseline to compare with during the run, resolved once; null when there is none to use early. */
  private resolveEarly(store: RunStore | undefined, invocation: ReportInvocation): Promise<EarlyBaseline | null> {
    this.resolving ??= (async () => {
      const options = this.options
      const selector = options.baseline
      // Selectors of stored invocations only: a JSON report path is read once, at the end.
      if (selector === false || !store) return null
      if (selector !== 'previous' && !selector.startsWith('tag:') && !selector.startsWith('branch:')) return null
      try {
        const selected = await resolveSelector(selector, store, {
          before: invocation.id,
          experiment: options.experiment,
        })
        if (selected.kind !== 'invocation') return null
        const base = await store.getInvocation(selected.id)
        if (base.status !== 'complete') return null
        return { baseId: selected.id, invocation: base, comparisons: new Map() }
      } catch {
        return null
      }
    })().then((early) => {
      // A failure in addRun sets `early` to null meanwhile: it stays so.
      if (this.early === undefined) this.early = early
      return this.early ?? null
    })
    return this.resolving
  }

  /**
   * The comparison with the baseline (null when there is none: `notes` then says why), one file at a
   * time: the comparisons made while the run went on when they used the same baseline, else each
   * head run compared with the baseline's run of its file.
   */
  async finish(
    store: RunStore | undefined,
    head: ReportInvocation,
    runs: readonly HeadRun[],
    notes: string[],
  ): Promise<ReportComparison | null> {
    const options = this.options
    if (options.baseline === false || !store) return null
    try {
      const selected = await resolveSelector(options.baseline, store, {
        before: head.id,
        experiment: options.experiment,
      })
      return await this.compareAll(store, selected, head, runs)
    } catch (error) {
      if (error instanceof SelectorError || error instanceof VitestJudgeError) {
        notes.push(`No baseline to compare with (${options.baseline}): ${error.message}`)
        return null
      }
      throw error
    }
  }

  private async compareAll(
    store: RunStore,
    selected: ResolvedSelector,
    head: ReportInvocation,
    runs: readonly HeadRun[],
  ): Promise<ReportComparison> {
    const early = this.early ?? undefined
    const opts = { alpha: this.options.gate.alpha, measurements: this.options.gate.measurements }
    let baseInvocation: ReportInvocation
    let baseRunOf: (file: string) => ReportRun | undefined | Promise<ReportRun | undefined>
    let baseFiles: string[]
    if (selected.kind === 'report') {
      const byFile = new Map(selected.report.runs.map((run) => [runKey(run), run]))
      baseInvocation = selected.report.invocation
      baseRunOf = (file) => byFile.get(file)
      baseFiles = [...byFile.keys()]
    } else {
      baseInvocation =
        early !== undefined && early.baseId === selected.id ? early.invocation : await store.getInvocation(selected.id)
      baseRunOf = async (file) => {
        const run = await store.getRunByFile(selected.id, file)
        if (run) this.onBaseRun({ baseId: selected.id, invocation: baseInvocation, run })
        return run
      }
      baseFiles = await store.getRunFiles(selected.id)
    }
    this.source = {
      ...(selected.kind === 'invocation' ? { id: selected.id } : {}),
      invocation: baseInvocation,
      files: baseFiles,
      run: baseRunOf,
    }
    const reuse = selected.kind === 'invocation' && early?.baseId === selected.id ? early.comparisons : undefined
    const compareFile = (base: ReportRun | undefined, run: ReportRun | undefined) =>
      compareReports(singleRunReport(baseInvocation, base), singleRunReport(head, run), opts).runs
    const byFile = new Map<string, RunComparison>()
    const headFiles = new Set<string>()
    for (const headRun of runs) {
      const file = headRun.file
      headFiles.add(file)
      const done = reuse?.get(file)
      if (done) {
        byFile.set(file, done)
        continue
      }
      for (const c of compareFile(await baseRunOf(file), await headRun.run())) byFile.set(runKey(c), c)
    }
    for (const file of baseFiles) {
      if (headFiles.has(file)) continue
      for (const c of compareFile(await baseRunOf(file), undefined)) byFile.set(runKey(c), c)
    }
    const sides = compareReports(singleRunReport(baseInvocation, undefined), singleRunReport(head, undefined), opts)
    const all = [...byFile.keys()].sort(compareSorted).map((file) => byFile.get(file) as RunComparison)
    // The family is the whole invocation: the per-file corrections are redone over every file.
    return correctFamily({ ...sides, runs: all }, opts.measurements)
  }
}
