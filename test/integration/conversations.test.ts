import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, test } from 'vitest'
import { transcriptRows } from '../../src/report/conversation.js'
import type { JsonReport, ReportCase } from '../../src/report/types.js'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, REPO, runFixture, tempStateDir, testNamed } from './run-fixture.js'

function caseNamed(run: FixtureRun, name: string): ReportCase {
  const found = run.report?.runs.flatMap((r) => r.cases).find((c) => c.name === name)
  if (!found) throw new Error(`no case ${name}:\n${run.stdout}\n${run.stderr}`)
  return found
}

describe('describeConversation, real Vitest and the fake provider', () => {
  let tenant: FakeTenant
  let first: FixtureRun
  let second: FixtureRun
  let firstRequests: number
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    const dir = tempStateDir()
    const env = {
      OPENAI_API_KEY: FAKE_API_KEY,
      OPENAI_BASE_URL: tenant.openaiBaseURL,
      VITEST_JUDGE: 'openai:fake-judge',
    }
    first = await runFixture('conversations', { env, dir })
    firstRequests = (await tenant.stats()).requests
    second = await runFixture('conversations', { env, dir })
  }, 240_000)

  test('each conversation is one test; the forgetful bot fails knowledge_retention naming the turn', () => {
    expect(first.tests.map((t) => t.name).sort()).toEqual([
      'booking > book-table',
      'booking > never-satisfied',
      'forgetful > hostile',
      'forgetful > order-status',
      'persona > [curt] greeting',
      'persona > [polite] greeting',
      'support > hostile',
      'support > order-status',
      'throws > breaks-in-turn-3',
    ])
    expect(testNamed(first, 'support > order-status').state).toBe('passed')
    const forgot = testNamed(first, 'forgetful > order-status')
    expect(forgot.state).toBe('failed')
    expect(forgot.errors.join('\n')).toContain('knowledge_retention 0.25')
    expect(forgot.errors.join('\n')).toContain(
      'Turn 2: the assistant asks for the order number the user gave in turn 1',
    )
    const good = caseNamed(first, 'support > order-status')
    expect(good.scores.knowledge_retention).toBe(1)
    const bad = caseNamed(first, 'forgetful > order-status')
    expect(bad.scores.knowledge_retention).toBe(0.25)
    expect(bad.metrics?.knowledge_retention?.justification).toMatch(/^Turn 2: .* turn 1\.$/)
  })

  test('the record holds every turn, per-turn scores on replies, mean and worst turn per conversation', () => {
    const c = caseNamed(first, 'forgetful > order-status')
    expect(c.turns?.map((t) => [t.turn, t.role, t.content])).toEqual([
      [1, 'user', 'Hi, my order number is A4417. Where is it?'],
      [1, 'assistant', 'Your order A4417 has shipped.'],
      [2, 'user', 'When will it arrive?'],
      [2, 'assistant', 'Could you tell me your order number?'],
    ])
    expect(c.turns?.[1]?.expected).toBe('Your order A4417 has shipped.')
    const perTurn = c.turns?.filter((t) => t.role === 'assistant').map((t) => t.scores?.answer_relevance) ?? []
    expect(perTurn).toHaveLength(2)
    expect(perTurn.every((s) => typeof s === 'number')).toBe(true)
    const values = perTurn as number[]
    expect(c.scores.answer_relevance).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9)
    expect(c.scores.answer_relevance_worst).toBe(Math.min(...values))
    expect(c.metrics?.answer_relevance_worst?.justification).toMatch(/^Turn \d: /)
    expect(c.conversation).toMatchObject({
      mode: 'scripted',
      ended: 'script',
      role: 'a polite support agent for Acme Shop',
    })
    expect(c.tokens).toEqual({ input: 20, output: 10 })
  })

  test('simulated users: one signals its goal (the marker is not in the transcript), one is stopped at maxTurns', () => {
    const booked = caseNamed(first, 'booking > book-table')
    expect(booked.turns?.filter((t) => t.role === 'user').map((t) => t.content)).toEqual([
      'Hi, I would like a table for two.',
      'At 7pm tonight, please.',
    ])
    expect(JSON.stringify(booked.turns)).not.toContain('GOAL_MET')
    expect(booked.conversation).toMatchObject({ mode: 'simulated', ended: 'goal', simulator: 'openai:fake-judge' })
    expect(booked.scores.goal_achieved).toBe(1)
    // Three simulator calls (two lines, then the marker) and two metric gradings, all in the case's cost.
    expect(booked.cost).toMatchObject({ calls: 5, cachedCalls: 0 })
    const never = caseNamed(first, 'booking > never-satisfied')
    expect(never.turns?.filter((t) => t.role === 'user')).toHaveLength(3)
    expect(never.conversation?.ended).toBe('maxTurns')
    expect(never.conversation?.note).toContain('never signalled')
    expect(never.conversation?.note).toContain('maxTurns (3)')
  })

  test('a chat that throws in turn 3 records turns 1-2 and the error, and no score', () => {
    const t = testNamed(first, 'throws > breaks-in-turn-3')
    expect(t.state).toBe('failed')
    expect(t.errors.join('\n')).toContain('chat threw in turn 3: backend down')
    const c = caseNamed(first, 'throws > breaks-in-turn-3')
    expect(c.turns?.map((x) => `${x.turn}:${x.role}`)).toEqual([
      '1:user',
      '1:assistant',
      '2:user',
      '2:assistant',
      '3:user',
    ])
    expect(c.conversation).toMatchObject({ ended: 'error', error: { turn: 3, message: 'backend down' } })
    expect(c.scores).toEqual({})
  })

  test('a second run of unchanged conversations makes no simulator and no judge call', async () => {
    expect(firstRequests).toBeGreaterThan(0)
    expect((await tenant.stats()).requests).toBe(firstRequests)
    const runs = second.report?.runs ?? []
    expect(runs.reduce((s, r) => s + r.cache.misses, 0)).toBe(0)
    expect(runs.reduce((s, r) => s + r.cache.hits, 0)).toBeGreaterThan(0)
    const contents = (run: FixtureRun) =>
      caseNamed(run, 'booking > book-table').turns?.map((t) => `${t.role}: ${t.content}`)
    expect(contents(second)).toEqual(contents(first))
    expect(caseNamed(second, 'booking > book-table').cost).toMatchObject({ calls: 0, cachedCalls: 5 })
    // The second run is compared with the first, conversation by conversation: nothing new, nothing regressed.
    const compared = second.report?.comparison?.runs.find((r) => r.file === 'conversations.eval.ts')
    expect(compared?.status).toBe('matched')
    expect(compared?.newCases).toEqual([])
    expect(compared?.metrics.find((m) => m.metric === 'knowledge_retention')?.delta).toBe(0)
    expect(caseNamed(second, 'forgetful > order-status').metrics?.knowledge_retention?.justification).toBe(
      caseNamed(first, 'forgetful > order-status').metrics?.knowledge_retention?.justification,
    )
  })

  test('the run store keeps the transcript: `export` gives back the turns and how the conversation ended', () => {
    const out = join(first.dir, 'exported.json')
    const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), 'export', 'latest', '--out', out], {
      env: { ...process.env, VITEST_JUDGE_DIR: first.dir },
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
    const exported = JSON.parse(readFileSync(out, 'utf8')) as JsonReport
    const stored = exported.runs.flatMap((r) => r.cases).find((c) => c.name === 'forgetful > order-status')
    const reported = caseNamed(second, 'forgetful > order-status')
    expect(stored?.turns).toEqual(reported.turns)
    expect(stored?.conversation).toEqual(reported.conversation)
  })

  test('with the offline local judge, a scenario fails saying to give an LLM simulator; no turn is made up', async () => {
    const local = await runFixture('conversations')
    const t = testNamed(local, 'booking > book-table')
    expect(t.state).toBe('failed')
    expect(t.errors.join('\n')).toContain(
      'Judge local: this judge cannot write text, so it cannot play the simulated user',
    )
    expect(t.errors.join('\n')).toContain("simulator: 'openai:gpt-4.1-mini'")
    const c = caseNamed(local, 'booking > book-table')
    expect(c.turns).toEqual([])
    expect(c.conversation).toMatchObject({ ended: 'error', simulator: 'local', error: { turn: 1 } })
    expect(c.judgeErrors).toBe(1)
  })

  test('variants: each variant of a conversation suite is its own run, its fields in the run params', () => {
    const runs = first.report?.runs ?? []
    const polite = runs.find((r) => r.variant === 'polite')
    const curt = runs.find((r) => r.variant === 'curt')
    expect(polite?.file).toBe('variants.eval.ts')
    expect(polite?.key).toBe('variants.eval.ts [polite]')
    expect(curt?.params).toMatchObject({ suite: 'conversations', variant: 'curt', style: 'curt' })
    expect(polite?.aggregates.role_adherence?.mean).toBe(1)
    expect(curt?.aggregates.role_adherence?.mean).toBe(0.25)
    expect(curt?.cases[0]?.metrics?.role_adherence?.justification).toBe('The role breaks in turns 1, 2.')
    expect(first.report?.variants?.find((m) => m.file === 'variants.eval.ts')?.metrics.map((m) => m.metric)).toContain(
      'role_adherence',
    )
  })

  test('the budget counts simulator calls: past maxCalls the next user turn is refused (VJ_BUDGET), said in the record', async () => {
    const budget = await runFixture('conversations', {
      env: {
        OPENAI_API_KEY: FAKE_API_KEY,
        OPENAI_BASE_URL: tenant.openaiBaseURL,
        VITEST_JUDGE: 'openai:fake-judge',
        BUDGET_MAX_CALLS: '2',
      },
    })
    const t = testNamed(budget, 'budget > long-talk')
    expect(t.state).toBe('failed')
    expect(t.errors.join('\n')).toContain("the invocation's budget (maxCalls 2) is spent")
    const c = caseNamed(budget, 'budget > long-talk')
    expect(c.turns?.filter((x) => x.role === 'user')).toHaveLength(2)
    expect(c.conversation).toMatchObject({ ended: 'error', error: { turn: 3 } })
    expect(c.scores).toEqual({})
  })

  test('a traced conversation: the spans its chat calls made are the case trace, each in its turn', () => {
    const c = caseNamed(first, 'support > order-status')
    expect(c.trace?.spans.map((s) => s.name)).toEqual(['lookup_order', 'lookup_order'])
    const rows = transcriptRows(c)
    expect(rows.map((r) => r.spans.length)).toEqual([0, 1, 0, 1])
    expect(rows[3]?.spans[0]?.id).toBe(c.trace?.spans[1]?.id)
  })
})
