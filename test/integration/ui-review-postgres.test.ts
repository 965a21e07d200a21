/** Two `vitest-judge ui` servers on one PostgreSQL store see each other's review labels (issue 28). */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type PgServer, startPostgres } from '../pg/server.js'
import { writeInvocation } from './drive-reporter.js'
import { REPO } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')
const QA = 'evals/qa.eval.ts'
let pgServer: PgServer
let storeUrl: string
let root: string
const servers: ChildProcess[] = []

async function startUi(reviewer: string): Promise<{ url: string; token: string }> {
  const child = spawn(
    process.execPath,
    [CLI, 'ui', '--port', '0', '--dir', join(root, '.vitest-judge'), '--store', storeUrl, '--reviewer', reviewer],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  servers.push(child)
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
      if (found?.[1]) resolve(found[1])
    })
    child.on('exit', (code) => reject(new Error(`ui exited with ${code}: ${out}`)))
  })
  const page = await (await fetch(url)).text()
  const token = /name="vitest-judge-token" content="([0-9a-f]+)"/.exec(page)?.[1] ?? ''
  return { url, token }
}

beforeAll(async () => {
  pgServer = await startPostgres()
  storeUrl = await pgServer.createDatabase('review')
  root = mkdtempSync(join(tmpdir(), 'vj-review-pg-'))
  await writeInvocation(root, { files: [[QA, 4]], shift: 0, options: { store: storeUrl } })
}, 120_000)

afterAll(() => {
  for (const child of servers) child.kill('SIGTERM')
  pgServer?.dispose()
  rmSync(root, { recursive: true, force: true })
})

test('a label given through one server is seen by the other, with its reviewer', async () => {
  const alice = await startUi('alice')
  const bob = await startUi('bob')
  const state = (await (await fetch(`${alice.url}api/state`)).json()) as { latest: string }
  const save = (ui: { url: string; token: string }, name: string, grade: number) =>
    fetch(`${ui.url}api/labels`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: new URL(ui.url).origin, 'X-Vitest-Judge-Token': ui.token },
      body: JSON.stringify({ inv: state.latest, file: QA, case: name, metric: 'answer_similarity', grade }),
    })
  expect((await save(alice, 'case 0', 2)).status).toBe(200)
  expect((await save(bob, 'case 1', 4)).status).toBe(200)
  // Each server's token is its own.
  expect((await save({ url: alice.url, token: bob.token }, 'case 2', 3)).status).toBe(403)
  for (const ui of [alice, bob]) {
    const { labels } = (await (await fetch(`${ui.url}api/labels?inv=${state.latest}`)).json()) as {
      labels: Array<{ case: string; reviewer: string; grade: number }>
    }
    expect(labels.map((l) => [l.case, l.reviewer, l.grade])).toEqual([
      ['case 0', 'alice', 2],
      ['case 1', 'bob', 4],
    ])
  }
}, 60_000)
