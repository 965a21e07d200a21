/** A case's trace as MLflow's trace API and `traces.json` take it (pure parts). */
import { describe, expect, test } from 'vitest'
import { caseTraceContent, mlflowSpanId } from '../../src/export/mlflow/trace-content.js'
import type { ReportCase, ReportInvocation, ReportRun } from '../../src/report/types.js'
import { agentTrace, wideTrace } from '../trace-sample.js'

const invocation: ReportInvocation = {
  id: 'inv-1',
  startedAt: '2026-12-07T10:00:00.000Z',
  git: { commit: null, branch: null },
  params: {},
}
const run: ReportRun = {
  id: 'run-1',
  file: 'a.eval.ts',
  cases: [],
  aggregates: {},
  judgeErrors: 0,
  cache: { hits: 0, misses: 0 },
  tokens: { input: 0, output: 0 },
}
const base: ReportCase = { name: 'case 1', pass: true, scores: {}, judgeErrors: 0, input: 'hi', output: 'yo' }

describe('caseTraceContent', () => {
  test('a case without spans has no MLflow trace', () => {
    expect(caseTraceContent(invocation, run, base, 'r')).toBeUndefined()
    expect(caseTraceContent(invocation, run, { ...base, trace: { spans: [], dropped: 2 } }, 'r')).toBeUndefined()
  })

  test('ids become MLflow hex ids; a parent outside the trace hangs the span on the case root', () => {
    const trace = agentTrace()
    trace.spans.push({
      id: 'manual:7',
      parentId: 'gone',
      name: 'by hand',
      kind: 'other',
      start: 1,
      end: 2,
      status: 'unset',
      attributes: {},
    })
    const content = caseTraceContent(invocation, run, { ...base, trace }, 'child-run')
    const data = content?.data('tr-0123456789abcdef0123456789abcdef')
    const spans = data?.spans ?? []
    expect(spans[0]?.parent_id).toBeNull()
    expect(spans[0]?.context.trace_id).toBe('0x0123456789abcdef0123456789abcdef')
    expect(spans[1]?.context.span_id).toBe('0xa1b2c3d4e5f60001')
    const manual = spans.find((s) => s.name === 'by hand')
    expect(manual?.context.span_id).toBe(mlflowSpanId('manual:7'))
    expect(manual?.context.span_id).toMatch(/^0x[0-9a-f]{16}$/)
    expect(manual?.parent_id).toBe(spans[0]?.context.span_id)
    expect(manual?.status_code).toBe('UNSET')
    // Start times in epoch nanoseconds, as MLflow's Span.to_dict writes them.
    expect(spans[1]?.start_time).toBe(1_765_000_000_000 * 1_000_000)
    expect(content?.requestMetadata['mlflow.sourceRun']).toBe('child-run')
  })

  test("a span attribute cannot pose as MLflow's own keys; values are JSON-encoded", () => {
    const trace = agentTrace()
    const tool = trace.spans[2]
    if (tool) {
      tool.attributes['mlflow.spanType'] = '"LLM"'
      tool.attributes['mlflow.traceRequestId'] = 'tr-other'
    }
    const spans = caseTraceContent(invocation, run, { ...base, trace }, 'r')?.data('tr-x').spans ?? []
    const search = spans.find((s) => s.name === 'ai.toolCall search')
    expect(search?.attributes['mlflow.spanType']).toBe('"TOOL"')
    expect(search?.attributes['mlflow.traceRequestId']).toBe('"tr-x"')
    expect(search?.attributes['gen_ai.tool.name']).toBe('"search"')
  })

  test('the spans tag stays within MLflow tag limits for a big trace; a failing case is an ERROR trace', () => {
    const content = caseTraceContent(invocation, run, { ...base, pass: false, trace: wideTrace(2000) }, 'r')
    expect(content?.tags['mlflow.traceSpans']?.length).toBeLessThanOrEqual(8000)
    expect(JSON.parse(content?.tags['mlflow.traceSpans'] ?? '[]').length).toBeGreaterThan(50)
    expect(content?.status).toBe('ERROR')
    expect(content?.data('tr-y').spans).toHaveLength(2001)
  })
})
