/**
 * `vitest-judge ui` opens its run store once per server: with a PostgreSQL store, the page and its
 * polls reuse one pool (counted at a loopback TCP relay in front of a real server), concurrent
 * first requests share one open, and a store opened before its tables existed is opened again until
 * an invocation appears.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { memoryIo } from '../../src/cli/io.js'
import { State } from '../../src/cli/state.js'
import { startUiServer } from '../../src/cli/ui-server.js'
import { newId } from '../../src/store/ids.js'
import { openRunStore } from '../../src/store/open.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { type PgServer, startPostgres } from '../pg/server.js'
import { fullCase, makeRun } from '../store-contract/run-store-contract.js'

let server: PgServer
let relay: Server
let relayPort = 0
let connections = 0
const dirs: string[] = []

beforeAll(async () => {
  server = await startPostgres()
  // Every connection a client opens to the database passes here.
  relay = createServer((client) => {
    connections++
    const upstream = createConnection(server.port, '127.0.0.1')
    client.pipe(upstream).pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  relayPort = (relay.address() as { port: number }).port
})

afterAll(async () => {
  await new Promise<void>((resolve) => relay?.close(() => resolve()))
  server?.dispose()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vj-ui-once-'))
  dirs.push(dir)
  return dir
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url)
  return { status: response.status, text: await response.text() }
}

describe('ui with a PostgreSQL store', () => {
  test('one pool for the page and every poll; an invocation stored after the start is found', async () => {
    const url = `postgres://vj@127.0.0.1:${relayPort}/postgres?schema=ui_once`
    const ui = await startUiServer({ dir: tempDir(), store: url, port: 0, io: memoryIo() })
    try {
      // Nothing stored yet (no tables): the page says so.
      expect(JSON.parse((await get(`${ui.url}api/state`)).text)).toEqual({ latest: null })

      const store = await openRunStore({ dir: '/nonexistent', url })
      const id = newId()
      await store.startInvocation({
        id,
        startedAt: new Date().toISOString(),
        git: { commit: null, branch: null },
        params: {},
        experiment: 'demo',
      })
      await store.saveRun(id, makeRun('evals/qa.test.ts', [fullCase(1), fullCase(2)]))
      await store.finishInvocation(id, 'complete', new Date().toISOString())
      await store.close()

      expect(JSON.parse((await get(`${ui.url}api/state`)).text)).toEqual({ latest: id })
      const before = connections
      // Concurrent first requests of the page, then a page's worth of polls.
      const pages = await Promise.all(Array.from({ length: 6 }, () => get(ui.url)))
      for (const page of pages) expect(page.status).toBe(200)
      for (let i = 0; i < 20; i++) expect(JSON.parse((await get(`${ui.url}api/state`)).text)).toEqual({ latest: id })
      // At most the pool's size (4) of new connections, not one or more per request.
      expect(connections - before).toBeLessThanOrEqual(4)
    } finally {
      await ui.close()
    }
  })
})

test('concurrent first callers of a State share one open store', async () => {
  const dir = tempDir()
  await new SqliteRunStore(dir).close()
  const state = new State(memoryIo(), dir)
  const stores = await Promise.all(Array.from({ length: 5 }, () => state.runs()))
  expect(new Set(stores).size).toBe(1)
  expect(await state.runs()).toBe(stores[0])
  await state.close()
})
