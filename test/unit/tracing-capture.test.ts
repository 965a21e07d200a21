// Capture in the worker, with the real OpenTelemetry API and SDK: the processor files spans into the
// collector of the async context that started them, caps, redacts and never throws; traceClient on
// the real Anthropic and Gemini SDKs against the fake provider.
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import { trace } from '@opentelemetry/api'
import { beforeAll, describe, expect, inject, test } from 'vitest'
import { summary } from '../../src/report/trace.js'
import { traceClient } from '../../src/tracing/client.js'
import { armTracing, type CaseCollector, outsideCase, runWithCollector } from '../../src/tracing/collector.js'
import { installTracing } from '../../src/tracing/otel.js'
import { span } from '../../src/tracing/span.js'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'

const limits = { maxSpans: 500, maxBytes: 512_000 }
const tick = () => new Promise((r) => setTimeout(r, 1))

async function inCase(body: () => Promise<unknown>, caps = limits): Promise<CaseCollector> {
  let kept: CaseCollector | undefined
  await runWithCollector({}, caps, body as () => Promise<void>, (c) => {
    kept = c
  })
  return kept as CaseCollector
}

beforeAll(() => {
  installTracing()
  // What the plugin's transform does for a project that mentions tracing.
  armTracing()
})

describe('capture', () => {
  test('concurrent cases each get only the spans their own async context started', async () => {
    const tracer = trace.getTracer('app')
    const work = (label: string) => async () => {
      for (let i = 0; i < 5; i++) {
        await tracer.startActiveSpan(`${label}-${i}`, async (s) => {
          await tick()
          await span(`${label}-child-${i}`, tick)
          s.end()
        })
      }
    }
    const [a, b] = await Promise.all([inCase(work('a')), inCase(work('b'))])
    const names = (c: CaseCollector) => c.snapshot()?.spans.map((s) => s.name) ?? []
    expect(names(a)).toHaveLength(10)
    expect(names(a).every((n) => n.startsWith('a-'))).toBe(true)
    expect(names(b).every((n) => n.startsWith('b-'))).toBe(true)
    // Children keep their parent; the spans are in start order.
    const spans = a.snapshot()?.spans ?? []
    expect(spans[1]?.parentId).toBe(spans[0]?.id)
    expect(spans.map((s) => s.start)).toEqual([...spans.map((s) => s.start)].sort((x, y) => x - y))
  })

  test('a case with no span has no trace; spans outside a case or in outsideCase are not kept', async () => {
    span('outside', () => 1)
    const c = await inCase(async () => {
      outsideCase(() => span('judge call', () => 1))
    })
    expect(c.snapshot()).toBeUndefined()
  })

  test('100,000 spans meet the span cap: the rest are counted as dropped', async () => {
    const tracer = trace.getTracer('app')
    const before = process.memoryUsage().heapUsed
    const c = await inCase(async () => {
      for (let i = 0; i < 100_000; i++)
        tracer.startSpan('s', { attributes: { 'gen_ai.tool.name': 'x', big: 'y'.repeat(200) } }).end()
    })
    const t = c.snapshot()
    expect(t?.spans.length).toBe(500)
    expect(t?.dropped).toBe(99_500)
    expect(summary(t).dropped).toBe(99_500)
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024)
  })

  test('the byte cap drops spans too, and long attributes are cut', async () => {
    const c = await inCase(
      async () => {
        for (let i = 0; i < 50; i++) span(`s${i}`, () => 1, { text: 'z'.repeat(20_000) })
      },
      { maxSpans: 500, maxBytes: 40_000 },
    )
    const t = c.snapshot()
    expect(t?.spans.length).toBeGreaterThan(0)
    expect(t?.spans.length).toBeLessThan(10)
    expect((t?.spans.length ?? 0) + (t?.dropped ?? 0)).toBe(50)
    expect(String(t?.spans[0]?.attributes.text)).toMatch(/… \[12000 more characters\]$/)
  })

  test('secrets never reach a span: credential headers and key-shaped values are redacted', async () => {
    process.env.OPENAI_API_KEY = 'sk-test-secret-value-1234567890'
    try {
      const c = await inCase(async () => {
        trace
          .getTracer('ai')
          .startSpan('ai.generateText', {
            attributes: {
              'ai.request.headers.authorization': 'Bearer abc.def',
              'ai.request.headers.x-api-key': 'whatever',
              'ai.prompt': 'my key is sk-test-secret-value-1234567890',
            },
          })
          .end()
      })
      const text = JSON.stringify(c.snapshot())
      expect(text).not.toContain('abc.def')
      expect(text).not.toContain('whatever')
      expect(text).not.toContain('sk-test-secret-value-1234567890')
      expect(text).toContain('[redacted]')
    } finally {
      delete process.env.OPENAI_API_KEY
    }
  })

  test('an attribute that cannot be serialised is stringified; a failing span() fn fails the span, not the recorder', async () => {
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    const c = await inCase(async () => {
      span('odd', () => 1, { circular, big: 10n })
      await expect(span('boom', async () => Promise.reject(new Error('nope')), { kind: 'tool' })).rejects.toThrow(
        'nope',
      )
    })
    const spans = c.snapshot()?.spans ?? []
    expect(spans[0]?.attributes.circular).toBe('[object Object]')
    expect(spans[0]?.attributes.big).toBe('10')
    expect(spans[1]).toMatchObject({ status: 'error', error: 'nope', kind: 'tool' })
    expect(spans[1]?.attributes['gen_ai.tool.name']).toBe('boom')
  })

  test('a span still open when the case ends is kept, marked unfinished', async () => {
    const { closeOpenSpans } = await import('../../src/tracing/otel.js')
    let collector: CaseCollector | undefined
    await runWithCollector(
      {},
      limits,
      async () => {
        trace.getTracer('app').startSpan('never ended')
      },
      (c) => {
        closeOpenSpans(c)
        collector = c
      },
    )
    expect(collector?.snapshot()?.spans[0]).toMatchObject({ name: 'never ended', status: 'unset' })
    expect(collector?.snapshot()?.spans[0]?.attributes['vitest_judge.unfinished']).toBe(true)
  })
})

describe('traceClient on the real Anthropic and Gemini SDKs', () => {
  test('each model call is an llm span with model, messages, usage; the same client is returned', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const anthropic = new Anthropic({ baseURL: tenant.anthropicBaseURL, apiKey: FAKE_API_KEY })
    const gemini = new GoogleGenAI({ apiKey: FAKE_API_KEY, httpOptions: { baseUrl: tenant.geminiBaseUrl } })
    expect(traceClient(anthropic)).toBe(anthropic)
    expect(traceClient(gemini)).toBe(gemini)
    const c = await inCase(async () => {
      await anthropic.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hello there' }],
      })
      await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello gemini' })
    })
    // The Anthropic SDK's own OpenTelemetry span sits inside ours: one model call is counted, not two.
    const spans = c.snapshot()?.spans ?? []
    expect(summary(c.snapshot()).modelCalls).toBe(2)
    const [a, g] = spans.filter((s) => s.source === 'client')
    expect(a).toMatchObject({ kind: 'llm', source: 'client', name: 'chat claude-haiku-4-5', status: 'unset' })
    expect(a?.attributes['gen_ai.provider.name']).toBe('anthropic')
    expect(a?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0)
    expect(String(a?.attributes['gen_ai.input.messages'])).toContain('hello there')
    expect(g).toMatchObject({ kind: 'llm', name: 'generate_content gemini-2.5-flash' })
    expect(g?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0)
    expect(String(g?.attributes['gen_ai.output.messages'])).toContain('"type":"text"')
    await tenant.reset()
  })
})

describe('the model-call hook (for the app cache)', () => {
  test('an interceptor answers without a request; the span is marked cached', async () => {
    const { default: OpenAI } = await import('openai')
    const { setModelCallInterceptor, markActiveSpanCached } = await import('../../src/tracing/client.js')
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const client = traceClient(new OpenAI({ baseURL: tenant.openaiBaseURL, apiKey: FAKE_API_KEY }))
    const canned = {
      id: 'rec-1',
      model: 'gpt-4.1-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'from the cache' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    }
    setModelCallInterceptor(async (request) => {
      request.cached = true
      return canned
    })
    try {
      const c = await inCase(async () => {
        const reply = await client.chat.completions.create({
          model: 'gpt-4.1-mini',
          messages: [{ role: 'user', content: 'hi' }],
        })
        expect(reply.choices[0]?.message.content).toBe('from the cache')
        span('tool from a cache', () => markActiveSpanCached(), { kind: 'tool' })
      })
      const spans = c.snapshot()?.spans ?? []
      expect(spans.map((s) => [s.name, s.cached])).toEqual([
        ['chat gpt-4.1-mini', true],
        ['tool from a cache', true],
      ])
      expect(spans[0]?.attributes['gen_ai.usage.output_tokens']).toBe(4)
      expect((await tenant.stats()).requests).toBe(0)
    } finally {
      setModelCallInterceptor(undefined)
      await tenant.reset()
    }
  })
})

describe('traceClient on a streamed OpenAI chat completion', () => {
  test('the span ends when the stream is read, with its text and usage', async () => {
    const { default: OpenAI } = await import('openai')
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const client = traceClient(new OpenAI({ baseURL: tenant.openaiBaseURL, apiKey: FAKE_API_KEY }))
    let text = ''
    const c = await inCase(async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'stream me something' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    })
    const [spanOf] = c.snapshot()?.spans ?? []
    expect(text.length).toBeGreaterThan(0)
    expect(spanOf?.attributes['gen_ai.request.stream']).toBe(true)
    expect(spanOf?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0)
    const out = JSON.parse(String(spanOf?.attributes['gen_ai.output.messages']))
    expect(out[0].parts[0]).toEqual({ type: 'text', content: text })
    await tenant.reset()
  })
})
