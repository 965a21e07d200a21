/**
 * Several processes write runs and cache entries into one fresh folder at the same moment: the
 * schema is created once, no row is lost, and no SQLITE_BUSY reaches the caller. The children run
 * our own store code, bundled with esbuild (better-sqlite3 stays external, loaded from node_modules).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { cacheDbPath, runsDbPath } from '../../src/store/paths.js'

const CHILDREN = 4
const RUNS = 5
const CASES = 50
const CACHE_WRITES = 500
const SHARED_KEYS = 100

let work: string
let bundle: string

const CHILD = `
import { pathToFileURL } from 'node:url'
const [bundle, dir, index, startAt] = process.argv.slice(2)
const { SqliteRunStore, SqliteJudgeCache, newId, cacheKey } = await import(pathToFileURL(bundle).href)
while (Date.now() < Number(startAt)) {}
const store = new SqliteRunStore(dir)
const cache = new SqliteJudgeCache(dir)
const invocationId = newId()
await store.startInvocation({ id: invocationId, startedAt: new Date().toISOString(), git: { commit: null, branch: 'main' },
  params: { child: Number(index) }, experiment: 'concurrency' })
let written = 0
const writeCache = (count) => {
  for (let i = 0; i < count; i++, written++) {
    const shared = written < ${SHARED_KEYS}
    const key = cacheKey(shared ? { shared: written } : { child: index, n: written })
    cache.setSync(key, { kind: 'grade', judge: shared ? 'shared' : 'local', metric: 'answer_similarity', value: { score: 4, by: index } })
    cache.getSync(key)
  }
}
for (let r = 0; r < ${RUNS}; r++) {
  const cases = Array.from({ length: ${CASES} }, (_, c) => ({
    name: 'case ' + c, pass: c % 2 === 0, scores: { s: c / ${CASES} }, judgeErrors: 0, output: 'out ' + c,
    metrics: { s: { score: c / ${CASES}, raw: 1 + (4 * c) / ${CASES}, kind: 'score', judge: 'local' } },
  }))
  await store.saveRun(invocationId, { id: newId(), file: 'evals/file-' + r + '.test.ts', status: 'complete', cases,
    aggregates: { s: { n: ${CASES}, mean: 0.5, variance: 0.08, p90: 0.9, min: 0, max: 0.98, median: 0.5, pass_rate: 0.5 } },
    judgeErrors: 0, cache: { hits: 0, misses: ${CASES} }, tokens: { input: 0, output: 0 } })
  writeCache(${CACHE_WRITES / RUNS})
}
await store.finishInvocation(invocationId, 'complete', new Date().toISOString())
await store.close()
cache.closeSync()
process.stdout.write(JSON.stringify({ invocationId }))
`

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vj-store-conc-'))
  bundle = join(work, 'store.mjs')
  const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')
  await build({
    entryPoints: [resolve(import.meta.dirname, '../../src/store/index.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'better-sqlite3-from-node-modules',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: betterSqlite3, external: true }))
        },
      },
    ],
  })
  writeFileSync(join(work, 'child.mjs'), CHILD)
})

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

function runChild(
  dir: string,
  index: number,
  startAt: number,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(work, 'child.mjs'), bundle, dir, String(index), String(startAt)])
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.on('error', fail)
    child.on('close', (code) => done({ code, out, err }))
  })
}

test('parallel processes share runs.db and cache.db without losing a row', async () => {
  const dir = join(work, 'state')
  const startAt = Date.now() + 1500
  const results = await Promise.all(Array.from({ length: CHILDREN }, (_, i) => runChild(dir, i, startAt)))
  for (const result of results) {
    expect(result.err).not.toMatch(/SQLITE_BUSY|database is locked/)
    expect(result.err).toBe('')
    expect(result.code).toBe(0)
  }

  const runs = new BetterSqlite3(runsDbPath(dir), { readonly: true })
  const count = (sql: string) => runs.prepare(sql).pluck().get()
  expect(count("SELECT count(*) FROM invocations WHERE status = 'complete'")).toBe(CHILDREN)
  expect(count('SELECT count(*) FROM runs')).toBe(CHILDREN * RUNS)
  expect(count('SELECT count(*) FROM cases')).toBe(CHILDREN * RUNS * CASES)
  expect(count('SELECT count(*) FROM case_metrics')).toBe(CHILDREN * RUNS * CASES)
  expect(count('SELECT count(*) FROM aggregates')).toBe(CHILDREN * RUNS)
  const ids = results.map((r) => (JSON.parse(r.out) as { invocationId: string }).invocationId)
  expect(runs.prepare('SELECT id FROM invocations ORDER BY id').pluck().all()).toEqual([...ids].sort())
  runs.close()

  const cache = new BetterSqlite3(cacheDbPath(dir), { readonly: true })
  const unique = CHILDREN * (CACHE_WRITES - SHARED_KEYS)
  expect(cache.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(SHARED_KEYS + unique)
  // A shared key rewritten by another process starts its hit count again, so only unique keys are counted.
  expect(cache.prepare("SELECT sum(hit_count) FROM entries WHERE judge = 'local'").pluck().get()).toBe(unique)
  cache.close()
})
