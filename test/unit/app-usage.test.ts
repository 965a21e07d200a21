/** The app's spend added up from its cases' traces, for the page's overview. */
import { expect, test } from 'vitest'
import { appUsage } from '../../src/report/app-usage.js'
import { agentTrace } from '../trace-sample.js'

test("model calls and tokens of llm spans only (the agent span's totals are not counted twice), priced by the table", () => {
  const usage = appUsage([{ trace: agentTrace() }, {}, { trace: agentTrace() }])
  expect(usage).toMatchObject({ tracedCases: 2, modelCalls: 4, tokens: { input: 600, output: 120 }, unpriced: [] })
  // gpt-4.1-mini: 0.4 / 1.6 USD per million tokens.
  expect(usage.usd).toBeCloseTo((600 * 0.4 + 120 * 1.6) / 1e6, 12)
})

test('an unknown model is counted and named, and the cost is unknown (null), never 0; no trace, no cost', () => {
  const trace = agentTrace()
  for (const span of trace.spans) if (span.kind === 'llm') span.attributes['gen_ai.request.model'] = 'my-local-llm'
  const usage = appUsage([{ trace }, { trace: agentTrace() }])
  expect(usage.tokens.input).toBe(600)
  expect(usage.usd).toBeNull()
  expect(usage.unpriced).toEqual(['openai:my-local-llm'])
  expect(appUsage([{}]).usd).toBeNull()
  expect(appUsage([{ trace }], { 'my-local-llm': { input: 1, output: 0 } }).usd).toBeCloseTo(300 / 1e6, 12)
})
