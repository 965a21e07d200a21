/** The app's spend added up from its cases' traces, for the page's overview. */
import { expect, test } from 'vitest'
import { PRICE_TABLE } from '../../src/judges/pricing.js'
import { appUsage, tablePrice } from '../../src/report/app-usage.js'
import { agentTrace } from '../trace-sample.js'

test("model calls and tokens of llm spans only (the agent span's totals are not counted twice), priced by the table", () => {
  const usage = appUsage([{ trace: agentTrace() }, {}, { trace: agentTrace() }], tablePrice(PRICE_TABLE))
  expect(usage).toMatchObject({ tracedCases: 2, modelCalls: 4, tokens: { input: 600, output: 120 }, unpriced: [] })
  // gpt-4.1-mini: 0.4 / 1.6 USD per million tokens.
  expect(usage.usd).toBeCloseTo((600 * 0.4 + 120 * 1.6) / 1e6, 12)
})

test('an unknown model is counted, not priced, and named; no priced call is a null cost, never 0', () => {
  const trace = agentTrace()
  for (const span of trace.spans) if (span.kind === 'llm') span.attributes['gen_ai.request.model'] = 'my-local-llm'
  const usage = appUsage([{ trace }], tablePrice(PRICE_TABLE))
  expect(usage.tokens.input).toBe(300)
  expect(usage.usd).toBeNull()
  expect(usage.unpriced).toEqual(['my-local-llm'])
})

test('the provider picks the table entry; a dated response model falls back to the model asked for', () => {
  const price = tablePrice({ 'openai:m': { input: 1, output: 0 }, 'gemini:m': { input: 2, output: 0 } })
  expect(price('m', 'gcp.gemini')?.input).toBe(2)
  expect(price('m', 'openai')?.input).toBe(1)
  expect(price('m')?.input).toBe(1)
  const trace = agentTrace()
  for (const span of trace.spans) span.attributes['gen_ai.response.model'] = 'gpt-4.1-mini-2025-04-14'
  expect(appUsage([{ trace }], tablePrice(PRICE_TABLE)).unpriced).toEqual([])
})
