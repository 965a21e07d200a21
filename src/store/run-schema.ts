/**
 * Schema of `runs.db`. `RUNS_MIGRATIONS[i]` takes the file from version `i` to `i + 1`. The steps
 * released before the tables were declared (`entities.ts`) are kept here as written then, never
 * edited; every later step is derived from the declarations (`since` of a table or column).
 */
import { sqliteMigrations } from './columns.js'
import { RUNS_ENTITIES } from './entities.js'

export { EXPLICIT_NULL } from './entities.js'

/** The released steps, as written before the declarations. */
const RELEASED: string[] = [
  `
  CREATE TABLE invocations (
    id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted')),
    git_commit TEXT,
    git_branch TEXT,
    params_json TEXT NOT NULL,
    ci_json TEXT,
    extra_json TEXT,
    pid INTEGER,
    hostname TEXT,
    last_seen_ms INTEGER NOT NULL
  );
  CREATE INDEX invocations_by_time ON invocations (started_ms, id);
  CREATE INDEX invocations_by_branch ON invocations (git_branch, started_ms);

  CREATE TABLE tags (
    name TEXT PRIMARY KEY,
    invocation_id TEXT NOT NULL REFERENCES invocations (id) ON DELETE CASCADE,
    tagged_at TEXT NOT NULL
  );
  CREATE INDEX tags_by_invocation ON tags (invocation_id);

  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    invocation_id TEXT NOT NULL REFERENCES invocations (id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    status TEXT,
    case_count INTEGER NOT NULL,
    pass_count INTEGER NOT NULL,
    judge_errors INTEGER NOT NULL,
    cache_hits INTEGER NOT NULL,
    cache_misses INTEGER NOT NULL,
    tokens_input INTEGER NOT NULL,
    tokens_output INTEGER NOT NULL,
    duration_ms REAL,
    extra_json TEXT,
    saved_at TEXT NOT NULL,
    UNIQUE (invocation_id, file)
  );

  CREATE TABLE cases (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    pass INTEGER NOT NULL,
    scores_json TEXT NOT NULL,
    judge_errors INTEGER NOT NULL,
    case_id TEXT,
    input TEXT,
    output TEXT,
    expected TEXT,
    duration_ms REAL,
    latency_ms REAL,
    tokens_input INTEGER,
    tokens_output INTEGER,
    error TEXT,
    has_metrics INTEGER NOT NULL,
    extra_json TEXT,
    PRIMARY KEY (run_id, ord)
  );

  CREATE TABLE case_metrics (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    case_ord INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    metric TEXT NOT NULL,
    kind TEXT NOT NULL,
    score REAL,
    raw REAL,
    threshold REAL,
    pass INTEGER,
    justification TEXT,
    judge TEXT,
    trials_json TEXT,
    greater_is_better INTEGER,
    error_code TEXT,
    error_message TEXT,
    explicit_nulls INTEGER NOT NULL,
    extra_json TEXT,
    PRIMARY KEY (run_id, case_ord, ord)
  );

  CREATE TABLE aggregates (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    metric TEXT NOT NULL,
    n INTEGER NOT NULL,
    mean REAL,
    variance REAL,
    p90 REAL,
    min REAL,
    max REAL,
    median REAL,
    pass_rate REAL,
    extra_json TEXT,
    PRIMARY KEY (run_id, metric)
  );
  `,
  // 2: the digest of each run's dataset (report.json `datasetDigest`), null for runs saved before.
  `
  ALTER TABLE runs ADD COLUMN dataset_digest TEXT;
  `,
]

/** Migrations of `runs.db`, applied by `openDatabase`. */
export const RUNS_MIGRATIONS: string[] = sqliteMigrations(RUNS_ENTITIES, RELEASED)
