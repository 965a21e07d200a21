import { describe, expect, test } from 'vitest'
import {
  appCost,
  compactTrace,
  matchTrajectory,
  sideBySide,
  summary,
  toolCalls,
  traceLine,
} from '../../src/report/trace.js'
import type { CaseTrace, TraceSpan } from '../../src/report/trace-types.js'

let n = 0
function s(
  kind: TraceSpan['kind'],
  attributes: TraceSpan['attributes'] = {},
  extra: Partial<TraceSpan> = {},
): TraceSpan {
  n++
  return { id: `s${n}`, name: `${kind}${n}`, kind, start: n * 10, end: n * 10 + 5, status: 'ok', attributes, ...extra }
}
const llm = (input: number, output: number, model = 'gpt-4.1-mini', extra: TraceSpan['attributes'] = {}) =>
  s('llm', {
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': model,
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    ...extra,
  })
const tool = (name: string, args?: unknown) =>
  s('tool', { 'gen_ai.tool.name': name, ...(args ? { 'gen_ai.tool.call.arguments': JSON.stringify(args) } : {}) })

const agent: CaseTrace = {
  spans: [
    s('chain', { 'gen_ai.usage.input_tokens': 9999 }),
    llm(100, 20),
    tool('search', { query: 'paris', limit: 3 }),
    llm(200, 30),
    tool('lookup', { id: 7 }),
    llm(300, 40),
  ],
  dropped: 0,
}

describe('what a trace says', () => {
  test('tool calls come from tool spans, in order, with parsed arguments', () => {
    expect(toolCalls(agent)).toEqual([
      { name: 'search', arguments: { query: 'paris', limit: 3 } },
      { name: 'lookup', arguments: { id: 7 } },
    ])
  })

  test('without tool spans, the calls the model asked for are the trajectory', () => {
    const out = JSON.stringify([
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'search', arguments: { q: 1 } }] },
    ])
    const trace = { spans: [llm(1, 1, 'm', { 'gen_ai.output.messages': out })], dropped: 0 }
    expect(toolCalls(trace)).toEqual([{ name: 'search', arguments: { q: 1 } }])
  })

  test('summary counts llm tokens only (an outer span is not counted twice), steps, failures and duration', () => {
    const failed = { spans: [...agent.spans, s('tool', { 'gen_ai.tool.name': 'x' }, { status: 'error' })], dropped: 2 }
    const sum = summary(failed)
    expect(sum.tokens).toEqual({ input: 600, output: 90, total: 690 })
    expect(sum.modelCalls).toBe(3)
    expect(sum.toolCalls).toBe(3)
    expect(sum.steps).toBe(6)
    expect(sum.failedSpans).toBe(1)
    expect(sum.dropped).toBe(2)
    expect(sum.durationMs).toBe(failed.spans.at(-1)!.end - failed.spans[0]!.start)
    expect(summary(undefined).steps).toBe(0)
  })

  test('the JUnit line', () => {
    expect(traceLine(agent)).toBe('trace: search -> lookup (3 model calls, 690 tokens)')
    expect(traceLine(undefined)).toBeUndefined()
  })

  test('app cost uses the price table by provider and model; an unknown model makes it unknown, never 0', () => {
    const cost = appCost(agent)
    expect(cost.usd).toBeCloseTo((600 * 0.4 + 90 * 1.6) / 1e6, 12)
    const unknown = appCost({ spans: [llm(10, 10, 'my-model')], dropped: 0 })
    expect(unknown).toEqual({ usd: null, unpriced: ['openai:my-model'] })
    expect(
      appCost({ spans: [llm(10, 10, 'my-model')], dropped: 0 }, { 'my-model': { input: 1, output: 1 } }).usd,
    ).toBeCloseTo(20 / 1e6)
  })

  test('compact rendering for a judge is bounded and says what it left out', () => {
    const text = compactTrace(agent)
    expect(text).toContain('[tool] tool3 args={"query":"paris","limit":3}')
    const many = { spans: Array.from({ length: 500 }, () => tool('search', { q: 'x'.repeat(50) })), dropped: 4 }
    const short = compactTrace(many, 1000)
    expect(short.length).toBeLessThan(1100)
    expect(short).toMatch(/\(\d+ more spans not shown\)\n\(4 spans dropped at the cap\)$/)
  })
})

describe('trajectory matching', () => {
  const actual = toolCalls(agent)
  test.each([
    ['strict', ['search', 'lookup'], true],
    ['strict', ['lookup', 'search'], false],
    ['strict', ['search'], false],
    ['unordered', ['lookup', 'search'], true],
    ['unordered', ['lookup'], false],
    ['superset', ['lookup'], true],
    ['superset', ['lookup', 'fetch'], false],
    ['subset', ['lookup', 'search', 'fetch'], true],
    ['subset', ['search'], false],
  ] as const)('%s %j -> %s', (mode, expected, pass) => {
    expect(matchTrajectory(actual, [...expected], { mode }).pass).toBe(pass)
  })

  test('arguments are a partial deep match, and args: false ignores them', () => {
    expect(matchTrajectory(actual, [{ name: 'search', arguments: { query: 'paris' } }, 'lookup']).pass).toBe(true)
    expect(matchTrajectory(actual, [{ name: 'search', arguments: { query: 'rome' } }, 'lookup']).pass).toBe(false)
    expect(
      matchTrajectory(actual, [{ name: 'search', arguments: { query: 'rome' } }, 'lookup'], { args: false }).pass,
    ).toBe(true)
    // A JSON string of arguments is parsed.
    expect(matchTrajectory(actual, [{ name: 'lookup', arguments: '{"id":7}' }], { mode: 'superset' }).pass).toBe(true)
  })

  test('unordered pairs each expected call with a distinct actual call', () => {
    const twice = [{ name: 'a' }, { name: 'a' }]
    expect(matchTrajectory([{ name: 'a' }, { name: 'b' }], twice, { mode: 'unordered' }).pass).toBe(false)
    expect(matchTrajectory(twice, twice, { mode: 'unordered' }).pass).toBe(true)
  })

  test('side by side shows both sequences row by row', () => {
    const text = sideBySide([{ name: 'search' }, { name: 'lookup' }], [{ name: 'lookup', arguments: { id: 1 } }])
    expect(text.split('\n')).toEqual(['  expected | actual', '  search   | lookup {"id":1}', '  lookup   | -'])
  })
})

describe('trace metrics', async () => {
  const { metrics } = await import('../../src/metrics/index.js')
  const { directContext, scriptedJudge } = await import('./metric-context.js')

  test('taskCompletion shows the judge the input, a bounded rendering of the trace, and the output', async () => {
    const judge = scriptedJudge([4])
    const value = await metrics
      .taskCompletion({ maxTraceChars: 300 })
      .score({ input: 'find record 7', output: 'record 7 is X', trace: agent }, directContext(judge))
    expect(value).toMatchObject({ score: 0.75, raw: 4 })
    const prompt = judge.requests[0]?.prompt.user ?? ''
    expect(prompt).toMatch(/<trace-[0-9a-f]{8}>\n\[chain\][\s\S]*\[tool\] tool3 args=\{"query":"paris","limit":3\}/)
    expect(prompt.indexOf('<input-')).toBeLessThan(prompt.indexOf('<trace-'))
    expect(prompt.indexOf('<trace-')).toBeLessThan(prompt.indexOf('<output-'))
  })

  test('trajectoryMatch needs the case expectedTrajectory and says both sequences', async () => {
    const judge = scriptedJudge([3])
    const metric = metrics.trajectoryMatch({ mode: 'unordered' })
    const value = await metric.score(
      { output: '', trace: agent, expectedTrajectory: ['lookup', 'search'] },
      directContext(judge),
    )
    expect(value.score).toBe(1)
    expect(value.justification).toBe('Matches (unordered): expected lookup -> search; actual search -> lookup.')
    // A CSV cell: JSON text or names joined by ->.
    const csv = await metric.score(
      { output: '', trace: agent, extra: { expectedTrajectory: 'lookup -> search' } },
      directContext(judge),
    )
    expect(csv.score).toBe(1)
    await expect(metric.score({ output: '', trace: agent }, directContext(judge))).rejects.toThrow(/expectedTrajectory/)
  })

  test('step count, app tokens; app cost of an unpriced model is an error naming it, never 0', async () => {
    const ctx = directContext(scriptedJudge([3]))
    expect((await metrics.stepCount().score({ output: '', trace: agent }, ctx)).score).toBe(5)
    expect((await metrics.appTokens().score({ output: '', trace: agent }, ctx)).score).toBe(690)
    expect((await metrics.appTokens().score({ output: '' }, ctx)).score).toBe(0)
    const unpriced = { spans: [llm(10, 10, 'house-model')], dropped: 0 }
    await expect(metrics.appCostUsd().score({ output: '', trace: unpriced }, ctx)).rejects.toThrow(
      /openai:house-model.*pricing/,
    )
    const priced = await metrics
      .appCostUsd({ pricing: { 'house-model': { input: 1, output: 2 } } })
      .score({ output: '', trace: unpriced }, ctx)
    expect(priced.score).toBeCloseTo(30 / 1e6)
  })
})

describe('trace matcher messages', async () => {
  const { traceMatchers } = await import('../../src/runtime/trace-matchers.js')
  test('hostile tool names and errors stay text, and secrets never show', () => {
    process.env.OPENAI_API_KEY = 'sk-unit-secret-abcdefghijklmnop'
    try {
      const hostile: CaseTrace = {
        spans: [
          tool('::error::\u001b[31mrm -rf\u001b[0m\u202e\n::error::name', { key: 'sk-unit-secret-abcdefghijklmnop' }),
          s('tool', { 'gen_ai.tool.name': 'x' }, { status: 'error', error: 'boom\n::error::injected' }),
        ],
        dropped: 0,
      }
      const state = { isNot: false }
      const trajectory = traceMatchers.toMatchTrajectory.call(state, hostile, ['search']).message()
      const called = traceMatchers.toHaveCalledTool.call(state, hostile, 'search').message()
      const failed = traceMatchers.toHaveNoFailedSpans.call(state, hostile).message()
      for (const text of [trajectory, called, failed]) {
        expect(text.includes('\u001b') || text.includes('\u202e')).toBe(false)
        expect(text).not.toContain('sk-unit-secret-abcdefghijklmnop')
      }
      expect(trajectory).toContain('rm -rf')
      // An error's newlines are folded: no line of the message starts with a workflow command.
      for (const text of [trajectory, called, failed])
        expect(text.split('\n').some((l) => l.startsWith('::'))).toBe(false)
      expect(() => traceMatchers.toHaveCalledTool.call(state, 'not a trace', 'x')).toThrow(/getTrace\(context\)/)
    } finally {
      delete process.env.OPENAI_API_KEY
    }
  })
})
