// Prints performance figures of the storage layer (no assertions): run persistence, report reading,
// judge cache lookups and writes. Bundles src/store with esbuild, so it needs no build.
// Usage: node bench/store-bench.mjs
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { storeBenchRun } from './lib/store-run.mjs'

const CASES = 10_000
const KEYS = 10_000

const work = mkdtempSync(join(tmpdir(), 'vj-store-bench-'))
try {
  const store = await loadStore(join(work, 'store.mjs'))
  await benchRuns(store, join(work, 'runs'))
  await benchCache(store, join(work, 'cache'))
} finally {
  rmSync(work, { recursive: true, force: true })
}

async function loadStore(outfile) {
  const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')
  await build({
    entryPoints: [fileURLToPath(new URL('../src/store/index.ts', import.meta.url))],
    outfile,
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
  return import(pathToFileURL(outfile).href)
}

async function benchRuns({ SqliteRunStore, newId }, dir) {
  const store = new SqliteRunStore(dir)
  const id = newId()
  await store.startInvocation({
    id,
    startedAt: new Date().toISOString(),
    git: { commit: 'abc', branch: 'main' },
    params: {},
    experiment: 'bench',
  })
  const run = storeBenchRun(newId, CASES)
  let started = performance.now()
  await store.saveRun(id, run)
  const save = performance.now() - started
  await store.finishInvocation(id, 'complete', new Date().toISOString())
  started = performance.now()
  const report = await store.getReport(id)
  const read = performance.now() - started
  started = performance.now()
  await store.listInvocations({ limit: 20 })
  const list = performance.now() - started
  await store.close()
  console.log(`runs: saveRun of ${CASES} cases (2 metrics each): ${save.toFixed(0)} ms`)
  console.log(`runs: getReport of ${report.runs[0].cases.length} cases: ${read.toFixed(0)} ms`)
  console.log(`runs: listInvocations: ${list.toFixed(2)} ms`)
}

async function benchCache({ SqliteJudgeCache, cacheKey }, dir) {
  const keys = Array.from({ length: KEYS }, (_, i) =>
    cacheKey({ judge: 'openai:gpt-4.1-mini', prompt: `p${i}`, trial: 0 }),
  )
  const value = { score: 4, justification: 'Same fact, slightly less detail than the reference answer.' }
  const cache = new SqliteJudgeCache(dir)

  let started = performance.now()
  for (const key of keys)
    await cache.set(key, { kind: 'grade', judge: 'openai:gpt-4.1-mini', metric: 'answer_similarity', value })
  const set = performance.now() - started

  for (const key of keys.slice(0, 100)) await cache.get(key)
  started = performance.now()
  for (const key of keys) await cache.get(key)
  const get = performance.now() - started

  const quiet = new SqliteJudgeCache(dir, { recordHits: false })
  await quiet.get(keys[0])
  started = performance.now()
  for (const key of keys) await quiet.get(key)
  const getQuiet = performance.now() - started
  await quiet.close()

  started = performance.now()
  for (let i = 0; i < KEYS; i += 100) await cache.getMany(keys.slice(i, i + 100))
  const many = performance.now() - started

  started = performance.now()
  for (let i = 0; i < KEYS; i++) cacheKey({ judge: 'openai:gpt-4.1-mini', prompt: `p${i}`, schema: { a: 1 }, trial: 0 })
  const hashing = performance.now() - started

  await cache.close()
  const us = (ms) => ((ms * 1000) / KEYS).toFixed(1)
  console.log(`cache: set: ${us(set)} µs per entry (${KEYS} entries, autocommit)`)
  console.log(`cache: get hit: ${us(get)} µs per lookup (hits counted, flushed every 256)`)
  console.log(`cache: get hit: ${us(getQuiet)} µs per lookup (recordHits: false)`)
  console.log(`cache: getMany: ${us(many)} µs per key (batches of 100)`)
  console.log(`cache: cacheKey: ${us(hashing)} µs per key`)
}
