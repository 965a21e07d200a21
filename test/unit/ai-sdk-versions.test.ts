// ai 7 (@ai-sdk/otel) and ai 6 side by side: the span shapes each emits read as the same trace, and the
// app cache middleware declares the specification each expects. The ai 7 attributes below are the ones
// @ai-sdk/otel 1.0.185 recorded in `npm run test:compat` (fixtures/compat-ai), cut to what matters.
import type { LanguageModelMiddleware } from 'ai'
import { describe, expect, test } from 'vitest'
import { appCacheMiddleware } from '../../src/replay/ai-sdk.js'
import { summary, toolCalls } from '../../src/report/trace.js'
import type { CaseTrace, TraceSpan } from '../../src/report/trace-types.js'
import { deriveKind, normalizeAttributes } from '../../src/tracing/normalize.js'

function spanOf(id: string, parentId: string | undefined, name: string, raw: Record<string, unknown>): TraceSpan {
  const attributes = normalizeAttributes(raw)
  return {
    id,
    ...(parentId ? { parentId } : {}),
    name,
    kind: deriveKind(name, attributes),
    start: 0,
    end: 1,
    status: 'ok',
    attributes,
  }
}

const chat = (tokens: number) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4.1-mini',
  'gen_ai.usage.input_tokens': tokens,
  'gen_ai.usage.output_tokens': 10,
})
const tool = (name: string, args: unknown) => ({
  'gen_ai.operation.name': 'execute_tool',
  'gen_ai.tool.name': name,
  'gen_ai.tool.call.arguments': JSON.stringify(args),
})

describe('ai 7 spans (@ai-sdk/otel)', () => {
  const ai7: CaseTrace = {
    dropped: 0,
    spans: [
      spanOf('a', undefined, 'invoke_agent gpt-4.1-mini', {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.usage.input_tokens': 203,
        'gen_ai.usage.output_tokens': 30,
      }),
      spanOf('s1', 'a', 'step 1', { 'gen_ai.operation.name': 'agent_step' }),
      spanOf('c1', 's1', 'chat gpt-4.1-mini', chat(60)),
      spanOf('t1', 'c1', 'execute_tool search', tool('search', { query: 'x' })),
      spanOf('s2', 'a', 'step 2', { 'gen_ai.operation.name': 'agent_step' }),
      spanOf('c2', 's2', 'chat gpt-4.1-mini', chat(70)),
      spanOf('t2', 'c2', 'execute_tool lookup', tool('lookup', { id: '7' })),
      spanOf('s3', 'a', 'step 3', { 'gen_ai.operation.name': 'agent_step' }),
      spanOf('c3', 's3', 'chat gpt-4.1-mini', chat(73)),
    ],
  }

  test('kinds: agent, steps as chains, model calls, tools', () => {
    expect(ai7.spans.map((s) => s.kind)).toEqual([
      'agent',
      'chain',
      'llm',
      'tool',
      'chain',
      'llm',
      'tool',
      'chain',
      'llm',
    ])
  })

  test('the trajectory and the counts: the agent span total is not counted again', () => {
    expect(toolCalls(ai7)).toEqual([
      { name: 'search', arguments: { query: 'x' } },
      { name: 'lookup', arguments: { id: '7' } },
    ])
    const s = summary(ai7)
    expect(s.modelCalls).toBe(3)
    expect(s.tokens.input).toBe(203)
    expect(s.steps).toBe(5)
  })

  test('ai 6 names of the same tool call read the same', () => {
    const ai6 = spanOf('x', undefined, 'ai.toolCall', {
      'ai.operationId': 'ai.toolCall',
      'ai.toolCall.name': 'search',
      'ai.toolCall.args': '{"query":"x"}',
    })
    expect(ai6.kind).toBe('tool')
    expect(toolCalls({ dropped: 0, spans: [ai6] })).toEqual([{ name: 'search', arguments: { query: 'x' } }])
  })
})

describe('appCacheMiddleware specification version', () => {
  test('v3 by default here (ai 6 installed), v4 when asked (ai 7)', () => {
    expect(appCacheMiddleware().specificationVersion).toBe('v3')
    expect(appCacheMiddleware({ specificationVersion: 'v4' }).specificationVersion).toBe('v4')
  })

  test("types: assignable to ai 6's LanguageModelMiddleware where it is passed", () => {
    const middleware: LanguageModelMiddleware = appCacheMiddleware()
    expect(middleware.specificationVersion).toBe('v3')
  })
})
