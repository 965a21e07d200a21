/**
 * The run history (`<dir>/runs.db`): the reporter writes invocations and runs, the CLI reads them.
 * A row holds what the JSON report holds, so `getReport` gives back exactly what was saved.
 */
import { existsSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { SelectorError, StoreError } from '../errors.js'
import { redact } from '../redact.js'
import type {
  CaseMetricResult,
  JsonReport,
  MetricAggregate,
  ReportCase,
  ReportInvocation,
  ReportRun,
} from '../report/types.js'
import { type Database, openDatabase, withImmediate } from './database.js'
import { runsDbPath } from './paths.js'
import { readJsonReport } from './read-report.js'
import { EXPLICIT_NULL, RUNS_MIGRATIONS } from './run-schema.js'

/** A 'running' invocation with no sign of life (no saved run, no start) for this long reads as interrupted. */
export const STALE_RUNNING_MS = 24 * 60 * 60 * 1000

/** Status of an invocation as readers see it. */
export type InvocationStatus = 'running' | 'complete' | 'interrupted'

/** A run without its cases, as `listInvocations` gives it. */
export interface RunSummary extends Omit<ReportRun, 'cases' | 'status'> {
  status: 'complete' | 'interrupted'
  caseCount: number
  /** Cases that passed. */
  passed: number
}

/** An invocation with the summaries of its runs (ordered by file), as `runs --json` prints it. */
export interface InvocationSummary extends ReportInvocation {
  status: InvocationStatus
  experiment: string
  tags: string[]
  runs: RunSummary[]
}

/** What a selector designates: an invocation in the store (and the run, for a run id), or a JSON report file. */
export type ResolvedSelector =
  | { kind: 'invocation'; id: string; runId?: string }
  | { kind: 'report'; path: string; report: JsonReport }

/** Options of `resolveSelector`. */
export interface ResolveOptions {
  /**
   * Resolve `latest`, `previous` and `branch:` among the invocations that started before this one
   * (e.g. the running invocation, for its baseline). An id that is not recorded is ignored.
   */
  before?: string
  /** `latest` must be a complete invocation (`previous` and `branch:` always are). */
  requireComplete?: boolean
  /** Only consider this experiment's invocations for `latest`, `previous` and `branch:`. */
  experiment?: string
}

/** Options of `RunStore`. */
export interface RunStoreOptions {
  /** Open `runs.db` read-only (it must exist). */
  readonly?: boolean
}

const SELECTOR_FORMS =
  'Use `latest`, `previous`, an invocation or run id (or a unique prefix of 4+ characters), `tag:<name>`, ' +
  '`branch:<name>`, or the path of a JSON report (e.g. .vitest-judge/report.json).'

const INVOCATION_KEYS = new Set(['id', 'startedAt', 'endedAt', 'status', 'git', 'params', 'experiment', 'ci', 'tags'])
const RUN_KEYS = new Set([
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
const CASE_KEYS = new Set([
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
const METRIC_KEYS = new Set([
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
const AGGREGATE_KEYS = new Set(['n', 'mean', 'variance', 'p90', 'min', 'max', 'median', 'pass_rate'])

interface InvocationRow {
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

interface RunRow {
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
  /** Added by migration 2. */
  dataset_digest: string | null
}

interface CaseRow {
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

interface MetricRow {
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

interface AggregateRow {
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

const INVOCATION_COLUMNS =
  'id, experiment, started_at, started_ms, ended_at, status, git_commit, git_branch, params_json, ci_json, extra_json, pid, hostname, last_seen_ms'
const NEWEST_FIRST = 'ORDER BY started_ms DESC, id DESC'

/**
 * The run store over `<dir>/runs.db`. One instance per process; statements are prepared once.
 * Invocation and run ids come from the caller (see `newId`); `saveRun` replaces a run with the same id,
 * or the same file in the same invocation.
 */
export class RunStore {
  /** The database file. */
  readonly file: string
  private readonly db: Database
  private readonly host = hostname()
  private readonly stmts: ReturnType<typeof prepareStatements>

  constructor(dir: string, options: RunStoreOptions = {}) {
    this.file = runsDbPath(dir)
    this.db = openDatabase(this.file, { kind: 'runs', migrations: RUNS_MIGRATIONS, readonly: options.readonly })
    this.stmts = prepareStatements(this.db)
  }

  /** Records the start of a `vitest` process (status `running`, with this process's pid and host). */
  startInvocation(inv: ReportInvocation & { experiment: string }): void {
    const now = Date.now()
    const parsed = Date.parse(inv.startedAt)
    withImmediate(this.db, () => {
      try {
        this.stmts.insertInvocation.run(
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
          process.pid,
          this.host,
          now,
        )
      } catch (error) {
        if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new StoreError(
            `Invocation ${inv.id} is already recorded in ${this.file}; give each invocation a new id.`,
          )
        }
        throw error
      }
      for (const name of inv.tags ?? []) this.stmts.upsertTag.run(name, inv.id, new Date(now).toISOString())
    })
  }

  /** Saves one run (a test file) of an invocation with its cases and aggregates, in one transaction. */
  saveRun(invocationId: string, run: ReportRun): void {
    const s = this.stmts
    withImmediate(this.db, () => {
      if (s.invocationExists.get(invocationId) === undefined) {
        throw new StoreError(
          `Cannot save run ${run.id} (${run.file}): invocation ${invocationId} is not in ${this.file}. Call startInvocation first.`,
        )
      }
      s.deleteRun.run(run.id)
      s.deleteRunByFile.run(invocationId, run.file)
      let passed = 0
      for (const c of run.cases) if (c.pass) passed++
      s.insertRun.run(
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
      )
      run.cases.forEach((c, ord) => {
        // Case texts come from the task and the dataset: an answer that echoes a key must not store it.
        s.insertCase.run(
          run.id,
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
        )
        if (c.metrics === undefined) return
        let metricOrd = 0
        for (const [metric, m] of Object.entries(c.metrics)) {
          s.insertMetric.run(
            run.id,
            ord,
            metricOrd++,
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
            (m.raw === null ? EXPLICIT_NULL.raw : 0) |
              (m.threshold === null ? EXPLICIT_NULL.threshold : 0) |
              (m.pass === null ? EXPLICIT_NULL.pass : 0),
            extraJson(m, METRIC_KEYS),
          )
        }
      })
      let aggregateOrd = 0
      for (const [metric, a] of Object.entries(run.aggregates)) {
        s.insertAggregate.run(
          run.id,
          aggregateOrd++,
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
        )
      }
      s.touchInvocation.run(Date.now(), invocationId)
    })
  }

  /** Records how an invocation ended. */
  finishInvocation(id: string, status: 'complete' | 'interrupted', endedAt: string): void {
    const result = this.stmts.finishInvocation.run(status, endedAt, Date.now(), id)
    if (result.changes === 0) throw new StoreError(`Cannot finish invocation ${id}: it is not in ${this.file}.`)
  }

  /**
   * Names an invocation. A tag names one invocation at a time: tagging another one moves it.
   * Returns the id of the invocation the tag was moved from, if any.
   */
  tag(invocationId: string, name: string): string | null {
    if (!/^[^\s:]+$/.test(name)) {
      throw new SelectorError(`Tag "${name}" is not usable: a tag is one word without spaces or colons, e.g. baseline.`)
    }
    return withImmediate(this.db, () => {
      if (this.stmts.invocationExists.get(invocationId) === undefined) {
        throw new SelectorError(`No invocation ${invocationId} in ${this.file}. See \`vitest-judge runs\` for the ids.`)
      }
      const previous = this.stmts.tagTarget.get(name) as string | undefined
      this.stmts.upsertTag.run(name, invocationId, new Date().toISOString())
      return previous !== undefined && previous !== invocationId ? previous : null
    })
  }

  /**
   * Marks as `interrupted` every `running` invocation whose process is gone: its pid is not alive on
   * this host, or nothing was heard from it for `STALE_RUNNING_MS`. Returns how many were marked.
   */
  markStaleInterrupted(): number {
    const rows = this.stmts.runningInvocations.all() as InvocationRow[]
    let marked = 0
    for (const row of rows) {
      if (this.effectiveStatus(row) !== 'interrupted') continue
      marked += this.stmts.markInterrupted.run(row.id).changes
    }
    return marked
  }

  /** Invocations, newest first, each with the summaries of its runs. */
  listInvocations(options: { limit?: number; experiment?: string } = {}): InvocationSummary[] {
    const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit))
    const rows = (
      options.experiment === undefined
        ? this.stmts.listInvocations.all(limit)
        : this.stmts.listInvocationsOf.all(options.experiment, limit)
    ) as InvocationRow[]
    if (rows.length === 0) return []
    const ids = JSON.stringify(rows.map((row) => row.id))
    const tags = this.tagsOf(ids)
    const aggregates = new Map<string, Record<string, MetricAggregate>>()
    for (const row of this.stmts.aggregatesOfInvocations.all(ids) as AggregateRow[]) {
      const record = aggregates.get(row.run_id) ?? {}
      record[row.metric] = toAggregate(row)
      aggregates.set(row.run_id, record)
    }
    const runs = new Map<string, RunSummary[]>()
    for (const row of this.stmts.runsOfInvocations.all(ids) as RunRow[]) {
      const list = runs.get(row.invocation_id) ?? []
      runs.set(row.invocation_id, list)
      const { cases: _cases, status, ...rest } = toRun(row, [], aggregates.get(row.id) ?? {})
      list.push({ ...rest, status: status ?? 'complete', caseCount: row.case_count, passed: row.pass_count })
    }
    return rows.map((row) => ({
      ...this.toInvocation(row, tags.get(row.id) ?? []),
      runs: runs.get(row.id) ?? [],
    }))
  }

  /** The JSON report of an invocation (`comparison: null`), runs ordered by file, cases in saved order. */
  getReport(invocationId: string): JsonReport {
    const invocation = this.getInvocation(invocationId)
    const runs = (this.stmts.runsOfInvocation.all(invocationId) as RunRow[]).map((row) => this.readRun(row))
    return { version: 1, invocation, runs, comparison: null }
  }

  /** An invocation's header (as in its JSON report), without its runs. */
  getInvocation(invocationId: string): ReportInvocation {
    const row = this.stmts.invocationById.get(invocationId) as InvocationRow | undefined
    if (row === undefined) {
      throw new SelectorError(`No invocation ${invocationId} in ${this.file}. See \`vitest-judge runs\` for the ids.`)
    }
    const tags = this.tagsOf(JSON.stringify([row.id])).get(row.id) ?? []
    return this.toInvocation(row, tags)
  }

  /** One saved run with its cases (as `getReport` gives it), or undefined when there is none with that id. */
  getRun(runId: string): ReportRun | undefined {
    const row = this.stmts.runRowById.get(runId) as RunRow | undefined
    return row === undefined ? undefined : this.readRun(row)
  }

  /** The run of `file` in an invocation, or undefined when the invocation has none. */
  getRunByFile(invocationId: string, file: string): ReportRun | undefined {
    const row = this.stmts.runRowByFile.get(invocationId, file) as RunRow | undefined
    return row === undefined ? undefined : this.readRun(row)
  }

  /** The files of an invocation's runs, sorted. */
  getRunFiles(invocationId: string): string[] {
    return this.stmts.runFilesOfInvocation.all(invocationId) as string[]
  }

  private readRun(runRow: RunRow): ReportRun {
    const s = this.stmts
    const aggregates: Record<string, MetricAggregate> = {}
    for (const a of s.aggregatesOfRun.all(runRow.id) as AggregateRow[]) aggregates[a.metric] = toAggregate(a)
    const cases = (s.casesOfRun.all(runRow.id) as CaseRow[]).map(toCase)
    for (const m of s.metricsOfRun.all(runRow.id) as MetricRow[]) {
      const metrics = cases[m.case_ord]?.metrics
      if (metrics !== undefined) metrics[m.metric] = toMetric(m)
    }
    return toRun(runRow, cases, aggregates)
  }

  /**
   * Resolves a run selector: `latest`, `previous`, an id or unique id prefix (of an invocation, or of
   * a run, which designates its invocation), `tag:<name>`, `branch:<name>`, or a JSON report path.
   * `previous` is the newest complete invocation before `options.before`, or before `latest`.
   */
  resolveSelector(sel: string, options: ResolveOptions = {}): ResolvedSelector {
    const selector = sel.trim()
    if (selector === 'latest') return { kind: 'invocation', id: this.latest(options).id }
    if (selector === 'previous') {
      const before = options.before ?? this.latest(options).id
      const row = this.newestBefore(before, true, options.experiment)
      if (row === undefined) {
        throw new SelectorError(
          `No complete invocation before ${before} in ${this.file}, so there is no \`previous\` to compare with.`,
        )
      }
      return { kind: 'invocation', id: row.id }
    }
    if (selector.startsWith('tag:')) {
      const name = selector.slice(4)
      const id = this.stmts.tagTarget.get(name) as string | undefined
      if (id !== undefined) return { kind: 'invocation', id }
      const known = this.stmts.allTags.all() as string[]
      const hint = known.length > 0 ? `Known tags: ${known.join(', ')}.` : 'No tag exists yet.'
      throw new SelectorError(
        `No tag "${name}" in ${this.file}. ${hint} Create one with \`vitest-judge tag <sel> ${name}\`.`,
      )
    }
    if (selector.startsWith('branch:')) {
      const branch = selector.slice(7)
      const row = this.newestOnBranch(branch, options)
      if (row === undefined) {
        throw new SelectorError(`No complete invocation on git branch "${branch}" in ${this.file}.`)
      }
      return { kind: 'invocation', id: row.id }
    }
    if (this.stmts.invocationExists.get(selector) !== undefined) return { kind: 'invocation', id: selector }
    const run = this.stmts.runById.get(selector) as { invocation_id: string } | undefined
    if (run !== undefined) return { kind: 'invocation', id: run.invocation_id, runId: selector }
    if (isFile(selector)) {
      const path = resolve(selector)
      return { kind: 'report', path, report: readJsonReport(path) }
    }
    if (/[/\\]|\.json$/i.test(selector)) {
      throw new SelectorError(`No JSON report at ${resolve(selector)}. ${SELECTOR_FORMS}`)
    }
    if (/^[0-9a-z_-]{4,}$/i.test(selector)) {
      const found = this.byPrefix(selector)
      if (found !== undefined) return found
    }
    throw new SelectorError(`Unknown run selector "${selector}". ${SELECTOR_FORMS}`)
  }

  /** Closes the database. */
  close(): void {
    this.db.close()
  }

  private latest(options: ResolveOptions): InvocationRow {
    const row =
      options.before !== undefined
        ? this.newestBefore(options.before, options.requireComplete === true, options.experiment)
        : this.newest(options.requireComplete === true, options.experiment)
    if (row === undefined) {
      const what = options.requireComplete ? 'complete invocation' : 'invocation'
      const where = options.before !== undefined ? ` before ${options.before}` : ''
      throw new SelectorError(`No ${what}${where} in ${this.file} yet: run vitest first, or check VITEST_JUDGE_DIR.`)
    }
    return row
  }

  private newest(complete: boolean, experiment: string | undefined): InvocationRow | undefined {
    for (const row of this.stmts.newestInvocations.iterate() as IterableIterator<InvocationRow>) {
      if (this.matches(row, complete, experiment)) return row
    }
    return undefined
  }

  private newestBefore(before: string, complete: boolean, experiment: string | undefined): InvocationRow | undefined {
    const anchor = this.stmts.invocationOrder.get(before) as { started_ms: number; id: string } | undefined
    if (anchor === undefined) return this.newest(complete, experiment)
    const rows = this.stmts.invocationsBefore.iterate(anchor.started_ms, anchor.started_ms, anchor.id)
    for (const row of rows as IterableIterator<InvocationRow>) {
      if (this.matches(row, complete, experiment)) return row
    }
    return undefined
  }

  private newestOnBranch(branch: string, options: ResolveOptions): InvocationRow | undefined {
    const anchor =
      options.before === undefined
        ? undefined
        : (this.stmts.invocationOrder.get(options.before) as { started_ms: number; id: string } | undefined)
    for (const row of this.stmts.invocationsOnBranch.iterate(branch) as IterableIterator<InvocationRow>) {
      if (anchor !== undefined && !isBefore(row, anchor)) continue
      if (this.matches(row, true, options.experiment)) return row
    }
    return undefined
  }

  private matches(row: InvocationRow, complete: boolean, experiment: string | undefined): boolean {
    if (experiment !== undefined && row.experiment !== experiment) return false
    return !complete || row.status === 'complete'
  }

  private byPrefix(prefix: string): ResolvedSelector | undefined {
    const invocations = this.stmts.invocationsByPrefix.all(prefix.length, prefix) as string[]
    if (invocations.length === 1 && invocations[0] !== undefined) return { kind: 'invocation', id: invocations[0] }
    if (invocations.length > 1) throw ambiguous(prefix, invocations, 'invocations')
    const runs = this.stmts.runsByPrefix.all(prefix.length, prefix) as { id: string; invocation_id: string }[]
    if (runs.length === 1 && runs[0] !== undefined)
      return { kind: 'invocation', id: runs[0].invocation_id, runId: runs[0].id }
    if (runs.length > 1)
      throw ambiguous(
        prefix,
        runs.map((r) => r.id),
        'runs',
      )
    return undefined
  }

  private tagsOf(idsJson: string): Map<string, string[]> {
    const tags = new Map<string, string[]>()
    for (const row of this.stmts.tagsOfInvocations.all(idsJson) as { name: string; invocation_id: string }[]) {
      const list = tags.get(row.invocation_id)
      if (list === undefined) tags.set(row.invocation_id, [row.name])
      else list.push(row.name)
    }
    return tags
  }

  private effectiveStatus(row: InvocationRow): InvocationStatus {
    if (row.status !== 'running') return row.status
    if (Date.now() - row.last_seen_ms > STALE_RUNNING_MS) return 'interrupted'
    if (row.hostname === this.host && row.pid !== null && !isAlive(row.pid)) return 'interrupted'
    return 'running'
  }

  private toInvocation(
    row: InvocationRow,
    tags: string[],
  ): ReportInvocation & {
    status: InvocationStatus
    experiment: string
    tags: string[]
  } {
    const invocation: ReportInvocation & { status: InvocationStatus; experiment: string; tags: string[] } = {
      ...parseExtra(row.extra_json),
      id: row.id,
      startedAt: row.started_at,
      status: this.effectiveStatus(row),
      git: { commit: row.git_commit, branch: row.git_branch },
      params: JSON.parse(row.params_json) as ReportInvocation['params'],
      experiment: row.experiment,
      tags,
    }
    if (row.ended_at !== null) invocation.endedAt = row.ended_at
    if (row.ci_json !== null) invocation.ci = JSON.parse(row.ci_json) as ReportInvocation['ci']
    return invocation
  }
}

function prepareStatements(db: Database) {
  const inIds = 'IN (SELECT value FROM json_each(?))'
  return {
    insertInvocation:
      db.prepare(`INSERT INTO invocations (id, experiment, started_at, started_ms, ended_at, status, git_commit,
      git_branch, params_json, ci_json, extra_json, pid, hostname, last_seen_ms) VALUES (${qs(14)})`),
    touchInvocation: db.prepare('UPDATE invocations SET last_seen_ms = ? WHERE id = ?'),
    finishInvocation: db.prepare('UPDATE invocations SET status = ?, ended_at = ?, last_seen_ms = ? WHERE id = ?'),
    markInterrupted: db.prepare("UPDATE invocations SET status = 'interrupted' WHERE id = ? AND status = 'running'"),
    upsertTag: db.prepare('INSERT OR REPLACE INTO tags (name, invocation_id, tagged_at) VALUES (?, ?, ?)'),
    deleteRun: db.prepare('DELETE FROM runs WHERE id = ?'),
    deleteRunByFile: db.prepare('DELETE FROM runs WHERE invocation_id = ? AND file = ?'),
    insertRun:
      db.prepare(`INSERT INTO runs (id, invocation_id, file, status, case_count, pass_count, judge_errors, cache_hits,
      cache_misses, tokens_input, tokens_output, duration_ms, extra_json, saved_at, dataset_digest) VALUES (${qs(15)})`),
    insertCase:
      db.prepare(`INSERT INTO cases (run_id, ord, name, pass, scores_json, judge_errors, case_id, input, output,
      expected, duration_ms, latency_ms, tokens_input, tokens_output, error, has_metrics, extra_json) VALUES (${qs(17)})`),
    insertMetric:
      db.prepare(`INSERT INTO case_metrics (run_id, case_ord, ord, metric, kind, score, raw, threshold, pass,
      justification, judge, trials_json, greater_is_better, error_code, error_message, explicit_nulls, extra_json)
      VALUES (${qs(17)})`),
    insertAggregate: db.prepare(`INSERT INTO aggregates (run_id, ord, metric, n, mean, variance, p90, min, max, median,
      pass_rate, extra_json) VALUES (${qs(12)})`),
    invocationExists: db.prepare('SELECT 1 FROM invocations WHERE id = ?').pluck(),
    invocationById: db.prepare(`SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE id = ?`),
    invocationOrder: db.prepare('SELECT started_ms, id FROM invocations WHERE id = ?'),
    runningInvocations: db.prepare(`SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE status = 'running'`),
    listInvocations: db.prepare(`SELECT ${INVOCATION_COLUMNS} FROM invocations ${NEWEST_FIRST} LIMIT ?`),
    listInvocationsOf: db.prepare(
      `SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE experiment = ? ${NEWEST_FIRST} LIMIT ?`,
    ),
    newestInvocations: db.prepare(`SELECT ${INVOCATION_COLUMNS} FROM invocations ${NEWEST_FIRST}`),
    invocationsBefore: db.prepare(
      `SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE started_ms < ? OR (started_ms = ? AND id < ?) ${NEWEST_FIRST}`,
    ),
    invocationsOnBranch: db.prepare(
      `SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE git_branch = ? ${NEWEST_FIRST}`,
    ),
    invocationsByPrefix: db
      .prepare(`SELECT id FROM invocations WHERE lower(substr(id, 1, ?)) = lower(?) ${NEWEST_FIRST} LIMIT 11`)
      .pluck(),
    runsByPrefix: db.prepare('SELECT id, invocation_id FROM runs WHERE lower(substr(id, 1, ?)) = lower(?) LIMIT 11'),
    runById: db.prepare('SELECT invocation_id FROM runs WHERE id = ?'),
    tagTarget: db.prepare('SELECT invocation_id FROM tags WHERE name = ?').pluck(),
    allTags: db.prepare('SELECT name FROM tags ORDER BY name').pluck(),
    tagsOfInvocations: db.prepare(`SELECT name, invocation_id FROM tags WHERE invocation_id ${inIds} ORDER BY name`),
    runsOfInvocation: db.prepare('SELECT * FROM runs WHERE invocation_id = ? ORDER BY file'),
    runRowById: db.prepare('SELECT * FROM runs WHERE id = ?'),
    runRowByFile: db.prepare('SELECT * FROM runs WHERE invocation_id = ? AND file = ? LIMIT 1'),
    runFilesOfInvocation: db.prepare('SELECT file FROM runs WHERE invocation_id = ? ORDER BY file').pluck(),
    runsOfInvocations: db.prepare(`SELECT * FROM runs WHERE invocation_id ${inIds} ORDER BY file`),
    aggregatesOfRun: db.prepare('SELECT * FROM aggregates WHERE run_id = ? ORDER BY ord'),
    aggregatesOfInvocations: db.prepare(
      `SELECT a.* FROM aggregates a JOIN runs r ON r.id = a.run_id WHERE r.invocation_id ${inIds} ORDER BY a.run_id, a.ord`,
    ),
    casesOfRun: db.prepare('SELECT * FROM cases WHERE run_id = ? ORDER BY ord'),
    metricsOfRun: db.prepare('SELECT * FROM case_metrics WHERE run_id = ? ORDER BY case_ord, ord'),
  }
}

function qs(count: number): string {
  return Array(count).fill('?').join(', ')
}

function toRun(row: RunRow, cases: ReportCase[], aggregates: Record<string, MetricAggregate>): ReportRun {
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

function toCase(row: CaseRow): ReportCase {
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

function toMetric(row: MetricRow): CaseMetricResult {
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

function toAggregate(row: AggregateRow): MetricAggregate {
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
function extraJson(value: object, known: Set<string>): string | null {
  let extra: Record<string, unknown> | undefined
  for (const [key, field] of Object.entries(value)) {
    if (known.has(key) || field === undefined) continue
    extra ??= {}
    extra[key] = field
  }
  return extra === undefined ? null : redact(JSON.stringify(extra))
}

function parseExtra(json: string | null): Record<string, unknown> {
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>)
}

function redactParams(params: ReportInvocation['params']): ReportInvocation['params'] {
  const out: ReportInvocation['params'] = {}
  for (const [key, value] of Object.entries(params)) out[key] = typeof value === 'string' ? redact(value) : value
  return out
}

function bool(value: boolean | null | undefined): number | null {
  return value === true ? 1 : value === false ? 0 : null
}

function isBefore(row: InvocationRow, anchor: { started_ms: number; id: string }): boolean {
  return row.started_ms < anchor.started_ms || (row.started_ms === anchor.started_ms && row.id < anchor.id)
}

function ambiguous(prefix: string, ids: string[], what: string): SelectorError {
  const shown = ids.slice(0, 10).join(', ')
  const more = ids.length > 10 ? ', ...' : ''
  return new SelectorError(
    `Id prefix "${prefix}" matches several ${what}: ${shown}${more}. Type more characters of the id.`,
  )
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile()
  } catch {
    return false
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
