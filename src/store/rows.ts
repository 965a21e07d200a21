/**
 * Row shapes and conversions shared by the run store backends: both keep the same columns, so a
 * report goes in and comes back out the same way from SQLite and PostgreSQL.
 */
import { hostname } from 'node:os'
import { redact } from '../redact.js'
import { recordedCost } from '../report/cost.js'
import type {
  CaseMetricResult,
  JsonReport,
  MetricAggregate,
  ReportCase,
  ReportInvocation,
  ReportRun,
} from '../report/types.js'
import { EXPLICIT_NULL } from './run-schema.js'
import type { CachedEntry, InvocationStatus, InvocationSummary, NewInvocation, RunSummary } from './types.js'

/** A 'running' invocation with no sign of life (no saved run, no start) for this long reads as interrupted. */
export const STALE_RUNNING_MS = 24 * 60 * 60 * 1000

/** This machine's name, recorded with a running invocation to tell whether its process is alive. */
export const HOST = hostname()

export const INVOCATION_KEYS = new Set([
  'id',
  'startedAt',
  'endedAt',
  'status',
  'git',
  'params',
  'experiment',
  'ci',
  'tags',
])
export const RUN_KEYS = new Set([
  'id',
  'file',
  'status',
  'cases',
  'aggregates',
  'judgeErrors',
  'cache',
  'tokens',
  'durationMs',
  'datasetDigest',
])
export const CASE_KEYS = new Set([
  'name',
  'pass',
  'scores',
  'judgeErrors',
  'metrics',
  'id',
  'input',
  'output',
  'expected',
  'durationMs',
  'latencyMs',
  'tokens',
  'error',
])
export const METRIC_KEYS = new Set([
  'score',
  'raw',
  'kind',
  'threshold',
  'pass',
  'justification',
  'judge',
  'trials',
  'greaterIsBetter',
  'error',
])
export const AGGREGATE_KEYS = new Set(['n', 'mean', 'variance', 'p90', 'min', 'max', 'median', 'pass_rate'])

/** A row as both backends return it. */
export interface InvocationRow {
  id: string
  experiment: string
  started_at: string
  started_ms: number
  ended_at: string | null
  status: InvocationStatus
  git_commit: string | null
  git_branch: string | null
  params_json: string
  ci_json: string | null
  extra_json: string | null
  pid: number | null
  hostname: string | null
  last_seen_ms: number
}

/** A row as both backends return it. */
export interface RunRow {
  id: string
  invocation_id: string
  file: string
  status: 'complete' | 'interrupted' | null
  case_count: number
  pass_count: number
  judge_errors: number
  cache_hits: number
  cache_misses: number
  tokens_input: number
  tokens_output: number
  duration_ms: number | null
  extra_json: string | null
  /** Added by runs.db migration 2 (absent from rows read before it). */
  dataset_digest?: string | null
}

/** A row as both backends return it. */
export interface CaseRow {
  ord: number
  name: string
  pass: number
  scores_json: string
  judge_errors: number
  case_id: string | null
  input: string | null
  output: string | null
  expected: string | null
  duration_ms: number | null
  latency_ms: number | null
  tokens_input: number | null
  tokens_output: number | null
  error: string | null
  has_metrics: number
  extra_json: string | null
}

/** A row as both backends return it. */
export interface MetricRow {
  case_ord: number
  metric: string
  kind: 'score' | 'measurement'
  score: number | null
  raw: number | null
  threshold: number | null
  pass: number | null
  justification: string | null
  judge: string | null
  trials_json: string | null
  greater_is_better: number | null
  error_code: string | null
  error_message: string | null
  explicit_nulls: number
  extra_json: string | null
}

/** A row as both backends return it. */
export interface AggregateRow {
  run_id: string
  metric: string
  n: number
  mean: number | null
  variance: number | null
  p90: number | null
  min: number | null
  max: number | null
  median: number | null
  pass_rate: number | null
  extra_json: string | null
}

export function toRun(row: RunRow, cases: ReportCase[], aggregates: Record<string, MetricAggregate>): ReportRun {
  const run: ReportRun = {
    ...parseExtra(row.extra_json),
    id: row.id,
    file: row.file,
    cases,
    aggregates,
    judgeErrors: row.judge_errors,
    cache: { hits: row.cache_hits, misses: row.cache_misses },
    tokens: { input: row.tokens_input, output: row.tokens_output },
  }
  if (row.status !== null) run.status = row.status
  if (row.duration_ms !== null) run.durationMs = row.duration_ms
  if (row.dataset_digest !== null && row.dataset_digest !== undefined) run.datasetDigest = row.dataset_digest
  return run
}

/**
 * The report of a stored invocation. Runs and cases keep their `cost` as saved (in `extra_json`);
 * the invocation's `cost` is not stored but added up from its runs at the prices they recorded
 * (`recordedCost`): without the budget, which the store does not keep.
 */
export function storedReport(invocation: ReportInvocation, runs: ReportRun[]): JsonReport {
  const report: JsonReport = { version: 1, invocation, runs, comparison: null }
  const cost = recordedCost(runs)
  if (cost) report.cost = cost
  return report
}

/** A run without its cases, with its counts, as invocation listings show it. */
export function toRunSummary(row: RunRow, aggregates: Record<string, MetricAggregate>): RunSummary {
  const { cases: _cases, status, ...rest } = toRun(row, [], aggregates)
  return { ...rest, status: status ?? 'complete', caseCount: row.case_count, passed: row.pass_count }
}

/** A judge cache row, in both backends. */
export interface EntryRow {
  key: string
  kind: 'grade' | 'embed' | 'complete'
  judge: string
  metric: string | null
  value: string
  created_at: number
}

/** A cache row as the entry it stores. */
export function toEntry(row: EntryRow): CachedEntry {
  const entry: CachedEntry = {
    kind: row.kind,
    judge: row.judge,
    value: JSON.parse(row.value),
    createdAt: row.created_at,
  }
  if (row.metric !== null) entry.metric = row.metric
  return entry
}

/** See the module comment. */
export function toCase(row: CaseRow): ReportCase {
  const c: ReportCase = {
    ...parseExtra(row.extra_json),
    name: row.name,
    pass: row.pass === 1,
    scores: JSON.parse(row.scores_json) as ReportCase['scores'],
    judgeErrors: row.judge_errors,
  }
  if (row.has_metrics === 1) c.metrics = {}
  if (row.case_id !== null) c.id = row.case_id
  if (row.input !== null) c.input = row.input
  if (row.output !== null) c.output = row.output
  if (row.expected !== null) c.expected = row.expected
  if (row.duration_ms !== null) c.durationMs = row.duration_ms
  if (row.latency_ms !== null) c.latencyMs = row.latency_ms
  if (row.tokens_input !== null && row.tokens_output !== null)
    c.tokens = { input: row.tokens_input, output: row.tokens_output }
  if (row.error !== null) c.error = row.error
  return c
}

/** See the module comment. */
export function toMetric(row: MetricRow): CaseMetricResult {
  const m: CaseMetricResult = { ...parseExtra(row.extra_json), score: row.score, kind: row.kind }
  const nulls = row.explicit_nulls
  if (row.raw !== null) m.raw = row.raw
  else if (nulls & EXPLICIT_NULL.raw) m.raw = null
  if (row.threshold !== null) m.threshold = row.threshold
  else if (nulls & EXPLICIT_NULL.threshold) m.threshold = null
  if (row.pass !== null) m.pass = row.pass === 1
  else if (nulls & EXPLICIT_NULL.pass) m.pass = null
  if (row.justification !== null) m.justification = row.justification
  if (row.judge !== null) m.judge = row.judge
  if (row.trials_json !== null) m.trials = JSON.parse(row.trials_json) as number[]
  if (row.greater_is_better !== null) m.greaterIsBetter = row.greater_is_better === 1
  if (row.error_code !== null) m.error = { code: row.error_code, message: row.error_message ?? '' }
  return m
}

/** See the module comment. */
export function toAggregate(row: AggregateRow): MetricAggregate {
  // SQLite keeps NaN as NULL; NaN is what the aggregate held.
  const num = (value: number | null) => value ?? Number.NaN
  return {
    ...parseExtra(row.extra_json),
    n: row.n,
    mean: num(row.mean),
    variance: num(row.variance),
    p90: num(row.p90),
    min: num(row.min),
    max: num(row.max),
    median: num(row.median),
    pass_rate: num(row.pass_rate),
  }
}

// Fields a newer reporter adds are kept verbatim, so that the store never drops part of a report.
/** See the module comment. */
export function extraJson(value: object, known: Set<string>): string | null {
  let extra: Record<string, unknown> | undefined
  for (const [key, field] of Object.entries(value)) {
    if (known.has(key) || field === undefined) continue
    extra ??= {}
    extra[key] = field
  }
  return extra === undefined ? null : redact(JSON.stringify(extra))
}

/** See the module comment. */
export function parseExtra(json: string | null): Record<string, unknown> {
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>)
}

/** See the module comment. */
export function redactParams(params: ReportInvocation['params']): ReportInvocation['params'] {
  const out: ReportInvocation['params'] = {}
  for (const [key, value] of Object.entries(params)) out[key] = typeof value === 'string' ? redact(value) : value
  return out
}

/** See the module comment. */
export function bool(value: boolean | null | undefined): number | null {
  return value === true ? 1 : value === false ? 0 : null
}

/** Status of an invocation row as readers see it: a `running` row whose process is gone reads `interrupted`. */
export function effectiveStatus(row: InvocationRow): InvocationStatus {
  if (row.status !== 'running') return row.status
  if (Date.now() - row.last_seen_ms > STALE_RUNNING_MS) return 'interrupted'
  if (row.hostname === HOST && row.pid !== null && !isAlive(row.pid)) return 'interrupted'
  return 'running'
}

/** The report header of an invocation row, with its tags. */
export function toInvocation(row: InvocationRow, tags: string[]): Omit<InvocationSummary, 'runs'> {
  const invocation: Omit<InvocationSummary, 'runs'> = {
    ...parseExtra(row.extra_json),
    id: row.id,
    startedAt: row.started_at,
    status: effectiveStatus(row),
    git: { commit: row.git_commit, branch: row.git_branch },
    params: JSON.parse(row.params_json) as ReportInvocation['params'],
    experiment: row.experiment,
    tags,
  }
  if (row.ended_at !== null) invocation.endedAt = row.ended_at
  if (row.ci_json !== null) invocation.ci = JSON.parse(row.ci_json) as ReportInvocation['ci']
  return invocation
}

/** `explicit_nulls` of a metric: the optional fields present with the value null. */
export function explicitNulls(m: CaseMetricResult): number {
  return (
    (m.raw === null ? EXPLICIT_NULL.raw : 0) |
    (m.threshold === null ? EXPLICIT_NULL.threshold : 0) |
    (m.pass === null ? EXPLICIT_NULL.pass : 0)
  )
}

/** Groups tag rows by invocation. */
export function groupTags(rows: readonly { name: string; invocation_id: string }[]): Map<string, string[]> {
  const tags = new Map<string, string[]>()
  for (const row of rows) {
    const list = tags.get(row.invocation_id)
    if (list === undefined) tags.set(row.invocation_id, [row.name])
    else list.push(row.name)
  }
  return tags
}

/** Checks a tag name: one word without spaces or colons. */
export function tagNameProblem(name: string): string | undefined {
  return /^[^\s:]+$/.test(name)
    ? undefined
    : `Tag "${name}" is not usable: a tag is one word without spaces or colons, e.g. baseline.`
}

/** Whether process `pid` exists on this host. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Column order of `invocations` inserts, shared by both backends. */
export const INVOCATION_INSERT_COLUMNS = [
  'id',
  'experiment',
  'started_at',
  'started_ms',
  'ended_at',
  'status',
  'git_commit',
  'git_branch',
  'params_json',
  'ci_json',
  'extra_json',
  'pid',
  'hostname',
  'last_seen_ms',
] as const

/** Values of an `invocations` row, in `INVOCATION_INSERT_COLUMNS` order. */
export function invocationValues(inv: NewInvocation, now: number, pid: number): (string | number | null)[] {
  const parsed = Date.parse(inv.startedAt)
  return [
    inv.id,
    inv.experiment,
    inv.startedAt,
    Number.isNaN(parsed) ? now : parsed,
    inv.endedAt ?? null,
    inv.status ?? 'running',
    inv.git.commit,
    inv.git.branch,
    JSON.stringify(redactParams(inv.params)),
    inv.ci === undefined ? null : JSON.stringify(inv.ci),
    extraJson(inv, INVOCATION_KEYS),
    pid,
    HOST,
    now,
  ]
}

/** Column order of `runs` inserts. */
export const RUN_INSERT_COLUMNS = [
  'id',
  'invocation_id',
  'file',
  'status',
  'case_count',
  'pass_count',
  'judge_errors',
  'cache_hits',
  'cache_misses',
  'tokens_input',
  'tokens_output',
  'duration_ms',
  'extra_json',
  'saved_at',
  'dataset_digest',
] as const

/** Values of a `runs` row. */
export function runValues(invocationId: string, run: ReportRun): (string | number | null)[] {
  let passed = 0
  for (const c of run.cases) if (c.pass) passed++
  return [
    run.id,
    invocationId,
    run.file,
    run.status ?? null,
    run.cases.length,
    passed,
    run.judgeErrors,
    run.cache.hits,
    run.cache.misses,
    run.tokens.input,
    run.tokens.output,
    run.durationMs ?? null,
    extraJson(run, RUN_KEYS),
    new Date().toISOString(),
    run.datasetDigest ?? null,
  ]
}

/** Column order of `cases` inserts. */
export const CASE_INSERT_COLUMNS = [
  'run_id',
  'ord',
  'name',
  'pass',
  'scores_json',
  'judge_errors',
  'case_id',
  'input',
  'output',
  'expected',
  'duration_ms',
  'latency_ms',
  'tokens_input',
  'tokens_output',
  'error',
  'has_metrics',
  'extra_json',
] as const

/** Values of a `cases` row. Case texts come from the task and the dataset: an answer that echoes a key must not be stored. */
export function caseValues(runId: string, ord: number, c: ReportCase): (string | number | null)[] {
  return [
    runId,
    ord,
    redact(c.name),
    c.pass ? 1 : 0,
    JSON.stringify(c.scores),
    c.judgeErrors,
    c.id ?? null,
    c.input === undefined ? null : redact(c.input),
    c.output === undefined ? null : redact(c.output),
    c.expected === undefined ? null : redact(c.expected),
    c.durationMs ?? null,
    c.latencyMs ?? null,
    c.tokens?.input ?? null,
    c.tokens?.output ?? null,
    c.error === undefined ? null : redact(c.error),
    c.metrics === undefined ? 0 : 1,
    extraJson(c, CASE_KEYS),
  ]
}

/** Column order of `case_metrics` inserts. */
export const METRIC_INSERT_COLUMNS = [
  'run_id',
  'case_ord',
  'ord',
  'metric',
  'kind',
  'score',
  'raw',
  'threshold',
  'pass',
  'justification',
  'judge',
  'trials_json',
  'greater_is_better',
  'error_code',
  'error_message',
  'explicit_nulls',
  'extra_json',
] as const

/** Values of a `case_metrics` row. */
export function metricValues(
  runId: string,
  caseOrd: number,
  ord: number,
  metric: string,
  m: CaseMetricResult,
): (string | number | null)[] {
  return [
    runId,
    caseOrd,
    ord,
    metric,
    m.kind,
    m.score,
    m.raw ?? null,
    m.threshold ?? null,
    bool(m.pass),
    m.justification === undefined ? null : redact(m.justification),
    m.judge ?? null,
    m.trials === undefined ? null : JSON.stringify(m.trials),
    bool(m.greaterIsBetter),
    m.error?.code ?? null,
    m.error === undefined ? null : redact(m.error.message),
    explicitNulls(m),
    extraJson(m, METRIC_KEYS),
  ]
}

/** Column order of `aggregates` inserts. */
export const AGGREGATE_INSERT_COLUMNS = [
  'run_id',
  'ord',
  'metric',
  'n',
  'mean',
  'variance',
  'p90',
  'min',
  'max',
  'median',
  'pass_rate',
  'extra_json',
] as const

/** Values of an `aggregates` row. */
export function aggregateValues(
  runId: string,
  ord: number,
  metric: string,
  a: MetricAggregate,
): (string | number | null)[] {
  return [
    runId,
    ord,
    metric,
    a.n,
    a.mean,
    a.variance,
    a.p90,
    a.min,
    a.max,
    a.median,
    a.pass_rate,
    extraJson(a, AGGREGATE_KEYS),
  ]
}

/** Every row of a run, as values in insert column order (one pass over the cases). */
export function runRows(
  invocationId: string,
  run: ReportRun,
): {
  run: (string | number | null)[]
  cases: (string | number | null)[][]
  metrics: (string | number | null)[][]
  aggregates: (string | number | null)[][]
} {
  const cases: (string | number | null)[][] = []
  const metrics: (string | number | null)[][] = []
  run.cases.forEach((c, ord) => {
    cases.push(caseValues(run.id, ord, c))
    if (c.metrics === undefined) return
    let metricOrd = 0
    for (const [metric, m] of Object.entries(c.metrics)) metrics.push(metricValues(run.id, ord, metricOrd++, metric, m))
  })
  const aggregates: (string | number | null)[][] = []
  let aggregateOrd = 0
  for (const [metric, a] of Object.entries(run.aggregates))
    aggregates.push(aggregateValues(run.id, aggregateOrd++, metric, a))
  return { run: runValues(invocationId, run), cases, metrics, aggregates }
}
