/**
 * Hand-made case traces in the report's shape (`src/report/trace-types.ts`), as the worker records
 * them from the AI SDK's OpenTelemetry spans: an agent with two model calls and two tools.
 */
import type { CaseTrace, TraceSpan } from '../src/report/trace-types.js'

/** Text a span attribute may hold that must stay text wherever it is shown. */
export const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>&amp; ]]> \u001b[31m`

/**
 * An agent trace starting at `t0` (epoch ms): `agent` > llm, tool `search`, llm, tool `lookup`.
 * With `failLookup` the lookup tool fails.
 */
export function agentTrace(
  t0 = 1_765_000_000_000,
  options: { failLookup?: boolean; hostile?: boolean } = {},
): CaseTrace {
  const spans: TraceSpan[] = [
    {
      id: 'a1b2c3d4e5f60001',
      name: 'ai.generateText',
      kind: 'agent',
      start: t0,
      end: t0 + 900,
      status: options.failLookup ? 'error' : 'ok',
      ...(options.failLookup ? { error: 'lookup failed' } : {}),
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.request.model': 'gpt-4.1-mini',
        'gen_ai.usage.input_tokens': 300,
        'gen_ai.usage.output_tokens': 60,
      },
      source: 'otel',
    },
    {
      id: 'a1b2c3d4e5f60002',
      parentId: 'a1b2c3d4e5f60001',
      name: 'ai.generateText.doGenerate',
      kind: 'llm',
      start: t0 + 10,
      end: t0 + 310,
      status: 'ok',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4.1-mini',
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 20,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: 'Where is the Eiffel tower?' }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', tool_calls: [{ name: 'search' }] }]),
      },
      source: 'otel',
    },
    {
      id: 'a1b2c3d4e5f60003',
      parentId: 'a1b2c3d4e5f60001',
      name: 'ai.toolCall search',
      kind: 'tool',
      start: t0 + 320,
      end: t0 + 420,
      status: 'ok',
      attributes: {
        'gen_ai.tool.name': 'search',
        'gen_ai.tool.call.arguments': JSON.stringify({ query: 'Eiffel tower' }),
        'gen_ai.tool.call.result': options.hostile ? HOSTILE : JSON.stringify({ hits: ['Paris'] }),
      },
      source: 'otel',
    },
    {
      id: 'a1b2c3d4e5f60004',
      parentId: 'a1b2c3d4e5f60001',
      name: 'ai.generateText.doGenerate',
      kind: 'llm',
      start: t0 + 430,
      end: t0 + 700,
      status: 'ok',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4.1-mini',
        'gen_ai.usage.input_tokens': 180,
        'gen_ai.usage.output_tokens': 40,
      },
      source: 'otel',
    },
    {
      id: 'a1b2c3d4e5f60005',
      parentId: 'a1b2c3d4e5f60001',
      name: 'ai.toolCall lookup',
      kind: 'tool',
      start: t0 + 710,
      end: t0 + 890,
      status: options.failLookup ? 'error' : 'ok',
      ...(options.failLookup ? { error: options.hostile ? `lookup failed ${HOSTILE}` : 'lookup failed' } : {}),
      attributes: {
        'gen_ai.tool.name': 'lookup',
        'gen_ai.tool.call.arguments': JSON.stringify({ city: 'Paris' }),
      },
      source: 'otel',
    },
  ]
  return { spans, dropped: 0 }
}

/** `count` spans: one root and `count - 1` children in a row (for size and speed benches). */
export function wideTrace(count: number, t0 = 1_765_000_000_000): CaseTrace {
  const spans: TraceSpan[] = [
    { id: 'root', name: 'agent', kind: 'agent', start: t0, end: t0 + count * 10, status: 'ok', attributes: {} },
  ]
  for (let i = 1; i < count; i++) {
    const tool = i % 2 === 0
    spans.push({
      id: `s${i}`,
      parentId: 'root',
      name: tool ? `tool ${i}` : 'chat',
      kind: tool ? 'tool' : 'llm',
      start: t0 + i * 10,
      end: t0 + i * 10 + 8,
      status: 'ok',
      attributes: tool
        ? { 'gen_ai.tool.name': `tool${i % 5}`, 'gen_ai.tool.call.arguments': '{"q":"x"}' }
        : {
            'gen_ai.request.model': 'gpt-4.1-mini',
            'gen_ai.usage.input_tokens': 100,
            'gen_ai.usage.output_tokens': 20,
          },
    })
  }
  return { spans, dropped: 0 }
}
