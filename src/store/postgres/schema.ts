/**
 * vitest-judge's tables in a PostgreSQL schema: versioned migrations per part (`runs`, `cache`),
 * applied in one transaction under an advisory lock so that processes starting together migrate
 * once. A schema holding tables vitest-judge did not create, or a newer version, is refused with
 * nothing touched.
 */
import type { Pool, PoolClient } from 'pg'
import { StoreError } from '../../errors.js'
import { pgMigrations } from '../columns.js'
import { CACHE_ENTITIES, RUNS_ENTITIES } from '../entities.js'
import { describePgError, inTransaction, isConnectionError } from './driver.js'
import { unreachable, withRetry } from './retry.js'
import type { PgLocation } from './url.js'

/** The parts of the store, each with its own version. */
export type PgPart = 'runs' | 'cache'

const META = 'vitest_judge_meta'

/**
 * The steps of each part released before the tables were declared (`entities.ts`), as written then;
 * `PG_MIGRATIONS` adds the steps derived from the declarations. A released step is never edited.
 */
const RELEASED: Record<PgPart, ((s: string) => string)[]> = {
  runs: [
    (s) => `
    CREATE TABLE ${s}.invocations (
      id TEXT PRIMARY KEY, experiment TEXT NOT NULL, started_at TEXT NOT NULL, started_ms BIGINT NOT NULL,
      ended_at TEXT, status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted')),
      git_commit TEXT, git_branch TEXT, params_json TEXT NOT NULL, ci_json TEXT, extra_json TEXT,
      pid INTEGER, hostname TEXT, last_seen_ms BIGINT NOT NULL);
    CREATE INDEX invocations_by_time ON ${s}.invocations (started_ms, id);
    CREATE INDEX invocations_by_branch ON ${s}.invocations (git_branch, started_ms);
    CREATE TABLE ${s}.tags (
      name TEXT PRIMARY KEY,
      invocation_id TEXT NOT NULL REFERENCES ${s}.invocations (id) ON DELETE CASCADE,
      tagged_at TEXT NOT NULL);
    CREATE INDEX tags_by_invocation ON ${s}.tags (invocation_id);
    CREATE TABLE ${s}.runs (
      id TEXT PRIMARY KEY, invocation_id TEXT NOT NULL REFERENCES ${s}.invocations (id) ON DELETE CASCADE,
      file TEXT NOT NULL, status TEXT, case_count INTEGER NOT NULL, pass_count INTEGER NOT NULL,
      judge_errors INTEGER NOT NULL, cache_hits INTEGER NOT NULL, cache_misses INTEGER NOT NULL,
      tokens_input BIGINT NOT NULL, tokens_output BIGINT NOT NULL, duration_ms DOUBLE PRECISION,
      extra_json TEXT, saved_at TEXT NOT NULL, UNIQUE (invocation_id, file));
    CREATE TABLE ${s}.cases (
      run_id TEXT NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE, ord INTEGER NOT NULL, name TEXT NOT NULL,
      pass INTEGER NOT NULL, scores_json TEXT NOT NULL, judge_errors INTEGER NOT NULL, case_id TEXT, input TEXT,
      output TEXT, expected TEXT, duration_ms DOUBLE PRECISION, latency_ms DOUBLE PRECISION, tokens_input BIGINT,
      tokens_output BIGINT, error TEXT, has_metrics INTEGER NOT NULL, extra_json TEXT, PRIMARY KEY (run_id, ord));
    CREATE TABLE ${s}.case_metrics (
      run_id TEXT NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE, case_ord INTEGER NOT NULL,
      ord INTEGER NOT NULL, metric TEXT NOT NULL, kind TEXT NOT NULL, score DOUBLE PRECISION, raw DOUBLE PRECISION,
      threshold DOUBLE PRECISION, pass INTEGER, justification TEXT, judge TEXT, trials_json TEXT,
      greater_is_better INTEGER, error_code TEXT, error_message TEXT, explicit_nulls INTEGER NOT NULL,
      extra_json TEXT, PRIMARY KEY (run_id, case_ord, ord));
    CREATE TABLE ${s}.aggregates (
      run_id TEXT NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE, ord INTEGER NOT NULL, metric TEXT NOT NULL,
      n INTEGER NOT NULL, mean DOUBLE PRECISION, variance DOUBLE PRECISION, p90 DOUBLE PRECISION,
      min DOUBLE PRECISION, max DOUBLE PRECISION, median DOUBLE PRECISION, pass_rate DOUBLE PRECISION,
      extra_json TEXT, PRIMARY KEY (run_id, metric));`,
    // The dataset digest of a run (issue 12), as in runs.db.
    (s) => `ALTER TABLE ${s}.runs ADD COLUMN dataset_digest TEXT;`,
  ],
  cache: [
    (s) => `
    CREATE TABLE ${s}.cache_entries (
      key TEXT PRIMARY KEY, kind TEXT NOT NULL, judge TEXT NOT NULL, metric TEXT, value TEXT NOT NULL,
      created_at BIGINT NOT NULL, last_used_at BIGINT, hit_count BIGINT NOT NULL DEFAULT 0);`,
  ],
}

/** `PG_MIGRATIONS[part][i]` takes the part from version `i` to `i + 1`. */
export const PG_MIGRATIONS: Record<PgPart, ((s: string) => string)[]> = {
  runs: pgMigrations(RUNS_ENTITIES, RELEASED.runs),
  cache: pgMigrations(CACHE_ENTITIES, RELEASED.cache),
}

/** Options of {@link ensurePart}. */
export interface EnsurePartOptions {
  /**
   * Retry a lost connection for the retry window (a worker mid-run, when the server was reachable at
   * the start); otherwise a server that is down fails at once. @default false
   */
  retry?: boolean
  /** The retry window (ms) when `retry`. @default VITEST_JUDGE_STORE_RETRY_MS, else 30 s */
  retryMs?: number
  /** The part's migrations (tests of declarations not in `entities.ts`). @default PG_MIGRATIONS[part] */
  migrations?: readonly ((s: string) => string)[]
}

/**
 * Checks that the schema is vitest-judge's (or empty) and brings `part` to its newest version;
 * `readonly` checks only. Resolves to false when, read-only, the part does not exist yet.
 */
export async function ensurePart(
  pool: Pool,
  location: PgLocation,
  part: PgPart,
  readonly: boolean,
  options: EnsurePartOptions = {},
): Promise<boolean> {
  const migrations = options.migrations ?? PG_MIGRATIONS[part]
  const migrate = () => migratePart(pool, location, part, readonly, migrations)
  try {
    return options.retry === true ? await withRetry(location, migrate, options.retryMs) : await migrate()
  } catch (error) {
    if (error instanceof StoreError) throw error
    if (isConnectionError(error)) throw unreachable(location, error)
    throw new StoreError(`Cannot use the PostgreSQL store ${location.display} (${describePgError(error)}).`, {
      cause: error,
    })
  }
}

async function migratePart(
  pool: Pool,
  location: PgLocation,
  part: PgPart,
  readonly: boolean,
  migrations: readonly ((s: string) => string)[],
): Promise<boolean> {
  const s = quoteIdent(location.schema)
  const target = migrations.length
  const current = await partVersion(pool, location, part)
  if (current > target) throw newer(location, part, current, target)
  if (current === target) return true
  if (readonly) {
    if (current === 0) return false
    throw new StoreError(
      `The ${part} tables in ${location.display} have schema version ${current} and this vitest-judge needs ${target}: ` +
        'run vitest once (it upgrades them) before reading them.',
    )
  }
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vitest-judge:${location.schema}`])
    // Another process may have migrated while this one waited for the lock.
    const locked = await partVersion(client, location, part)
    if (locked > target) throw newer(location, part, locked, target)
    if (locked === target) return
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.${META} (part TEXT PRIMARY KEY, version INTEGER NOT NULL, app TEXT NOT NULL)`,
    )
    for (let version = locked; version < target; version++) {
      try {
        await client.query(migrations[version]?.(s) ?? '')
      } catch (error) {
        throw new StoreError(
          `Upgrading the ${part} tables in ${location.display} to version ${version + 1} failed (${describePgError(error)}); ` +
            'nothing was changed. Report this as a vitest-judge bug.',
          { cause: error },
        )
      }
    }
    await client.query(
      `INSERT INTO ${s}.${META} (part, version, app) VALUES ($1, $2, 'vitest-judge')
       ON CONFLICT (part) DO UPDATE SET version = EXCLUDED.version`,
      [part, target],
    )
  })
  return true
}

/** The version of `part` in the schema: 0 when absent; throws for a schema that is not vitest-judge's. */
async function partVersion(db: Pool | PoolClient, location: PgLocation, part: PgPart): Promise<number> {
  const tables = await db.query<{ tablename: string }>(
    'SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = $1 ORDER BY tablename',
    [location.schema],
  )
  const names = tables.rows.map((r) => r.tablename)
  if (names.length === 0) return 0
  if (!names.includes(META)) {
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '')
    throw new StoreError(
      `Schema "${location.schema}" of ${location.host}/${location.database} holds another application's tables (${shown}), ` +
        'so vitest-judge did not touch it. Give vitest-judge its own schema: add ?schema=vitest_judge to the URL.',
    )
  }
  const s = quoteIdent(location.schema)
  const row = await db.query<{ version: number; app: string }>(
    `SELECT version, app FROM ${s}.${META} WHERE part = $1`,
    [part],
  )
  const found = row.rows[0]
  if (found && found.app !== 'vitest-judge') {
    throw new StoreError(
      `Schema "${location.schema}" of ${location.display} is not vitest-judge's; nothing was touched.`,
    )
  }
  return found?.version ?? 0
}

function newer(location: PgLocation, part: PgPart, found: number, known: number): StoreError {
  return new StoreError(
    `The ${part} tables in ${location.display} have schema version ${found}, written by a newer vitest-judge ` +
      `(this one knows up to ${known}); nothing was touched. Upgrade vitest-judge, or use another ?schema=.`,
  )
}

/** A quoted SQL identifier (the schema name is checked when the URL is parsed). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
