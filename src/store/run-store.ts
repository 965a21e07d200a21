/**
 * The SQLite run store (`<dir>/runs.db`), the zero-setup default: the reporter writes invocations
 * and runs, the CLI reads them. A row holds what the JSON report holds, so `getReport` gives back
 * exactly what was saved. Calls are synchronous underneath; the `RunStore` interface is async
 * because the PostgreSQL backend is.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { SelectorError, StoreError } from '../errors.js'
import type { HumanLabel } from '../report/labels.js'
import { runKey } from '../report/run-key.js'
import type { JsonReport, MetricAggregate, ReportInvocation, ReportRun } from '../report/types.js'
import { fromRow, rowValues, sqliteInsert } from './columns.js'
import { type Database, openDatabase, withImmediate } from './database.js'
import { AGGREGATES, CASE_METRICS, CASES, INVOCATIONS, LABELS, RUNS, TAGS } from './entities.js'
import { runsDbPath } from './paths.js'
import {
  type AggregateRow,
  type CaseRow,
  effectiveStatus,
  groupTags,
  type InvocationRow,
  invocationValues,
  type MetricRow,
  type RunRow,
  runRows,
  storedReport,
  tagNameProblem,
  toAggregate,
  toCase,
  toInvocation,
  toMetric,
  toRun,
  toRunSummary,
} from './rows.js'
import { RUNS_MIGRATIONS } from './run-schema.js'
import type {
  InvocationSummary,
  NewestQuery,
  NewInvocation,
  PrefixMatches,
  RunStore,
  RunSummary,
  StartInvocationOptions,
} from './types.js'

export { STALE_RUNNING_MS } from './rows.js'
export type { InvocationStatus, InvocationSummary, RunSummary } from './types.js'

/** Options of `SqliteRunStore`. */
export interface SqliteRunStoreOptions {
  /** Open `runs.db` read-only (it must exist). */
  readonly?: boolean
}

const INVOCATION_COLUMNS = INVOCATIONS.insertColumns.join(', ')
const NEWEST_FIRST = 'ORDER BY started_ms DESC, id DESC'

/**
 * The run store over `<dir>/runs.db`. One instance per process; statements are prepared once.
 * Invocation and run ids come from the caller (see `newId`).
 */
export class SqliteRunStore implements RunStore {
  /** The database file. */
  readonly file: string
  readonly location: string
  private readonly db: Database
  private readonly stmts: ReturnType<typeof prepareStatements>
  private readonly newestStatements = new Map<string, BetterSqlite3.Statement>()

  constructor(dir: string, options: SqliteRunStoreOptions = {}) {
    this.file = runsDbPath(dir)
    this.location = this.file
    this.db = openDatabase(this.file, { kind: 'runs', migrations: RUNS_MIGRATIONS, readonly: options.readonly })
    this.stmts = prepareStatements(this.db)
  }

  async startInvocation(inv: NewInvocation, options: StartInvocationOptions = {}): Promise<void> {
    const now = Date.now()
    withImmediate(this.db, () => {
      if (options.ifAbsent && this.stmts.invocationExists.get(inv.id) !== undefined) return
      try {
        this.stmts.insertInvocation.run(...invocationValues(inv, now, process.pid))
      } catch (error) {
        if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new StoreError(
            `Invocation ${inv.id} is already recorded in ${this.file}; give each invocation a new id.`,
          )
        }
        throw error
      }
      for (const name of inv.tags ?? [])
        this.stmts.upsertTag.run(
          ...rowValues(TAGS, { name, invocationId: inv.id, taggedAt: new Date(now).toISOString() }, undefined),
        )
    })
  }

  async saveRun(invocationId: string, run: ReportRun): Promise<void> {
    const s = this.stmts
    const rows = runRows(invocationId, run)
    withImmediate(this.db, () => {
      if (s.invocationExists.get(invocationId) === undefined) {
        throw new StoreError(
          `Cannot save run ${run.id} (${runKey(run)}): invocation ${invocationId} is not in ${this.file}. Call startInvocation first.`,
        )
      }
      s.deleteRun.run(run.id)
      s.deleteRunByFile.run(invocationId, runKey(run))
      s.insertRun.run(...rows.run)
      for (const values of rows.cases) s.insertCase.run(...values)
      for (const values of rows.metrics) s.insertMetric.run(...values)
      for (const values of rows.aggregates) s.insertAggregate.run(...values)
      s.touchInvocation.run(Date.now(), invocationId)
    })
  }

  async finishInvocation(id: string, status: 'complete' | 'interrupted', endedAt: string): Promise<void> {
    const result = this.stmts.finishInvocation.run(status, endedAt, Date.now(), id)
    if (result.changes === 0) throw new StoreError(`Cannot finish invocation ${id}: it is not in ${this.file}.`)
  }

  async tag(invocationId: string, name: string): Promise<string | null> {
    const problem = tagNameProblem(name)
    if (problem !== undefined) throw new SelectorError(problem)
    return withImmediate(this.db, () => {
      if (this.stmts.invocationExists.get(invocationId) === undefined) {
        throw new SelectorError(`No invocation ${invocationId} in ${this.file}. See \`vitest-judge runs\` for the ids.`)
      }
      const previous = this.stmts.tagTarget.get(name) as string | undefined
      this.stmts.upsertTag.run(
        ...rowValues(TAGS, { name, invocationId, taggedAt: new Date().toISOString() }, undefined),
      )
      return previous !== undefined && previous !== invocationId ? previous : null
    })
  }

  async markStaleInterrupted(): Promise<number> {
    const rows = this.stmts.runningInvocations.all() as InvocationRow[]
    let marked = 0
    for (const row of rows) {
      if (effectiveStatus(row) !== 'interrupted') continue
      marked += this.stmts.markInterrupted.run(row.id).changes
    }
    return marked
  }

  async listInvocations(options: { limit?: number; experiment?: string } = {}): Promise<InvocationSummary[]> {
    const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit))
    const rows = (
      options.experiment === undefined
        ? this.stmts.listInvocations.all(limit)
        : this.stmts.listInvocationsOf.all(options.experiment, limit)
    ) as InvocationRow[]
    if (rows.length === 0) return []
    const ids = JSON.stringify(rows.map((row) => row.id))
    const tags = groupTags(this.stmts.tagsOfInvocations.all(ids) as { name: string; invocation_id: string }[])
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
      list.push(toRunSummary(row, aggregates.get(row.id) ?? {}))
    }
    return rows.map((row) => ({ ...toInvocation(row, tags.get(row.id) ?? []), runs: runs.get(row.id) ?? [] }))
  }

  async getReport(invocationId: string): Promise<JsonReport> {
    const invocation = await this.getInvocation(invocationId)
    const runs = (this.stmts.runsOfInvocation.all(invocationId) as RunRow[]).map((row) => this.readRun(row))
    return storedReport(invocation, runs)
  }

  async getInvocation(invocationId: string): Promise<ReportInvocation> {
    const row = this.stmts.invocationById.get(invocationId) as InvocationRow | undefined
    if (row === undefined) {
      throw new SelectorError(`No invocation ${invocationId} in ${this.file}. See \`vitest-judge runs\` for the ids.`)
    }
    const tags = this.stmts.tagsOfInvocation.all(row.id) as string[]
    return toInvocation(row, tags)
  }

  async getRun(runId: string): Promise<ReportRun | undefined> {
    const row = this.stmts.runRowById.get(runId) as RunRow | undefined
    return row === undefined ? undefined : this.readRun(row)
  }

  async getRunByFile(invocationId: string, file: string): Promise<ReportRun | undefined> {
    const row = this.stmts.runRowByFile.get(invocationId, file) as RunRow | undefined
    return row === undefined ? undefined : this.readRun(row)
  }

  async getRunFiles(invocationId: string): Promise<string[]> {
    return this.stmts.runFilesOfInvocation.all(invocationId) as string[]
  }

  async hasInvocation(id: string): Promise<boolean> {
    return this.stmts.invocationExists.get(id) !== undefined
  }

  async newestInvocation(query: NewestQuery): Promise<string | undefined> {
    const where: string[] = []
    const params: (string | number)[] = []
    if (query.complete) where.push("status = 'complete'")
    if (query.experiment !== undefined) {
      where.push('experiment = ?')
      params.push(query.experiment)
    }
    if (query.branch !== undefined) {
      where.push('git_branch = ?')
      params.push(query.branch)
    }
    if (query.before !== undefined) {
      const anchor = this.stmts.invocationOrder.get(query.before) as { started_ms: number; id: string } | undefined
      if (anchor !== undefined) {
        where.push('(started_ms < ? OR (started_ms = ? AND id < ?))')
        params.push(anchor.started_ms, anchor.started_ms, anchor.id)
      }
    }
    const sql = `SELECT id FROM invocations ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${NEWEST_FIRST} LIMIT 1`
    let statement = this.newestStatements.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql).pluck()
      this.newestStatements.set(sql, statement)
    }
    return statement.get(...params) as string | undefined
  }

  async tagTarget(name: string): Promise<string | undefined> {
    return this.stmts.tagTarget.get(name) as string | undefined
  }

  async tagNames(): Promise<string[]> {
    return this.stmts.allTags.all() as string[]
  }

  async invocationOfRun(runId: string): Promise<string | undefined> {
    return this.stmts.runById.get(runId) as string | undefined
  }

  async idsByPrefix(prefix: string, limit: number): Promise<PrefixMatches> {
    const invocations = this.stmts.invocationsByPrefix.all(prefix.length, prefix, limit) as string[]
    const runs = this.stmts.runsByPrefix.all(prefix.length, prefix, limit) as { id: string; invocation_id: string }[]
    return { invocations, runs: runs.map((r) => ({ id: r.id, invocationId: r.invocation_id })) }
  }

  async saveLabel(label: HumanLabel): Promise<void> {
    this.stmts.upsertLabel.run(...rowValues(LABELS, label, undefined))
  }

  async listLabels(query: { file?: string } = {}): Promise<HumanLabel[]> {
    const rows = query.file === undefined ? this.stmts.allLabels.all() : this.stmts.labelsOfFile.all(query.file)
    return rows.map((row) => fromRow(LABELS, row as object) as unknown as HumanLabel)
  }

  async close(): Promise<void> {
    this.db.close()
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
}

function prepareStatements(db: Database) {
  const inIds = 'IN (SELECT value FROM json_each(?))'
  return {
    insertInvocation: db.prepare(sqliteInsert(INVOCATIONS)),
    touchInvocation: db.prepare('UPDATE invocations SET last_seen_ms = ? WHERE id = ?'),
    finishInvocation: db.prepare('UPDATE invocations SET status = ?, ended_at = ?, last_seen_ms = ? WHERE id = ?'),
    markInterrupted: db.prepare("UPDATE invocations SET status = 'interrupted' WHERE id = ? AND status = 'running'"),
    upsertTag: db.prepare(sqliteInsert(TAGS, { upsert: true })),
    deleteRun: db.prepare('DELETE FROM runs WHERE id = ?'),
    deleteRunByFile: db.prepare('DELETE FROM runs WHERE invocation_id = ? AND file = ?'),
    insertRun: db.prepare(sqliteInsert(RUNS)),
    insertCase: db.prepare(sqliteInsert(CASES)),
    insertMetric: db.prepare(sqliteInsert(CASE_METRICS)),
    insertAggregate: db.prepare(sqliteInsert(AGGREGATES)),
    invocationExists: db.prepare('SELECT 1 FROM invocations WHERE id = ?').pluck(),
    invocationById: db.prepare(`SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE id = ?`),
    invocationOrder: db.prepare('SELECT started_ms, id FROM invocations WHERE id = ?'),
    runningInvocations: db.prepare(`SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE status = 'running'`),
    listInvocations: db.prepare(`SELECT ${INVOCATION_COLUMNS} FROM invocations ${NEWEST_FIRST} LIMIT ?`),
    listInvocationsOf: db.prepare(
      `SELECT ${INVOCATION_COLUMNS} FROM invocations WHERE experiment = ? ${NEWEST_FIRST} LIMIT ?`,
    ),
    invocationsByPrefix: db
      .prepare(`SELECT id FROM invocations WHERE lower(substr(id, 1, ?)) = lower(?) ${NEWEST_FIRST} LIMIT ?`)
      .pluck(),
    runsByPrefix: db.prepare(
      'SELECT id, invocation_id FROM runs WHERE lower(substr(id, 1, ?)) = lower(?) ORDER BY id LIMIT ?',
    ),
    runById: db.prepare('SELECT invocation_id FROM runs WHERE id = ?').pluck(),
    tagTarget: db.prepare('SELECT invocation_id FROM tags WHERE name = ?').pluck(),
    allTags: db.prepare('SELECT name FROM tags ORDER BY name').pluck(),
    tagsOfInvocation: db.prepare('SELECT name FROM tags WHERE invocation_id = ? ORDER BY name').pluck(),
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
    upsertLabel: db.prepare(sqliteInsert(LABELS, { upsert: true })),
    allLabels: db.prepare('SELECT * FROM labels ORDER BY file, case_name, metric'),
    labelsOfFile: db.prepare('SELECT * FROM labels WHERE file = ? ORDER BY file, case_name, metric'),
  }
}
