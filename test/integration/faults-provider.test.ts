/**
 * Provider faults, injected by the fake provider into a real `vitest` run of fixtures/faults-provider:
 * 429s and 500s are retried until every case is scored; timeouts are retried; a provider that stays
 * down fails its cases with a judge error naming the judge and the status, in bounded time, while the
 * other suites and files go on.
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import type { ReportRun } from '../../src/report/types.js'
import { FAKE_API_KEY, type FakeTenant, type FakeTenantStats, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture } from './run-fixture.js'

const prefix = `faults-${randomUUID().slice(0, 8)}`
let url: string
const tenants: Record<'retries' | 'gemini' | 'timeouts' | 'down-openai' | 'down-gemini', FakeTenant> = {} as never
const stats: Partial<Record<keyof typeof tenants, FakeTenantStats>> = {}
let run: FixtureRun
let wallMs = 0

function runOf(file: string): ReportRun {
  const found = run.report?.runs.find((r) => r.file === file)
  if (!found) throw new Error(`no run of ${file} in the report:\n${run.stdout}\n${run.stderr}`)
  return found
}

/** A loopback port nobody listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

beforeAll(async () => {
  url = inject('fakeProviderUrl')
  for (const name of Object.keys({
    retries: 0,
    gemini: 0,
    timeouts: 0,
    'down-openai': 0,
    'down-gemini': 0,
  }) as (keyof typeof tenants)[]) {
    tenants[name] = fakeTenant(url, `${prefix}-${name}`)
  }
  await tenants.retries.configure({ status429Every: 4, status500Every: 9 })
  await tenants.gemini.configure({ status429Every: 4, status500Every: 9 })
  await tenants.timeouts.configure({ delayMs: 5000, delayEvery: 2 })
  await tenants['down-openai'].configure({ down: true })
  await tenants['down-gemini'].configure({ down: true })
  const started = Date.now()
  run = await runFixture('faults-provider', {
    env: {
      FAULTS_FAKE_URL: url,
      FAULTS_TENANT_PREFIX: prefix,
      FAULTS_CLOSED_URL: `http://127.0.0.1:${await closedPort()}`,
      VITEST_JUDGE: 'local',
      OPENAI_API_KEY: FAKE_API_KEY,
      GEMINI_API_KEY: FAKE_API_KEY,
    },
    timeoutMs: 60_000,
  })
  wallMs = Date.now() - started
  for (const [name, tenant] of Object.entries(tenants)) stats[name as keyof typeof tenants] = await tenant.stats()
})

afterAll(async () => {
  for (const tenant of Object.values(tenants)) await tenant.reset()
  if (run) rmSync(run.dir, { recursive: true, force: true })
})

describe('429 on every 4th and 500 on every 9th judge call', () => {
  test('every one of the 40 cases is scored, none counted as a judge error', () => {
    const retries = runOf('retries.eval.ts')
    expect(retries.cases).toHaveLength(40)
    expect(retries.judgeErrors).toBe(0)
    expect(retries.cases.every((c) => c.pass && c.scores.answer_similarity === 1)).toBe(true)
    expect(retries.aggregates.answer_similarity?.n).toBe(40)
  })

  test('the provider saw exactly the retries the faults call for (59 requests, 14 × 429, 5 × 500)', () => {
    const log = stats.retries?.log ?? []
    expect(log.filter((e) => e.fault === 'rate-limit')).toHaveLength(14)
    expect(log.filter((e) => e.fault === 'server-error')).toHaveLength(5)
    expect(log.filter((e) => e.status === 200)).toHaveLength(40)
    expect(stats.retries?.requests).toBe(59)
    // The SDK's own retries are off: every retry is ours (the header stays 0).
    expect(log.every((e) => e.headers['x-stainless-retry-count'] === '0')).toBe(true)
  })

  test('the Gemini judge, 4 cases in flight, also scores every case', () => {
    const geminiRun = runOf('gemini.eval.ts')
    expect(geminiRun.cases).toHaveLength(12)
    expect(geminiRun.judgeErrors).toBe(0)
    expect(geminiRun.cases.every((c) => c.scores.answer_similarity === 1)).toBe(true)
    const log = stats.gemini?.log ?? []
    expect(log.some((e) => e.fault === 'rate-limit')).toBe(true)
    expect(log.filter((e) => e.status === 200)).toHaveLength(12)
  })

  test('the retries are visible in the run figures, per case and per run', () => {
    const retries = runOf('retries.eval.ts')
    expect(retries.retries).toBe(19)
    expect(retries.cases.reduce((n, c) => n + (c.retries ?? 0), 0)).toBe(19)
    expect(runOf('timeouts.eval.ts').retries).toBe(3)
  })
})

test('a judge call that times out is retried and the case is scored', () => {
  const timeouts = runOf('timeouts.eval.ts')
  expect(timeouts.judgeErrors).toBe(0)
  expect(timeouts.cases.map((c) => c.scores.answer_similarity)).toEqual([1, 1, 1, 1])
  const log = stats.timeouts?.log ?? []
  // Requests 2, 4, 6 hang and are abandoned by the client; 1, 3, 5, 7 answer.
  expect(log.filter((e) => e.aborted)).toHaveLength(3)
  expect(log.filter((e) => e.status === 200)).toHaveLength(4)
})

describe('a provider that stays down', () => {
  test('fails its cases with a judge error naming the judge, the status and the attempts', () => {
    const down = runOf('down.eval.ts')
    const openaiCases = down.cases.filter((c) => c.name.startsWith('openai down'))
    const geminiCases = down.cases.filter((c) => c.name.startsWith('gemini down'))
    expect(openaiCases).toHaveLength(3)
    expect(geminiCases).toHaveLength(2)
    for (const c of openaiCases) {
      expect(c.pass).toBe(false)
      expect(c.scores.answer_similarity).toBeNull()
      expect(c.metrics?.answer_similarity?.error?.code).toBe('VJ_JUDGE_HTTP')
      expect(c.error).toMatch(/openai:fake-judge.*HTTP 503.*after 4 attempts/)
    }
    for (const c of geminiCases) {
      expect(c.metrics?.answer_similarity?.error?.code).toBe('VJ_JUDGE_HTTP')
      expect(c.error).toMatch(/gemini:fake-gemini.*HTTP 503.*after 4 attempts/)
    }
    expect(down.judgeErrors).toBe(5 + 2)
    // The retries spent before giving up count too: 3 per failed call (4 attempts each).
    expect(openaiCases.every((c) => c.retries === 3)).toBe(true)
    expect(stats['down-openai']?.requests).toBe(3 * 4)
    expect(stats['down-gemini']?.requests).toBe(2 * 4)
  })

  test('a refused connection is retried, then a judge error naming the judge and the endpoint', () => {
    const down = runOf('down.eval.ts')
    for (const provider of ['openai', 'gemini']) {
      const [unreachable] = down.cases.filter((c) => c.name.startsWith(`${provider} unreachable`))
      expect(unreachable?.metrics?.answer_similarity?.error?.code).toBe('VJ_JUDGE_HTTP')
      expect(unreachable?.error).toMatch(
        new RegExp(`${provider}:fake-.*request failed from 127\\.0\\.0\\.1:\\d+ after 3 attempts`),
      )
    }
  })

  test('the rest of the file and the other files go on', () => {
    const down = runOf('down.eval.ts')
    const computed = down.cases.filter((c) => c.name.startsWith('no judge needed'))
    expect(computed.map((c) => c.pass)).toEqual([true, true, true])
    const failed = run.tests.filter((t) => t.state === 'failed')
    expect(failed.every((t) => t.file === 'down.eval.ts')).toBe(true)
    expect(failed).toHaveLength(5 + 2)
    expect(run.tests.filter((t) => t.state === 'passed')).toHaveLength(40 + 12 + 4 + 3)
    expect(run.exitCode).toBe(1)
  })

  test('the whole run ends in bounded time', () => {
    // Retries are bounded (maxRetries, capped backoff): no hang. Generous for a loaded 2-core box.
    expect(wallMs).toBeLessThan(45_000)
    const down = runOf('down.eval.ts')
    for (const c of down.cases) expect(c.durationMs ?? 0).toBeLessThan(10_000)
  })
})
