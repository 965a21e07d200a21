import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { runsDbPath } from '../../src/store/paths.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { runStoreContract } from '../store-contract/run-store-contract.js'

runStoreContract({
  name: 'SQLite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'vj-store-runs-'))
    const store = new SqliteRunStore(dir)
    const opened = [store]
    const raw = <T>(fn: (db: BetterSqlite3.Database) => T): T => {
      const db = new BetterSqlite3(runsDbPath(dir))
      try {
        return fn(db)
      } finally {
        db.close()
      }
    }
    return {
      store,
      async open(options = {}) {
        const other = new SqliteRunStore(dir, options)
        opened.push(other)
        return other
      },
      raw: {
        count: async (table) => raw((db) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number),
        async setInvocation(id, fields) {
          raw((db) => {
            for (const [column, value] of Object.entries(fields)) {
              db.prepare(`UPDATE invocations SET ${column} = ? WHERE id = ?`).run(value, id)
            }
          })
        },
        statuses: async () =>
          raw((db) => {
            const rows = db.prepare('SELECT id, status FROM invocations').all() as { id: string; status: string }[]
            return Object.fromEntries(rows.map((r) => [r.id, r.status]))
          }),
      },
      async dispose() {
        for (const s of opened) await s.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
})
