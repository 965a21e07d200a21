/**
 * Options and their defaults, resolved once (in the main process by the plugin, and in a worker
 * only when the plugin did not provide them). Env variables are read here and nowhere else.
 */
import { ConfigError } from './errors.js'
import type { Judge } from './judges/types.js'

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

/** Options of `vitestJudge(options)`. */
export interface VitestJudgeOptions {
  /**
   * Default judge: `'openai:<model>'`, `'gemini:<model>'`, `'local'`, or a `Judge` object.
   * @default VITEST_JUDGE env; else `openai:gpt-4.1-mini` with OPENAI_API_KEY; else `gemini:gemini-2.5-flash` with GEMINI_API_KEY / GOOGLE_API_KEY; else `'local'`
   */
  judge?: string | Judge
  /** Pass mark for a normalized score, 0..1. @default 0.75 */
  minScore?: number
  /** Folder for state and reports. @default VITEST_JUDGE_DIR env, else `.vitest-judge` */
  dir?: string
  /** Judge cache mode. @default VITEST_JUDGE_CACHE env, else `'readwrite'` */
  cache?: CacheMode
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
}

/** Gate after defaults. */
export interface ResolvedGateOptions {
  maxDrop: number | null
  alpha: number
  minMean: Record<string, number>
}

/** Options after defaults; plain data (a `Judge` object is kept only in-process). */
export interface ResolvedVitestJudgeOptions {
  /** Judge spec string, or `custom:<name>` when a Judge object was given. */
  judge: string
  /** Why this judge was chosen: `option`, `env`, `openai-key`, `gemini-key`, `default`. */
  judgeSource: 'option' | 'env' | 'openai-key' | 'gemini-key' | 'default'
  minScore: number
  /** Absolute path. */
  dir: string
  cache: CacheMode
  baseline: string | false
  gate: ResolvedGateOptions | null
  reports: { junit: string | false; json: string | false; markdown: string | false; html: string | false }
  concurrency: number
  params: Record<string, string | number | boolean>
  experiment: string
  /** Absolute project root. */
  root: string
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

/** Picks the default judge from env variables (SPEC "Plugin options", `judge`). */
export function defaultJudgeSpec(env: Record<string, string | undefined>): {
  judge: string
  source: ResolvedVitestJudgeOptions['judgeSource']
} {
  if (env.VITEST_JUDGE) return { judge: env.VITEST_JUDGE, source: 'env' }
  if (env.OPENAI_API_KEY) return { judge: 'openai:gpt-4.1-mini', source: 'openai-key' }
  if (env.GEMINI_API_KEY || env.GOOGLE_API_KEY) return { judge: 'gemini:gemini-2.5-flash', source: 'gemini-key' }
  return { judge: 'local', source: 'default' }
}

/** Resolves user options and env variables into plain, validated options. The one place defaults live. */
export function resolveOptions(
  options: VitestJudgeOptions = {},
  context: { root: string; env?: Record<string, string | undefined>; packageName?: string },
): ResolvedVitestJudgeOptions {
  const env = context.env ?? process.env
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
  const cacheRaw = options.cache ?? ((env.VITEST_JUDGE_CACHE || undefined) as CacheMode | undefined) ?? 'readwrite'
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

  let gate: ResolvedGateOptions | null = null
  if (options.gate) {
    const alpha = options.gate.alpha ?? 0.05
    if (!(alpha > 0 && alpha < 1)) throw new ConfigError(`Option \`gate.alpha\` must be between 0 and 1, got ${alpha}.`)
    const maxDrop = options.gate.maxDrop ?? null
    if (maxDrop !== null && !(maxDrop >= 0))
      throw new ConfigError(`Option \`gate.maxDrop\` must be >= 0, got ${maxDrop}.`)
    const minMean = options.gate.minMean ?? {}
    for (const [metric, value] of Object.entries(minMean)) {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new ConfigError(`Option \`gate.minMean.${metric}\` must be a number.`)
    }
    gate = { maxDrop, alpha, minMean }
  }

  const concurrency = options.concurrency ?? 8
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`Option \`concurrency\` must be a whole number >= 1, got ${concurrency}.`)
  }

  const dir = resolvePath(root, options.dir ?? (env.VITEST_JUDGE_DIR || undefined) ?? '.vitest-judge')
  const reportPath = (value: string | false | undefined, name: string) =>
    value === false ? false : resolvePath(root, value ?? `${dir}/${name}`)

  return {
    judge,
    judgeSource,
    minScore,
    dir,
    cache: cacheRaw,
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
    experiment: options.experiment ?? context.packageName ?? 'default',
    root,
  }
}
