/**
 * Row shapes and conversions shared by the run store backends: both keep the same columns, so a
 * report goes in and comes back out the same way from SQLite and PostgreSQL.
 */

import { redactingPass } from '../redact.js'
import { recordedCost } from '../report/cost.js'
import type {
  CaseMetricResult,
  JsonReport,
  MetricAggregate,
  ReportCase,
  ReportInvocation,
  ReportRun,
} from '../report/types.js'
import { fromRow, type RowOf, rowValues, type SqlValue } from './columns.js'
import { AGGREGATES, CACHE_ENTRIES, CASE_METRICS, CASES, HOST, INVOCATIONS, RUNS } from './entities.js'
import type {
  CachedEntry,
  CacheStats,
  InvocationStatus,
  InvocationSummary,
  NewInvocation,
  RunSummary,
} from './types.js'

export { HOST } from './entities.js'

/** A 'running' invocation with no sign of life (no saved run, no start) for this long reads as interrupted. */
export const STALE_RUNNING_MS = 24 * 60 * 60 * 1000

/** An `invocations` row as both backends return it. */
export type InvocationRow = RowOf<typeof INVOCATIONS> & { status: InvocationStatus }

/** A `runs` row as both backends return it. */
export type RunRow = RowOf<typeof RUNS> & { status: 'complete' | 'interrupted' | null }

/** A `cases` row as both backends return it. */
export type CaseRow = RowOf<typeof CASES>

/** A `case_metrics` row as both backends return it. */
export type MetricRow = RowOf<typeof CASE_METRICS>

/** An `aggregates` row as both backends return it. */
export type AggregateRow = RowOf<typeof AGGREGATES>

/** A judge cache row, in both backends (without the hit bookkeeping, which lookups do not read). */
export type EntryRow = Omit<RowOf<typeof CACHE_ENTRIES>, 'last_used_at' | 'hit_count'> & {
  kind: 'grade' | 'embed' | 'complete'
}

/** The judge cache columns a lookup reads. */
export const ENTRY_COLUMNS = CACHE_ENTRIES.insertColumns.join(', ')

/** A run row with its cases and aggregates, as the report holds it. */
export function toRun(row: RunRow, cases: ReportCase[], aggregates: Record<string, MetricAggregate>): ReportRun {
  return Object.assign(fromRow(RUNS, row), { cases, aggregates }) as unknown as ReportRun
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

/** A cache row as the entry it stores. */
export function toEntry(row: EntryRow): CachedEntry {
  return fromRow(CACHE_ENTRIES, row) as unknown as CachedEntry
}

/** One kind's figures of a keyed-entry cache (judge or app), as both backends' stats query gives them. */
export interface CacheStatsRow {
  kind: string
  entries: number
  bytes: number
  oldest: number
  newest: number
  hits: number
}

/** The figures every keyed-entry cache (judge, app) reports. */
export type KeyedStats = Omit<CacheStats, 'fileBytes'>

/** Adds one kind's figures to the cache's. */
export function addStatsRow(stats: KeyedStats, row: CacheStatsRow): void {
  const entries = Number(row.entries)
  const bytes = Number(row.bytes)
  stats.entries += entries
  stats.bytes += bytes
  stats.hits += Number(row.hits ?? 0)
  const oldest = Number(row.oldest)
  const newest = Number(row.newest)
  stats.oldest = stats.oldest === null ? oldest : Math.min(stats.oldest, oldest)
  stats.newest = stats.newest === null ? newest : Math.max(stats.newest, newest)
  stats.byKind[row.kind] = { entries, bytes }
}

/** A case row (its metrics, rows of their own, are added by the caller). */
export function toCase(row: CaseRow): ReportCase {
  return fromRow(CASES, row) as unknown as ReportCase
}

/** A metric row. */
export function toMetric(row: MetricRow): CaseMetricResult {
  return fromRow(CASE_METRICS, row) as unknown as CaseMetricResult
}

/** An aggregate row. */
export function toAggregate(row: AggregateRow): MetricAggregate {
  return fromRow(AGGREGATES, row) as unknown as MetricAggregate
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
  const invocation = fromRow(INVOCATIONS, row) as unknown as Omit<InvocationSummary, 'runs'>
  invocation.status = effectiveStatus(row)
  invocation.tags = tags
  return invocation
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

/** Values of an `invocations` row, in `INVOCATIONS.insertColumns` order. */
export function invocationValues(inv: NewInvocation, now: number, pid: number): SqlValue[] {
  return rowValues(INVOCATIONS, inv, { now, pid })
}

/** Every row of a run, as values in each entity's insert column order (one pass over the cases). */
export function runRows(
  invocationId: string,
  run: ReportRun,
): { run: SqlValue[]; cases: SqlValue[][]; metrics: SqlValue[][]; aggregates: SqlValue[][] } {
  return redactingPass(() => runRowsIn(invocationId, run))
}

function runRowsIn(
  invocationId: string,
  run: ReportRun,
): { run: SqlValue[]; cases: SqlValue[][]; metrics: SqlValue[][]; aggregates: SqlValue[][] } {
  const runId = run.id
  const cases: SqlValue[][] = []
  const metrics: SqlValue[][] = []
  run.cases.forEach((c, ord) => {
    cases.push(rowValues(CASES, c, { runId, ord }))
    if (c.metrics === undefined) return
    let metricOrd = 0
    for (const [metric, m] of Object.entries(c.metrics))
      metrics.push(rowValues(CASE_METRICS, m, { runId, caseOrd: ord, ord: metricOrd++, metric }))
  })
  const aggregates: SqlValue[][] = []
  let ord = 0
  for (const [metric, a] of Object.entries(run.aggregates))
    aggregates.push(rowValues(AGGREGATES, a, { runId, ord: ord++, metric }))
  return { run: rowValues(RUNS, run, { invocationId }), cases, metrics, aggregates }
}
