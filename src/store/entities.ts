/**
 * Every stored entity, declared once: its table, its columns (name, type, which field of the record
 * each stores) and when each appeared. From a declaration `columns.ts` derives the row type
 * (`RowOf`), the insert values (`rowValues`) and statements of both backends (`sqliteInsert`,
 * `pgInsert`, `pgInsertMany` with its array types), the record read back (`fromRow`) and the
 * migrations of both backends (`sqliteMigrations`, `pgMigrations`). `test/unit/store-entities.test.ts`
 * checks each declaration against the tables its migrations make, in SQLite and PostgreSQL.
 *
 * ## Adding a column
 *
 * Add one entry to the entity's `columns`, with `since` the next schema version of its part (a
 * part's version is the highest `since` declared in it; say it is 3, so 4) and `null: true` (or a
 * `default`):
 *
 *     review_note: { type: 'text', null: true, field: 'reviewNote', redact: true, since: 4 },
 *
 * That is all: the insert writes `case.reviewNote`, the read sets it back when not NULL, the field
 * leaves the `extra_json` column, and migration 4 of both backends is `ALTER TABLE ... ADD COLUMN`.
 * Released migration steps (the SQL in `run-schema.ts`, `judge-cache.ts`, `postgres/schema.ts`) are
 * never edited.
 *
 * ## Adding an entity (a table)
 *
 *     export const TRACE_SPANS = defineEntity<TraceSpan, { runId: string; caseOrd: number; ord: number }>()({
 *       table: 'trace_spans', part: 'runs', since: 4,
 *       primaryKey: ['run_id', 'case_ord', 'ord'],
 *       columns: {
 *         run_id: { type: 'text', references: 'runs', to: (_, ctx) => ctx.runId },
 *         case_ord: { type: 'int', to: (_, ctx) => ctx.caseOrd },
 *         ord: { type: 'int', to: (_, ctx) => ctx.ord },
 *         name: { type: 'text', field: 'name', redact: true },
 *         start_ms: { type: 'real', field: 'start' },
 *         attributes_json: { type: 'text', field: 'attributes', json: true, redact: true },
 *         extra_json: { type: 'text', null: true, extra: true },
 *       },
 *     })
 *
 * then list it in `RUNS_ENTITIES` (or `CACHE_ENTITIES`): migration 4 creates the table in both backends. Write rows with `rowValues(TRACE_SPANS, span, ctx)` and
 * `sqliteInsert(TRACE_SPANS)` (SQLite) or `pgColumnArrays` + `pgInsertMany(TRACE_SPANS, schema)`
 * (PostgreSQL, one statement for all rows); read them with `SELECT *` and `fromRow(TRACE_SPANS, row)`
 * (typed `RowOf<typeof TRACE_SPANS>`). The record's fields that no column stores survive in the
 * `extra: true` column. Text a model, a dataset or a user wrote takes `redact: true`.
 * Parallel branches that each add a table at the same new version merge into one migration step.
 */
import { hostname } from 'node:os'
import { redact } from '../redact.js'
import type { HumanLabel } from '../report/labels.js'
import { runKey, runSourceFile } from '../report/run-key.js'
import type { CaseMetricResult, MetricAggregate, ReportCase, ReportRun } from '../report/types.js'
import type { AppCacheEntryInput } from './app-cache.js'
import { storedAppValue } from './app-value.js'
import { defineEntity, type SqlValue } from './columns.js'
import type { CacheEntryInput, NewInvocation } from './types.js'

/** This machine's name, recorded with a running invocation to tell whether its process is alive. */
export const HOST = hostname()

/** Bits of `case_metrics.explicit_nulls`: optional fields that were present with the value null. */
export const EXPLICIT_NULL = { raw: 1, threshold: 2, pass: 4 } as const

const ignore = () => {}
const bool = (value: boolean | null | undefined): number | null => (value === true ? 1 : value === false ? 0 : null)

/** One `vitest` process. */
export const INVOCATIONS = defineEntity<NewInvocation, { now: number; pid: number }>()({
  table: 'invocations',
  part: 'runs',
  since: 1,
  indexes: { invocations_by_time: ['started_ms', 'id'], invocations_by_branch: ['git_branch', 'started_ms'] },
  storedElsewhere: ['tags'],
  columns: {
    id: { type: 'text', primaryKey: true, field: 'id' },
    started_at: { type: 'text', field: 'startedAt' },
    status: {
      type: 'text',
      field: 'status',
      check: "status IN ('running', 'complete', 'interrupted')",
      to: (inv) => inv.status ?? 'running',
    },
    git_commit: { type: 'text', null: true, field: 'git', to: (inv) => inv.git.commit, from: ignore },
    git_branch: {
      type: 'text',
      null: true,
      field: 'git',
      to: (inv) => inv.git.branch,
      from: (branch, out, row) => {
        out.git = { commit: row.git_commit, branch }
      },
    },
    params_json: {
      type: 'text',
      field: 'params',
      json: true,
      to: (inv) => JSON.stringify(redactParams(inv.params)),
    },
    experiment: { type: 'text', field: 'experiment' },
    ended_at: { type: 'text', null: true, field: 'endedAt' },
    ci_json: { type: 'text', null: true, field: 'ci', json: true },
    started_ms: {
      type: 'bigint',
      to: (inv, ctx) => {
        const parsed = Date.parse(inv.startedAt)
        return Number.isNaN(parsed) ? ctx.now : parsed
      },
    },
    pid: { type: 'int', null: true, to: (_, ctx) => ctx.pid },
    hostname: { type: 'text', null: true, to: () => HOST },
    last_seen_ms: { type: 'bigint', to: (_, ctx) => ctx.now },
    extra_json: { type: 'text', null: true, extra: true },
  },
})

/** A name for one invocation. */
export const TAGS = defineEntity<{ name: string; invocationId: string; taggedAt: string }>()({
  table: 'tags',
  part: 'runs',
  since: 1,
  indexes: { tags_by_invocation: ['invocation_id'] },
  columns: {
    name: { type: 'text', primaryKey: true, field: 'name' },
    invocation_id: { type: 'text', references: 'invocations', field: 'invocationId' },
    tagged_at: { type: 'text', field: 'taggedAt' },
  },
})

/** One test file in one invocation (its cases and aggregates are rows of their own). */
export const RUNS = defineEntity<ReportRun, { invocationId: string }>()({
  table: 'runs',
  part: 'runs',
  since: 1,
  unique: [['invocation_id', 'file']],
  // `key` is the `file` column (below).
  storedElsewhere: ['cases', 'aggregates', 'key'],
  columns: {
    id: { type: 'text', primaryKey: true, field: 'id' },
    invocation_id: { type: 'text', references: 'invocations', to: (_, ctx) => ctx.invocationId },
    // The run's key (unique in its invocation: `<file> [<variant>]` for a variant's run), as this
    // column always held; the path is the key less the variant (`runSourceFile`), so rows written
    // before report.json had `key` read the same way.
    file: {
      type: 'text',
      field: 'file',
      to: (run) => runKey(run),
      // The run's cases and aggregates, read from their tables, take their place in the report here.
      from: (file, out) => {
        const key = String(file)
        const path = runSourceFile({ file: key, variant: out.variant as string | undefined })
        Object.assign(out, { file: path, key, cases: [], aggregates: {} })
      },
    },
    judge_errors: { type: 'int', field: 'judgeErrors' },
    cache_hits: { type: 'int', field: 'cache', to: (run) => run.cache.hits, from: ignore },
    cache_misses: {
      type: 'int',
      field: 'cache',
      to: (run) => run.cache.misses,
      from: (misses, out, row) => {
        out.cache = { hits: row.cache_hits, misses }
      },
    },
    tokens_input: { type: 'bigint', field: 'tokens', to: (run) => run.tokens.input, from: ignore },
    tokens_output: {
      type: 'bigint',
      field: 'tokens',
      to: (run) => run.tokens.output,
      from: (output, out, row) => {
        out.tokens = { input: row.tokens_input, output }
      },
    },
    status: { type: 'text', null: true, field: 'status' },
    duration_ms: { type: 'real', null: true, field: 'durationMs' },
    dataset_digest: { type: 'text', null: true, field: 'datasetDigest', since: 2 },
    case_count: { type: 'int', to: (run) => run.cases.length },
    pass_count: { type: 'int', to: (run) => run.cases.filter((c) => c.pass).length },
    saved_at: { type: 'text', to: () => new Date().toISOString() },
    extra_json: { type: 'text', null: true, extra: true },
  },
})

/** One test (a case) of a run. */
export const CASES = defineEntity<ReportCase, { runId: string; ord: number }>()({
  table: 'cases',
  part: 'runs',
  since: 1,
  primaryKey: ['run_id', 'ord'],
  columns: {
    run_id: { type: 'text', references: 'runs', to: (_, ctx) => ctx.runId },
    ord: { type: 'int', to: (_, ctx) => ctx.ord },
    name: { type: 'text', field: 'name', redact: true },
    pass: {
      type: 'int',
      field: 'pass',
      from: (pass, out) => {
        out.pass = pass === 1
      },
    },
    scores_json: { type: 'text', field: 'scores', json: true },
    judge_errors: { type: 'int', field: 'judgeErrors' },
    // The metrics are rows of `case_metrics`; this says whether the case had the field at all.
    has_metrics: {
      type: 'int',
      field: 'metrics',
      to: (c) => (c.metrics === undefined ? 0 : 1),
      from: (has, out) => {
        if (has === 1) out.metrics = {}
      },
    },
    case_id: { type: 'text', null: true, field: 'id' },
    input: { type: 'text', null: true, field: 'input', redact: true },
    output: { type: 'text', null: true, field: 'output', redact: true },
    expected: { type: 'text', null: true, field: 'expected', redact: true },
    duration_ms: { type: 'real', null: true, field: 'durationMs' },
    latency_ms: { type: 'real', null: true, field: 'latencyMs' },
    tokens_input: { type: 'bigint', null: true, field: 'tokens', to: (c) => c.tokens?.input ?? null, from: ignore },
    tokens_output: {
      type: 'bigint',
      null: true,
      field: 'tokens',
      to: (c) => c.tokens?.output ?? null,
      from: (output, out, row) => {
        if (output !== null && row.tokens_input !== null) out.tokens = { input: row.tokens_input, output }
      },
    },
    error: { type: 'text', null: true, field: 'error', redact: true },
    extra_json: { type: 'text', null: true, extra: true },
    // The case's trace as one JSON text beside the case (not a table of spans): the page, `show` and
    // the MLflow export read a case with its whole trace, so one row read and one parse serve them
    // with no join or second query; nothing queries single spans. NULL for a case without spans.
    trace_json: { type: 'text', null: true, field: 'trace', json: true, redact: true, since: 3 },
  },
})

/** A field of a metric result that may be absent, or present with the value null (`explicit_nulls`). */
function nullable(field: 'raw' | 'threshold' | 'pass', read: (value: SqlValue) => unknown = (v) => v) {
  return (value: SqlValue, out: Record<string, unknown>, row: Readonly<Record<string, SqlValue>>) => {
    if (value !== null) out[field] = read(value)
    else if ((row.explicit_nulls as number) & EXPLICIT_NULL[field]) out[field] = null
  }
}

/** One metric's result in one case. */
export const CASE_METRICS = defineEntity<
  CaseMetricResult,
  { runId: string; caseOrd: number; ord: number; metric: string }
>()({
  table: 'case_metrics',
  part: 'runs',
  since: 1,
  primaryKey: ['run_id', 'case_ord', 'ord'],
  columns: {
    run_id: { type: 'text', references: 'runs', to: (_, ctx) => ctx.runId },
    case_ord: { type: 'int', to: (_, ctx) => ctx.caseOrd },
    ord: { type: 'int', to: (_, ctx) => ctx.ord },
    metric: { type: 'text', to: (_, ctx) => ctx.metric },
    score: {
      type: 'real',
      null: true,
      field: 'score',
      from: (score, out) => {
        out.score = score
      },
    },
    kind: { type: 'text', field: 'kind' },
    raw: { type: 'real', null: true, field: 'raw', from: nullable('raw') },
    threshold: { type: 'real', null: true, field: 'threshold', from: nullable('threshold') },
    pass: { type: 'int', null: true, field: 'pass', to: (m) => bool(m.pass), from: nullable('pass', (v) => v === 1) },
    justification: { type: 'text', null: true, field: 'justification', redact: true },
    judge: { type: 'text', null: true, field: 'judge' },
    trials_json: { type: 'text', null: true, field: 'trials', json: true },
    greater_is_better: {
      type: 'int',
      null: true,
      field: 'greaterIsBetter',
      from: (value, out) => {
        if (value !== null) out.greaterIsBetter = value === 1
      },
    },
    error_code: {
      type: 'text',
      null: true,
      field: 'error',
      to: (m) => m.error?.code ?? null,
      from: (code, out, row) => {
        if (code !== null) out.error = { code, message: row.error_message ?? '' }
      },
    },
    error_message: {
      type: 'text',
      null: true,
      field: 'error',
      redact: true,
      to: (m) => m.error?.message ?? null,
      from: ignore,
    },
    explicit_nulls: {
      type: 'int',
      to: (m) =>
        (m.raw === null ? EXPLICIT_NULL.raw : 0) |
        (m.threshold === null ? EXPLICIT_NULL.threshold : 0) |
        (m.pass === null ? EXPLICIT_NULL.pass : 0),
    },
    extra_json: { type: 'text', null: true, extra: true },
  },
})

// SQLite keeps NaN as NULL; NaN is what the aggregate held.
const orNaN = (field: keyof MetricAggregate) => (value: SqlValue, out: Record<string, unknown>) => {
  out[field] = value ?? Number.NaN
}

/** One metric's aggregate in one run. */
export const AGGREGATES = defineEntity<MetricAggregate, { runId: string; ord: number; metric: string }>()({
  table: 'aggregates',
  part: 'runs',
  since: 1,
  primaryKey: ['run_id', 'metric'],
  columns: {
    run_id: { type: 'text', references: 'runs', to: (_, ctx) => ctx.runId },
    ord: { type: 'int', to: (_, ctx) => ctx.ord },
    metric: { type: 'text', to: (_, ctx) => ctx.metric },
    n: { type: 'int', field: 'n' },
    mean: { type: 'real', null: true, field: 'mean', from: orNaN('mean') },
    variance: { type: 'real', null: true, field: 'variance', from: orNaN('variance') },
    p90: { type: 'real', null: true, field: 'p90', from: orNaN('p90') },
    min: { type: 'real', null: true, field: 'min', from: orNaN('min') },
    max: { type: 'real', null: true, field: 'max', from: orNaN('max') },
    median: { type: 'real', null: true, field: 'median', from: orNaN('median') },
    pass_rate: { type: 'real', null: true, field: 'pass_rate', from: orNaN('pass_rate') },
    extra_json: { type: 'text', null: true, extra: true },
  },
})

/**
 * A reviewer's current label on one metric of one case (`vitest-judge ui`): one row per run key,
 * case and metric, replaced when labelled again (the last reviewer wins; reviewer and time kept).
 */
export const LABELS = defineEntity<HumanLabel>()({
  table: 'labels',
  part: 'runs',
  since: 3,
  primaryKey: ['file', 'case_name', 'metric'],
  columns: {
    file: { type: 'text', field: 'file' },
    case_name: { type: 'text', field: 'case' },
    metric: { type: 'text', field: 'metric' },
    grade: {
      type: 'real',
      null: true,
      field: 'grade',
      // A comment alone has a null grade, read back as null (not left out).
      from: (value, out) => {
        out.grade = value
      },
    },
    scale: { type: 'text', field: 'scale', check: "scale IN ('grade', 'pass')" },
    comment: { type: 'text', null: true, field: 'comment', redact: true },
    reviewer: { type: 'text', field: 'reviewer', redact: true },
    at: { type: 'text', field: 'at' },
    case_digest: { type: 'text', field: 'caseDigest' },
  },
})

/** A judge (or embedding) result in the judge cache, under its key. */
export const CACHE_ENTRIES = defineEntity<CacheEntryInput, { key: string }>()({
  table: 'entries',
  pgTable: 'cache_entries',
  part: 'cache',
  since: 1,
  columns: {
    key: { type: 'text', primaryKey: true, to: (_, ctx) => ctx.key },
    kind: { type: 'text', field: 'kind' },
    judge: { type: 'text', field: 'judge' },
    value: {
      type: 'text',
      field: 'value',
      json: true,
      // A verdict's justification may quote the answer, and the answer (or a simulated user's turn) may
      // hold a key; embeddings are numbers.
      to: (entry) => {
        const json = JSON.stringify(entry.value)
        return entry.kind !== 'embed' ? redact(json) : json
      },
    },
    created_at: { type: 'bigint', field: 'createdAt', to: (entry) => entry.createdAt ?? Date.now() },
    metric: { type: 'text', null: true, field: 'metric' },
    last_used_at: { type: 'bigint', null: true, insert: false },
    hit_count: { type: 'bigint', default: '0', insert: false },
  },
})

/**
 * A recorded call of the app under test (issue 27: the app cache), under its key: beside the judge's
 * entries, never mixed with them. Only the result is stored (strings redacted): never the request,
 * a key or a header.
 */
export const APP_CACHE_ENTRIES = defineEntity<AppCacheEntryInput, { key: string }>()({
  table: 'app_entries',
  pgTable: 'app_cache_entries',
  part: 'cache',
  since: 2,
  columns: {
    key: { type: 'text', primaryKey: true, to: (_, ctx) => ctx.key },
    kind: { type: 'text', field: 'kind' },
    name: { type: 'text', field: 'name', redact: true },
    value: { type: 'text', field: 'value', json: true, to: (entry, ctx) => storedAppValue(ctx.key, entry.value) },
    latency_ms: { type: 'real', null: true, field: 'latencyMs', from: (value, out) => (out.latencyMs = value) },
    tokens_input: {
      type: 'bigint',
      null: true,
      to: (entry) => entry.tokens?.input ?? null,
      from: (value, out, row) =>
        (out.tokens =
          value === null || row.tokens_output === null
            ? null
            : { input: Number(value), output: Number(row.tokens_output) }),
    },
    tokens_output: { type: 'bigint', null: true, to: (entry) => entry.tokens?.output ?? null, from: ignore },
    created_at: { type: 'bigint', field: 'createdAt', to: (entry) => entry.createdAt ?? Date.now() },
    last_used_at: { type: 'bigint', null: true, insert: false },
    hit_count: { type: 'bigint', default: '0', insert: false },
  },
})

/** The tables of the runs part (`runs.db`, or the `runs` part of a PostgreSQL schema). */
export const RUNS_ENTITIES = [INVOCATIONS, TAGS, RUNS, CASES, CASE_METRICS, AGGREGATES, LABELS] as const

/** The tables of the cache part (`cache.db`, or the `cache` part of a PostgreSQL schema). */
export const CACHE_ENTITIES = [CACHE_ENTRIES, APP_CACHE_ENTRIES] as const

/** A parameter value as stored: strings scrubbed of secrets. */
export function redactParams(params: NewInvocation['params']): NewInvocation['params'] {
  const out: NewInvocation['params'] = {}
  for (const [key, value] of Object.entries(params)) out[key] = typeof value === 'string' ? redact(value) : value
  return out
}
