// Traces of the system under test, end to end: a real AI SDK agent (ai 6 + @ai-sdk/openai) and the
// real `openai` SDK wrapped by traceClient, against the fake provider's scripted tool-call plans, in
// fixtures/traces run by real Vitest.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { toolCalls } from '../../src/report/trace.js'
import type { ReportCase } from '../../src/report/types.js'
import { type AgentPlan, FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture, testNamed } from './run-fixture.js'

const call = (name: string, args: Record<string, unknown>) => ({ name, arguments: args })

function plans(): AgentPlan[] {
  const list: AgentPlan[] = [
    { when: '[[plan:A]]', turns: [[call('search', { query: 'x' })], [call('lookup', { id: '7' })]], final: 'done A' },
    { when: '[[plan:B]]', turns: [[call('lookup', { id: '1' })], [call('search', { query: 'y' })]], final: 'done B' },
  ]
  for (let i = 1; i <= 6; i++) {
    const search = call('search', { query: `q${i}` })
    const lookup = call('lookup', { id: String(i) })
    list.push({
      when: `[[case:${i}]]`,
      turns: i % 2 === 1 ? [[search], [lookup]] : [[lookup], [search]],
      final: `answer ${i}`,
    })
  }
  return list
}

describe('traces through the AI SDK, traceClient and span()', () => {
  let tenant: FakeTenant
  let run: FixtureRun
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    await tenant.agent(plans())
    run = await runFixture('traces', { env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL } })
  })
  afterAll(() => tenant?.reset())

  test('each test passes or fails as its name says', () => {
    const plain = run.tests.filter((t) => t.file === 'trajectory.eval.ts')
    expect(plain.length).toBe(7)
    for (const t of plain) {
      const wanted = t.name.startsWith('pass:') ? 'passed' : 'failed'
      expect({ name: t.name, state: t.state, errors: t.errors }).toMatchObject({ name: t.name, state: wanted })
    }
  })

  test('a wrong order fails with the expected and actual sequences side by side', () => {
    const message = testNamed(run, 'wrong order').errors.join('\n')
    expect(message).toContain('toMatchTrajectory (strict)')
    expect(message).toMatch(/expected\s+\| actual/)
    expect(message).toMatch(/search\s+\| lookup/)
    expect(message).toMatch(/lookup\s+\| search/)
  })

  test('limits and failed spans say what went over and which span failed', () => {
    expect(testNamed(run, 'limit is exceeded').errors.join('\n')).toMatch(/over the limit on steps[\s\S]*steps\s+5 > 2/)
    expect(testNamed(run, 'a failed span').errors.join('\n')).toContain('[tool] flaky tool: tool broke')
  })

  test('report.json holds each case its trace, normalised to the GenAI names', () => {
    const cases = run.report?.runs.find((r) => r.file === 'trajectory.eval.ts')?.cases ?? []
    const strict = cases.find((c) => c.name.includes('strict trajectory with arguments')) as ReportCase
    const spans = strict.trace?.spans ?? []
    expect(spans.map((s) => s.kind)).toEqual(['chain', 'llm', 'tool', 'llm', 'tool', 'llm'])
    const tool = spans.find((s) => s.kind === 'tool')
    expect(tool?.attributes['gen_ai.tool.name']).toBe('search')
    expect(JSON.parse(String(tool?.attributes['gen_ai.tool.call.arguments']))).toEqual({ query: 'x' })
    const llm = spans.find((s) => s.kind === 'llm')
    expect(llm?.attributes['gen_ai.request.model']).toBe('gpt-4.1-mini')
    expect(llm?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0)
    expect(spans.filter((s) => s.parentId === spans[0]?.id).length).toBe(5)
    // The app's tokens are the case's tokens, read from its model calls.
    expect(strict.tokens?.input).toBeGreaterThan(0)
    const client = cases.find((c) => c.name.includes('traceClient')) as ReportCase
    expect(toolCalls(client.trace).map((c) => c.name)).toEqual(['search', 'lookup'])
    expect(client.trace?.spans[0]?.name).toBe('chat gpt-4.1-mini')
  })

  test('concurrent describeEval cases each get only their own spans, and the trace metrics score them', () => {
    const suite = run.report?.runs.find((r) => r.file === 'suite.eval.ts')
    expect(suite?.cases.length).toBe(6)
    for (const c of suite?.cases ?? []) {
      const i = Number(c.id?.replace('case-', ''))
      expect(c.pass, `${c.name}: ${c.error ?? ''}`).toBe(true)
      const calls = toolCalls(c.trace)
      expect(calls.map((s) => s.arguments)).toEqual(
        i % 2 === 1 ? [{ query: `q${i}` }, { id: String(i) }] : [{ id: String(i) }, { query: `q${i}` }],
      )
      expect(c.trace?.spans.length).toBe(6)
      expect(c.scores.trajectory_match).toBe(1)
      expect(c.scores.tool_call_accuracy).toBe(1)
      expect(c.scores.step_count).toBe(5)
      expect(c.scores.app_tokens).toBeGreaterThan(0)
      expect(c.scores.app_cost_usd).toBeGreaterThan(0)
    }
  })

  test('app tokens, model calls and cost per run and invocation, beside the judge figures', () => {
    const suite = run.report?.runs.find((r) => r.file === 'suite.eval.ts')
    expect(suite?.app?.modelCalls).toBe(18)
    expect(suite?.app?.costUsd).toBeGreaterThan(0)
    const tokens = (suite?.cases ?? []).reduce((n, c) => n + (c.tokens?.input ?? 0), 0)
    expect(suite?.app?.tokens.input).toBe(tokens)
    expect(run.report?.app?.modelCalls).toBeGreaterThan(18)
    expect(run.stdout).toMatch(/app tokens \d+ in \/ \d+ out · \d+ model calls · app cost \$0\.\d+/)
    const md = readFileSync(join(run.dir, 'summary.md'), 'utf8')
    expect(md).toMatch(/app tokens \d+ in \/ \d+ out/)
  })

  test('JUnit system-out carries one trace line per traced case', () => {
    const xml = readFileSync(join(run.dir, 'junit.xml'), 'utf8')
    expect(xml).toMatch(/trace: search -&gt; lookup \(3 model calls, \d+ tokens\)/)
  })
})

describe('traces with a tracer provider the user registered', () => {
  test('the plugin adds its processor to it; traces.inReport: false keeps them out of report.json', async () => {
    const run = await runFixture('traces-own-provider')
    expect(run.tests.map((t) => [t.name, t.state, t.errors.join('\n')])).toEqual([
      ['spans reach both the user exporter and the case', 'passed', ''],
      ['the span cap of the option holds', 'passed', ''],
    ])
    const cases = run.report?.runs[0]?.cases ?? []
    expect(cases).toHaveLength(2)
    expect(cases.every((c) => c.trace === undefined)).toBe(true)
    expect(readFileSync(join(run.dir, 'report.json'), 'utf8')).not.toContain('"spans"')
  })
})
