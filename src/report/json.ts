/**
 * The JSON report: assembling one, checking one read from elsewhere (a baseline path, `merge`
 * inputs), and merging the reports of sharded runs (`vitest --shard`).
 */
import { createHash } from 'node:crypto'
import { DEFAULT_ALPHA } from '../defaults.js'
import { ReportFormatError } from '../errors.js'
import { aggregateRun } from './aggregate.js'
import { agreementOf, mergeAgreements } from './agreement.js'
import { recordedCost } from './cost.js'
import { datasetDigest } from './dataset-digest.js'
import { runKey, runSourceFile, withRunKey } from './run-key.js'
import type {
  JsonReport,
  MetricAggregate,
  ReportCase,
  ReportComparison,
  ReportInvocation,
  ReportRun,
  VariantMatrix,
} from './types.js'
import { variantMatrix } from './variant-matrix.js'

/** The report version this module writes and reads. */
export const REPORT_VERSION = 1

function byFile(a: ReportRun, b: ReportRun): number {
  const x = runKey(a)
  const y = runKey(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Assembles a version 1 report with its runs sorted by run key (file, then its variants). */
export function buildReport(parts: {
  invocation: ReportInvocation
  runs: readonly ReportRun[]
  comparison?: ReportComparison | null
}): JsonReport {
  return {
    version: REPORT_VERSION,
    invocation: parts.invocation,
    runs: [...parts.runs].sort(byFile),
    comparison: parts.comparison ?? null,
  }
}

// --- merge ---------------------------------------------------------------------------------

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** An id in the store's format (10 characters of time, 12 of hash) derived from the merged ids. */
function mergedId(startedAt: string, ids: readonly string[]): string {
  let rest = Math.max(0, Math.floor(Date.parse(startedAt) || 0))
  let time = ''
  for (let i = 0; i < 10; i++) {
    time = ID_ALPHABET.charAt(rest % 32) + time
    rest = Math.floor(rest / 32)
  }
  const digest = createHash('sha256')
    .update(`merge\n${[...ids].sort().join('\n')}`)
    .digest()
  let hash = ''
  for (let i = 0; i < 12; i++) hash += ID_ALPHABET.charAt((digest[i] ?? 0) & 31)
  return time + hash
}

function caseKeys(cases: readonly ReportCase[]): [string, ReportCase][] {
  const seen = new Map<string, number>()
  return cases.map((c) => {
    const k = (seen.get(c.name) ?? 0) + 1
    seen.set(c.name, k)
    return [k === 1 ? c.name : `${c.name}\u0000${k}`, c]
  })
}

function mergeRuns(runs: readonly ReportRun[]): ReportRun {
  const first = runs[0] as ReportRun
  if (runs.length === 1) return first
  const cases = new Map<string, ReportCase>()
  const cache = { hits: 0, misses: 0 }
  const tokens = { input: 0, output: 0 }
  let durationMs: number | undefined
  let retries: number | undefined
  let interrupted = false
  for (const run of runs) {
    if (run.retries !== undefined) retries = (retries ?? 0) + run.retries
    for (const [key, c] of caseKeys(run.cases)) cases.set(key, c)
    cache.hits += run.cache.hits
    cache.misses += run.cache.misses
    tokens.input += run.tokens.input
    tokens.output += run.tokens.output
    if (run.durationMs !== undefined) durationMs = (durationMs ?? 0) + run.durationMs
    if (run.status === 'interrupted') interrupted = true
  }
  const merged = [...cases.values()]
  const run: ReportRun = {
    id: first.id,
    file: first.file,
    key: runKey(first),
    status: interrupted ? 'interrupted' : 'complete',
    cases: merged,
    aggregates: aggregateRun(merged),
    datasetDigest: datasetDigest(merged),
    judgeErrors: merged.reduce((s, c) => s + c.judgeErrors, 0),
    cache,
    tokens,
  }
  if (durationMs !== undefined) run.durationMs = durationMs
  if (retries !== undefined) run.retries = retries
  // The same run key is the same variant with the same params.
  if (first.variant !== undefined) run.variant = first.variant
  if (first.params !== undefined) run.params = first.params
  const agreement = agreementOf(merged, runSourceFile(first))
  if (Object.keys(agreement).length > 0) run.agreement = agreement
  // Every shard's judge calls were paid, so a file run in several shards costs their sum.
  const cost = recordedCost(runs)
  if (cost) run.cost = cost
  return run
}

/**
 * Merges the reports of sharded runs into one invocation: its id derived from the inputs' ids,
 * `startedAt` the earliest, `endedAt` the latest, git, experiment and CI from the first report,
 * params merged (later reports win), tags united. Runs are sorted by key; a run key (a file, or a
 * file's variant) present in several reports gets its cases merged (same name: the later report wins), its aggregates
 * recomputed, its cache and token counts and its judge cost summed. The invocation's `cost` is that of
 * the merged runs, without a budget (see `recordedCost`). The comparison is dropped (`null`): compare
 * the merged report again. Inputs read from files should go through {@link validateReport} first.
 * Throws {@link ReportFormatError} on no input or mixed versions.
 */
export function mergeReports(reports: readonly JsonReport[]): JsonReport {
  const first = reports[0]
  if (!first) throw new ReportFormatError('There are no reports to merge: pass at least one JSON report.')
  const versions = [...new Set(reports.map((r) => (r as { version?: unknown }).version))]
  if (versions.length > 1 || versions[0] !== REPORT_VERSION) {
    throw new ReportFormatError(
      `Cannot merge reports of versions ${versions.map((v) => JSON.stringify(v)).join(' and ')}: ` +
        `this vitest-judge merges version ${REPORT_VERSION} reports only. Re-export each with \`vitest-judge export\`.`,
    )
  }
  const startedAt = reports.map((r) => r.invocation.startedAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a))
  const ended = reports.map((r) => r.invocation.endedAt).filter((e): e is string => typeof e === 'string')
  const params: ReportInvocation['params'] = {}
  const tags = new Set<string>()
  for (const r of reports) {
    Object.assign(params, r.invocation.params)
    for (const tag of r.invocation.tags ?? []) tags.add(tag)
  }
  const statuses = reports.map((r) => r.invocation.status)
  const invocation: ReportInvocation = {
    ...first.invocation,
    id: mergedId(
      startedAt,
      reports.map((r) => r.invocation.id),
    ),
    startedAt,
    git: { ...first.invocation.git },
    params,
  }
  if (ended.length > 0) invocation.endedAt = ended.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a))
  if (statuses.some((s) => s !== undefined)) {
    invocation.status = statuses.includes('interrupted')
      ? 'interrupted'
      : statuses.includes('running')
        ? 'running'
        : 'complete'
  }
  if (tags.size > 0) invocation.tags = [...tags]
  const groups = new Map<string, ReportRun[]>()
  for (const r of reports) {
    for (const run of r.runs.map(withRunKey)) {
      const group = groups.get(runKey(run))
      if (group) group.push(run)
      else groups.set(runKey(run), [run])
    }
  }
  const merged = buildReport({ invocation, runs: [...groups.values()].map(mergeRuns), comparison: null })
  // The budget is left out: each shard counted its own (or a shared counter), so no sum is its figure.
  const cost = recordedCost(merged.runs)
  if (cost) merged.cost = cost
  const agreement = mergeAgreements(merged.runs)
  if (Object.keys(agreement).length > 0) merged.agreement = agreement
  const variants = mergedVariants(
    reports,
    merged.runs,
    new Set([...groups].filter(([, g]) => g.length > 1).map(([f]) => f)),
  )
  if (variants.length > 0) merged.variants = variants
  return merged
}

/**
 * The variant matrix of each file with variants: a shard's own matrix when the file's variant runs
 * all came from that shard unchanged (Vitest shards split by file), else made again from the merged
 * runs at the alpha the shard used (`DEFAULT_ALPHA` when no shard had a matrix for it).
 */
function mergedVariants(
  reports: readonly JsonReport[],
  runs: readonly ReportRun[],
  mergedKeys: ReadonlySet<string>,
): VariantMatrix[] {
  const byFile = new Map<string, ReportRun[]>()
  for (const run of runs) {
    if (run.variant === undefined) continue
    const file = runSourceFile(run)
    byFile.set(file, [...(byFile.get(file) ?? []), run])
  }
  const shardMatrices = new Map<string, VariantMatrix>()
  for (const report of reports) for (const matrix of report.variants ?? []) shardMatrices.set(matrix.file, matrix)
  return [...byFile.keys()].sort().map((file) => {
    const fileRuns = byFile.get(file) ?? []
    const own = shardMatrices.get(file)
    const unchanged =
      own !== undefined &&
      own.columns.length === fileRuns.length &&
      fileRuns.every((run) => !mergedKeys.has(runKey(run))) &&
      reports.some((report) => fileRuns.every((run) => report.runs.includes(run)))
    if (unchanged) return own
    return variantMatrix(
      file,
      fileRuns.map((run) => ({ label: run.variant as string, run })),
      { alpha: own?.alpha ?? DEFAULT_ALPHA },
    )
  })
}

// --- validation ----------------------------------------------------------------------------

type Json = Record<string, unknown>

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function show(value: unknown): string {
  const text = JSON.stringify(value)
  if (text === undefined) return String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, expected: string, value: unknown): never {
    const found = value === undefined ? 'it is missing' : `found ${show(value)}`
    throw new ReportFormatError(
      `${this.source} is not a valid vitest-judge report: \`${path}\` must be ${expected} (${found}).`,
    )
  }

  record(value: unknown, path: string): Json {
    if (!isRecord(value)) this.fail(path, 'an object', value)
    return value
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'a string', value)
    return value
  }

  nullableString(value: unknown, path: string): string | null {
    if (value === undefined || value === null) return null
    return this.string(value, path)
  }

  number(value: unknown, path: string, fallback?: number): number {
    if (value === undefined && fallback !== undefined) return fallback
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, 'a number', value)
    return value
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'an array', value)
    return value
  }
}

const AGGREGATE_FIELDS = ['n', 'mean', 'variance', 'p90', 'min', 'max', 'pass_rate'] as const

function checkCase(check: Checker, value: unknown, path: string): ReportCase {
  const c = check.record(value, path)
  const name = check.string(c.name, `${path}.name`)
  if (typeof c.pass !== 'boolean') check.fail(`${path}.pass`, 'true or false', c.pass)
  const scoresIn = check.record(c.scores ?? {}, `${path}.scores`)
  const scores: Record<string, number | null> = {}
  for (const [metric, score] of Object.entries(scoresIn)) {
    if (score !== null && (typeof score !== 'number' || !Number.isFinite(score))) {
      check.fail(`${path}.scores.${metric}`, 'a number or null', score)
    }
    scores[metric] = score
  }
  if (c.metrics !== undefined) {
    const metrics = check.record(c.metrics, `${path}.metrics`)
    for (const [metric, result] of Object.entries(metrics)) {
      const r = check.record(result, `${path}.metrics.${metric}`)
      if (r.score !== null && typeof r.score !== 'number')
        check.fail(`${path}.metrics.${metric}.score`, 'a number or null', r.score)
      if (r.kind !== 'score' && r.kind !== 'measurement') {
        check.fail(`${path}.metrics.${metric}.kind`, '"score" or "measurement"', r.kind)
      }
    }
  }
  const judgeErrors = check.number(
    c.judgeErrors,
    `${path}.judgeErrors`,
    Object.values(scores).filter((s) => s === null).length,
  )
  return { ...(c as object), name, pass: c.pass, scores, judgeErrors } as ReportCase
}

function checkRun(check: Checker, value: unknown, path: string, invocationId: string): ReportRun {
  const r = check.record(value, path)
  const file = check.string(r.file, `${path}.file`)
  const id =
    r.id === undefined
      ? `${invocationId}:${typeof r.key === 'string' ? r.key : file}`
      : check.string(r.id, `${path}.id`)
  const cases = check.array(r.cases, `${path}.cases`).map((c, i) => checkCase(check, c, `${path}.cases[${i}]`))
  let computed: Record<string, MetricAggregate> | undefined
  const compute = () => {
    computed ??= aggregateRun(cases)
    return computed
  }
  let aggregates: Record<string, MetricAggregate>
  if (r.aggregates === undefined) aggregates = compute()
  else {
    aggregates = {}
    for (const [metric, agg] of Object.entries(check.record(r.aggregates, `${path}.aggregates`))) {
      const a = check.record(agg, `${path}.aggregates.${metric}`)
      for (const field of AGGREGATE_FIELDS) check.number(a[field], `${path}.aggregates.${metric}.${field}`)
      // Older writers had no median: take it from the cases when they hold the metric.
      const median =
        a.median === undefined
          ? (compute()[metric]?.median ?? (a.mean as number))
          : check.number(a.median, `${path}.aggregates.${metric}.median`)
      aggregates[metric] = { ...(a as object), median } as MetricAggregate
    }
  }
  const cacheIn = check.record(r.cache ?? {}, `${path}.cache`)
  const tokensIn = check.record(r.tokens ?? {}, `${path}.tokens`)
  const run: ReportRun = {
    ...(r as object),
    id,
    file,
    cases,
    aggregates,
    judgeErrors: check.number(
      r.judgeErrors,
      `${path}.judgeErrors`,
      cases.reduce((s, c) => s + c.judgeErrors, 0),
    ),
    cache: {
      hits: check.number(cacheIn.hits, `${path}.cache.hits`, 0),
      misses: check.number(cacheIn.misses, `${path}.cache.misses`, 0),
    },
    tokens: {
      input: check.number(tokensIn.input, `${path}.tokens.input`, 0),
      output: check.number(tokensIn.output, `${path}.tokens.output`, 0),
    },
  }
  if (r.status !== undefined && r.status !== 'complete' && r.status !== 'interrupted') {
    check.fail(`${path}.status`, '"complete" or "interrupted"', r.status)
  }
  if (r.key !== undefined) check.string(r.key, `${path}.key`)
  if (r.variant !== undefined) check.string(r.variant, `${path}.variant`)
  return withRunKey(run)
}

/**
 * Checks that `value` is a version 1 vitest-judge JSON report and returns it normalized (missing
 * optional parts filled in: `git`, `params`, run `cache`/`tokens`/`judgeErrors`, aggregates computed
 * from the cases when absent). Unknown fields are kept. Throws {@link ReportFormatError} naming
 * `source`, the offending field and, for a version mismatch, the version found.
 */
export function validateReport(value: unknown, source: string): JsonReport {
  const check: Checker = new Checker(source)
  if (!isRecord(value)) {
    throw new ReportFormatError(
      `${source} is not a vitest-judge JSON report: expected an object, found ${show(value)}.`,
    )
  }
  if (value.version !== REPORT_VERSION) {
    const found = value.version === undefined ? 'no `version` field' : `version ${show(value.version)}`
    throw new ReportFormatError(
      `${source} is not a version ${REPORT_VERSION} vitest-judge report (found ${found}). ` +
        'Use the vitest-judge version that wrote it, or re-export it with `vitest-judge export <sel> --out FILE`.',
    )
  }
  const inv = check.record(value.invocation, 'invocation')
  const id = check.string(inv.id, 'invocation.id')
  const gitIn = inv.git === undefined || inv.git === null ? {} : check.record(inv.git, 'invocation.git')
  const paramsIn = check.record(inv.params ?? {}, 'invocation.params')
  const params: ReportInvocation['params'] = {}
  for (const [key, param] of Object.entries(paramsIn)) {
    if (typeof param !== 'string' && typeof param !== 'number' && typeof param !== 'boolean') {
      check.fail(`invocation.params.${key}`, 'a string, number or boolean', param)
    }
    params[key] = param
  }
  const invocation: ReportInvocation = {
    ...(inv as object),
    id,
    startedAt: check.string(inv.startedAt, 'invocation.startedAt'),
    git: {
      commit: check.nullableString(gitIn.commit, 'invocation.git.commit'),
      branch: check.nullableString(gitIn.branch, 'invocation.git.branch'),
    },
    params,
  }
  const runs = check.array(value.runs, 'runs').map((run, i) => checkRun(check, run, `runs[${i}]`, id))
  let comparison: ReportComparison | null = null
  if (value.comparison !== undefined && value.comparison !== null) {
    const c = check.record(value.comparison, 'comparison')
    check.array(c.runs, 'comparison.runs')
    check.number(c.alpha, 'comparison.alpha')
    comparison = c as unknown as ReportComparison
  }
  return { ...(value as object), version: REPORT_VERSION, invocation, runs, comparison }
}

/** Parses JSON text and validates it as a report (see {@link validateReport}). */
export function parseReport(text: string, source: string): JsonReport {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ReportFormatError(`${source} is not valid JSON (${reason}); expected a vitest-judge JSON report.`)
  }
  return validateReport(value, source)
}
