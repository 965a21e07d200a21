/**
 * Options and their defaults, resolved once (in the main process by the plugin, and in a worker
 * only when the plugin did not provide them). Env variables are read here and nowhere else.
 */
import { DEFAULT_ALPHA, DEFAULT_CONCURRENCY } from './defaults.js'
import { type Env, envValue, processEnv } from './env.js'
import { ConfigError } from './errors.js'
import { defaultJudgeSpec, type JudgeSource } from './judges/providers.js'
import type { Judge } from './judges/types.js'

export { DEFAULT_ALPHA, DEFAULT_CONCURRENCY } from './defaults.js'
export { type Env, envValue, processEnv } from './env.js'
export { defaultJudgeSpec } from './judges/providers.js'

/** Cache modes. */
export type CacheMode = 'readwrite' | 'readonly' | 'refresh' | 'off'

/** Quality gate. */
export interface GateOptions {
  /** Fail when a metric's mean drops by more than this (0..1 scale) versus the baseline and the drop is significant. */
  maxDrop?: number
  /** Significance level of the comparison. @default 0.05 */
  alpha?: number
  /** Fail when a metric's mean is under this value. */
  minMean?: Record<string, number>
  /**
   * Measurements to gate (they are never gated by `maxDrop`): metric -> largest tolerated worsening
   * of its mean as a fraction of the baseline mean, e.g. `{ latency: 0.5, token_count: 0.2 }` fails
   * when latency rose by more than 50% or tokens by more than 20% and the change is significant.
   * @default {}
   */
  measurements?: Record<string, number>
  /**
   * Fail the run when the judge's agreement with human labels (quadratic-weighted kappa over the
   * invocation's labelled cases) is under this mark for a metric, or when the metric has no labelled case.
   */
  minAgreement?: Record<string, number>
}

/** Report file paths; `false` turns one off. */
export interface ReportsOptions {
  /** @default `<dir>/junit.xml` */
  junit?: string | false
  /** @default `<dir>/report.json` */
  json?: string | false
  /** @default `<dir>/summary.md` */
  markdown?: string | false
  /** The self-contained HTML report (one file, no request of any kind). @default `<dir>/report.html` */
  html?: string | false
}

/** What the JUnit report holds beyond what Jenkins' `junit-10.xsd` accepts. */
export interface JunitReportOptions {
  /**
   * Also write each case's results as `<properties>` inside its `<testcase>`, for tools that read
   * them. Jenkins' `junit-10.xsd` (xunit plugin) rejects the file then.
   * @default false
   */
  properties?: boolean
  /**
   * Put a `file` attribute on every `<testcase>` (it is always on `<testsuite>`), like Vitest's own
   * JUnit reporter option of that name. Jenkins' `junit-10.xsd` (xunit plugin) rejects the file then.
   * @default false
   */
  addFileAttribute?: boolean
  /**
   * Put a `line` attribute (the test's line) on every `<testcase>`, for consumers that read it
   * (mikepenz/action-junit-report). Jenkins' `junit-10.xsd` (xunit plugin) rejects the file then:
   * without it, the line is in the failure body's last line, `at <test> (<file>:<line>:<col>)`,
   * where those consumers find it too.
   * @default false
   */
  addLineAttribute?: boolean
}

/** Options of `vitestJudge(options)`. */
export interface VitestJudgeOptions {
  /**
   * Default judge: `'openai:<model>'`, `'gemini:<model>'`, `'anthropic:<model>'`, `'local'`, or a `Judge` object.
   * @default VITEST_JUDGE env; else `openai:gpt-4.1-mini` with OPENAI_API_KEY; else `gemini:gemini-2.5-flash` with GEMINI_API_KEY / GOOGLE_API_KEY; else `anthropic:claude-haiku-4-5` with ANTHROPIC_API_KEY; else `'local'`
   */
  judge?: string | Judge
  /** Pass mark for a normalized score, 0..1. @default 0.75 */
  minScore?: number
  /** Folder for state and reports. @default VITEST_JUDGE_DIR env, else `.vitest-judge` */
  dir?: string
  /**
   * Judge cache mode, or `{ mode, url }` to also share the cache in PostgreSQL.
   * @default VITEST_JUDGE_CACHE env, else `'readwrite'`; url: VITEST_JUDGE_CACHE_URL, else the `store` URL, else `<dir>/cache.db`
   */
  cache?: CacheMode | CacheOptions
  /** Run selector to compare with, or `false`. @default VITEST_JUDGE_BASELINE env, else `'previous'` */
  baseline?: string | false
  /** Quality gate; no gate by default. */
  gate?: GateOptions
  /** Report paths. */
  reports?: ReportsOptions
  /** Judge requests in flight per worker. @default 8 */
  concurrency?: number
  /** Logged with every run. @default {} */
  params?: Record<string, string | number | boolean>
  /** Name grouping runs. @default the package name */
  experiment?: string
  /**
   * A shared run store: `postgres://user@host:5432/db` (with `?schema=name`). The judge cache
   * follows it unless `cache.url` says otherwise. The `pg` package must be installed.
   * @default VITEST_JUDGE_STORE_URL env, else the SQLite files in `dir`
   */
  store?: string
  /** JUnit report contents. @default `{ properties: false, addFileAttribute: false, addLineAttribute: false }` */
  junit?: JunitReportOptions
  /**
   * Print `::error file=...,line=...::` workflow commands for failed cases and gate failures, so
   * a pull request shows them on its diff.
   * @default true when GITHUB_ACTIONS is `true`, else false
   */
  githubAnnotations?: boolean
  /**
   * Record the judged results as Vitest test annotations (`context.annotate`, one per
   * `describeEval` case, one per matcher call), shown by Vitest's own reporters, UI and HTML
   * report. When every reporter in use shows annotations of failed tests only (Vitest's `default`
   * and `dot`), only failed tests are annotated (what they would show), which keeps warm reruns fast.
   * @default true
   */
  testAnnotations?: boolean
  /**
   * Prices in USD per million tokens, by judge spec (`'openai:gpt-4.1'`) or model (`'gpt-4.1'`),
   * added to or overriding the built-in table. @default {} (the built-in table only)
   */
  pricing?: Record<string, { input: number; output: number }>
  /**
   * A spending limit for one invocation, shared by every worker: once reached, further judge calls
   * fail at once with `VJ_BUDGET`. @default no budget
   */
  budget?: BudgetOptions
  /**
   * Log every run to an MLflow tracking server (off unless set here or by MLFLOW_TRACKING_URI);
   * `false` turns it off even when the env variable is set.
   * @default MLFLOW_TRACKING_URI env, else off
   */
  mlflow?: MlflowOptions | false
  /**
   * The app cache: record the app's own model and tool calls (`appCacheMiddleware()`, `cachedModel()`,
   * `replayTool()`, `traceClient()`) and replay them. `'off'`: every call is live; `'auto'`: a recorded
   * call is replayed, a new one is made and recorded; `'record'`: every call is made and recorded;
   * `'replay'`: recorded calls only, a new one fails the case with `VJ_REPLAY_MISS` and is never made.
   * The env variable wins over this option and over every per-suite or per-call `mode`.
   * @default VITEST_JUDGE_APP_CACHE env, else `'off'` (an eval measures the live app)
   */
  appCache?: AppCacheMode
  /**
   * Traces of the system under test (spans of its model calls, tool calls and steps, per case).
   * @default `{ enabled: true, maxSpans: 500, maxBytes: 512000, inReport: true }`
   */
  traces?: TracesOptions
}

/** The `traces` option: what the worker records of the app's spans, per case. */
export interface TracesOptions {
  /** Record spans (OpenTelemetry, `traceClient`, `span()`) into each case. @default true */
  enabled?: boolean
  /** Spans kept per case; later spans are dropped and counted. @default 500 */
  maxSpans?: number
  /** Bytes of span JSON kept per case; later spans are dropped and counted. @default 512000 */
  maxBytes?: number
  /** Write each case's `trace` into report.json (the stores keep it either way). @default true */
  inReport?: boolean
}

/** Traces after defaults. */
export interface ResolvedTracesOptions {
  enabled: boolean
  maxSpans: number
  maxBytes: number
  inReport: boolean
}

/** Defaults of the `traces` option (stated in docs/guide/traces.md). */
export const TRACE_DEFAULTS: Readonly<ResolvedTracesOptions> = {
  enabled: true,
  maxSpans: 500,
  maxBytes: 512_000,
  inReport: true,
}

/** Resolves the `traces` option. */
export function resolveTracesOptions(option: TracesOptions | undefined): ResolvedTracesOptions {
  if (option !== undefined && (option === null || typeof option !== 'object')) {
    throw new ConfigError('Option `traces` must be `{ enabled?, maxSpans?, maxBytes?, inReport? }`.')
  }
  const whole = (value: unknown, name: string, fallback: number): number => {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new ConfigError(`Option \`traces.${name}\` must be a whole number >= 0, got ${JSON.stringify(value)}.`)
    }
    return value
  }
  return {
    enabled: option?.enabled ?? TRACE_DEFAULTS.enabled,
    maxSpans: whole(option?.maxSpans, 'maxSpans', TRACE_DEFAULTS.maxSpans),
    maxBytes: whole(option?.maxBytes, 'maxBytes', TRACE_DEFAULTS.maxBytes),
    inReport: option?.inReport ?? TRACE_DEFAULTS.inReport,
  }
}

/** The `budget` option. */
export interface BudgetOptions {
  /** Largest USD spend on judge calls (needs a known price for every judge used). */
  maxUsd?: number
  /** Largest number of judge calls that reach a provider (cache hits are free). */
  maxCalls?: number
}

/** Budget after defaults. */
export interface ResolvedBudgetOptions {
  maxUsd: number | null
  maxCalls: number | null
}

/** Where runs are logged in MLflow, in MLflow's own terms. */
export interface MlflowOptions {
  /** Tracking server, `http(s)://host[:port][/prefix]`. @default MLFLOW_TRACKING_URI env */
  trackingUri?: string
  /** MLflow experiment name (created when missing). @default MLFLOW_EXPERIMENT_NAME env, else the `experiment` option */
  experiment?: string
}

/** MLflow logging after defaults. Credentials are never kept here: they are read when a request is made. */
export interface ResolvedMlflowOptions {
  /** The tracking server's base URL, without a trailing slash. */
  trackingUri: string
  experiment: string
  /**
   * Why logging is off although MLFLOW_TRACKING_URI is set (e.g. `databricks`, or a URL holding a
   * password): the reporter says it once and the run goes on. An unusable `mlflow` option is a
   * `ConfigError` instead.
   */
  unusable?: string
}

/** Gate after defaults. */
export interface ResolvedGateOptions {
  /** Whether the gate decides the exit code (`gate` was given); its settings hold either way. */
  enabled: boolean
  maxDrop: number | null
  alpha: number
  minMean: Record<string, number>
  measurements: Record<string, number>
  /** Smallest accepted kappa per metric (present when `gate.minAgreement` was given). */
  minAgreement?: Record<string, number>
}

/** Options after defaults; plain data (a `Judge` object is kept only in-process). */
export interface ResolvedVitestJudgeOptions {
  /** Judge spec string, or `custom:<name>` when a Judge object was given. */
  judge: string
  /** Why this judge was chosen: `option`, `env`, `<provider>-key` (`openai-key`, `gemini-key`, `anthropic-key`), `default`. */
  judgeSource: JudgeSource
  minScore: number
  /** Absolute path. */
  dir: string
  cache: CacheMode
  /** The shared judge cache (`postgres://...`), or null for `<dir>/cache.db`. */
  cacheUrl: string | null
  /** The shared run store (`postgres://...`), or null for `<dir>/runs.db`. */
  store: string | null
  baseline: string | false
  /** The gate's settings, always present; `gate.enabled` says whether it can fail the run. */
  gate: ResolvedGateOptions
  reports: { junit: string | false; json: string | false; markdown: string | false; html: string | false }
  concurrency: number
  params: Record<string, string | number | boolean>
  experiment: string
  /** Absolute project root. */
  root: string
  /** User prices (USD per million tokens) by judge spec or model. */
  pricing: Record<string, { input: number; output: number }>
  /** The invocation's budget, or null. */
  budget: ResolvedBudgetOptions | null
  /**
   * Names the invocation's budget counter (set by the plugin in the main process, so that every
   * worker of one invocation shares it); absent when the budget is not shared.
   */
  budgetKey?: string
  junit: { properties: boolean; addFileAttribute: boolean; addLineAttribute: boolean }
  githubAnnotations: boolean
  /** GITHUB_STEP_SUMMARY: the file the markdown summary is appended to, or null. */
  githubStepSummary: string | null
  /** NO_COLOR is set: the console table has no colour even on a terminal. */
  noColor: boolean
  /** `'failed'`: set by the plugin when the reporters in use show annotations of failed tests only. */
  testAnnotations: boolean | 'failed'
  /** MLflow logging, or null when off. */
  mlflow: ResolvedMlflowOptions | null
  /** The app cache's mode for the run. */
  appCache: AppCacheMode
  /** Where `appCache` came from: `env` (VITEST_JUDGE_APP_CACHE, which per-suite and per-call modes do not override), `option` or `default`. */
  appCacheSource: 'env' | 'option' | 'default'
  /** Traces of the system under test. */
  traces: ResolvedTracesOptions
}

const CACHE_MODES: readonly CacheMode[] = ['readwrite', 'readonly', 'refresh', 'off']

/** Checks a pass mark is a number in 0..1; `what` names the option for the message. */
export function checkScore(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(`${what} must be a number from 0 to 1 (a normalized score), got ${JSON.stringify(value)}.`)
  }
  return value
}

function resolvePath(root: string, p: string): string {
  // Plain string ops keep this module free of node:path so it also loads in a browser-ish worker.
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return p
  return `${root.replace(/[\\/]+$/, '')}/${p.replace(/^\.\//, '')}`
}

/** Resolves user options and env variables into plain, validated options. The one place defaults live. */
export function resolveOptions(
  options: VitestJudgeOptions = {},
  context: { root: string; env?: Env; packageName?: string },
): ResolvedVitestJudgeOptions {
  const env = context.env ?? processEnv()
  const root = context.root
  let judge: string
  let judgeSource: ResolvedVitestJudgeOptions['judgeSource']
  if (options.judge === undefined) {
    const d = defaultJudgeSpec(env)
    judge = d.judge
    judgeSource = d.source
  } else if (typeof options.judge === 'string') {
    judge = options.judge
    judgeSource = 'option'
  } else if (options.judge && typeof options.judge === 'object' && typeof options.judge.grade === 'function') {
    judge = `custom:${options.judge.name}`
    judgeSource = 'option'
  } else {
    throw new ConfigError('Option `judge` must be a judge spec string or an object implementing `Judge`.')
  }

  const minScore = checkScore(options.minScore ?? 0.75, 'Option `minScore`')

  // An empty env value (CI often exports unset variables as '') counts as unset, as for VITEST_JUDGE_BASELINE.
  const cacheOption = typeof options.cache === 'object' && options.cache !== null ? options.cache : undefined
  const cacheRaw =
    (cacheOption ? cacheOption.mode : (options.cache as CacheMode | undefined)) ??
    ((env.VITEST_JUDGE_CACHE || undefined) as CacheMode | undefined) ??
    'readwrite'
  const store = storeUrl(
    options.store ?? (env.VITEST_JUDGE_STORE_URL || undefined),
    'Option `store` (VITEST_JUDGE_STORE_URL)',
  )
  const cacheUrl =
    storeUrl(
      cacheOption?.url ?? (env.VITEST_JUDGE_CACHE_URL || undefined),
      'Option `cache.url` (VITEST_JUDGE_CACHE_URL)',
    ) ?? store
  if (!CACHE_MODES.includes(cacheRaw)) {
    throw new ConfigError(
      `Cache mode "${String(cacheRaw)}" is not one of ${CACHE_MODES.join(', ')} (option \`cache\` or VITEST_JUDGE_CACHE).`,
    )
  }

  let baseline: string | false
  if (options.baseline !== undefined) baseline = options.baseline
  else if (env.VITEST_JUDGE_BASELINE !== undefined && env.VITEST_JUDGE_BASELINE !== '')
    baseline = ['false', 'none', 'off'].includes(env.VITEST_JUDGE_BASELINE) ? false : env.VITEST_JUDGE_BASELINE
  else baseline = 'previous'

  const gate = resolveGate(options.gate)

  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`Option \`concurrency\` must be a whole number >= 1, got ${concurrency}.`)
  }

  const experiment = options.experiment ?? context.packageName ?? 'default'
  const dir = resolvePath(root, options.dir ?? (env.VITEST_JUDGE_DIR || undefined) ?? '.vitest-judge')
  const reportPath = (value: string | false | undefined, name: string) =>
    value === false ? false : resolvePath(root, value ?? `${dir}/${name}`)

  const pricing: Record<string, { input: number; output: number }> = {}
  for (const [key, price] of Object.entries(options.pricing ?? {})) {
    const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0
    if (!price || typeof price !== 'object' || !ok(price.input) || !ok(price.output)) {
      throw new ConfigError(
        `Option \`pricing.${key}\` must be { input: number, output: number } in USD per million tokens (>= 0), got ${JSON.stringify(price)}.`,
      )
    }
    pricing[key] = { input: price.input, output: price.output }
  }

  let budget: ResolvedBudgetOptions | null = null
  if (options.budget !== undefined) {
    const { maxUsd, maxCalls } = options.budget ?? {}
    if (maxUsd !== undefined && !(typeof maxUsd === 'number' && Number.isFinite(maxUsd) && maxUsd >= 0)) {
      throw new ConfigError(`Option \`budget.maxUsd\` must be a number of USD >= 0, got ${JSON.stringify(maxUsd)}.`)
    }
    if (maxCalls !== undefined && !(Number.isInteger(maxCalls) && maxCalls >= 0)) {
      throw new ConfigError(`Option \`budget.maxCalls\` must be a whole number >= 0, got ${JSON.stringify(maxCalls)}.`)
    }
    if (maxUsd === undefined && maxCalls === undefined) {
      throw new ConfigError('Option `budget` needs `maxUsd`, `maxCalls` or both.')
    }
    budget = { maxUsd: maxUsd ?? null, maxCalls: maxCalls ?? null }
  }

  return {
    judge,
    judgeSource,
    minScore,
    dir,
    cache: cacheRaw,
    cacheUrl,
    store,
    baseline,
    gate,
    reports: {
      junit: reportPath(options.reports?.junit, 'junit.xml'),
      json: reportPath(options.reports?.json, 'report.json'),
      markdown: reportPath(options.reports?.markdown, 'summary.md'),
      html: reportPath(options.reports?.html, 'report.html'),
    },
    concurrency,
    params: { ...(options.params ?? {}) },
    experiment,
    root,
    junit: {
      properties: options.junit?.properties ?? false,
      addFileAttribute: options.junit?.addFileAttribute ?? false,
      addLineAttribute: options.junit?.addLineAttribute ?? false,
    },
    githubAnnotations: options.githubAnnotations ?? env.GITHUB_ACTIONS === 'true',
    githubStepSummary: envValue('GITHUB_STEP_SUMMARY', env) ?? null,
    noColor: envValue('NO_COLOR', env) !== undefined,
    testAnnotations: options.testAnnotations ?? true,
    mlflow: resolveMlflowOptions(options.mlflow, env, experiment),
    pricing,
    budget,
    ...resolveAppCacheMode(options.appCache, env),
    traces: resolveTracesOptions(options.traces),
  }
}

/**
 * The gate's settings with their defaults, whether the gate is on or not (`enabled`): the comparison
 * uses `alpha` and `measurements` either way. Shared by the plugin and the CLI.
 */
export function resolveGate(option: GateOptions | undefined): ResolvedGateOptions {
  const alpha = option?.alpha ?? DEFAULT_ALPHA
  if (!(alpha > 0 && alpha < 1)) throw new ConfigError(`Option \`gate.alpha\` must be between 0 and 1, got ${alpha}.`)
  const maxDrop = option?.maxDrop ?? null
  if (maxDrop !== null && !(maxDrop >= 0))
    throw new ConfigError(`Option \`gate.maxDrop\` must be >= 0, got ${maxDrop}.`)
  const minMean = option?.minMean ?? {}
  for (const [metric, value] of Object.entries(minMean)) {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new ConfigError(`Option \`gate.minMean.${metric}\` must be a number.`)
  }
  const measurements = option?.measurements ?? {}
  for (const [metric, value] of Object.entries(measurements)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new ConfigError(
        `Option \`gate.measurements.${metric}\` must be a number >= 0 (a fraction of the baseline mean, e.g. 0.5 for +50%), got ${String(value)}.`,
      )
  }
  const gate: ResolvedGateOptions = { enabled: Boolean(option), maxDrop, alpha, minMean, measurements }
  if (option?.minAgreement !== undefined) {
    const minAgreement: Record<string, number> = {}
    for (const [metric, value] of Object.entries(option.minAgreement)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < -1 || value > 1) {
        throw new ConfigError(
          `Option \`gate.minAgreement.${metric}\` must be a kappa from -1 to 1 (e.g. 0.6), got ${String(value)}.`,
        )
      }
      minAgreement[metric] = value
    }
    gate.minAgreement = minAgreement
  }
  return gate
}

/**
 * Checks an MLflow tracking URI and returns it without a trailing slash. Only HTTP servers are
 * supported (`file:`, `databricks` and other stores are MLflow client-side stores with no REST API here).
 * Credentials inside the URI (`https://user:password@host`) are refused: they belong in
 * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD, which are never printed.
 */
export function checkTrackingUri(uri: string, what: string): string {
  let url: URL
  try {
    url = new URL(uri.trim())
  } catch {
    throw new ConfigError(
      `${what} "${uri.slice(0, 200)}" is not a URL: give the tracking server's address, e.g. http://127.0.0.1:5000.`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `${what} must be an http:// or https:// tracking server (vitest-judge logs through MLflow's REST API), got ${url.protocol}.`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${what} must not hold credentials: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) instead.`,
    )
  }
  url.search = ''
  url.hash = ''
  return url.toString().replace(/\/+$/, '')
}

/** Resolves the `mlflow` option with MLflow's env variables (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME). */
export function resolveMlflowOptions(
  option: MlflowOptions | false | undefined,
  env: Record<string, string | undefined>,
  experiment: string,
): ResolvedMlflowOptions | null {
  if (option === false) return null
  if (option !== undefined && (option === null || typeof option !== 'object')) {
    throw new ConfigError('Option `mlflow` must be `{ trackingUri, experiment? }` or `false`.')
  }
  const fromOption = option?.trackingUri
  const uri = fromOption || env.MLFLOW_TRACKING_URI || undefined
  if (uri === undefined) {
    if (option !== undefined) {
      throw new ConfigError(
        'Option `mlflow` needs `trackingUri` (or the MLFLOW_TRACKING_URI env variable), e.g. http://127.0.0.1:5000.',
      )
    }
    return null
  }
  const name = option?.experiment ?? (env.MLFLOW_EXPERIMENT_NAME || undefined) ?? experiment
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError('Option `mlflow.experiment` must be a non-empty experiment name.')
  }
  if (fromOption) return { trackingUri: checkTrackingUri(uri, 'Option `mlflow.trackingUri`'), experiment: name }
  try {
    return { trackingUri: checkTrackingUri(uri, 'MLFLOW_TRACKING_URI'), experiment: name }
  } catch (error) {
    // An MLflow setup made for other tools must not break the Vitest run: logging is off, and said so.
    return { trackingUri: '', experiment: name, unusable: (error as Error).message }
  }
}

/** MLflow credentials from MLflow's env variables: a bearer token, or a username and password. */
export type MlflowCredentials =
  | { kind: 'token'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'none' }

/**
 * Reads MLFLOW_TRACKING_TOKEN (bearer) or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (basic),
 * as MLflow's own client does. Read when a request is made, never kept in resolved options.
 */
export function mlflowCredentials(env: Record<string, string | undefined>): MlflowCredentials {
  const token = env.MLFLOW_TRACKING_TOKEN
  if (token) return { kind: 'token', token }
  const username = env.MLFLOW_TRACKING_USERNAME
  const password = env.MLFLOW_TRACKING_PASSWORD
  if (username && password) return { kind: 'basic', username, password }
  return { kind: 'none' }
}

/** How the MLflow client retries; MLflow's own env variables, with defaults short enough for the end of a test run. */
export interface MlflowHttpSettings {
  /** Per-request timeout in ms. @default 10000 (MLFLOW_HTTP_REQUEST_TIMEOUT, in seconds) */
  timeoutMs: number
  /** Retries after the first attempt on 429, 5xx, timeouts and network errors. @default 3 (MLFLOW_HTTP_REQUEST_MAX_RETRIES) */
  maxRetries: number
  /** First backoff in ms, doubled at each retry. @default 500 (MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR, in seconds) */
  backoffMs: number
}

function envNumber(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const text = env[name]
  if (text === undefined || text.trim() === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < min) {
    throw new ConfigError(`${name} must be a number >= ${min}, got ${JSON.stringify(text.slice(0, 40))}.`)
  }
  return value
}

/** Reads MLFLOW_HTTP_REQUEST_TIMEOUT, MLFLOW_HTTP_REQUEST_MAX_RETRIES and MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR. */
export function mlflowHttpSettings(env: Record<string, string | undefined>): MlflowHttpSettings {
  return {
    timeoutMs: Math.round(envNumber(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', 10, 0.001) * 1000),
    maxRetries: Math.floor(envNumber(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', 3, 0)),
    backoffMs: Math.round(envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', 0.5, 0) * 1000),
  }
}

/** The judge cache as an object: its mode and where it lives. */
export interface CacheOptions {
  /** @default VITEST_JUDGE_CACHE env, else `'readwrite'` */
  mode?: CacheMode
  /** A `postgres://user@host:5432/db?schema=name` URL shared by every machine. @default VITEST_JUDGE_CACHE_URL env, else the `store` URL, else `<dir>/cache.db` */
  url?: string
}

/** Checks a store or cache URL: a postgres:// URL, or nothing (the SQLite files in `dir`). */
function storeUrl(value: unknown, what: string): string | null {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string' || !/^postgres(ql)?:\/\/[^\s]+$/i.test(value.trim())) {
    throw new ConfigError(
      `${what} must be a postgres:// URL (e.g. postgres://user@host:5432/db?schema=vitest_judge); leave it unset for the SQLite files in \`dir\`.`,
    )
  }
  return value.trim()
}

// --- app cache (issue 27) ---------------------------------------------------------------------

/**
 * How the app's own model and tool calls meet the app cache: `'off'` (live), `'auto'` (replay a
 * recorded call, make and record a new one), `'record'` (always make and record), `'replay'` (recorded
 * calls only: a new call fails with `VJ_REPLAY_MISS` and is never made).
 */
export type AppCacheMode = 'off' | 'auto' | 'record' | 'replay'

/** The app cache modes, in the order the docs list them. */
export const APP_CACHE_MODES: readonly AppCacheMode[] = ['off', 'auto', 'record', 'replay']

/** Checks an app cache mode given by an option; `what` names the option for the message. */
export function checkAppCacheMode(value: unknown, what: string): AppCacheMode {
  if (typeof value === 'string' && (APP_CACHE_MODES as readonly string[]).includes(value)) return value as AppCacheMode
  throw new ConfigError(
    `${what} must be one of ${APP_CACHE_MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(value)?.slice(0, 60)}.`,
  )
}

/** The run's app cache mode: VITEST_JUDGE_APP_CACHE (an empty value is unset), else the option, else `'off'`. */
export function resolveAppCacheMode(
  option: AppCacheMode | undefined,
  env: Record<string, string | undefined>,
): { appCache: AppCacheMode; appCacheSource: 'env' | 'option' | 'default' } {
  const fromEnv = env.VITEST_JUDGE_APP_CACHE?.trim()
  if (fromEnv) return { appCache: checkAppCacheMode(fromEnv, 'VITEST_JUDGE_APP_CACHE'), appCacheSource: 'env' }
  if (option !== undefined)
    return { appCache: checkAppCacheMode(option, 'Option `appCache`'), appCacheSource: 'option' }
  return { appCache: 'off', appCacheSource: 'default' }
}
