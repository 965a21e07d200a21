import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture, testNamed } from './run-fixture.js'

function expectStatesFromNames(run: FixtureRun) {
  expect(run.tests.length).toBeGreaterThan(0)
  for (const t of run.tests) {
    const wanted = t.name.startsWith('pass:') ? 'passed' : 'failed'
    expect({ name: t.name, state: t.state, errors: t.errors }).toMatchObject({ name: t.name, state: wanted })
  }
}

describe.each([
  { provider: 'openai', judge: 'openai:fake-judge' },
  { provider: 'gemini', judge: 'gemini:fake-judge' },
])('matchers through the $provider SDK and the fake provider', ({ provider, judge }) => {
  let tenant: FakeTenant
  let run: FixtureRun
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    const env =
      provider === 'openai'
        ? { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL }
        : { GEMINI_API_KEY: FAKE_API_KEY, GEMINI_BASE_URL: tenant.geminiBaseUrl }
    run = await runFixture('matchers', { env: { ...env, VITEST_JUDGE: judge } })
  })
  afterAll(() => tenant?.reset())

  test('each test passes or fails as its name says', () => {
    expectStatesFromNames(run)
    expect(run.exitCode).toBe(1)
  })

  test('a low score fails with metric, score, raw score, pass mark, judge, justification and output', () => {
    const message = testNamed(run, 'a low score fails').errors.join('\n')
    expect(message).toContain('answer_similarity')
    expect(message).toContain('0.25')
    expect(message).toContain('raw 2/5')
    expect(message).toContain('pass mark')
    expect(message).toContain('0.8')
    expect(message).toContain(judge)
    expect(message).toMatch(/justification: \S/)
    expect(message).toContain('Bananas are yellow.')
  })

  test('.not failing says the answer should not have passed', () => {
    expect(testNamed(run, '.not fails').errors.join('\n')).toMatch(/NOT to pass answer_similarity/)
  })

  test('a forgotten await fails and says to await', () => {
    expect(testNamed(run, 'forgotten await').errors.join('\n')).toMatch(/not awaited/)
  })

  test('the provider was really asked, through its wire protocol', async () => {
    // Identical judgements in one run are paid once: requests = cache misses, and every test was judged.
    const stats = await tenant.stats()
    const cache = run.report?.runs[0]?.cache
    expect(stats.requests).toBe(cache?.misses)
    expect((cache?.hits ?? 0) + (cache?.misses ?? 0)).toBe(run.tests.length)
  })

  test('every judgement is recorded in the run', () => {
    const cases = run.report?.runs[0]?.cases ?? []
    expect(cases.map((c) => c.name).sort()).toEqual(run.tests.map((t) => t.name).sort())
    expect(cases.find((c) => c.name.includes('low score'))?.scores.answer_similarity).toBe(0.25)
    expect(cases.find((c) => c.name.includes('custom metric'))?.scores.professionalism).toBe(0.75)
  })
})

test('with no key the offline local judge is used, and says so once', async () => {
  const run = await runFixture('matchers', { filters: [] })
  expect(run.stdout.match(/use the offline local judge/g)?.length).toBe(1)
  // The local judge grades the texts themselves: the paraphrase passes, the custom rubric cannot be served.
  expect(testNamed(run, 'a paraphrase is similar').state).toBe('passed')
  const custom = testNamed(run, 'custom metric')
  expect(custom.state).toBe('failed')
  expect(custom.errors.join('\n')).toMatch(/needs an LLM judge/)
})

describe("the reporter listed by hand as 'vitest-judge/reporter'", () => {
  test('next to the plugin, there is one reporter, with the plugin options', async () => {
    const run = await runFixture('hand-reporter', { env: { FIXTURE_KEEP_REPORTERS: '1' } })
    expect(run.exitCode).toBe(0)
    expect(run.stdout.match(/ vitest-judge {2}1 file/g)).toHaveLength(1)
    expect(run.report?.invocation.experiment).toBe('hand')
  })

  test('without the plugin it still records the run', async () => {
    const run = await runFixture('hand-reporter', { env: { FIXTURE_KEEP_REPORTERS: '1', HAND_REPORTER_ONLY: '1' } })
    expect(run.exitCode).toBe(0)
    expect(run.report?.runs[0]?.aggregates.exact_match?.mean).toBe(1)
  })
})
