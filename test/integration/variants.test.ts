import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, REPO, runFixture } from './run-fixture.js'

describe('describeEval variants, real Vitest and the fake provider', () => {
  let tenant: FakeTenant
  let run: FixtureRun
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    run = await runFixture('variants', {
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
    })
  })

  test('every case runs once per variant, test names carry the variant', () => {
    expect(run.tests).toHaveLength(32)
    expect(run.tests.map((t) => t.name)).toContain('models > [second-judge] relativity')
    const failed = run.tests.filter((t) => t.state === 'failed').map((t) => t.name)
    expect(failed).toHaveLength(8)
    expect(failed.every((name) => name.startsWith('models > [vague] '))).toBe(true)
  })

  test('each variant is its own run, the variant merged into the run params', () => {
    const runs = run.report?.runs ?? []
    expect(runs.map((r) => r.key)).toEqual([
      'models.eval.ts [copy]',
      'models.eval.ts [reference]',
      'models.eval.ts [second-judge]',
      'models.eval.ts [vague]',
    ])
    // `file` is the path a JSON consumer can open; the key has its own field.
    for (const r of runs) {
      expect(r.file).toBe('models.eval.ts')
      expect(existsSync(join(REPO, 'fixtures/variants', r.file))).toBe(true)
    }
    const vague = runs.find((r) => r.variant === 'vague')
    expect(vague?.params).toEqual({ suite: 'qa', variant: 'vague', model: 'vague-model', temperature: 1 })
    expect(vague?.aggregates.answer_similarity?.mean).toBeCloseTo(0.25, 6)
    expect(vague?.cases.map((c) => c.name)[0]).toBe('models > [vague] relativity')
    const second = runs.find((r) => r.variant === 'second-judge')
    expect(second?.params?.judge).toBe('openai:second-judge')
    expect(second?.cases[0]?.metrics?.answer_similarity?.judge).toBe('openai:second-judge')
    expect(runs.find((r) => r.variant === 'reference')?.cases[0]?.metrics?.answer_similarity?.judge).toBe(
      'openai:fake-judge',
    )
  })

  test('identical outputs of two variants are judged once; a per-variant judge judges again', async () => {
    const runs = run.report?.runs ?? []
    const byVariant = new Map(runs.map((r) => [r.variant, r]))
    const reference = byVariant.get('reference')?.cache ?? { hits: -1, misses: -1 }
    const copy = byVariant.get('copy')?.cache ?? { hits: -1, misses: -1 }
    // reference and copy run side by side: whichever asks first pays, the other waits for its answer.
    expect(reference.hits + copy.hits).toBe(8)
    expect(reference.misses + copy.misses).toBe(8)
    expect(byVariant.get('second-judge')?.cache).toEqual({ hits: 0, misses: 8 })
    const stats = await tenant.stats()
    const models = stats.log.map((entry) => entry.model)
    expect(models.filter((m) => m === 'fake-judge')).toHaveLength(16)
    expect(models.filter((m) => m === 'second-judge')).toHaveLength(8)
  })

  test('the matrix: the worse variant is significantly worse, the equal ones a tie (report.json and console)', () => {
    const matrix = run.report?.variants?.[0]
    expect(run.report?.variants).toHaveLength(1)
    expect(matrix?.file).toBe('models.eval.ts')
    expect(matrix?.columns.map((c) => c.label)).toEqual(['reference', 'vague', 'copy', 'second-judge'])
    const similarity = matrix?.metrics.find((m) => m.metric === 'answer_similarity')
    expect(similarity?.cells.map((c) => c.mean)).toEqual([1, 0.25, 1, 1])
    expect(similarity?.cells.map((c) => c.passRate)).toEqual([1, 0, 1, 1])
    expect(similarity?.cells.map((c) => c.n)).toEqual([8, 8, 8, 8])
    expect(similarity?.verdict).toBe('tie')
    expect(similarity?.leaders).toEqual([0, 2, 3])
    expect(similarity?.worse).toEqual([1])
    // 8 cases all worse: exact p = 2/256; Holm over the 6 pairs multiplies the three smallest by 6, 5, 4.
    const vsVague = similarity?.pairs.find((p) => p.a === 0 && p.b === 1)
    expect(vsVague?.n).toBe(8)
    expect(vsVague?.pValue).toBeCloseTo(2 / 256, 10)
    expect(vsVague?.pAdjusted).toBeCloseTo((6 * 2) / 256, 10)
    expect(matrix?.usage.taskTokens).toEqual([15, null, 15, 15])
    expect(run.stdout).toMatch(/variants\s+models\.eval\.ts/)
    expect(run.stdout).toMatch(
      /answer_similarity: tie between reference, copy, second-judge \(no significant difference at alpha 0\.05, Holm\); worse than reference: vague \(p_adj 0\.047\)/,
    )
  })

  test('a second invocation compares each variant with the same variant of the baseline', async () => {
    const again = await runFixture('variants', {
      dir: run.dir,
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
    })
    const comparison = again.report?.comparison
    expect(comparison?.base.invocationId).toBe(run.report?.invocation.id)
    expect(comparison?.runs.every((r) => r.file === 'models.eval.ts')).toBe(true)
    expect(comparison?.runs.map((r) => [r.key, r.status])).toEqual([
      ['models.eval.ts [copy]', 'matched'],
      ['models.eval.ts [reference]', 'matched'],
      ['models.eval.ts [second-judge]', 'matched'],
      ['models.eval.ts [vague]', 'matched'],
    ])
    const vague = comparison?.runs.find((r) => r.key === 'models.eval.ts [vague]')
    const similarity = vague?.metrics.find((m) => m.metric === 'answer_similarity')
    expect(similarity?.baseMean).toBeCloseTo(0.25, 6)
    expect(similarity?.n.paired).toBe(8)
    expect(similarity?.status).toBe('unchanged')
    // Everything was judged the first time: the second invocation asks the provider nothing.
    expect(again.report?.runs.reduce((n, r) => n + r.cache.misses, 0)).toBe(0)
  })

  test('-t filters by variant', async () => {
    const filtered = await runFixture('variants', {
      env: {
        OPENAI_API_KEY: FAKE_API_KEY,
        OPENAI_BASE_URL: tenant.openaiBaseURL,
        VITEST_JUDGE: 'openai:fake-judge',
        FIXTURE_TEST_NAME_PATTERN: '\\[vague\\]',
      },
    })
    const ran = filtered.tests.filter((t) => t.state !== 'skipped')
    expect(ran).toHaveLength(8)
    expect(filtered.report?.runs.map((r) => r.key)).toEqual(['models.eval.ts [vague]'])
  })
})

describe('bad variants fail the collection of their file, naming the problem', () => {
  let run: FixtureRun
  beforeAll(async () => {
    run = await runFixture('variants-bad')
  })

  test('each problem is named and nothing is recorded for those files', () => {
    const out = `${run.stdout}\n${run.stderr}`
    expect(run.exitCode).toBe(1)
    expect(out).toMatch(/describeEval\("empty name"\): `variants`\.: a variant needs a non-empty name/)
    expect(out).toMatch(/the variant name "mini" is used twice/)
    expect(out).toMatch(/`variants`\.dated\.since is not a plain value \(a Date object\)/)
    expect(out).toMatch(/empty-data\.eval\.ts[\s\S]*the data function has no cases/)
    expect(run.report?.runs.map((r) => r.key)).toEqual(['fine.eval.ts [a]', 'fine.eval.ts [b]'])
    expect(run.report?.runs.map((r) => r.file)).toEqual(['fine.eval.ts', 'fine.eval.ts'])
    expect(run.report?.runs.map((r) => r.params)).toEqual([
      { variant: 'a', value: 'Answer briefly.' },
      { variant: 'b', value: 'Answer at length.' },
    ])
  })
})

describe('useVariant: matchers in a test.for loop recorded per variant', () => {
  let run: FixtureRun
  beforeAll(async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    run = await runFixture('variants-matchers', {
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
    })
  })

  test('each variant its own run with its params, the untagged test in the file run; the matrix decides', () => {
    const runs = run.report?.runs ?? []
    expect(runs.map((r) => r.file)).toEqual(['capitals.eval.ts', 'capitals.eval.ts', 'capitals.eval.ts'])
    expect(runs.map((r) => [r.key, r.cases.length])).toEqual([
      ['capitals.eval.ts', 1],
      ['capitals.eval.ts [right]', 6],
      ['capitals.eval.ts [wrong]', 6],
    ])
    expect(runs[2]?.params).toEqual({ variant: 'wrong', model: 'wrong-model' })
    const row = run.report?.variants?.[0]?.metrics.find((m) => m.metric === 'answer_similarity')
    expect(row?.cells.map((c) => c.mean)).toEqual([1, 0])
    // 6 of 6 cases better: exact p = 2/64; one pair, so Holm leaves it.
    expect(row?.pairs[0]?.pAdjusted).toBeCloseTo(2 / 64, 10)
    expect(row?.verdict).toBe('best')
    expect(run.report?.variants?.[0]?.columns[row?.best ?? -1]?.label).toBe('right')
  })
})

describe('judge matchers in test.concurrent tests', () => {
  let run: FixtureRun
  let tenant: FakeTenant
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    run = await runFixture('matchers-concurrent', {
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
    })
  })

  test("the global expect is refused before any judge call; the test's own expect is judged and recorded on it", async () => {
    const state = Object.fromEntries(run.tests.map((t) => [t.name, t.state]))
    expect(state).toEqual({
      'global expect one': 'failed',
      'global expect two': 'failed',
      'own expect': 'passed',
      'not concurrent: the global expect is fine': 'passed',
    })
    expect(`${run.stdout}\n${run.stderr}`).toContain(
      "toBeSimilarTo in a test.concurrent test needs the test's own expect",
    )
    // Only the two accepted assertions reached the judge.
    expect((await tenant.stats()).requests).toBe(2)
    // Each judgement is on its own test; the refused tests are failed cases with no judgement.
    const cases = run.report?.runs.flatMap((r) => r.cases) ?? []
    expect(cases.map((c) => [c.name, c.pass, c.output, Object.keys(c.scores)])).toEqual([
      ['global expect one', false, undefined, []],
      ['global expect two', false, undefined, []],
      ['own expect', true, 'The capital is Madrid.', ['answer_similarity']],
      ['not concurrent: the global expect is fine', true, 'The capital is Lisbon.', ['answer_similarity']],
    ])
  })
})
