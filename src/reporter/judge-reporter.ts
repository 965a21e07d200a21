/**
 * The reporter (main process). It only orchestrates the Vitest lifecycle: it collects `task.meta`
 * per finished file, saves the run, hands it to the baseline comparison and to the report writers
 * (whose per-run pieces it spools), and at the end evaluates the gate, has each writer write its
 * file and logs the console summary. It renders nothing itself and never calls a judge.
 */
import { rmSync } from 'node:fs'
import { relative } from 'node:path'
import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import { type ResolvedVitestJudgeOptions, resolveOptions, type VitestJudgeOptions } from '../config.js'
import { PRICES_AS_OF } from '../judges/pricing.js'
import { localJudgeNotice } from '../judges/providers.js'
import { redact } from '../redact.js'
import { agreementGateFailures, mergeAgreements } from '../report/agreement.js'
import { readCaseMeta } from '../report/case-meta.js'
import { buildRuns, type CollectedTest, mergeAppUsage, toReportCase } from '../report/collect.js'
import { evaluateGate, type GateFailure } from '../report/compare.js'
import { renderConsole } from '../report/console.js'
import { recordedCost } from '../report/cost.js'
import { agreementWithLabels, indexLabels, type LabelIndex, labelRunKey, withCaseLabels } from '../report/labels.js'
import { runKey, runSourceFile, variantRunKey } from '../report/run-key.js'
import { kindsOnlyRun, type ReportSummary, summarizeRun } from '../report/summary.js'
import { defuseCommands } from '../report/text.js'
import type {
  BudgetSummary,
  CostSummary,
  InvocationCost,
  JsonReport,
  ReportCase,
  ReportInvocation,
  ReportRun,
  VariantMatrix,
} from '../report/types.js'
import { variantMatrix } from '../report/variant-matrix.js'
import { budgetCounter } from '../runtime/budget.js'
import { newId } from '../store/ids.js'
import { openJudgeCache, openRunStore } from '../store/open.js'
import { cacheAwayMarkPath } from '../store/paths.js'
import type { InvocationSpool } from '../store/store-spool.js'
import type { RunStore } from '../store/types.js'
import { BaselineComparison } from './baseline-comparison.js'
import { canReleaseCaseMeta, releaseCaseMeta } from './case-meta-release.js'
import { writeStreamed } from './file-sink.js'
import { ciInfo, gitInfo } from './git-info.js'
import { githubAnnotationText } from './github-annotations.js'
import { logInvocationToMlflow } from './mlflow-step.js'
import { getPluginOptions, REPORTER_MARK } from './plugin-options.js'
import { Spool } from './spool.js'
import { flushSpoolAtStart, StoreOutage, spoolWaitingNotice } from './store-outage.js'
import { testLocation } from './test-location.js'
import { createWriters } from './writers/index.js'
import type { FileRecord, ReportEnd, ReportOutput, ReportWriter } from './writers/report-writer.js'

function collectTest(testCase: TestCase): CollectedTest {
  const result = testCase.result()
  const diagnostic = testCase.diagnostic()
  const meta = readCaseMeta(testCase.meta())
  const location = meta?.location ?? testLocation(testCase)
  const firstError = result.errors?.[0]
  return {
    name: testCase.fullName,
    state: result.state,
    ...(diagnostic ? { durationMs: diagnostic.duration } : {}),
    ...(firstError ? { error: redact(String(firstError.message ?? firstError)).slice(0, 4000) } : {}),
    ...(meta ? { meta } : {}),
    ...(location ? { location } : {}),
  }
}

/** How long a finished file's recording waits at most for the next file's tests to start. */
const RECORD_WAIT_MS = 300

/** Lets the event loop run what waits (I/O, messages from the workers) before going on. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Failed cases kept whole per run for the markdown and console summaries (they list the first few). */
const KEPT_FAILED_CASES = 20

function compareSorted(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The state of one invocation, from its start to its end. */
interface InvocationState {
  invocation: ReportInvocation & { experiment: string }
  files: FileRecord[]
  writers: ReportWriter[]
  spool: Spool
  baseline: BaselineComparison
  /** The variant matrix of each file with variants, made while its cases were in memory. */
  variants: VariantMatrix[]
  /** Where the invocation's writes go once the shared store stays away: the local store spool. */
  outage: StoreOutage
  /** The store's review labels, read once per invocation (undefined without a store). */
  labels?: Promise<LabelIndex | undefined>
  /** The finished files' recording (save, spool, compare), one after another; awaited at the run's end. */
  recording: Promise<void>
  /** Finished files whose recording waits for its moment (see `onTestModuleEnd`). */
  waiting: (() => Promise<void>)[]
  /** Starts the waiting recordings if nothing else does before it fires. */
  waitTimer?: NodeJS.Timeout
}

/** The vitest-judge reporter. */
export class JudgeReporter implements Reporter {
  readonly [REPORTER_MARK] = true
  private options: ResolvedVitestJudgeOptions | undefined
  private readonly userOptions: VitestJudgeOptions
  private vitest: Vitest | undefined
  private store: RunStore | undefined
  private storeOpening: Promise<RunStore | undefined> | undefined
  private invocationStarted: Promise<void> | undefined
  private current: InvocationState | undefined
  private storeFailed = false
  private releaseMeta = false
  private runStarts = 0
  /** Files queued in a worker whose tests have not started yet (see `onTestModuleQueued`). */
  private readonly collecting = new Set<string>()
  /** Finished tests read as their results arrived, by test id, until their file ends. */
  private readonly finished = new Map<string, CollectedTest>()
  /** The report case of each test read as it arrived, made then (see `buildRuns`). */
  private readonly madeCases = new WeakMap<CollectedTest, ReportCase | undefined>()
  /** Files (and variants) whose baseline run is being read ahead (see `onTestCaseResult`). */
  private readonly baselineRead = new Set<string>()

  private readonly noticeShown: boolean

  /**
   * Resolved options from the plugin, or user options when the reporter is listed by hand.
   * `noticeShown`: the local judge notice was printed already (by the plugin's reporter).
   */
  constructor(options: ResolvedVitestJudgeOptions | VitestJudgeOptions = {}, { noticeShown = false } = {}) {
    this.noticeShown = noticeShown
    if ('root' in options && 'judgeSource' in options) this.options = options as ResolvedVitestJudgeOptions
    this.userOptions = this.options ? {} : (options as VitestJudgeOptions)
  }

  async onInit(vitest: Vitest): Promise<void> {
    this.vitest = vitest
    // The UI shows tasks as they are: it keeps the records too.
    this.releaseMeta = !vitest.config.ui && canReleaseCaseMeta(vitest.config.reporters ?? [], this)
    this.options ??= getPluginOptions() ?? resolveOptions(this.userOptions, { root: vitest.config.root })
    if (this.options.judgeSource === 'default' && !this.noticeShown) {
      vitest.logger.log(`\n${localJudgeNotice()}\n`)
    }
    if (this.options.store || this.options.cacheUrl) await this.checkSharedStore(this.options)
    if (this.options.store && this.store) await flushSpoolAtStart(this.options, this.store, this.outageLog())
    else if (!this.options.store) spoolWaitingNotice(this.options, this.outageLog())
  }

  /**
   * A shared (PostgreSQL) store or cache is reached, and its tables created or upgraded, before any
   * test runs: a server that is down stops the run here, before a judge is paid.
   */
  private async checkSharedStore(options: ResolvedVitestJudgeOptions): Promise<void> {
    // The store and the cache are checked at once: each is its own round trips and migration lock.
    await Promise.all([
      (async () => {
        if (!options.store) return
        this.store = await openRunStore({ dir: options.dir, url: options.store })
        await this.store.markStaleInterrupted()
      })(),
      (async () => {
        if (!options.cacheUrl || options.cache === 'off') return
        const cache = await openJudgeCache({
          dir: options.dir,
          url: options.cacheUrl,
          readonly: options.cache === 'readonly',
        })
        await cache.close()
        // Reached: a mark left by the workers of an earlier outage no longer holds.
        rmSync(cacheAwayMarkPath(options.dir), { force: true })
      })(),
    ])
  }

  private openStore(): Promise<RunStore | undefined> {
    if (this.store || this.storeFailed || !this.options) return Promise.resolve(this.store)
    const options = this.options
    this.storeOpening ??= (async () => {
      try {
        const store = await openRunStore({ dir: options.dir, url: options.store })
        this.store = store
        await store.markStaleInterrupted()
      } catch (error) {
        this.storeFailed = true
        this.fail(`vitest-judge: runs are not recorded: ${(error as Error).message}`)
      }
      this.storeOpening = undefined
      return this.store
    })()
    return this.storeOpening
  }

  private outageLog() {
    return {
      warn: (message: string) => this.warn(message),
      fail: (message: string) => this.fail(message),
      command: (line: string) => this.vitest?.logger.log(redact(line)),
    }
  }

  private warn(message: string): void {
    this.vitest?.logger.warn(defuseCommands(redact(message)))
  }

  private fail(message: string): void {
    // Messages quote paths and errors: no line of them may read as a workflow command.
    this.vitest?.logger.error(defuseCommands(redact(message)))
    process.exitCode = 1
  }

  private ensureInvocation(): InvocationState {
    if (this.current) return this.current
    const options = this.options as ResolvedVitestJudgeOptions
    const invocation = {
      id: newId(),
      startedAt: new Date().toISOString(),
      status: 'running' as const,
      git: gitInfo(options.root),
      params: options.params,
      experiment: options.experiment,
      ci: ciInfo(),
    }
    const writers = createWriters(options)
    const spool = new Spool(options.dir)
    const basePieces = writers.flatMap((w) => (w.baselinePiece ? [w.baselinePiece] : []))
    this.current = {
      invocation,
      files: [],
      writers,
      spool,
      baseline: new BaselineComparison(options, (base) =>
        spool.putBaseline(base.baseId, runKey(base.run), base.run, basePieces, base.invocation),
      ),
      variants: [],
      outage: new StoreOutage(options, invocation, this.outageLog(), () => this.store?.location),
      recording: Promise.resolve(),
      waiting: [],
    }
    const { outage } = this.current
    this.invocationStarted = (async () => {
      try {
        await (await this.openStore())?.startInvocation(invocation)
      } catch (error) {
        if (!outage.spool('record the invocation', error, (spool) => spool.start())) {
          this.fail(`vitest-judge: cannot record the invocation: ${(error as Error).message}`)
        }
      }
    })()
    return this.current
  }

  async onTestRunStart(): Promise<void> {
    if (!this.options) return
    // Watch mode: what an earlier invocation of this process kept in the spool is written first.
    if (this.runStarts++ > 0 && this.options.store && this.store) {
      await flushSpoolAtStart(this.options, this.store, this.outageLog())
    }
    this.ensureInvocation()
    await this.invocationStarted
  }

  /**
   * A finished file's results are read here, and recorded later: Vitest waits for this hook before
   * the file's worker may end, and the main process then stops that worker and starts the next one.
   * Recording (tens of milliseconds of synchronous work per 1,000 cases) starts once the next file's
   * tests run (`onTestModuleStart`), when the main process has little else to do, or after
   * {@link RECORD_WAIT_MS} unless a file is being collected, or at the end of the run.
   */
  onTestModuleEnd(testModule: TestModule): void {
    this.collecting.delete(testModule.moduleId)
    if (!this.options) return
    const testCases = Array.from(testModule.children.allTests())
    const tests = testCases.map((testCase) => {
      const early = this.finished.get(testCase.id)
      this.finished.delete(testCase.id)
      return early ?? collectTest(testCase)
    })
    if (!tests.some((t) => t.meta)) return
    const state = this.ensureInvocation()
    const file = this.fileOf(testModule.moduleId)
    const durationMs = testModule.diagnostic().duration
    state.waiting.push(() =>
      this.recordModule(state, file, tests, durationMs, testCases).catch((error: unknown) => {
        this.fail(`vitest-judge: cannot record ${file}: ${(error as Error).message}`)
      }),
    )
    state.waitTimer ??= setTimeout(() => {
      state.waitTimer = undefined
      if (this.collecting.size === 0) this.startRecording(state)
    }, RECORD_WAIT_MS)
  }

  /**
   * A test's result is read as it arrives, while its file's other tests run: Vitest lets the file's
   * worker end only once `onTestModuleEnd` returned, and reading 1,000 results there would hold it.
   */
  onTestCaseResult(testCase: TestCase): void {
    if (!this.options) return
    const test = collectTest(testCase)
    this.finished.set(testCase.id, test)
    // Tests without a record (ordinary tests beside the evals) are left for the end, if their file has any.
    if (!test.meta) return
    this.madeCases.set(test, toReportCase(test, this.options.pricing))
    const state = this.current
    if (!state) return
    // The file's first judged case: the baseline's run of it is read while its other cases run.
    const variant = test.meta.variant
    const started = `${testCase.module.moduleId}\0${variant ?? ''}`
    if (this.baselineRead.has(started)) return
    this.baselineRead.add(started)
    const file = this.fileOf(testCase.module.moduleId)
    // Whatever fails here is met again, and reported, when the file is recorded.
    this.prefetchBaseline(state, variant === undefined ? file : variantRunKey(file, variant)).catch(() => {})
  }

  /** A test file's path as runs name it: relative to the root, with forward slashes. */
  private fileOf(moduleId: string): string {
    return relative((this.options as ResolvedVitestJudgeOptions).root, moduleId)
      .split('\\')
      .join('/')
  }

  private async prefetchBaseline(state: InvocationState, key: string): Promise<void> {
    await this.invocationStarted
    const store = await this.openStore()
    if (!state.outage.active) state.baseline.prefetch(store, state.invocation, key)
  }

  /**
   * A file was handed to a worker, which now imports and collects it: until it starts its tests
   * (`onTestModuleStart`) the worker waits on the main process (its modules, the collected tasks),
   * so a recording due then waits for the start.
   */
  onTestModuleQueued(testModule: TestModule): void {
    this.collecting.add(testModule.moduleId)
  }

  onTestModuleStart(testModule: TestModule): void {
    this.collecting.delete(testModule.moduleId)
    if (this.current) this.startRecording(this.current)
  }

  /** Queues the waiting recordings, one after another. */
  private startRecording(state: InvocationState): void {
    clearTimeout(state.waitTimer)
    state.waitTimer = undefined
    for (const record of state.waiting.splice(0)) state.recording = state.recording.then(record)
  }

  private async recordModule(
    state: InvocationState,
    file: string,
    tests: CollectedTest[],
    durationMs: number,
    testCases: TestCase[],
  ): Promise<void> {
    const options = this.options as ResolvedVitestJudgeOptions
    const { invocation } = state
    // One run per file, or per file and describeEval variant.
    const runs = buildRuns(newId, file, tests, {
      durationMs,
      params: invocation.params,
      pricing: options.pricing,
      made: this.madeCases,
    })
    await this.applyLabels(state, runs)
    let allDone = true
    for (const run of runs) allDone = (await this.recordRun(state, run)) && allDone
    if (allDone && this.releaseMeta) releaseCaseMeta(testCases)
    const variantRuns = runs.filter((run) => run.variant !== undefined)
    if (variantRuns.length > 0) {
      state.variants.push(
        variantMatrix(
          file,
          variantRuns.map((run) => ({ label: run.variant as string, run })),
          { alpha: options.gate.alpha },
        ),
      )
    }
  }

  /**
   * Review labels (`vitest-judge ui`) beside each case, and pooled into the runs' agreement (the
   * dataset's human grade wins; stale labels are not used). Read from the store once per invocation.
   */
  private async applyLabels(state: InvocationState, runs: ReportRun[]): Promise<void> {
    state.labels ??= (async () => {
      if (state.outage.active) return undefined
      const store = await this.openStore()
      if (!store) return undefined
      try {
        return indexLabels(await store.listLabels())
      } catch (error) {
        this.warn(`vitest-judge: review labels not read: ${(error as Error).message}`)
        return undefined
      }
    })()
    const index = await state.labels
    if (index === undefined || index.size === 0) return
    for (const run of runs) {
      const key = labelRunKey(run)
      if (!index.has(key)) continue
      run.cases = withCaseLabels(run.cases, index, key)
      const agreement = agreementWithLabels(run.cases, index, key, runSourceFile(run))
      if (Object.keys(agreement).length > 0) run.agreement = agreement
    }
  }

  /** Saves, spools and compares one run; true when its cases are no longer needed in memory. */
  private async recordRun(state: InvocationState, run: ReportRun): Promise<boolean> {
    const { invocation } = state
    let saved = false
    await this.invocationStarted
    const store = await this.openStore()
    const { outage } = state
    try {
      if (outage.active) outage.spool(`save the run of ${runKey(run)}`, undefined, (spool) => spool.addRun(run))
      else if (store) {
        await store.saveRun(invocation.id, run)
        saved = true
      }
    } catch (error) {
      if (!outage.spool(`save the run of ${runKey(run)}`, error, (spool) => spool.addRun(run))) {
        this.fail(`vitest-judge: cannot save the run of ${runKey(run)}: ${(error as Error).message}`)
      }
    }
    // Each step is a few milliseconds of synchronous work per 1,000 cases: in between, the main
    // process answers the workers (module requests, test results) that are running meanwhile.
    await nextTurn()
    for (const writer of state.writers) writer.addRun?.(run)
    const pieces = state.writers.flatMap((w) => (w.piece ? [w.piece] : []))
    const index = state.files.length
    const spooled = state.spool.put(index, run, pieces, invocation) ? index : undefined
    // The cases are needed again only to be read back (when not saved) or for report pieces not spooled.
    const done = saved && (spooled !== undefined || pieces.length === 0)
    // Pushed before the next await: the spool index is the files' count, and files end concurrently.
    state.files.push({ summary: summarizeRun(run, KEPT_FAILED_CASES), full: done ? undefined : run, saved, spooled })
    await nextTurn()
    // Once the store is away, nothing more is read from it: each read would wait the retry window.
    await state.baseline.addRun(outage.active ? undefined : store, invocation, run)
    return done
  }

  async onTestRunEnd(
    _modules: ReadonlyArray<TestModule>,
    _errors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): Promise<void> {
    const state = this.current
    if (!this.options || !state) return
    this.current = undefined
    this.collecting.clear()
    this.finished.clear()
    this.baselineRead.clear()
    this.startRecording(state)
    await state.recording
    state.files.sort((a, b) => compareSorted(runKey(a.summary), runKey(b.summary)))
    try {
      await this.finishRun(state, reason)
    } finally {
      state.spool.remove()
    }
  }

  private async finishRun(state: InvocationState, reason: TestRunEndReason): Promise<void> {
    const options = this.options as ResolvedVitestJudgeOptions
    const { invocation, files } = state
    const endedAt = new Date().toISOString()
    const status = reason === 'interrupted' ? 'interrupted' : 'complete'
    await this.invocationStarted
    const { outage } = state
    const finish = (spool: InvocationSpool) => spool.finish(status, endedAt)
    const saving = await this.openStore()
    try {
      if (outage.active) outage.spool('finish the invocation', undefined, finish)
      else await saving?.finishInvocation(invocation.id, status, endedAt)
    } catch (error) {
      if (!outage.spool('finish the invocation', error, finish)) {
        this.fail(`vitest-judge: cannot finish the invocation: ${(error as Error).message}`)
      }
    }
    // The invocation is in the spool: the store is not read either (baseline, history, MLflow).
    const store = outage.active ? undefined : saving
    const { experiment: _experiment, ...invocationFields } = invocation
    const report: ReportSummary = {
      version: 1,
      invocation: { ...invocationFields, experiment: options.experiment, endedAt, status },
      runs: files.map((f) => f.summary),
      comparison: null,
    }
    const cost = this.invocationCost(files.map((f) => f.summary))
    if (cost) report.cost = cost
    const app = mergeAppUsage(files.map((f) => f.summary))
    if (app) report.app = app
    const agreement = mergeAgreements(files.map((f) => f.summary))
    if (Object.keys(agreement).length > 0) report.agreement = agreement
    if (state.variants.length > 0) {
      report.variants = [...state.variants].sort((a, b) => compareSorted(a.file, b.file))
    }
    const notes: string[] = []
    if (outage.active && options.baseline !== false) notes.push(outage.baselineNote())
    report.comparison = await state.baseline.finish(
      store,
      report.invocation,
      files.map((f) => ({ file: runKey(f.summary), run: () => this.headRun(f) })),
      notes,
    )
    let gateFailures: GateFailure[] = []
    if (options.gate.enabled) {
      const gateHead: JsonReport = { ...report, runs: report.runs.map(kindsOnlyRun) }
      gateFailures = evaluateGate(report.comparison, gateHead, options.gate)
      gateFailures.push(...agreementGateFailures(agreement, options.gate.minAgreement))
    }

    const written: string[] = []
    const out: ReportOutput = {
      stream: (path, emit) => {
        if (path === false) return
        try {
          writeStreamed(path, emit)
          written.push(relative(options.root, path) || path)
        } catch (error) {
          this.fail(`vitest-judge: cannot write ${path}: ${(error as Error).message}`)
        }
      },
      fail: (message) => this.fail(message),
    }
    const end: ReportEnd = {
      report,
      files,
      gateFailures,
      notes,
      putPiece: (sink, file, piece) => {
        const spooled = file.spooled === undefined ? undefined : state.spool.path(file.spooled, piece.ext)
        if (spooled) sink.copy(spooled)
        else {
          const put = (text: string) => sink.put(piece.redacts ? text : redact(text))
          piece.render(this.headRunInMemory(file), put, report.invocation)
        }
      },
      baseline: state.baseline.source,
      spooledBaselinePiece: (file, piece) => {
        const id = state.baseline.source?.id
        return id === undefined ? undefined : state.spool.baselinePath(id, file, piece.ext)
      },
      history: store ? (limit) => store.listInvocations({ limit, experiment: options.experiment }) : undefined,
    }
    for (const writer of state.writers) await writer.write(end, out)
    this.vitest?.logger.log(
      redact(
        renderConsole(report, {
          color: process.stdout.isTTY === true && !options.noColor,
          filesWritten: written,
          gateFailures,
          notes,
        }),
      ),
    )
    const annotations = options.githubAnnotations ? githubAnnotationText(report, gateFailures, options.root) : ''
    if (annotations) this.vitest?.logger.log(redact(annotations.trimEnd()))
    // Said last, where it is seen: nothing is lost, and how the runs reach the store.
    outage.report()
    if (gateFailures.length > 0) process.exitCode = 1
    // After the run is saved and reported; it never touches the exit code.
    if (outage.active && options.mlflow) {
      this.warn(
        `vitest-judge: not logged to MLflow ${options.mlflow.trackingUri}: the run is in the store spool; ` +
          `run \`vitest-judge export --mlflow ${options.mlflow.trackingUri}\` once it is flushed.`,
      )
    } else
      await logInvocationToMlflow(
        options.mlflow,
        store,
        invocation.id,
        { junit: options.reports.junit, markdown: options.reports.markdown },
        { log: (text) => this.vitest?.logger.log(text), warn: (text) => this.vitest?.logger.warn(text) },
      )
  }

  /** The invocation's cost over its runs, with the budget's figures when one was set. */
  private invocationCost(runs: ReadonlyArray<{ cost?: CostSummary }>): InvocationCost | undefined {
    const options = this.options as ResolvedVitestJudgeOptions
    // The runs were priced in this process (with `pricing`): their recorded cost is the invocation's.
    const cost = recordedCost(runs)
    if (!options.budget || !options.budgetKey) return cost
    let budget: BudgetSummary | undefined
    try {
      budget = budgetCounter(options.dir).summary(options.budgetKey, options.budget)
    } catch (error) {
      this.fail(`vitest-judge: cannot read the budget counter: ${(error as Error).message}`)
    }
    const base = cost ?? {
      usd: 0,
      savedUsd: 0,
      calls: 0,
      cachedCalls: 0,
      byJudge: {},
      pricesAsOf: PRICES_AS_OF,
    }
    return budget ? { ...base, budget } : base
  }

  /** The whole run of a finished file: kept in memory, else read back from the store. */
  private async headRun(file: FileRecord): Promise<ReportRun> {
    if (file.full) return file.full
    const stored = file.saved ? await this.store?.getRun(file.summary.id) : undefined
    return stored ?? this.headRunInMemory(file)
  }

  /** The run of a finished file as kept in memory (without its cases when they were released). */
  private headRunInMemory(file: FileRecord): ReportRun {
    if (file.full) return file.full
    const { caseCount: _c, failedCount: _f, failedCases: _k, kinds: _m, ...run } = file.summary
    return { ...run, cases: [] }
  }
}
