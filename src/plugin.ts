/// <reference types="vitest/config" />
/**
 * `vitestJudge(options)`: resolves the options once, hands them to the workers (`provide`), adds
 * the matcher setup file, and adds the reporter in `configureVitest`, so a `--reporter` flag on
 * the command line does not drop it.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Vite, VitestPluginContext } from 'vitest/node'
import { type ResolvedVitestJudgeOptions, resolveOptions, type VitestJudgeOptions } from './config.js'
import { ConfigError } from './errors.js'
import { priceOf } from './judges/pricing.js'
import { missingKeyError, parseJudgeSpecOrThrow } from './judges/providers.js'
import { APP_CACHE_MARK } from './replay/app-cache-mark.js'
import { isJudgeReporter, setPluginOptions } from './reporter/plugin-options.js'
import { PluginReporter } from './reporter/plugin-reporter.js'
import { newId } from './store/ids.js'
import { TRACES_HOOK, TRACES_MARK } from './tracing/collector.js'

export type {
  BudgetOptions,
  CacheMode,
  GateOptions,
  JunitReportOptions,
  ReportsOptions,
  ResolvedVitestJudgeOptions,
  VitestJudgeOptions,
} from './config.js'

import { DEFAULT_CONCURRENCY } from './defaults.js'
import { processEnv } from './env.js'

function packageName(root: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown }
    return typeof pkg.name === 'string' ? pkg.name : undefined
  } catch {
    return undefined
  }
}

function checkKeys(resolved: ResolvedVitestJudgeOptions): void {
  // A readonly replay never reaches the provider (a miss is an error before any request): no key needed.
  if (resolved.cache === 'readonly') return
  const error = missingKeyError(resolved.judge, processEnv())
  if (error) throw error
}

// The judges' resolver (the local judge's scorers) is not needed in the main process: it loads only
// to register a Judge object. The provider registry is plain declarations and SDKs load lazily.
const loadJudges = () => import('./judges/resolve-judge.js')

// What makes spans in a test: the AI SDK's telemetry, OpenTelemetry set up by hand or by an
// instrumentation (OpenInference, OpenLLMetry), our own wrappers, and the trace matchers and metrics.
const TRACING_HINT =
  /experimental_telemetry|@opentelemetry\/|@arizeai\/openinference|@traceloop\/|@ai-sdk\/otel|\b(?:traceClient|getTrace|toHaveCalledTool|toMatchTrajectory|toHaveNoFailedSpans|toStayWithin|trajectoryMatch|taskCompletion|stepCount|appTokens|appCostUsd)\b/

// What makes app calls go through the app cache.
const APP_CACHE_HINT = /\b(?:appCacheMiddleware|cachedModel|replayTool|traceClient)\b/

// vitest-judge's own modules: a workspace link (its real path outside node_modules) makes Vite transform them.
const ownDir = `${dirname(fileURLToPath(import.meta.url)).replace(/\\/g, '/')}/`

function projectModule(id: string): boolean {
  if (id.includes('/node_modules/') || id.startsWith('\0') || id.startsWith(ownDir)) return false
  return /\.[cm]?[jt]sx?$/.test(id.replace(/\?.*$/, ''))
}

/** Whether a project module (not a dependency) mentions tracing. */
export function mentionsTracing(code: string, id: string): boolean {
  if (!projectModule(id)) return false
  if (TRACING_HINT.test(code)) return true
  return code.includes('vitest-judge') && /\bspan\s*\(/.test(code)
}

/** Whether a project module (not a dependency) mentions an app cache wrapper. */
export function mentionsAppCache(code: string, id: string): boolean {
  return projectModule(id) && APP_CACHE_HINT.test(code)
}

const setupFile = fileURLToPath(new URL('./setup-file.js', import.meta.url))
const reporterAdded = new WeakSet<object>()

/** The Vitest plugin. */
export function vitestJudge(options: VitestJudgeOptions = {}): Vite.Plugin {
  const judgeObject = options.judge && typeof options.judge === 'object' ? options.judge : undefined
  if (judgeObject) void loadJudges().then(({ registerJudge }) => registerJudge(judgeObject))
  let resolved: ResolvedVitestJudgeOptions | undefined
  return {
    name: 'vitest-judge',
    config(config) {
      const withTest = config as { test?: Record<string, unknown> }
      withTest.test ??= {}
      const test = withTest.test
      const setupFiles = test.setupFiles
      const list = Array.isArray(setupFiles) ? setupFiles : setupFiles ? [setupFiles] : []
      if (!list.includes(setupFile)) test.setupFiles = [setupFile, ...list]
      // Eval cases are concurrent tests; Vitest's default cap of 5 would sit under the judge limit.
      const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
      const current = typeof test.maxConcurrency === 'number' ? test.maxConcurrency : 5
      test.maxConcurrency = Math.max(current, concurrency)
      // A judged test waits on a model; Vitest's 5 s default would time out ordinary judge calls.
      if (test.testTimeout === undefined) test.testTimeout = 60_000
      // No `includeTaskLocation` (a stack per test): a failed case records its own line (call-site.ts).
    },
    // Traces: a project module that mentions tracing marks the worker before its tests run, so that
    // tests get their own async context (which costs every promise something on Node 20 and 22) only
    // where spans can appear. Appended at the end: no line moves, the source map stays right.
    // The app cache likewise: its cases get their own async context only where a wrapper is mentioned.
    transform(code, id) {
      const marks: string[] = []
      const traces = options.traces?.enabled !== false && mentionsTracing(code, id)
      if (traces) marks.push(`globalThis.${TRACES_MARK} = true;`)
      if (mentionsAppCache(code, id)) marks.push(`globalThis.${APP_CACHE_MARK} = true;`)
      // Imported while the file's tests are collected: the setup file hooks every test to its collector.
      if (traces) marks.push(`try { globalThis.${TRACES_HOOK}?.() } catch {}`)
      if (marks.length === 0) return null
      return { code: `${code}\n;${marks.join(' ')}\n`, map: null }
    },
    configureVitest(context: VitestPluginContext): void | Promise<void> {
      const { vitest } = context
      resolved ??= resolveOptions(options, { root: vitest.config.root, packageName: packageName(vitest.config.root) })
      parseJudgeSpecOrThrow(resolved.judge)
      checkBudgetPrice(resolved)
      if (resolved.budget && !resolved.budgetKey) {
        // One counter row per invocation, started here before any worker asks it (SQLite loads only for a budget).
        const withBudget = resolved
        withBudget.budgetKey = newId()
        return import('./runtime/budget.js').then(({ budgetCounter }) => {
          budgetCounter(withBudget.dir).start(withBudget.budgetKey as string)
          configure(context, withBudget)
        })
      }
      configure(context, resolved)
    },
  }

  /**
   * `budget.maxUsd` with a default judge that has no price would refuse every one of its calls
   * mid-run: said before any test runs. (Judges named by single metrics are checked at their call.)
   */
  function checkBudgetPrice(resolved: ResolvedVitestJudgeOptions): void {
    const judge = resolved.judge
    if (!resolved.budget || resolved.budget.maxUsd === null || judge.startsWith('custom:')) return
    if (priceOf(judge, resolved.pricing) !== null) return
    throw new ConfigError(
      `Option \`budget.maxUsd\` needs the price of the judge ${judge}, which is not in the built-in table: add it to ` +
        `the \`pricing\` option (USD per million tokens, e.g. pricing: { '${judge}': { input: 0.4, output: 1.6 } }), ` +
        'or budget with `maxCalls` only.',
    )
  }

  function configure({ vitest, project }: VitestPluginContext, resolved: ResolvedVitestJudgeOptions): void {
    checkKeys(resolved)
    // Each annotation is a message from the worker: none for passing tests when no reporter shows them.
    if (resolved.testAnnotations === true && !showsPassingAnnotations(vitest)) resolved.testAnnotations = 'failed'
    project.provide('vitestJudge', resolved)
    if (!reporterAdded.has(vitest)) {
      reporterAdded.add(vitest)
      setPluginOptions(resolved)
      // A user who also lists 'vitest-judge/reporter' by hand gets one reporter, with these options.
      const listed = vitest.config.reporters.some((entry) => {
        const name = Array.isArray(entry) ? entry[0] : entry
        return typeof name === 'string' && name.startsWith('vitest-judge/reporter')
      })
      if (!listed) vitest.config.reporters.push(new PluginReporter(resolved, setupFile) as never)
    }
  }
}

/**
 * Vitest's reporters that print test annotations of failed tests only (with the failure): `default`
 * and `dot`; `github-actions` prints none of ours (they carry no location). Any other reporter
 * (verbose, tree, junit, json, html, blob, tap, a custom one) and the UI may show them all.
 */
const FAILED_ONLY_REPORTERS = new Set(['default', 'dot', 'github-actions', 'hanging-process'])

/** Whether a reporter in use (or the UI) may show the annotations of passing tests. */
export function showsPassingAnnotations(vitest: { config: { reporters: readonly unknown[]; ui?: boolean } }): boolean {
  if (vitest.config.ui) return true
  return vitest.config.reporters.some((entry) => {
    const reporter = Array.isArray(entry) ? entry[0] : entry
    if (isJudgeReporter(reporter)) return false
    if (typeof reporter !== 'string') return true
    return !(FAILED_ONLY_REPORTERS.has(reporter) || reporter.startsWith('vitest-judge/reporter'))
  })
}

export default vitestJudge
