/**
 * Malformed judge replies (prose, fenced JSON, a score of 7, a missing field, broken JSON), injected
 * by the fake provider into a real `vitest` run of fixtures/faults-malformed: one bad reply is
 * repaired, only bad replies are a judge error (never a score of 0, never cached), and a clean rerun
 * scores every case, asking the provider for exactly the cases that failed before.
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import type { ReportCase } from '../../src/report/types.js'
import { SqliteJudgeCache } from '../../src/store/judge-cache.js'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture, tempStateDir } from './run-fixture.js'

type Variant = 'repaired' | 'broken'
const SUITES = [
  ['openai', 'prose'],
  ['openai', 'fenced'],
  ['openai', 'score7'],
  ['openai', 'missing-field'],
  ['openai', 'not-json'],
  ['gemini', 'prose'],
] as const
type Mode = (typeof SUITES)[number][1]

const prefix = `malformed-${randomUUID().slice(0, 8)}`
const tenants = new Map<string, FakeTenant>()
const key = (provider: string, mode: string, variant: Variant) => `${provider} ${mode} ${variant}`
const dir = tempStateDir()
let first: FixtureRun
let second: FixtureRun
const firstRequests = new Map<string, number>()
const secondRequests = new Map<string, number>()
let cachedAfterFirst = 0

function casesOf(run: FixtureRun, suite: string): ReportCase[] {
  return (run.report?.runs[0]?.cases ?? []).filter((c) => c.name.startsWith(`${suite} > `))
}

beforeAll(async () => {
  const url = inject('fakeProviderUrl')
  for (const [provider, mode] of SUITES) {
    for (const variant of ['repaired', 'broken'] as const) {
      const tenant = fakeTenant(url, `${prefix}-${provider}-${mode}-${variant}`)
      tenants.set(key(provider, mode, variant), tenant)
      await tenant.configure(variant === 'repaired' ? { malformed: mode, malformedTimes: 1 } : { malformed: mode })
    }
  }
  const env = {
    FAULTS_FAKE_URL: url,
    FAULTS_TENANT_PREFIX: prefix,
    VITEST_JUDGE: 'local',
    OPENAI_API_KEY: FAKE_API_KEY,
    GEMINI_API_KEY: FAKE_API_KEY,
  }
  first = await runFixture('faults-malformed', { env, dir })
  for (const [name, tenant] of tenants) firstRequests.set(name, (await tenant.stats()).requests)
  const cache = new SqliteJudgeCache(dir, { readonly: true })
  cachedAfterFirst = (await cache.stats()).entries
  await cache.close()
  // The provider is healthy again.
  for (const tenant of tenants.values()) await tenant.reset()
  second = await runFixture('faults-malformed', { env, dir })
  for (const [name, tenant] of tenants) secondRequests.set(name, (await tenant.stats()).requests)
})

afterAll(async () => {
  for (const tenant of tenants.values()) await tenant.reset()
  rmSync(dir, { recursive: true, force: true })
})

describe.each(SUITES)('%s reply: %s', (provider, mode: Mode) => {
  test('one bad reply is repaired: both cases are scored', () => {
    const cases = casesOf(first, key(provider, mode, 'repaired'))
    expect(cases.map((c) => [c.pass, c.scores.answer_similarity, c.judgeErrors])).toEqual([
      [true, 1, 0],
      [true, 1, 0],
    ])
    // A fenced reply is accepted as it is; anything else costs one repair request.
    expect(firstRequests.get(key(provider, mode, 'repaired'))).toBe(mode === 'fenced' ? 2 : 3)
  })

  test('only bad replies: a judge error after the repair attempt, never a score of 0', () => {
    const cases = casesOf(first, key(provider, mode, 'broken'))
    expect(cases).toHaveLength(2)
    if (mode === 'fenced') {
      expect(cases.every((c) => c.scores.answer_similarity === 1)).toBe(true)
      return
    }
    for (const c of cases) {
      expect(c.pass).toBe(false)
      expect(c.scores.answer_similarity).toBeNull()
      expect(c.judgeErrors).toBe(1)
      expect(c.metrics?.answer_similarity?.error?.code).toBe('VJ_JUDGE_BAD_REPLY')
      expect(c.error).toMatch(new RegExp(`${provider}:fake-.*not the asked JSON, also after one repair attempt`))
    }
    // One request and one repair per case.
    expect(firstRequests.get(key(provider, mode, 'broken'))).toBe(4)
  })

  test('a clean rerun scores every case and asks only for the cases that failed', () => {
    for (const variant of ['repaired', 'broken'] as const) {
      const cases = casesOf(second, key(provider, mode, variant))
      expect(cases.map((c) => c.scores.answer_similarity)).toEqual([1, 1])
    }
    expect(secondRequests.get(key(provider, mode, 'repaired'))).toBe(0)
    expect(secondRequests.get(key(provider, mode, 'broken'))).toBe(mode === 'fenced' ? 0 : 2)
  })
})

test('judge errors are counted in the run and never cached', () => {
  const broken = SUITES.filter(([, mode]) => mode !== 'fenced').length * 2
  const total = SUITES.length * 4
  expect(first.report?.runs[0]?.judgeErrors).toBe(broken)
  expect(first.report?.runs[0]?.aggregates.answer_similarity?.n).toBe(total - broken)
  expect(first.report?.runs[0]?.aggregates.answer_similarity?.min).toBe(1)
  expect(cachedAfterFirst).toBe(total - broken)
  expect(second.exitCode).toBe(0)
  expect(second.report?.runs[0]?.judgeErrors).toBe(0)
  expect(second.report?.runs[0]?.cache).toEqual({ hits: total - broken, misses: broken })
})

test('a repair request is not counted as a provider retry', () => {
  expect(first.report?.runs[0]?.retries ?? 0).toBe(0)
})
