/** The span view's layout (waterfall rows, badges, span detail text) and Compare's trajectory alignment. */
import { describe, expect, test } from 'vitest'
import {
  alignTrajectories,
  formatDuration,
  MIN_BAR,
  spanBadges,
  spanDetail,
  trajectoryTrace,
  waterfall,
} from '../../src/report/trace-layout.js'
import type { CaseTrace, TraceSpan } from '../../src/report/trace-types.js'
import { agentTrace, HOSTILE } from '../trace-sample.js'

const span = (id: string, start: number, end: number, extra: Partial<TraceSpan> = {}): TraceSpan => ({
  id,
  name: id,
  kind: 'other',
  start,
  end,
  status: 'ok',
  attributes: {},
  ...extra,
})

describe('waterfall', () => {
  test('depth-first reading order, children by start, bars on the case time axis', () => {
    const t0 = 1000
    const trace = agentTrace(t0)
    // Recorded out of order: the layout does not depend on it.
    trace.spans.reverse()
    const w = waterfall(trace)
    expect(w.totalMs).toBe(900)
    expect(w.rows.map((r) => [r.span.name, r.depth])).toEqual([
      ['ai.generateText', 0],
      ['ai.generateText.doGenerate', 1],
      ['ai.toolCall search', 1],
      ['ai.generateText.doGenerate', 1],
      ['ai.toolCall lookup', 1],
    ])
    const search = w.rows[2]
    expect(search?.offset).toBeCloseTo(320 / 900)
    expect(search?.width).toBeCloseTo(100 / 900)
    expect(search?.durationMs).toBe(100)
    expect(w.rows[0]).toMatchObject({ offset: 0, width: 1, hasChildren: true })
  })

  test('an instant span still has a visible bar that stays on the axis; a span ending before it starts lasts 0', () => {
    const w = waterfall({ spans: [span('a', 0, 100), span('b', 100, 100), span('c', 50, 40)], dropped: 0 })
    const b = w.rows.find((r) => r.span.id === 'b')
    expect(b?.width).toBe(MIN_BAR)
    expect((b?.offset ?? 0) + (b?.width ?? 0)).toBeLessThanOrEqual(1)
    expect(w.rows.find((r) => r.span.id === 'c')?.durationMs).toBe(0)
  })

  test('missing parents and parent cycles never hide a span; deep chains do not overflow', () => {
    const cyclic: CaseTrace = {
      spans: [
        span('x', 0, 1, { parentId: 'y' }),
        span('y', 0, 1, { parentId: 'x' }),
        span('z', 0, 1, { parentId: 'gone' }),
      ],
      dropped: 0,
    }
    expect(
      waterfall(cyclic)
        .rows.map((r) => r.span.id)
        .sort(),
    ).toEqual(['x', 'y', 'z'])
    const chain: TraceSpan[] = []
    for (let i = 0; i < 50_000; i++) chain.push(span(`s${i}`, i, i + 1, i > 0 ? { parentId: `s${i - 1}` } : {}))
    const w = waterfall({ spans: chain, dropped: 0 }, 100)
    expect(w.rows).toHaveLength(100)
    expect(w.hidden).toBe(49_900)
    expect(w.rows[99]?.depth).toBe(24)
  })

  test('no trace, no rows', () => {
    expect(waterfall(undefined)).toEqual({ rows: [], startMs: 0, totalMs: 0, hidden: 0 })
  })
})

describe('badges and detail', () => {
  test('kind, tool, model, tokens, error and cached at a glance', () => {
    const [agent, llm, search] = agentTrace().spans
    expect(spanBadges(llm as TraceSpan)).toEqual([
      { type: 'kind', text: 'llm' },
      { type: 'model', text: 'gpt-4.1-mini' },
      { type: 'tokens', text: '120 → 20 tok' },
    ])
    expect(spanBadges(search as TraceSpan).map((b) => b.text)).toEqual(['tool', 'search'])
    const failed = agentTrace(0, { failLookup: true }).spans[4] as TraceSpan
    expect(spanBadges({ ...failed, cached: true }).map((b) => b.type)).toEqual(['kind', 'tool', 'error', 'cached'])
    expect(spanBadges(agent as TraceSpan).map((b) => b.type)).toEqual(['kind', 'model', 'tokens'])
  })

  test('the detail holds facts, error, messages pretty printed and every other attribute, as text', () => {
    const trace = agentTrace(0, { failLookup: true, hostile: true })
    const llm = trace.spans[1] as TraceSpan
    const blocks = spanDetail(llm, 0)
    expect(blocks[0]).toEqual({
      label: 'ai.generateText.doGenerate',
      text: 'kind: llm\nstatus: ok\nstart: +10 ms\nduration: 300 ms\nsource: otel',
    })
    expect(blocks.find((b) => b.label === 'gen_ai.input.messages')?.text).toContain('\n  {\n    "role": "user"')
    expect(blocks.at(-1)?.text).toContain('gen_ai.request.model: gpt-4.1-mini')
    const lookup = spanDetail(trace.spans[4] as TraceSpan)
    expect(lookup.find((b) => b.label === 'error')?.text).toBe(`lookup failed ${HOSTILE}`)
    const long = spanDetail(span('big', 0, 1, { attributes: { 'gen_ai.completion': 'x'.repeat(50) } }), 0, 10)
    expect(long.find((b) => b.label === 'gen_ai.completion')?.text).toBe('xxxxxxxxxx\n… (40 more characters)')
  })

  test('durations', () => {
    expect([0.25, 12.4, 1234, 12_345].map(formatDuration)).toEqual(['0.3 ms', '12 ms', '1.23 s', '12.3 s'])
  })
})

describe('alignTrajectories', () => {
  const steps = (...names: string[]) => names.map((name) => ({ name }))
  const ops = (rows: ReturnType<typeof alignTrajectories>) =>
    rows.map((r) => `${r.op[0]}:${r.base?.name ?? '-'}/${r.head?.name ?? '-'}`)

  test('the same calls line up; an added and a dropped call read as such', () => {
    expect(ops(alignTrajectories(steps('search', 'lookup'), steps('search', 'lookup')))).toEqual([
      's:search/search',
      's:lookup/lookup',
    ])
    expect(ops(alignTrajectories(steps('search', 'lookup', 'answer'), steps('search', 'fetch', 'answer')))).toEqual([
      's:search/search',
      'a:-/fetch',
      'r:lookup/-',
      's:answer/answer',
    ])
    expect(ops(alignTrajectories([], steps('search')))).toEqual(['a:-/search'])
    expect(ops(alignTrajectories(steps('search'), []))).toEqual(['r:search/-'])
  })

  test('long trajectories are laid out position by position', () => {
    const base = steps(...Array.from({ length: 500 }, (_, i) => `t${i}`))
    const head = steps(...Array.from({ length: 500 }, (_, i) => (i === 3 ? 'other' : `t${i}`)))
    const rows = alignTrajectories(base, head)
    expect(rows).toHaveLength(501)
    expect(ops(rows).slice(3, 5)).toEqual(['r:t3/-', 'a:-/other'])
  })
})

describe('trajectoryTrace', () => {
  test('keeps the tool spans with their name and arguments only', () => {
    const slim = trajectoryTrace(agentTrace())
    expect(slim?.spans.map((s) => s.name)).toEqual(['ai.toolCall search', 'ai.toolCall lookup'])
    expect(slim?.spans[0]?.attributes).toEqual({
      'gen_ai.tool.name': 'search',
      'gen_ai.tool.call.arguments': '{"query":"Eiffel tower"}',
    })
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(agentTrace()).length / 2)
  })

  test("without tool spans, the model calls' output messages; without spans, nothing", () => {
    const trace = agentTrace()
    trace.spans = trace.spans.filter((s) => s.kind !== 'tool')
    expect(trajectoryTrace(trace)?.spans.map((s) => Object.keys(s.attributes))).toEqual([
      ['gen_ai.output.messages'],
      [],
    ])
    expect(trajectoryTrace({ spans: [], dropped: 0 })).toBeUndefined()
  })
})
