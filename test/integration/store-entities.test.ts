/**
 * The declared column tables (src/store/entities.ts) against both real backends: every declaration
 * matches the table its migrations make (SQLite file, PostgreSQL server from test/pg/server.ts), and
 * a column added to a scratch entity by its declaration alone is migrated and round-trips in both.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type AnyEntity,
  type ColumnType,
  defineEntity,
  fromRow,
  pgColumnArrays,
  pgInsertMany,
  pgMigrations,
  type RowOf,
  rowValues,
  sqliteInsert,
  sqliteMigrations,
} from '../../src/store/columns.js'
import { openDatabase } from '../../src/store/database.js'
import { CACHE_ENTITIES, RUNS_ENTITIES } from '../../src/store/entities.js'
import { SqliteJudgeCache } from '../../src/store/judge-cache.js'
import { acquirePool, releasePool } from '../../src/store/postgres/driver.js'
import { PgJudgeCache } from '../../src/store/postgres/judge-cache.js'
import { PgRunStore } from '../../src/store/postgres/run-store.js'
import { ensurePart, quoteIdent } from '../../src/store/postgres/schema.js'
import { parsePgUrl } from '../../src/store/postgres/url.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { type PgServer, startPostgres } from '../pg/server.js'

const ENTITIES: readonly AnyEntity[] = [...RUNS_ENTITIES, ...CACHE_ENTITIES]
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789'

let server: PgServer
let dbUrl: string
let admin: pg.Pool
let schemas = 0
const dirs: string[] = []

beforeAll(async () => {
  server = await startPostgres()
  dbUrl = await server.createDatabase('entities')
  admin = new pg.Pool({ connectionString: dbUrl, max: 2 })
})

afterAll(async () => {
  await admin?.end()
  server?.dispose()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vj-entities-'))
  dirs.push(dir)
  return dir
}

function freshSchema(): { schema: string; url: string } {
  const schema = `e${++schemas}_${process.pid}`
  return { schema, url: `${dbUrl}?schema=${schema}` }
}

/** A column as a migrated table has it: name, declared type, NOT NULL. */
type Shape = { name: string; type: string; notNull: boolean }

function declared(entity: AnyEntity, dialect: 'sqlite' | 'pg'): Shape[] {
  const names: Record<ColumnType, { sqlite: string; pg: string }> = {
    text: { sqlite: 'TEXT', pg: 'text' },
    int: { sqlite: 'INTEGER', pg: 'integer' },
    bigint: { sqlite: 'INTEGER', pg: 'bigint' },
    real: { sqlite: 'REAL', pg: 'double precision' },
  }
  return Object.entries(entity.columns)
    .map(([name, c]) => ({ name, type: names[c.type][dialect], notNull: c.null !== true }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

describe('every declaration matches the tables its migrations make', () => {
  test('SQLite: runs.db and cache.db', async () => {
    const dir = tempDir()
    const runs = new SqliteRunStore(dir)
    const cache = new SqliteJudgeCache(dir)
    await runs.close()
    await cache.close()
    for (const entity of ENTITIES) {
      const db = openDatabase(join(dir, entity.part === 'runs' ? 'runs.db' : 'cache.db'), {
        kind: entity.part,
        migrations: entity.part === 'runs' ? sqliteMigrations(RUNS_ENTITIES) : sqliteMigrations(CACHE_ENTITIES),
        readonly: true,
      })
      const info = db.prepare(`PRAGMA table_info(${entity.table})`).all() as {
        name: string
        type: string
        notnull: number
        pk: number
      }[]
      db.close()
      const actual = info
        // SQLite does not mark a single-column primary key NOT NULL; the declaration does.
        .map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1 || (c.pk === 1 && c.type === 'TEXT') }))
        .sort((a, b) => a.name.localeCompare(b.name))
      expect(actual, entity.table).toEqual(declared(entity, 'sqlite'))
    }
  })

  test('PostgreSQL: the runs and cache parts', async () => {
    const { schema, url } = freshSchema()
    const location = parsePgUrl(url, 'test')
    const runs = await PgRunStore.open(location)
    const cache = await PgJudgeCache.open(location)
    for (const entity of ENTITIES) {
      const table = entity.pgTable ?? entity.table
      const result = await admin.query<{ column_name: string; data_type: string; is_nullable: string }>(
        'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, table],
      )
      const actual = result.rows
        .map((c) => ({ name: c.column_name, type: c.data_type, notNull: c.is_nullable === 'NO' }))
        .sort((a, b) => a.name.localeCompare(b.name))
      expect(actual, table).toEqual(declared(entity, 'pg'))
    }
    await runs.close()
    await cache.close()
  })
})

interface Note {
  id: string
  body: string
  stars?: number
  [field: string]: unknown
}

// The scratch entity as first released, and the same declaration with one column more.
const notesV1 = {
  table: 'scratch_notes',
  part: 'runs',
  since: 1,
  columns: {
    id: { type: 'text', primaryKey: true, field: 'id' },
    body: { type: 'text', field: 'body', redact: true },
    extra_json: { type: 'text', null: true, extra: true },
  },
} as const
const NOTES_V1 = defineEntity<Note>()(notesV1)
const NOTES_V2 = defineEntity<Note>()({
  ...notesV1,
  columns: { ...notesV1.columns, stars: { type: 'int', null: true, field: 'stars', since: 2 } },
})

// A table added in the same step: composite key, a reference (rows deleted with their note), an index.
const VOTES = defineEntity<{ noteId: string; voter: string; grade: number }>()({
  table: 'scratch_votes',
  part: 'runs',
  since: 2,
  primaryKey: ['note_id', 'voter'],
  indexes: { scratch_votes_by_voter: ['voter'] },
  columns: {
    note_id: { type: 'text', references: 'scratch_notes', field: 'noteId' },
    voter: { type: 'text', field: 'voter' },
    grade: { type: 'real', field: 'grade' },
  },
})
const vote = { noteId: 'n2', voter: 'ana', grade: 4.5 }

const before: Note = { id: 'n1', body: `remember ${SECRET}`, stars: 4, tag: 'kept' }
const after: Note = { id: 'n2', body: 'second', stars: 5 }

/** What a round trip through either backend must give. */
function expectRoundTrip(rows: RowOf<typeof NOTES_V2>[]) {
  const byId = Object.fromEntries(rows.map((row) => [row.id, row]))
  // Written before the column existed: `stars` was kept in extra_json and comes back.
  expect(fromRow(NOTES_V2, byId.n1 as object)).toEqual({ id: 'n1', body: 'remember [redacted]', stars: 4, tag: 'kept' })
  expect(byId.n1?.stars).toBeNull()
  // Written after: in its own column, not in extra_json.
  expect(byId.n2?.stars).toBe(5)
  expect(byId.n2?.extra_json).toBeNull()
  expect(fromRow(NOTES_V2, byId.n2 as object)).toEqual(after)
}

describe('a column added to a declaration alone is migrated and round-trips', () => {
  test('SQLite file', () => {
    const file = join(tempDir(), 'runs.db')
    const v1 = openDatabase(file, { kind: 'runs', migrations: sqliteMigrations([NOTES_V1]) })
    v1.prepare(sqliteInsert(NOTES_V1)).run(...rowValues(NOTES_V1, before, undefined))
    v1.close()

    const migrations = sqliteMigrations([NOTES_V2, VOTES])
    expect(migrations).toHaveLength(2)
    const v2 = openDatabase(file, { kind: 'runs', migrations })
    expect(v2.pragma('user_version', { simple: true })).toBe(2)
    v2.prepare(sqliteInsert(NOTES_V2)).run(...rowValues(NOTES_V2, after, undefined))
    expectRoundTrip(v2.prepare('SELECT * FROM scratch_notes').all() as RowOf<typeof NOTES_V2>[])
    v2.prepare(sqliteInsert(VOTES)).run(...rowValues(VOTES, vote, undefined))
    expect(fromRow(VOTES, v2.prepare('SELECT * FROM scratch_votes').get() as object)).toEqual(vote)
    expect(
      v2.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'scratch_votes'").pluck().all(),
    ).toContain('scratch_votes_by_voter')
    v2.prepare("DELETE FROM scratch_notes WHERE id = 'n2'").run()
    expect(v2.prepare('SELECT count(*) FROM scratch_votes').pluck().get()).toBe(0)
    v2.close()
  })

  test('PostgreSQL server', async () => {
    const { schema, url } = freshSchema()
    const location = parsePgUrl(url, 'test')
    const s = quoteIdent(schema)
    const pool = await acquirePool(location)
    try {
      await ensurePart(pool, location, 'runs', false, { migrations: pgMigrations([NOTES_V1]) })
      await pool.query(pgInsertMany(NOTES_V1, s), pgColumnArrays(NOTES_V1, [rowValues(NOTES_V1, before, undefined)]))

      await ensurePart(pool, location, 'runs', false, { migrations: pgMigrations([NOTES_V2, VOTES]) })
      const meta = await pool.query(`SELECT version FROM ${s}.vitest_judge_meta WHERE part = 'runs'`)
      expect(meta.rows[0].version).toBe(2)
      await pool.query(pgInsertMany(NOTES_V2, s), pgColumnArrays(NOTES_V2, [rowValues(NOTES_V2, after, undefined)]))
      const rows = await pool.query<RowOf<typeof NOTES_V2>>(`SELECT * FROM ${s}.scratch_notes`)
      expectRoundTrip(rows.rows)
      await pool.query(pgInsertMany(VOTES, s), pgColumnArrays(VOTES, [rowValues(VOTES, vote, undefined)]))
      expect(fromRow(VOTES, (await pool.query(`SELECT * FROM ${s}.scratch_votes`)).rows[0])).toEqual(vote)
      const index = await pool.query('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [
        schema,
        'scratch_votes',
      ])
      expect(index.rows.map((r) => r.indexname)).toContain('scratch_votes_by_voter')
      await pool.query(`DELETE FROM ${s}.scratch_notes WHERE id = 'n2'`)
      expect((await pool.query(`SELECT count(*)::int AS n FROM ${s}.scratch_votes`)).rows[0].n).toBe(0)
    } finally {
      await releasePool(location)
    }
  })
})

describe('declarations that cannot work are refused when declared', () => {
  test('a NOT NULL column added to an existing table, a column that stores nothing', () => {
    expect(() =>
      defineEntity<Note>()({
        ...notesV1,
        columns: { ...notesV1.columns, stars: { type: 'int', field: 'stars', since: 2 } },
      }),
    ).toThrow(/scratch_notes.stars is added to an existing table: give it `null: true` or a `default`/)
    expect(() =>
      defineEntity<Note>()({ ...notesV1, columns: { ...notesV1.columns, orphan: { type: 'int', null: true } } }),
    ).toThrow(/scratch_notes.orphan needs `field` or `to`/)
  })
})
