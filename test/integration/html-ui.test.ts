import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JsonReport } from '../../src/report/types.js'
import { launchChromium, openReport, watchPage } from './browser.js'
import { writeInvocation } from './drive-reporter.js'
import { REPO } from './run-fixture.js'

// `vitest-judge ui` and `vitest-judge report` as processes; the pages in real headless Chromium.

const CLI = join(REPO, 'dist/cli/index.js')
const FILES: Array<[string, number]> = [['evals/qa.eval.ts', 12]]
let root: string
let dir: string
let browser: Browser
let server: ChildProcess | undefined
let url: string

/** A raw GET, path sent as written (no client-side normalization of `..`). */
function rawGet(path: string, host?: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method,
        headers: host ? { Host: host } : {},
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vj-ui-'))
  dir = join(root, '.vitest-judge')
  await writeInvocation(root, { files: FILES, shift: 0 })
  browser = await launchChromium()
  server = spawn(process.execPath, [CLI, 'ui', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  url = await new Promise<string>((resolve, reject) => {
    let out = ''
    server?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
      if (found?.[1]) resolve(found[1])
    })
    server?.on('exit', (code) => reject(new Error(`ui exited with ${code}: ${out}`)))
  })
}, 120_000)

afterAll(async () => {
  server?.kill('SIGTERM')
  await browser?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('vitest-judge ui', () => {
  test('serves the page live and follows a new invocation when it completes', async () => {
    const page = await browser.newPage()
    const watch = watchPage(page)
    await openReport(page, url)
    const first = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport
    expect(await page.textContent('.facts')).toContain(first.invocation.id.slice(0, 12))
    await writeInvocation(root, { files: FILES, shift: 1 })
    const second = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport
    expect(second.invocation.id).not.toBe(first.invocation.id)
    await expect
      .poll(() => page.textContent('.facts').catch(() => ''), { timeout: 30_000 })
      .toContain(second.invocation.id.slice(0, 12))
    // Live: its own origin only (the page, then the state it polls).
    expect(watch.errors).toEqual([])
    for (const requested of watch.requests) expect(requested.startsWith(url)).toBe(true)
    await page.close()
  }, 60_000)

  test('serves its page and its data only: ../ paths, other paths, other methods and hosts are refused', async () => {
    for (const path of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/x/../../runs.db',
    ]) {
      const res = await rawGet(path)
      expect(res.status, path).toBe(400)
      expect(res.body).not.toContain('root:')
    }
    for (const path of ['/runs.db', '/report.json', '/.vitest-judge/runs.db', '/etc/passwd']) {
      expect((await rawGet(path)).status, path).toBe(404)
    }
    expect((await rawGet('/', 'attacker.example')).status).toBe(403)
    expect((await rawGet('/', undefined, 'PUT')).status).toBe(405)
    // Writes are review only, with the page's token (issue 28: ui-review.test.ts).
    expect((await rawGet('/', undefined, 'POST')).status).toBe(403)
    expect((await rawGet('/?inv=<script>')).status).toBe(400)
    const state = await rawGet('/api/state')
    expect(state.status).toBe(200)
    expect(JSON.parse(state.body)).toHaveProperty('latest')
  })
})

describe('vitest-judge report', () => {
  test('writes the page of stored invocations and report files, lined up in Compare', async () => {
    const out = join(root, 'out', 'page.html')
    const reportFile = join(dir, 'report.json')
    const result = spawnSync(
      process.execPath,
      [CLI, 'report', 'latest', 'previous', reportFile, '--out', out, '--dir', dir],
      {
        encoding: 'utf8',
      },
    )
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('Wrote the HTML report to')
    const page = await browser.newPage()
    const watch = watchPage(page)
    await openReport(page, pathToFileURL(out).href)
    await page.click('#tab-compare')
    expect(await page.locator('#compare-pick input[type="checkbox"]').count()).toBe(3)
    expect(watch.errors).toEqual([])
    expect(watch.console).toEqual([])
    expect(watch.requests).toEqual([pathToFileURL(out).href])
    await page.close()
  })

  test('a bad selector is a usage error naming the fix', () => {
    const result = spawnSync(process.execPath, [CLI, 'report', 'tag:nope', '--dir', dir], { encoding: 'utf8' })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/nope/)
  })
})
