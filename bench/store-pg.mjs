// PostgreSQL vs SQLite, side by side (issue 18): persisting one run of 10,000 cases, reading it
// back, and judge cache lookups per second. Starts a throw-away PostgreSQL server like the tests
// (test/pg/server.ts, Debian's binaries) and bundles src/store with esbuild (no build needed).
// Goal: PostgreSQL within 3x of SQLite and under 3 s for 10,000 cases. Prints figures only.
// Usage: node bench/store-pg.mjs
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { median, REPEATS } from './lib/harness.mjs'
import { storeBenchRun } from './lib/store-run.mjs'

const CASES = 10_000
const KEYS = 5_000

const work = mkdtempSync(join(tmpdir(), 'vj-store-pg-bench-'))
const require = createRequire(import.meta.url)

async function bundle(entry, outfile) {
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'externals',
        setup(b) {
          b.onResolve({ filter: /^(better-sqlite3|pg)$/ }, (args) => ({
            path: require.resolve(args.path),
            external: true,
          }))
        },
      },
    ],
  })
  return import(pathToFileURL(outfile).href)
}

async function benchStore(S, open) {
  const saves = []
  const reads = []
  for (let r = 0; r < REPEATS; r++) {
    const store = await open()
    const id = S.newId()
    await store.startInvocation({
      id,
      startedAt: new Date().toISOString(),
      git: { commit: 'abc', branch: 'main' },
      params: {},
      experiment: 'bench',
    })
    const run = storeBenchRun(S.newId, CASES)
    let t = performance.now()
    await store.saveRun(id, run)
    saves.push(performance.now() - t)
    t = performance.now()
    await store.getReport(id)
    reads.push(performance.now() - t)
    await store.close()
  }
  return { save: median(saves), read: median(reads) }
}

async function benchCache(S, open) {
  const cache = await open()
  const keys = Array.from({ length: KEYS }, (_, i) =>
    S.cacheKey({ judge: 'openai:gpt-4.1-mini', prompt: `p${i}`, trial: 0 }),
  )
  const value = { score: 4, justification: 'Same fact, slightly less detail than the reference answer.' }
  let t = performance.now()
  for (const key of keys) await cache.set(key, { kind: 'grade', judge: 'openai:gpt-4.1-mini', metric: 'm', value })
  const set = performance.now() - t
  t = performance.now()
  for (const key of keys) await cache.get(key)
  const get = performance.now() - t
  // Workers look up concurrently (up to `concurrency` judge calls in flight): 8 at a time.
  t = performance.now()
  for (let i = 0; i < KEYS; i += 8) await Promise.all(keys.slice(i, i + 8).map((key) => cache.get(key)))
  const get8 = performance.now() - t
  await cache.close()
  return { setPerS: KEYS / (set / 1000), getPerS: KEYS / (get / 1000), get8PerS: KEYS / (get8 / 1000) }
}

let server
try {
  const S = await bundle('../src/store/index.ts', join(work, 'store.mjs'))
  const T = await bundle('../test/pg/server.ts', join(work, 'server.mjs'))
  server = await T.startPostgres()
  const url = `${await server.createDatabase('bench')}?schema=bench`
  const sqliteDir = join(work, 'sqlite')
  const sqlite = await benchStore(S, async () => new S.SqliteRunStore(sqliteDir))
  const pg = await benchStore(S, () => S.openRunStore({ dir: sqliteDir, url }))
  const sqliteCache = await benchCache(S, async () => new S.SqliteJudgeCache(join(work, 'cache')))
  const pgCache = await benchCache(S, () => S.openJudgeCache({ dir: '', url }))
  const ms = (x) => `${x.toFixed(0)} ms`
  const rate = (x) => `${Math.round(x).toLocaleString('en-US')}/s`
  console.log(`store-pg: saveRun of ${CASES} cases (2 metrics each), median of ${REPEATS}:`)
  console.log(
    `  SQLite ${ms(sqlite.save)}  PostgreSQL ${ms(pg.save)}  ratio ${(pg.save / sqlite.save).toFixed(2)}x (goal: <= 3x and < 3000 ms)`,
  )
  console.log(
    `store-pg: getReport of ${CASES} cases: SQLite ${ms(sqlite.read)}  PostgreSQL ${ms(pg.read)}  ratio ${(pg.read / sqlite.read).toFixed(2)}x`,
  )
  console.log(
    `store-pg: cache lookups (hits, one at a time): SQLite ${rate(sqliteCache.getPerS)}  PostgreSQL ${rate(pgCache.getPerS)}`,
  )
  console.log(
    `store-pg: cache lookups (hits, 8 in flight):   SQLite ${rate(sqliteCache.get8PerS)}  PostgreSQL ${rate(pgCache.get8PerS)}`,
  )
  console.log(`store-pg: cache writes: SQLite ${rate(sqliteCache.setPerS)}  PostgreSQL ${rate(pgCache.setPerS)}`)
} finally {
  server?.dispose()
  rmSync(work, { recursive: true, force: true })
}
