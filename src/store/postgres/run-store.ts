/**
 * The PostgreSQL run store: the same rows as the SQLite store (see `rows.ts`), a run written in one
 * transaction with one multi-row insert per table (`unnest` of arrays), prepared statements, the
 * process's one pool, and writes retried while the connection is lost.
 */
import type { Pool, PoolClient } from 'pg'
import { SelectorError, StoreError } from '../../errors.js'
import type { HumanLabel } from '../../report/labels.js'
import { runKey } from '../../report/run-key.js'
import type { JsonReport, MetricAggregate, ReportInvocation, ReportRun } from '../../report/types.js'
import {
  type AnyEntity,
  fromRow,
  pgColumnArrays,
  pgInsert,
  pgInsertMany,
  rowValues,
  type SqlValue,
} from '../columns.js'
import { AGGREGATES, CASE_METRICS, CASES, INVOCATIONS, LABELS, RUNS, TAGS } from '../entities.js'
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
} from '../rows.js'
import type {
  InvocationSummary,
  NewestQuery,
  NewInvocation,
  PrefixMatches,
  RunStore,
  RunSummary,
  StartInvocationOptions,
} from '../types.js'
import { acquirePool, inTransaction, releasePool } from './driver.js'
import { withRetry } from './retry.js'
import { ensurePart, quoteIdent } from './schema.js'
import type { PgLocation } from './url.js'

/** Options of `PgRunStore.open`. */
export interface PgRunStoreOptions {
  /** Never create, migrate or write. */
  readonly?: boolean
}

/** The run store in a PostgreSQL schema. Open it with `PgRunStore.open`. */
export class PgRunStore implements RunStore {
  readonly location: string
  private readonly s: string
  private closed = false

  private constructor(
    private readonly pg: PgLocation,
    private readonly pool: Pool,
    private readonly readonly: boolean,
    private readonly present: boolean,
  ) {
    this.location = pg.display
    this.s = quoteIdent(pg.schema)
  }

  /** Connects (the process's pool), checks the schema and migrates it (unless read-only). */
  static async open(location: PgLocation, options: PgRunStoreOptions = {}): Promise<PgRunStore> {
    const pool = await acquirePool(location)
    try {
      const present = await ensurePart(pool, location, 'runs', options.readonly === true)
      return new PgRunStore(location, pool, options.readonly === true, present)
    } catch (error) {
      await releasePool(location)
      throw error
    }
  }

  private t(table: string): string {
    return `${this.s}.${table}`
  }

  private async query<R extends object>(name: string, text: string, values: unknown[] = []): Promise<R[]> {
    if (!this.present) return []
    return withRetry(this.pg, async () => (await this.pool.query<R>({ name: this.name(name), text, values })).rows)
  }

  // Prepared statement names are per connection and per schema.
  private name(name: string): string {
    return `vj_${this.pg.schema}_${name}`
  }

  private writable(): void {
    if (this.readonly) {
      throw new StoreError(`The run store ${this.location} is open read-only; it cannot be written.`)
    }
  }

  async startInvocation(inv: NewInvocation, options: StartInvocationOptions = {}): Promise<void> {
    this.writable()
    const now = Date.now()
    const values = invocationValues(inv, now, process.pid)
    await withRetry(this.pg, (attempt) =>
      inTransaction(this.pool, async (client) => {
        // A retry may follow a commit whose answer was lost: the row is then already there.
        const skip = options.ifAbsent === true || attempt > 1
        const inserted = await client.query({
          name: this.name(skip ? 'insert_invocation_if_absent' : 'insert_invocation'),
          text: pgInsert(INVOCATIONS, this.s, { ifAbsent: skip }),
          values,
        })
        if (inserted.rowCount === 0 && skip) return
        for (const name of inv.tags ?? []) await this.upsertTag(client, name, inv.id, new Date(now).toISOString())
      }),
    ).catch((error: { code?: string }) => {
      if (error?.code === '23505') {
        throw new StoreError(
          `Invocation ${inv.id} is already recorded in ${this.location}; give each invocation a new id.`,
        )
      }
      throw error
    })
  }

  async saveRun(invocationId: string, run: ReportRun): Promise<void> {
    this.writable()
    const rows = runRows(invocationId, run)
    await withRetry(this.pg, () =>
      inTransaction(this.pool, async (client) => {
        const exists = await client.query({
          name: this.name('invocation_exists'),
          text: `SELECT 1 FROM ${this.t('invocations')} WHERE id = $1`,
          values: [invocationId],
        })
        if (exists.rowCount === 0) {
          throw new StoreError(
            `Cannot save run ${run.id} (${runKey(run)}): invocation ${invocationId} is not in ${this.location}. Call startInvocation first.`,
          )
        }
        await client.query({
          name: this.name('delete_run'),
          text: `DELETE FROM ${this.t('runs')} WHERE id = $1 OR (invocation_id = $2 AND file = $3)`,
          values: [run.id, invocationId, runKey(run)],
        })
        await client.query({
          name: this.name('insert_run'),
          text: pgInsert(RUNS, this.s),
          values: rows.run,
        })
        await this.insertMany(client, CASES, rows.cases)
        await this.insertMany(client, CASE_METRICS, rows.metrics)
        await this.insertMany(client, AGGREGATES, rows.aggregates)
        await client.query({
          name: this.name('touch_invocation'),
          text: `UPDATE ${this.t('invocations')} SET last_seen_ms = $1 WHERE id = $2`,
          values: [Date.now(), invocationId],
        })
      }),
    )
  }

  /** One INSERT ... SELECT FROM unnest(arrays) per table: a column per parameter, any number of rows. */
  private async insertMany(client: PoolClient, entity: AnyEntity, rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return
    await client.query({
      name: this.name(`insert_many_${entity.table}`),
      text: pgInsertMany(entity, this.s),
      values: pgColumnArrays(entity, rows),
    })
  }

  async finishInvocation(id: string, status: 'complete' | 'interrupted', endedAt: string): Promise<void> {
    this.writable()
    const result = await withRetry(this.pg, () =>
      this.pool.query({
        name: this.name('finish_invocation'),
        text: `UPDATE ${this.t('invocations')} SET status = $1, ended_at = $2, last_seen_ms = $3 WHERE id = $4`,
        values: [status, endedAt, Date.now(), id],
      }),
    )
    if (result.rowCount === 0) throw new StoreError(`Cannot finish invocation ${id}: it is not in ${this.location}.`)
  }

  async tag(invocationId: string, name: string): Promise<string | null> {
    const problem = tagNameProblem(name)
    if (problem !== undefined) throw new SelectorError(problem)
    this.writable()
    return withRetry(this.pg, () =>
      inTransaction(this.pool, async (client) => {
        const exists = await client.query(`SELECT 1 FROM ${this.t('invocations')} WHERE id = $1`, [invocationId])
        if (exists.rowCount === 0) {
          throw new SelectorError(
            `No invocation ${invocationId} in ${this.location}. See \`vitest-judge runs\` for the ids.`,
          )
        }
        const previous = await client.query<{ invocation_id: string }>(
          `SELECT invocation_id FROM ${this.t('tags')} WHERE name = $1 FOR UPDATE`,
          [name],
        )
        await this.upsertTag(client, name, invocationId, new Date().toISOString())
        const before = previous.rows[0]?.invocation_id
        return before !== undefined && before !== invocationId ? before : null
      }),
    )
  }

  private async upsertTag(client: PoolClient, name: string, invocationId: string, at: string): Promise<void> {
    await client.query({
      name: this.name('upsert_tag'),
      text: pgInsert(TAGS, this.s, { upsert: true }),
      values: rowValues(TAGS, { name, invocationId, taggedAt: at }, undefined),
    })
  }

  async markStaleInterrupted(): Promise<number> {
    if (this.readonly) return 0
    const rows = await this.query<InvocationRow>(
      'running_invocations',
      `SELECT * FROM ${this.t('invocations')} WHERE status = 'running'`,
    )
    const stale = rows.filter((row) => effectiveStatus(row) === 'interrupted').map((row) => row.id)
    if (stale.length === 0) return 0
    const result = await withRetry(this.pg, () =>
      this.pool.query(
        `UPDATE ${this.t('invocations')} SET status = 'interrupted' WHERE id = ANY($1::text[]) AND status = 'running'`,
        [stale],
      ),
    )
    return result.rowCount ?? 0
  }

  async listInvocations(options: { limit?: number; experiment?: string } = {}): Promise<InvocationSummary[]> {
    const limit = options.limit === undefined ? null : Math.max(0, Math.floor(options.limit))
    const rows = await this.query<InvocationRow>(
      'list_invocations',
      `SELECT * FROM ${this.t('invocations')} WHERE ($1::text IS NULL OR experiment = $1)
       ORDER BY started_ms DESC, id DESC LIMIT $2`,
      [options.experiment ?? null, limit],
    )
    if (rows.length === 0) return []
    const ids = rows.map((row) => row.id)
    const tags = groupTags(
      await this.query<{ name: string; invocation_id: string }>(
        'tags_of_invocations',
        `SELECT name, invocation_id FROM ${this.t('tags')} WHERE invocation_id = ANY($1::text[]) ORDER BY name`,
        [ids],
      ),
    )
    const aggregates = new Map<string, Record<string, MetricAggregate>>()
    for (const row of await this.query<AggregateRow>(
      'aggregates_of_invocations',
      `SELECT a.* FROM ${this.t('aggregates')} a JOIN ${this.t('runs')} r ON r.id = a.run_id
       WHERE r.invocation_id = ANY($1::text[]) ORDER BY a.run_id, a.ord`,
      [ids],
    )) {
      const record = aggregates.get(row.run_id) ?? {}
      record[row.metric] = toAggregate(row)
      aggregates.set(row.run_id, record)
    }
    const runs = new Map<string, RunSummary[]>()
    for (const row of await this.query<RunRow>(
      'runs_of_invocations',
      `SELECT * FROM ${this.t('runs')} WHERE invocation_id = ANY($1::text[]) ORDER BY file COLLATE "C"`,
      [ids],
    )) {
      const list = runs.get(row.invocation_id) ?? []
      runs.set(row.invocation_id, list)
      list.push(toRunSummary(row, aggregates.get(row.id) ?? {}))
    }
    return rows.map((row) => ({ ...toInvocation(row, tags.get(row.id) ?? []), runs: runs.get(row.id) ?? [] }))
  }

  async getReport(invocationId: string): Promise<JsonReport> {
    const invocation = await this.getInvocation(invocationId)
    const rows = await this.query<RunRow>(
      'runs_of_invocation',
      `SELECT * FROM ${this.t('runs')} WHERE invocation_id = $1 ORDER BY file COLLATE "C"`,
      [invocationId],
    )
    const runs: ReportRun[] = []
    for (const row of rows) runs.push(await this.readRun(row))
    return storedReport(invocation, runs)
  }

  async getInvocation(invocationId: string): Promise<ReportInvocation> {
    const [row] = await this.query<InvocationRow>(
      'invocation_by_id',
      `SELECT * FROM ${this.t('invocations')} WHERE id = $1`,
      [invocationId],
    )
    if (row === undefined) {
      throw new SelectorError(
        `No invocation ${invocationId} in ${this.location}. See \`vitest-judge runs\` for the ids.`,
      )
    }
    const tags = await this.query<{ name: string }>(
      'tags_of_invocation',
      `SELECT name FROM ${this.t('tags')} WHERE invocation_id = $1 ORDER BY name`,
      [invocationId],
    )
    return toInvocation(
      row,
      tags.map((t) => t.name),
    )
  }

  async getRun(runId: string): Promise<ReportRun | undefined> {
    const [row] = await this.query<RunRow>('run_by_id', `SELECT * FROM ${this.t('runs')} WHERE id = $1`, [runId])
    return row === undefined ? undefined : this.readRun(row)
  }

  async getRunByFile(invocationId: string, file: string): Promise<ReportRun | undefined> {
    const [row] = await this.query<RunRow>(
      'run_by_file',
      `SELECT * FROM ${this.t('runs')} WHERE invocation_id = $1 AND file = $2 LIMIT 1`,
      [invocationId, file],
    )
    return row === undefined ? undefined : this.readRun(row)
  }

  async getRunFiles(invocationId: string): Promise<string[]> {
    const rows = await this.query<{ file: string }>(
      'run_files',
      `SELECT file FROM ${this.t('runs')} WHERE invocation_id = $1 ORDER BY file COLLATE "C"`,
      [invocationId],
    )
    return rows.map((r) => r.file)
  }

  async hasInvocation(id: string): Promise<boolean> {
    const rows = await this.query('has_invocation', `SELECT 1 FROM ${this.t('invocations')} WHERE id = $1`, [id])
    return rows.length > 0
  }

  async newestInvocation(query: NewestQuery): Promise<string | undefined> {
    let anchor: { started_ms: number; id: string } | undefined
    if (query.before !== undefined) {
      ;[anchor] = await this.query<{ started_ms: number; id: string }>(
        'invocation_order',
        `SELECT started_ms, id FROM ${this.t('invocations')} WHERE id = $1`,
        [query.before],
      )
    }
    const rows = await this.query<{ id: string }>(
      'newest_invocation',
      `SELECT id FROM ${this.t('invocations')}
       WHERE ($1::boolean IS NOT TRUE OR status = 'complete')
         AND ($2::text IS NULL OR experiment = $2)
         AND ($3::text IS NULL OR git_branch = $3)
         AND ($4::bigint IS NULL OR started_ms < $4 OR (started_ms = $4 AND id < $5))
       ORDER BY started_ms DESC, id DESC LIMIT 1`,
      [
        query.complete === true,
        query.experiment ?? null,
        query.branch ?? null,
        anchor?.started_ms ?? null,
        anchor?.id ?? null,
      ],
    )
    return rows[0]?.id
  }

  async tagTarget(name: string): Promise<string | undefined> {
    const [row] = await this.query<{ invocation_id: string }>(
      'tag_target',
      `SELECT invocation_id FROM ${this.t('tags')} WHERE name = $1`,
      [name],
    )
    return row?.invocation_id
  }

  async tagNames(): Promise<string[]> {
    const rows = await this.query<{ name: string }>('tag_names', `SELECT name FROM ${this.t('tags')} ORDER BY name`)
    return rows.map((r) => r.name)
  }

  async invocationOfRun(runId: string): Promise<string | undefined> {
    const [row] = await this.query<{ invocation_id: string }>(
      'invocation_of_run',
      `SELECT invocation_id FROM ${this.t('runs')} WHERE id = $1`,
      [runId],
    )
    return row?.invocation_id
  }

  async idsByPrefix(prefix: string, limit: number): Promise<PrefixMatches> {
    const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    const invocations = await this.query<{ id: string }>(
      'invocations_by_prefix',
      `SELECT id FROM ${this.t('invocations')} WHERE lower(id) LIKE $1 ORDER BY started_ms DESC, id DESC LIMIT $2`,
      [pattern, limit],
    )
    const runs = await this.query<{ id: string; invocation_id: string }>(
      'runs_by_prefix',
      `SELECT id, invocation_id FROM ${this.t('runs')} WHERE lower(id) LIKE $1 ORDER BY id LIMIT $2`,
      [pattern, limit],
    )
    return {
      invocations: invocations.map((r) => r.id),
      runs: runs.map((r) => ({ id: r.id, invocationId: r.invocation_id })),
    }
  }

  async saveLabel(label: HumanLabel): Promise<void> {
    this.writable()
    await withRetry(this.pg, () =>
      this.pool.query({
        name: this.name('upsert_label'),
        text: pgInsert(LABELS, this.s, { upsert: true }),
        values: rowValues(LABELS, label, undefined),
      }),
    )
  }

  async listLabels(query: { file?: string } = {}): Promise<HumanLabel[]> {
    const order = 'ORDER BY file COLLATE "C", case_name COLLATE "C", metric COLLATE "C"'
    const rows =
      query.file === undefined
        ? await this.query('all_labels', `SELECT * FROM ${this.t('labels')} ${order}`)
        : await this.query('labels_of_file', `SELECT * FROM ${this.t('labels')} WHERE file = $1 ${order}`, [query.file])
    return rows.map((row) => fromRow(LABELS, row) as unknown as HumanLabel)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await releasePool(this.pg)
  }

  private async readRun(runRow: RunRow): Promise<ReportRun> {
    const aggregates: Record<string, MetricAggregate> = {}
    for (const a of await this.query<AggregateRow>(
      'aggregates_of_run',
      `SELECT * FROM ${this.t('aggregates')} WHERE run_id = $1 ORDER BY ord`,
      [runRow.id],
    )) {
      aggregates[a.metric] = toAggregate(a)
    }
    const cases = (
      await this.query<CaseRow>('cases_of_run', `SELECT * FROM ${this.t('cases')} WHERE run_id = $1 ORDER BY ord`, [
        runRow.id,
      ])
    ).map(toCase)
    for (const m of await this.query<MetricRow>(
      'metrics_of_run',
      `SELECT * FROM ${this.t('case_metrics')} WHERE run_id = $1 ORDER BY case_ord, ord`,
      [runRow.id],
    )) {
      const metrics = cases[m.case_ord]?.metrics
      if (metrics !== undefined) metrics[m.metric] = toMetric(m)
    }
    return toRun(runRow, cases, aggregates)
  }
}
