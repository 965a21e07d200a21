/**
 * The reporter (main process). It stays thin: it collects `task.meta` per finished file, saves the
 * run, and at the end hands plain data to the pure report functions (aggregate, compare, JUnit,
 * markdown, console) and writes their output. It never calls a judge.
 */
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import { type ResolvedVitestJudgeOptions, resolveOptions, type VitestJudgeOptions } from '../config.js'
import { SelectorError, VitestJudgeError } from '../errors.js'
import { redact } from '../redact.js'
import { buildRun, type CollectedTest } from '../report/collect.js'
import { compareReports, evaluateGate, type GateFailure } from '../report/compare.js'
import { renderConsole } from '../report/console.js'
import {
  type JunitTotals,
  junitTotals,
  renderJunitFooter,
  renderJunitHeader,
  writeJunitSuite,
} from '../report/junit.js'
import { renderMarkdown } from '../report/markdown.js'
import { metricBaseName } from '../report/text.js'
import type {
  JsonReport,
  ReportCase,
  ReportComparison,
  ReportInvocation,
  ReportRun,
  RunComparison,
} from '../report/types.js'
import { readCaseMeta } from '../runtime/case-meta.js'
import { newId } from '../store/ids.js'
import { type ResolvedSelector, RunStore } from '../store/run-store.js'
import { canReleaseCaseMeta, releaseCaseMeta } from './case-meta-release.js'
import { FileSink } from './file-sink.js'
import { ciInfo, gitInfo } from './git-info.js'
import { githubAnnotationText } from './github-annotations.js'
import { getPluginOptions } from './plugin-options.js'
import { testLocation } from './test-location.js'

function collectTest(testCase: TestCase): CollectedTest {
  const result = testCase.result()
  const diagnostic = testCase.diagnostic()
  const meta = readCaseMeta(testCase.meta())
  const location = testLocation(testCase)
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

/** Failed cases kept whole per run for the markdown and console summaries (they list the first few). */
const KEPT_FAILED_CASES = 20
/** Stand-ins for the cases not kept: the summaries only count them and read `pass`. */
const PASSED_CASE: ReportCase = Object.freeze({ name: '', pass: true, scores: {}, judgeErrors: 0 }) as ReportCase
const FAILED_CASE: ReportCase = Object.freeze({ name: '', pass: false, scores: {}, judgeErrors: 0 }) as ReportCase

/**
 * What the reporter keeps of a finished file until the end: the run without its cases (a stand-in
 * per case, the first failed ones whole), the JUnit counts, the kind of each metric (for the gate),
 * and the whole run only when it could not be saved or spooled.
 */
interface RunSummary {
  run: ReportRun
  full: ReportRun | undefined
  saved: boolean
  /** Index of the spooled JSON and JUnit pieces, or undefined when they were not written. */
  spooled: number | undefined
  junit: JunitTotals
  kinds: Map<string, 'score' | 'measurement'>
}

/** The baseline resolved during the run, while it is a complete stored invocation. */
interface EarlyBaseline {
  baseId: string
  invocation: ReportInvocation
  /** File -> comparison of the head run with the baseline run of that file. */
  comparisons: Map<string, RunComparison>
}

function compareSorted(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function metricKinds(run: ReportRun): Map<string, 'score' | 'measurement'> {
  const kinds = new Map<string, 'score' | 'measurement'>()
  for (const testCase of run.cases) {
    for (const key of Object.keys(testCase.scores)) {
      const kind = testCase.metrics?.[key]?.kind
      const metric = metricBaseName(key)
      if (kind && !kinds.has(metric)) kinds.set(metric, kind)
    }
  }
  return kinds
}

function compactRun(run: ReportRun): ReportRun {
  let kept = 0
  const cases = run.cases.map((c) => {
    if (c.pass) return PASSED_CASE
    return kept++ < KEPT_FAILED_CASES ? c : FAILED_CASE
  })
  return { ...run, cases }
}

/** A run standing for `summary` in the gate: no cases but one that records each metric's kind. */
function gateRun(summary: RunSummary): ReportRun {
  const scores: ReportCase['scores'] = {}
  const metrics: NonNullable<ReportCase['metrics']> = {}
  for (const [metric, kind] of summary.kinds) {
    scores[metric] = null
    metrics[metric] = { score: null, kind }
  }
  return { ...summary.run, cases: [{ name: '', pass: true, scores, judgeErrors: 0, metrics }] }
}

function singleRunReport(invocation: ReportInvocation, run: ReportRun | undefined): JsonReport {
  return { version: 1, invocation, runs: run ? [run] : [], comparison: null }
}

/** The JSON text of a value nested `depth` arrays deep, as JSON.stringify(..., null, 2) indents it there. */
function nestedJson(value: unknown, depth: number): string {
  let wrapped: unknown = value
  for (let i = 0; i < depth; i++) wrapped = [wrapped]
  const text = JSON.stringify(wrapped, null, 2)
  // Cut the brackets: `[\n  [\n    ` before and `\n  ]\n]` after, for depth 2.
  let head = 0
  let tail = 0
  for (let i = 0; i < depth; i++) {
    head += 4 + 2 * i
    tail += 2 + 2 * i
  }
  return text.slice(head, text.length - tail)
}

/** Placeholder of the array a JSON skeleton is split around: random, so no data can hold it. */
const ITEMS_MARK = `vitest-judge-items-${randomBytes(8).toString('hex')}`

/**
 * The JSON text of `value` (nested `depth` arrays deep) with its `key` array cut out: the text
 * before the array's first item and after its last, for a writer that puts the items one by one.
 */
function jsonAround(value: object, key: string, depth: number): [before: string, after: string] {
  const text = nestedJson({ ...value, [key]: [ITEMS_MARK] }, depth)
  const mark = JSON.stringify(ITEMS_MARK)
  const at = text.indexOf(mark)
  return [text.slice(0, at), text.slice(at + mark.length)]
}

/** Writes the items of a JSON array one by one, each indented as at `depth`. */
function putItems<T>(
  items: readonly T[],
  depth: number,
  put: (text: string) => void,
  putItem: (item: T) => void,
): void {
  const separator = `,\n${'  '.repeat(depth)}`
  items.forEach((item, i) => {
    if (i > 0) put(separator)
    putItem(item)
  })
}

/**
 * Writes the JSON text of one run as it sits in the report's `runs` array (indented two levels),
 * a case at a time.
 */
function writeRunJson(run: ReportRun, put: (text: string) => void): void {
  if (run.cases.length === 0) {
    put(nestedJson(run, 2))
    return
  }
  const [before, after] = jsonAround(run, 'cases', 2)
  put(before)
  putItems(run.cases, 4, put, (testCase) => put(nestedJson(testCase, 4)))
  put(after)
}

/** The vitest-judge reporter. */
export class JudgeReporter implements Reporter {
  private options: ResolvedVitestJudgeOptions | undefined
  private readonly userOptions: VitestJudgeOptions
  private vitest: Vitest | undefined
  private store: RunStore | undefined
  private invocation: (ReportInvocation & { experiment: string }) | undefined
  private summaries: RunSummary[] = []
  private spoolDir: string | undefined
  private spoolFailed = false
  private early: EarlyBaseline | null | undefined
  private storeFailed = false
  private releaseMeta = false

  /** Resolved options from the plugin, or user options when the reporter is listed by hand. */
  constructor(options: ResolvedVitestJudgeOptions | VitestJudgeOptions = {}) {
    if ('root' in options && 'judgeSource' in options) this.options = options as ResolvedVitestJudgeOptions
    this.userOptions = this.options ? {} : (options as VitestJudgeOptions)
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    // The UI shows tasks as they are: it keeps the records too.
    this.releaseMeta = !vitest.config.ui && canReleaseCaseMeta(vitest.config.reporters ?? [], this)
    this.options ??= getPluginOptions() ?? resolveOptions(this.userOptions, { root: vitest.config.root })
    if (this.options.judgeSource === 'default') {
      vitest.logger.log(
        '\nvitest-judge: no OPENAI_API_KEY, GEMINI_API_KEY or VITEST_JUDGE is set, so judged metrics use the offline ' +
          'local judge (deterministic text overlap). Set a key or the `judge` option for an LLM judge.\n',
      )
    }
  }

  private openStore(): RunStore | undefined {
    if (this.store || this.storeFailed || !this.options) return this.store
    try {
      this.store = new RunStore(this.options.dir)
      this.store.markStaleInterrupted()
    } catch (error) {
      this.storeFailed = true
      this.fail(`vitest-judge: runs are not recorded: ${(error as Error).message}`)
    }
    return this.store
  }

  private fail(message: string): void {
    this.vitest?.logger.error(redact(message))
    process.exitCode = 1
  }

  private ensureInvocation(): ReportInvocation & { experiment: string } {
    if (this.invocation) return this.invocation
    const options = this.options as ResolvedVitestJudgeOptions
    this.invocation = {
      id: newId(),
      startedAt: new Date().toISOString(),
      status: 'running',
      git: gitInfo(options.root),
      params: options.params,
      experiment: options.experiment,
      ci: ciInfo(),
    }
    this.resetRuns()
    try {
      this.openStore()?.startInvocation(this.invocation)
    } catch (error) {
      this.fail(`vitest-judge: cannot record the invocation: ${(error as Error).message}`)
    }
    return this.invocation
  }

  onTestRunStart(): void {
    if (this.options) this.ensureInvocation()
  }

  private resetRuns(): void {
    this.summaries = []
    this.early = undefined
    this.spoolFailed = false
    if (this.spoolDir) rmSync(this.spoolDir, { recursive: true, force: true })
    this.spoolDir = undefined
  }

  onTestModuleEnd(testModule: TestModule): void {
    if (!this.options) return
    const testCases = Array.from(testModule.children.allTests())
    const tests = testCases.map(collectTest)
    if (!tests.some((t) => t.meta)) return
    const invocation = this.ensureInvocation()
    const file = relative(this.options.root, testModule.moduleId).split('\\').join('/')
    const run = buildRun(newId(), file, tests, testModule.diagnostic().duration)
    let saved = false
    const store = this.openStore()
    try {
      if (store) {
        store.saveRun(invocation.id, run)
        saved = true
      }
    } catch (error) {
      this.fail(`vitest-judge: cannot save the run of ${file}: ${(error as Error).message}`)
    }
    const junit = junitTotals(run)
    const spooled = this.spool(run, invocation.startedAt)
    this.compareEarly(invocation, run)
    // The cases are needed again only to be read back (when not saved) or for report pieces not spooled.
    const reportsWanted = this.options.reports.json !== false || this.options.reports.junit !== false
    const done = saved && (spooled !== undefined || !reportsWanted)
    if (done && this.releaseMeta) releaseCaseMeta(testCases)
    this.summaries.push({
      run: compactRun(run),
      full: done ? undefined : run,
      saved,
      spooled,
      junit,
      kinds: metricKinds(run),
    })
  }

  /**
   * Writes the run's JSON and JUnit pieces to a spool folder, so that neither the cases nor the
   * rendered text stay in memory; `onTestRunEnd` joins the pieces in file order.
   */
  private spool(run: ReportRun, timestamp: string): number | undefined {
    const options = this.options
    if (!options || this.spoolFailed) return undefined
    if (options.reports.json === false && options.reports.junit === false) return undefined
    try {
      // Inside the state folder, so a run killed before its end leaves nothing outside `<dir>`.
      if (!this.spoolDir) {
        mkdirSync(options.dir, { recursive: true })
        this.spoolDir = mkdtempSync(join(options.dir, '.spool-'))
      }
      const index = this.summaries.length
      // Redacted a case at a time: a secret sits inside one case's text, never across two.
      if (options.reports.json !== false) {
        writeSink(join(this.spoolDir, `${index}.json`), (sink) => writeRunJson(run, (t) => sink.put(redact(t))))
      }
      if (options.reports.junit !== false) {
        writeSink(join(this.spoolDir, `${index}.xml`), (sink) =>
          writeJunitSuite(run, timestamp, (t) => sink.put(redact(t)), options.junit),
        )
      }
      return index
    } catch {
      // The reports are then rendered at the end from the runs kept in memory.
      this.spoolFailed = true
      return undefined
    }
  }

  /**
   * Compares the run with the baseline's run of the same file as soon as it finishes, when the
   * baseline is a complete stored invocation (it cannot change any more): the baseline is then read
   * one file at a time, while the workers run the remaining files. `onTestRunEnd` uses these
   * comparisons only when the selector still names that invocation; any failure here is left for
   * `onTestRunEnd`, which resolves the baseline again and reports what went wrong.
   */
  private compareEarly(invocation: ReportInvocation, run: ReportRun): void {
    const options = this.options
    if (this.early === null || !options || options.baseline === false) return
    try {
      if (this.early === undefined) {
        this.early = null
        const selector = options.baseline
        // Selectors of stored invocations only: a JSON report path is read once, at the end.
        if (selector !== 'previous' && !selector.startsWith('tag:') && !selector.startsWith('branch:')) return
        const store = this.openStore()
        const selected = store?.resolveSelector(selector, { before: invocation.id, experiment: options.experiment })
        if (!store || selected?.kind !== 'invocation') return
        const base = store.getInvocation(selected.id)
        if (base.status !== 'complete') return
        this.early = { baseId: selected.id, invocation: base, comparisons: new Map() }
      }
      const early = this.early
      const baseRun = this.store?.getRunByFile(early.baseId, run.file)
      const comparison = compareReports(singleRunReport(early.invocation, baseRun), singleRunReport(invocation, run), {
        alpha: options.gate?.alpha ?? 0.05,
      }).runs[0]
      if (comparison) early.comparisons.set(run.file, comparison)
    } catch {
      this.early = null
    }
  }

  async onTestRunEnd(
    _modules: ReadonlyArray<TestModule>,
    _errors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): Promise<void> {
    const options = this.options
    if (!options || !this.invocation) return
    const invocation = this.invocation
    this.invocation = undefined
    const early = this.early ?? undefined
    const spoolDir = this.spoolDir
    this.spoolDir = undefined
    const summaries = [...this.summaries].sort((a, b) => compareSorted(a.run.file, b.run.file))
    this.summaries = []
    this.early = undefined
    try {
      await this.finishRun(invocation, reason, summaries, early, spoolDir)
    } finally {
      if (spoolDir) rmSync(spoolDir, { recursive: true, force: true })
    }
  }

  private async finishRun(
    invocation: ReportInvocation & { experiment: string },
    reason: TestRunEndReason,
    summaries: RunSummary[],
    early: EarlyBaseline | undefined,
    spoolDir: string | undefined,
  ): Promise<void> {
    const options = this.options as ResolvedVitestJudgeOptions
    const endedAt = new Date().toISOString()
    const status = reason === 'interrupted' ? 'interrupted' : 'complete'
    const store = this.openStore()
    try {
      store?.finishInvocation(invocation.id, status, endedAt)
    } catch (error) {
      this.fail(`vitest-judge: cannot finish the invocation: ${(error as Error).message}`)
    }
    const { experiment: _experiment, ...invocationFields } = invocation
    // The report holds the runs' summaries (cases stand-ins); their cases are streamed to the files.
    const report: JsonReport = {
      version: 1,
      invocation: { ...invocationFields, experiment: options.experiment, endedAt, status },
      runs: summaries.map((s) => s.run),
      comparison: null,
    }
    const notes: string[] = []
    if (options.baseline !== false && store) {
      try {
        const selected = store.resolveSelector(options.baseline, {
          before: invocation.id,
          experiment: options.experiment,
        })
        report.comparison = this.compareAll(store, selected, report.invocation, summaries, early)
      } catch (error) {
        if (error instanceof SelectorError || error instanceof VitestJudgeError) {
          notes.push(`No baseline to compare with (${options.baseline}): ${error.message}`)
        } else throw error
      }
    }
    let gateFailures: GateFailure[] = []
    if (options.gate) {
      const gateHead: JsonReport = { ...report, runs: summaries.map(gateRun) }
      gateFailures = evaluateGate(report.comparison, gateHead, options.gate)
    }

    const written: string[] = []
    const stream = (path: string | false, emit: (sink: FileSink) => void) => {
      if (path === false) return
      try {
        writeStreamed(path, emit)
        written.push(relative(options.root, path) || path)
      } catch (error) {
        this.fail(`vitest-judge: cannot write ${path}: ${(error as Error).message}`)
      }
    }
    const write = (path: string | false, render: () => string) => stream(path, (sink) => sink.put(redact(render())))
    // A spooled piece is copied as it is (it was redacted when spooled); else rendered now.
    const piece = (
      sink: FileSink,
      summary: RunSummary,
      ext: 'json' | 'xml',
      render: (run: ReportRun, put: (text: string) => void) => void,
    ) => {
      if (summary.spooled !== undefined && spoolDir) sink.copy(join(spoolDir, `${summary.spooled}.${ext}`))
      else render(summary.full ?? summary.run, (text) => sink.put(redact(text)))
    }
    stream(options.reports.json, (sink) => {
      if (summaries.length === 0) {
        sink.put(redact(`${JSON.stringify(report, null, 2)}\n`))
        return
      }
      const [before, after] = jsonAround(report, 'runs', 0)
      sink.put(redact(before))
      putItems(
        summaries,
        2,
        (text) => sink.put(text),
        (summary) => piece(sink, summary, 'json', writeRunJson),
      )
      sink.put(redact(`${after}\n`))
    })
    stream(options.reports.junit, (sink) => {
      const totals: JunitTotals = { tests: 0, failures: 0, errors: 0, ms: 0 }
      for (const { junit } of summaries) {
        totals.tests += junit.tests
        totals.failures += junit.failures
        totals.errors += junit.errors
        totals.ms += junit.ms
      }
      sink.put(redact(renderJunitHeader(totals, {}, summaries.length === 0)))
      if (summaries.length === 0) return
      for (const summary of summaries) {
        piece(sink, summary, 'xml', (run, put) => writeJunitSuite(run, invocation.startedAt, put, options.junit))
        sink.put('\n')
      }
      sink.put(renderJunitFooter())
    })
    let markdown: string | undefined
    write(options.reports.markdown, () => {
      const text = renderMarkdown(report, { gateFailures, notes })
      markdown = text
      return text
    })
    const summaryFile = process.env.GITHUB_STEP_SUMMARY
    if (summaryFile) {
      try {
        appendFileSync(summaryFile, `${redact(markdown ?? renderMarkdown(report, { gateFailures, notes }))}\n`)
      } catch (error) {
        this.fail(`vitest-judge: cannot append to GITHUB_STEP_SUMMARY: ${(error as Error).message}`)
      }
    }
    this.vitest?.logger.log(
      redact(
        renderConsole(report, {
          color: process.stdout.isTTY === true && !process.env.NO_COLOR,
          filesWritten: written,
          gateFailures,
          notes,
        }),
      ),
    )
    const annotations = options.githubAnnotations ? githubAnnotationText(report, gateFailures, options.root) : ''
    if (annotations) this.vitest?.logger.log(redact(annotations.trimEnd()))
    if (gateFailures.length > 0) process.exitCode = 1
  }

  /**
   * The comparison with the baseline, one file at a time: the comparisons made while the run went
   * on when they used the same baseline, else each head run read back from the store and compared
   * with the baseline's run of its file.
   */
  private compareAll(
    store: RunStore,
    selected: ResolvedSelector,
    head: ReportInvocation,
    summaries: RunSummary[],
    early: EarlyBaseline | undefined,
  ): ReportComparison {
    const opts = { alpha: this.options?.gate?.alpha ?? 0.05 }
    let baseInvocation: ReportInvocation
    let baseRunOf: (file: string) => ReportRun | undefined
    let baseFiles: string[]
    if (selected.kind === 'report') {
      const runs = new Map(selected.report.runs.map((run) => [run.file, run]))
      baseInvocation = selected.report.invocation
      baseRunOf = (file) => runs.get(file)
      baseFiles = [...runs.keys()]
    } else {
      baseInvocation = early?.baseId === selected.id ? early.invocation : store.getInvocation(selected.id)
      baseRunOf = (file) => store.getRunByFile(selected.id, file)
      baseFiles = store.getRunFiles(selected.id)
    }
    const reuse = selected.kind === 'invocation' && early?.baseId === selected.id ? early.comparisons : undefined
    const compareFile = (base: ReportRun | undefined, run: ReportRun | undefined) =>
      compareReports(singleRunReport(baseInvocation, base), singleRunReport(head, run), opts).runs
    const byFile = new Map<string, RunComparison>()
    const headFiles = new Set<string>()
    for (const summary of summaries) {
      const file = summary.run.file
      headFiles.add(file)
      const done = reuse?.get(file)
      if (done) {
        byFile.set(file, done)
        continue
      }
      const run = summary.full ?? (summary.saved ? (store.getRun(summary.run.id) ?? summary.run) : summary.run)
      for (const c of compareFile(baseRunOf(file), run)) byFile.set(c.file, c)
    }
    for (const file of baseFiles) {
      if (headFiles.has(file)) continue
      for (const c of compareFile(baseRunOf(file), undefined)) byFile.set(c.file, c)
    }
    const sides = compareReports(singleRunReport(baseInvocation, undefined), singleRunReport(head, undefined), opts)
    return { ...sides, runs: [...byFile.keys()].sort(compareSorted).map((file) => byFile.get(file) as RunComparison) }
  }
}

/** Writes `file` through a {@link FileSink}; a failure leaves no partial file. */
function writeSink(file: string, emit: (sink: FileSink) => void): void {
  const sink = FileSink.open(file)
  try {
    emit(sink)
  } catch (error) {
    sink.abandon()
    rmSync(file, { force: true })
    throw error
  }
  sink.close()
}

/** Writes `path` through a temporary file, renamed into place when complete. */
function writeStreamed(path: string, emit: (sink: FileSink) => void): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeSink(tmp, emit)
  renameSync(tmp, path)
}
