// Tests get their own async context only once tracing is armed (an AsyncLocalStorage in use slows
// every promise on Node 20 and 22). Before that, a span belongs to the one running test.
import { fileURLToPath } from 'node:url'
import { trace } from '@opentelemetry/api'
import { beforeAll, expect, test } from 'vitest'
import { mentionsAppCache, mentionsTracing } from '../../src/plugin.js'
import { type CaseCollector, runWithCollector } from '../../src/tracing/collector.js'
import { installTracing } from '../../src/tracing/otel.js'

const limits = { maxSpans: 100, maxBytes: 100_000 }
const tick = () => new Promise((r) => setTimeout(r, 1))

async function inCase(body: () => Promise<unknown>): Promise<CaseCollector | undefined> {
  let kept: CaseCollector | undefined
  await runWithCollector({}, limits, body as () => Promise<void>, (c) => {
    kept = c
  })
  return kept
}

beforeAll(() => installTracing())

test('unarmed: no collector for a test without spans; concurrent unarmed tests lose spans; the next tests are traced', async () => {
  expect(await inCase(tick)).toBeUndefined()
  const tracer = () => trace.getTracer('app')
  const both = await Promise.all([
    inCase(async () => {
      await tick()
      tracer().startSpan('first').end()
    }),
    inCase(tick),
  ])
  // Asked for a tracer while two tests ran: armed, but whose span it was cannot be told.
  expect(both.map((c) => c?.snapshot())).toEqual([undefined, undefined])
  const [a, b] = await Promise.all([
    inCase(async () => {
      await tick()
      tracer().startSpan('a').end()
    }),
    inCase(async () => {
      tracer().startSpan('b').end()
    }),
  ])
  expect(a?.snapshot()?.spans.map((s) => s.name)).toEqual(['a'])
  expect(b?.snapshot()?.spans.map((s) => s.name)).toEqual(['b'])
})

test('the plugin marks project modules that mention tracing, never dependencies', () => {
  expect(mentionsTracing('generateText({ experimental_telemetry: { isEnabled: true } })', '/p/agent.ts')).toBe(true)
  expect(mentionsTracing("import { getTrace } from 'vitest-judge'", '/p/a.eval.ts?v=1')).toBe(true)
  expect(mentionsTracing("import { span } from 'vitest-judge'\nspan('x', f)", '/p/a.ts')).toBe(true)
  expect(mentionsTracing("import { describeEval } from 'vitest-judge'", '/p/a.eval.ts')).toBe(false)
  expect(mentionsTracing('span(1)', '/p/a.ts')).toBe(false)
  expect(mentionsTracing('experimental_telemetry', '/p/node_modules/ai/index.mjs')).toBe(false)
  expect(mentionsTracing('experimental_telemetry', '/p/data.json')).toBe(false)
})

test("the plugin's own modules never arm a worker, even through a workspace link (real path outside node_modules)", () => {
  // Vite transforms a linked package's files: its setup file, which names traceClient and getTrace, must not count.
  const own = fileURLToPath(new URL('../../src/setup-file.js', import.meta.url)).replace(/\\/g, '/')
  expect(mentionsTracing('traceClient(client); getTrace(context)', own)).toBe(false)
  expect(mentionsAppCache('appCacheMiddleware()', own)).toBe(false)
  expect(mentionsTracing('traceClient(client)', '/p/agent.ts')).toBe(true)
})
