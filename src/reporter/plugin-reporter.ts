/**
 * The reporter the plugin adds. Its work (stores, comparison, reports: `JudgeReporter`) is loaded
 * while the first worker starts, when the main process has nothing else to do, instead of before
 * the worker is started: loading it is most of what the plugin adds to Vitest's start-up. A shared
 * (PostgreSQL) store or cache is still reached before any test runs.
 */
import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import type { ResolvedVitestJudgeOptions } from '../config.js'
import { localJudgeNotice } from '../judges/providers.js'
import type { JudgeReporter } from './judge-reporter.js'
import { REPORTER_MARK } from './plugin-options.js'

/** The vitest-judge reporter as the plugin adds it. */
export class PluginReporter implements Reporter {
  readonly [REPORTER_MARK] = true
  private vitest: Vitest | undefined
  private loading: Promise<JudgeReporter> | undefined
  /** The reporter with this run started (`onTestRunStart` done), once asked for. */
  private run: Promise<JudgeReporter> | undefined
  private ready: JudgeReporter | undefined
  /** The run under way (between `onTestRunStart` and `onTestRunEnd`), for work scheduled in it. */
  private current: object | undefined

  /** `setupFile`: the setup file the plugin added, transformed ahead of the first worker's request. */
  constructor(
    private readonly options: ResolvedVitestJudgeOptions,
    private readonly setupFile?: string,
  ) {}

  async onInit(vitest: Vitest): Promise<void> {
    this.vitest = vitest
    if (this.options.judgeSource === 'default') vitest.logger.log(`\n${localJudgeNotice()}\n`)
    if (this.options.store || this.options.cacheUrl) await this.load()
  }

  onTestRunStart(): void {
    this.run = undefined
    this.ready = undefined
    // The main process has nothing to do while the first worker starts (about 0.1 s), and Vitest
    // sends every setup file through Vite in the main process while the worker waits for it: the
    // plugin's setup file is transformed then, and this reporter's work loaded after it. Loaded when
    // the first file was collected instead, it held Vitest 5's start of the file's tests (45 ms).
    // A run that ended meanwhile (no file to run) is not started again.
    const run = {}
    this.current = run
    const { vitest, setupFile } = this
    if (vitest && setupFile)
      setTimeout(() => {
        warmSetupFile(vitest, setupFile)
          .then(() => (this.current === run ? this.started() : undefined))
          .catch(() => {})
      }, 0)
  }

  onTestModuleQueued(testModule: TestModule): void {
    // Before the reporter is loaded, no recording waits that this would hold back.
    this.ready?.onTestModuleQueued(testModule)
  }

  onTestModuleStart(testModule: TestModule): void {
    if (this.ready) this.ready.onTestModuleStart(testModule)
    else
      this.started().then(
        (reporter) => reporter.onTestModuleStart(testModule),
        () => {},
      )
  }

  onTestCaseResult(testCase: TestCase): void {
    // Before the reporter is loaded, its file's results are read when the file ends.
    this.ready?.onTestCaseResult(testCase)
  }

  onTestModuleEnd(testModule: TestModule): void | Promise<void> {
    if (this.ready) return this.ready.onTestModuleEnd(testModule)
    return this.started().then((reporter) => reporter.onTestModuleEnd(testModule))
  }

  async onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    errors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): Promise<void> {
    this.current = undefined
    const reporter = await this.started()
    this.run = undefined
    this.ready = undefined
    await reporter.onTestRunEnd(modules, errors, reason)
  }

  private load(): Promise<JudgeReporter> {
    this.loading ??= import('./judge-reporter.js').then(async ({ JudgeReporter }) => {
      const reporter = new JudgeReporter(this.options, { noticeShown: true })
      await reporter.onInit(this.vitest as Vitest)
      return reporter
    })
    return this.loading
  }

  private started(): Promise<JudgeReporter> {
    this.run ??= this.load().then(async (reporter) => {
      await reporter.onTestRunStart()
      this.ready = reporter
      return reporter
    })
    return this.run
  }
}

/**
 * Transforms `setupFile` in the Vite environment each project's tests fetch it from (Vitest's:
 * `client` for jsdom and happy-dom, else `ssr`), as the worker's first request would. A failure is
 * left to that request to report.
 */
async function warmSetupFile(vitest: Vitest, setupFile: string): Promise<void> {
  const slashed = (path: string) => path.replace(/\\/g, '/')
  const transforms: Promise<unknown>[] = []
  for (const project of vitest.projects) {
    const config = project.config
    const listed = config.setupFiles.find((file) => slashed(file) === slashed(setupFile))
    if (config.browser?.enabled || listed === undefined) continue
    const name = config.environment === 'jsdom' || config.environment === 'happy-dom' ? 'client' : 'ssr'
    const transform = project.vite.environments[name]?.transformRequest(listed)
    if (transform) transforms.push(transform.catch(() => {}))
  }
  await Promise.all(transforms)
}
