/**
 * The reporter (main process). It stays thin: it collects `task.meta` per finished file, saves the
 * run, and at the end hands plain data to the pure report functions (aggregate, compare, JUnit,
 * markdown, console) and writes their output. It never calls a judge.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import { type ResolvedVitestJudgeOptions, resolveOptions, type VitestJudgeOptions } from '../config.js'
import { SelectorError, VitestJudgeError } from '../errors.js'
import { redact } from '../redact.js'
import { buildRun, type CollectedTest } from '../report/collect.js'
import { compareReports, evaluateGate, type GateFailure } from '../report/compare.js'
import { renderConsole } from '../report/console.js'
import { renderJunit } from '../report/junit.js'
import { renderMarkdown } from '../report/markdown.js'
import type { JsonReport, ReportInvocation, ReportRun } from '../report/types.js'
import { readCaseMeta } from '../runtime/case-meta.js'
import { newId } from '../store/ids.js'
import { RunStore } from '../store/run-store.js'
import { ciInfo, gitInfo } from './git-info.js'
import { getPluginOptions } from './plugin-options.js'

function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}

function collectTest(testCase: TestCase): CollectedTest {
  const result = testCase.result()
  const diagnostic = testCase.diagnostic()
  const meta = readCaseMeta(testCase.meta())
  const firstError = result.errors?.[0]
  return {
    name: testCase.fullName,
    state: result.state,
    ...(diagnostic ? { durationMs: diagnostic.duration } : {}),
    ...(firstError ? { error: redact(String(firstError.message ?? firstError)).slice(0, 4000) } : {}),
    ...(meta ? { meta } : {}),
  }
}

/** The vitest-judge reporter. */
export class JudgeReporter implements Reporter {
  private options: ResolvedVitestJudgeOptions | undefined
  private readonly userOptions: VitestJudgeOptions
  private vitest: Vitest | undefined
  private store: RunStore | undefined
  private invocation: (ReportInvocation & { experiment: string }) | undefined
  private runs: ReportRun[] = []
  private storeFailed = false
  private baselinePrefetch: { invocationId: string; baseId: string; report: JsonReport } | undefined
  private prefetchScheduled = false

  /** Resolved options from the plugin, or user options when the reporter is listed by hand. */
  constructor(options: ResolvedVitestJudgeOptions | VitestJudgeOptions = {}) {
    if ('root' in options && 'judgeSource' in options) this.options = options as ResolvedVitestJudgeOptions
    this.userOptions = this.options ? {} : (options as VitestJudgeOptions)
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
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
    this.runs = []
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

  onTestModuleEnd(testModule: TestModule): void {
    if (!this.options) return
    const tests = Array.from(testModule.children.allTests(), collectTest)
    if (!tests.some((t) => t.meta)) return
    const invocation = this.ensureInvocation()
    const file = relative(this.options.root, testModule.moduleId).split('\\').join('/')
    const run = buildRun(newId(), file, tests, testModule.diagnostic().duration)
    this.runs.push(run)
    try {
      this.openStore()?.saveRun(invocation.id, run)
    } catch (error) {
      this.fail(`vitest-judge: cannot save the run of ${file}: ${(error as Error).message}`)
    }
    this.prefetchBaseline(invocation.id)
  }

  /**
   * Reads the baseline invocation while the workers run the remaining files (the main process is
   * mostly idle then) rather than after the last test: for 10,000 cases that read is a few hundred
   * ms off the end of the run. Only a complete invocation is kept (it cannot change any more), and
   * `onTestRunEnd` uses it only when the selector still names it; any failure here is left for
   * `onTestRunEnd`, which resolves the baseline again and reports what went wrong.
   */
  private prefetchBaseline(invocationId: string): void {
    const options = this.options
    if (this.prefetchScheduled || !options || options.baseline === false) return
    const selector = options.baseline
    // Selectors of stored invocations only: a JSON report path is read once, at the end.
    if (selector !== 'previous' && !selector.startsWith('tag:') && !selector.startsWith('branch:')) return
    this.prefetchScheduled = true
    setImmediate(() => {
      if (this.invocation?.id !== invocationId) return
      try {
        const store = this.openStore()
        const selected = store?.resolveSelector(selector, { before: invocationId, experiment: options.experiment })
        if (!store || selected?.kind !== 'invocation') return
        const report = store.getReport(selected.id)
        if (report.invocation.status === 'complete') {
          this.baselinePrefetch = { invocationId, baseId: selected.id, report }
        }
      } catch {
        // see above
      }
    })
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
    const prefetched = this.baselinePrefetch?.invocationId === invocation.id ? this.baselinePrefetch : undefined
    this.baselinePrefetch = undefined
    this.prefetchScheduled = false
    const endedAt = new Date().toISOString()
    const status = reason === 'interrupted' ? 'interrupted' : 'complete'
    const store = this.openStore()
    try {
      store?.finishInvocation(invocation.id, status, endedAt)
    } catch (error) {
      this.fail(`vitest-judge: cannot finish the invocation: ${(error as Error).message}`)
    }
    const { experiment: _experiment, ...invocationFields } = invocation
    const report: JsonReport = {
      version: 1,
      invocation: { ...invocationFields, experiment: options.experiment, endedAt, status },
      runs: [...this.runs].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
      comparison: null,
    }
    const notes: string[] = []
    if (options.baseline !== false && store) {
      try {
        const selected = store.resolveSelector(options.baseline, {
          before: invocation.id,
          experiment: options.experiment,
        })
        const base =
          selected.kind === 'report'
            ? selected.report
            : prefetched?.baseId === selected.id
              ? prefetched.report
              : store.getReport(selected.id)
        report.comparison = compareReports(base, report, { alpha: options.gate?.alpha ?? 0.05 })
      } catch (error) {
        if (error instanceof SelectorError || error instanceof VitestJudgeError) {
          notes.push(`No baseline to compare with (${options.baseline}): ${error.message}`)
        } else throw error
      }
    }
    let gateFailures: GateFailure[] = []
    if (options.gate) gateFailures = evaluateGate(report.comparison, report, options.gate)

    const written: string[] = []
    const write = (path: string | false, render: () => string) => {
      if (path === false) return
      try {
        writeAtomic(path, redact(render()))
        written.push(relative(options.root, path) || path)
      } catch (error) {
        this.fail(`vitest-judge: cannot write ${path}: ${(error as Error).message}`)
      }
    }
    write(options.reports.json, () => `${JSON.stringify(report, null, 2)}\n`)
    write(options.reports.junit, () => renderJunit(report))
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
    if (gateFailures.length > 0) process.exitCode = 1
  }
}
