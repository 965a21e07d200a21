/**
 * Error classes with stable codes. Every message says what fixes it: the option, the env variable
 * or the command. Messages never carry a secret (see `redact`).
 */
import { redact } from './redact.js'

/** Stable error codes; safe to match on. */
export type VitestJudgeErrorCode =
  | 'VJ_CONFIG'
  | 'VJ_MISSING_KEY'
  | 'VJ_UNKNOWN_JUDGE'
  | 'VJ_JUDGE_HTTP'
  | 'VJ_JUDGE_BAD_REPLY'
  | 'VJ_JUDGE_TIMEOUT'
  | 'VJ_JUDGE_UNSUPPORTED'
  | 'VJ_CACHE_MISS'
  | 'VJ_DATASET'
  | 'VJ_MISSING_FIELD'
  | 'VJ_STORE'
  | 'VJ_SELECTOR'
  | 'VJ_REPORT_FORMAT'
  | 'VJ_USAGE'
  | 'VJ_MISSING_PACKAGE'
  | 'VJ_BUDGET'
  | 'VJ_METRIC'
  | 'VJ_MLFLOW'
  | 'VJ_REPORT_ASSET'
  | 'VJ_REPLAY_MISS'

/** Base class of every error vitest-judge throws. */
export class VitestJudgeError extends Error {
  /** Stable code, e.g. `VJ_MISSING_KEY`. */
  readonly code: VitestJudgeErrorCode
  constructor(code: VitestJudgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(redact(message), options?.cause === undefined ? undefined : { cause: scrubbedCause(options.cause) })
    this.code = code
    this.name = new.target.name
  }
}

/**
 * A copy of a cause chain that is safe to print: name, redacted message and stack, and nothing else.
 * Test runners print an error's `cause` and its own properties (an SDK error carries the response
 * body and headers, where a provider or proxy may echo the key), so the raw error is never kept.
 */
function scrubbedCause(cause: unknown, depth = 0): unknown {
  if (cause instanceof VitestJudgeError) return cause
  if (!(cause instanceof Error)) return redact(String(cause)).slice(0, 2000)
  const copy = new Error(redact(cause.message))
  copy.name = cause.name
  copy.stack = cause.stack === undefined ? undefined : redact(cause.stack)
  if (cause.cause !== undefined && depth < 4) copy.cause = scrubbedCause(cause.cause, depth + 1)
  return copy
}

/** An option or env variable has a value that cannot be used. */
export class ConfigError extends VitestJudgeError {
  constructor(message: string) {
    super('VJ_CONFIG', message)
  }
}

/** The chosen judge needs an API key that is not set. */
export class MissingKeyError extends VitestJudgeError {
  /** The env variable(s) that would fix it. */
  readonly envVars: string[]
  constructor(provider: string, envVars: string[]) {
    super(
      'VJ_MISSING_KEY',
      `The ${provider} judge needs an API key: set ${envVars.join(' or ')}, or pass \`apiKey\` to ${provider}({ ... }), ` +
        `or choose the offline judge with \`judge: 'local'\` (or VITEST_JUDGE=local).`,
    )
    this.envVars = envVars
  }
}

/** A judge spec string that names no known judge. */
export class UnknownJudgeError extends VitestJudgeError {
  /** @param known the accepted spec forms, from the provider registry (`'openai:<model>'`, ...). */
  constructor(spec: string, known: readonly string[]) {
    super(
      'VJ_UNKNOWN_JUDGE',
      `Unknown judge "${spec}". Use ${known.map((k) => `'${k}'`).join(', ')}, or a Judge object (option \`judge\`, env VITEST_JUDGE).`,
    )
  }
}

/** Kinds of judge failure. */
export type JudgeErrorCode =
  | 'VJ_JUDGE_HTTP'
  | 'VJ_JUDGE_BAD_REPLY'
  | 'VJ_JUDGE_TIMEOUT'
  | 'VJ_JUDGE_UNSUPPORTED'
  | 'VJ_BUDGET'

/**
 * A judge could not produce a verdict. Never turned into a score: the case fails with this error,
 * the result is not cached, and the run counts it in `judge_errors`.
 */
export class JudgeError extends VitestJudgeError {
  /** The judge spec, e.g. `openai:gpt-4.1-mini`. */
  readonly judge: string
  /** HTTP status when the provider answered with one. */
  readonly status?: number
  /** Provider retries spent before giving up (they count in the run's `retries`). */
  readonly retries: number
  constructor(
    code: JudgeErrorCode,
    judge: string,
    message: string,
    options?: { status?: number; cause?: unknown; retries?: number },
  ) {
    super(code, `Judge ${judge}: ${message}`, { cause: options?.cause })
    this.judge = judge
    this.retries = options?.retries ?? 0
    if (options?.status !== undefined) this.status = options.status
  }
}

/** The cache is `readonly` and holds no result for a judge call. */
export class CacheMissError extends VitestJudgeError {
  constructor(what: string) {
    super(
      'VJ_CACHE_MISS',
      `No cached judge result for ${what} and the cache is readonly (option \`cache: 'readonly'\` / VITEST_JUDGE_CACHE=readonly). ` +
        `Run once with VITEST_JUDGE_CACHE=readwrite and a key to record it.`,
    )
  }
}

/** A dataset file or value that cannot be read as cases. */
export class DatasetError extends VitestJudgeError {
  /** The file, when the data came from one. */
  readonly file?: string
  /** 1-based line (or CSV record line), when known. */
  readonly line?: number
  constructor(message: string, where?: { file?: string; line?: number }) {
    const at = where?.file ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : ''
    super('VJ_DATASET', `${at}${message}`)
    if (where?.file) this.file = where.file
    if (where?.line) this.line = where.line
  }
}

/** A metric needs a field (`expected`, `context`, `input`) the case does not have. */
export class MissingFieldError extends VitestJudgeError {
  constructor(metric: string, field: string, hint: string) {
    super('VJ_MISSING_FIELD', `Metric ${metric} needs \`${field}\`, and the case has none: ${hint}`)
  }
}

/** A database file that cannot be opened, is corrupt, belongs to something else or is newer than this version. */
export class StoreError extends VitestJudgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VJ_STORE', message, options)
  }
}

/** A run selector that matches nothing or more than one run. */
export class SelectorError extends VitestJudgeError {
  constructor(message: string) {
    super('VJ_SELECTOR', message)
  }
}

/**
 * A `previous` or `branch:` selector that names no complete invocation yet (a first run, a branch
 * never run): the history is empty, not the selector wrong. Same code as any selector error.
 */
export class NoInvocationYetError extends SelectorError {
  constructor(message: string) {
    super(message)
    // Still a SelectorError to anyone reading its name or code.
    this.name = 'SelectorError'
  }
}

/** A JSON report that is not a vitest-judge report of a supported version. */
export class ReportFormatError extends VitestJudgeError {
  constructor(message: string) {
    super('VJ_REPORT_FORMAT', message)
  }
}

/** Bad command line usage. */
export class UsageError extends VitestJudgeError {
  constructor(message: string) {
    super('VJ_USAGE', message)
  }
}

/**
 * A code metric (`defineMetric({ name, score })`) threw or returned a value that is not a score.
 * The case fails with this error naming the metric; it is never turned into a score of 0.
 */
export class MetricError extends VitestJudgeError {
  /** The metric's report name. */
  readonly metric: string
  constructor(metric: string, message: string, options?: { cause?: unknown }) {
    super('VJ_METRIC', `Metric ${metric}: ${message}`, options)
    this.metric = metric
  }
}

/** An optional package that a feature needs is not installed. */
export class MissingPackageError extends VitestJudgeError {
  /** The npm package to install. */
  readonly packageName: string
  constructor(what: string, packageName: string) {
    super('VJ_MISSING_PACKAGE', `${what} needs the package ${packageName}: run \`npm install -D ${packageName}\`.`)
    this.packageName = packageName
  }
}

/**
 * An MLflow tracking server that could not take a run (down, too slow, 5xx/429 after the retries,
 * or a refusal such as 401/403). It names the server, never a credential. The reporter turns it
 * into one warning line; `vitest-judge export --mlflow` prints it and exits 2.
 */
export class MlflowError extends VitestJudgeError {
  /** The tracking server's address. */
  readonly server: string
  /** HTTP status when the server answered with one. */
  readonly status?: number
  /** MLflow's `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`) when the server sent one. */
  readonly mlflowCode?: string
  constructor(server: string, message: string, options?: { status?: number; mlflowCode?: string; cause?: unknown }) {
    super('VJ_MLFLOW', `MLflow server ${server}: ${message}`, { cause: options?.cause })
    this.server = server
    if (options?.status !== undefined) this.status = options.status
    if (options?.mlflowCode !== undefined) this.mlflowCode = options.mlflowCode
  }
}

/** A file the HTML report inlines (chart library, page script or style) is missing or cannot be inlined. */
export class ReportAssetError extends VitestJudgeError {
  constructor(message: string) {
    super('VJ_REPORT_ASSET', message)
  }
}

/**
 * The app cache is in `replay` mode and holds no recording of one of the app's model or tool calls:
 * the call was not made, and the case fails.
 */
export class ReplayMissError extends VitestJudgeError {
  /** The call, as named in the message (`openai.chat gpt-4.1-mini generate`, `tool weather`). */
  readonly call: string
  /** The call's cache key (SHA-256 hex). */
  readonly key: string
  constructor(call: string, key: string, detail?: string) {
    super(
      'VJ_REPLAY_MISS',
      `No recording of the app's call ${call} (key ${key.slice(0, 12)})${detail ? `: ${detail}` : ''}. The app cache is in ` +
        "replay mode (VITEST_JUDGE_APP_CACHE=replay or `appCache: 'replay'`), so the call was not made. Record it with " +
        'VITEST_JUDGE_APP_CACHE=auto (or record) and a key, or check what changed in the request (model, messages, tools, settings).',
    )
    this.call = call
    this.key = key
  }
}
