/**
 * The PostgreSQL backend against a real server (test/pg/server.ts): the run-store and judge-cache
 * contracts (the same tests the SQLite backend passes), then what only a server has: migrations
 * under an advisory lock, a schema that is not ours, a newer schema, a server that is down, a
 * password that must never show.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { newId } from '../../src/store/ids.js'
import { openJudgeCache, openRunStore } from '../../src/store/open.js'
import { PgJudgeCache } from '../../src/store/postgres/judge-cache.js'
import { PgRunStore } from '../../src/store/postgres/run-store.js'
import { PG_MIGRATIONS } from '../../src/store/postgres/schema.js'
import { parsePgUrl } from '../../src/store/postgres/url.js'
import { type PgServer, startPostgres } from '../pg/server.js'
import { judgeCacheContract } from '../store-contract/judge-cache-contract.js'
import { fullCase, makeRun, runStoreContract } from '../store-contract/run-store-contract.js'

let server: PgServer
let dbUrl: string
let admin: pg.Pool
let schemas = 0

beforeAll(async () => {
  server = await startPostgres()
  dbUrl = await server.createDatabase('contract')
  admin = new pg.Pool({ connectionString: dbUrl, max: 2 })
  // The restart test drops its idle connections too.
  admin.on('error', () => {})
})

afterAll(async () => {
  await admin?.end()
  server?.dispose()
})

function freshSchema(): { schema: string; url: string } {
  const schema = `s${++schemas}_${process.pid}`
  return { schema, url: `${dbUrl}?schema=${schema}` }
}

runStoreContract({
  name: 'PostgreSQL',
  async create() {
    const { schema, url } = freshSchema()
    const store = await openRunStore({ dir: '/nonexistent', url })
    const opened = [store]
    return {
      store,
      async open(options = {}) {
        const other = await openRunStore({ dir: '/nonexistent', url, readonly: options.readonly === true })
        opened.push(other)
        return other
      },
      raw: {
        async count(table) {
          const result = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".${table}`)
          return result.rows[0].n as number
        },
        async setInvocation(id, fields) {
          for (const [column, value] of Object.entries(fields)) {
            await admin.query(`UPDATE "${schema}".invocations SET ${column} = $1 WHERE id = $2`, [value, id])
          }
        },
        async statuses() {
          const result = await admin.query(`SELECT id, status FROM "${schema}".invocations`)
          return Object.fromEntries(result.rows.map((r: { id: string; status: string }) => [r.id, r.status]))
        },
      },
      async dispose() {
        for (const s of opened) await s.close()
      },
    }
  },
})

judgeCacheContract({
  name: 'PostgreSQL',
  async create() {
    const { schema, url } = freshSchema()
    const empty = freshSchema().url
    const cache = await openJudgeCache({ dir: '/nonexistent', url })
    const opened = [cache]
    return {
      cache,
      async open(options = {}) {
        const other = await openJudgeCache({ dir: '/nonexistent', url, ...options })
        opened.push(other)
        return other
      },
      async openEmptyReadonly() {
        const other = await openJudgeCache({ dir: '/nonexistent', url: empty, readonly: true })
        opened.push(other)
        return other
      },
      async hits() {
        const result = await admin.query(
          `SELECT key, hit_count::int AS hit_count, last_used_at::float8 AS last_used_at FROM "${schema}".cache_entries ORDER BY key`,
        )
        return result.rows
      },
      async dispose() {
        for (const c of opened) await c.close()
      },
    }
  },
})

describe('PostgreSQL schema', () => {
  test('processes that start together create the tables once (advisory lock)', async () => {
    const { schema, url } = freshSchema()
    const location = parsePgUrl(url, 'test')
    const stores = await Promise.all(Array.from({ length: 6 }, () => PgRunStore.open(location)))
    const caches = await Promise.all(Array.from({ length: 6 }, () => PgJudgeCache.open(location)))
    const meta = await admin.query(`SELECT part, version FROM "${schema}".vitest_judge_meta ORDER BY part`)
    expect(meta.rows).toEqual([
      { part: 'cache', version: PG_MIGRATIONS.cache.length },
      { part: 'runs', version: PG_MIGRATIONS.runs.length },
    ])
    for (const s of stores) await s.close()
    for (const c of caches) await c.close()
  })

  test("a schema with another application's tables is refused, nothing touched", async () => {
    const { schema, url } = freshSchema()
    await admin.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".orders (id int)`)
    const error = await openRunStore({ dir: '/x', url }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).code).toBe('VJ_STORE')
    expect((error as Error).message).toMatch(/another application's tables \(orders\).*\?schema=vitest_judge/)
    const tables = await admin.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema])
    expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual(['orders'])
  })

  test('a newer schema version is refused, nothing touched', async () => {
    const { schema, url } = freshSchema()
    await (await openRunStore({ dir: '/x', url })).close()
    await admin.query(`UPDATE "${schema}".vitest_judge_meta SET version = 99 WHERE part = 'runs'`)
    const error = await openRunStore({ dir: '/x', url }).catch((e: unknown) => e)
    expect((error as StoreError).code).toBe('VJ_STORE')
    expect((error as Error).message).toMatch(/schema version 99, written by a newer vitest-judge/)
    const meta = await admin.query(`SELECT version FROM "${schema}".vitest_judge_meta WHERE part = 'runs'`)
    expect(meta.rows[0].version).toBe(99)
  })

  test('a read-only open of an empty schema creates nothing', async () => {
    const { schema, url } = freshSchema()
    const store = await openRunStore({ dir: '/x', url, readonly: true })
    expect(await store.listInvocations()).toEqual([])
    await store.close()
    const exists = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
    expect(exists.rowCount).toBe(0)
  })

  test('a server that is down: VJ_STORE naming host and database, never the password', async () => {
    const secret = 'S3cretPassw0rd!x'
    const url = `postgres://vj:${encodeURIComponent(secret)}@127.0.0.1:1/teamdb?schema=vj`
    const started = Date.now()
    const error = (await openRunStore({ dir: '/x', url }).catch((e: unknown) => e)) as StoreError
    expect(error).toBeInstanceOf(StoreError)
    expect(error.message).toContain('127.0.0.1:1')
    expect(error.message).toContain('"teamdb"')
    expect(error.message).not.toContain(secret)
    expect(JSON.stringify(error)).not.toContain(secret)
    expect(String(error.stack)).not.toContain(secret)
    expect(Date.now() - started).toBeLessThan(60_000)
  })

  test('a server restart between writes: the next writes are retried, no row lost or duplicated', async () => {
    const { schema, url } = freshSchema()
    const store = await openRunStore({ dir: '/x', url })
    const cache = await openJudgeCache({ dir: '/x', url })
    const id = newId()
    await store.startInvocation({
      id,
      startedAt: new Date().toISOString(),
      git: { commit: null, branch: 'main' },
      params: {},
      experiment: 'restart',
    })
    await store.saveRun(id, makeRun('evals/a.test.ts', [fullCase(1), fullCase(2)]))
    server.stop()
    // The server comes back while the writes below are being retried.
    const back = new Promise<void>((resolve) =>
      setTimeout(() => {
        server.start()
        resolve()
      }, 1500),
    )
    await Promise.all([
      store.saveRun(id, makeRun('evals/b.test.ts', [fullCase(3)])),
      cache.set('k', { kind: 'grade', judge: 'local', value: 1 }),
      back,
    ])
    await store.finishInvocation(id, 'complete', new Date().toISOString())
    const report = await store.getReport(id)
    expect(report.runs.map((r) => [r.file, r.cases.length])).toEqual([
      ['evals/a.test.ts', 2],
      ['evals/b.test.ts', 1],
    ])
    expect(report.invocation.status).toBe('complete')
    const cases = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".cases`)
    expect(cases.rows[0].n).toBe(3)
    expect((await cache.get('k'))?.value).toBe(1)
    await store.close()
    await cache.close()
  })

  test('the URL shown in messages carries no password', () => {
    const location = parsePgUrl('postgres://team:hunter2hunter2@db.example:5432/evals?schema=vj', 'test')
    expect(location.display).toBe('postgres://team@db.example:5432/evals?schema=vj')
    expect(location.schema).toBe('vj')
    expect(location.connectionString).not.toContain('schema')
    expect(() => parsePgUrl('postgres://h/db?schema=Bad-Name', 'test')).toThrow(/schema "Bad-Name" is not usable/)
  })
})
