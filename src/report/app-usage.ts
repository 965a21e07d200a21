/**
 * What the app under test spent, added up from its cases' traces: model calls and tokens of its
 * `llm` spans (an outer span's totals are not counted twice) and their cost at list prices, for
 * the page's overview beside the judge's. Pure; the price lookup is passed in.
 */
import type { ReportCase } from './types.js'

/** USD per million input and output tokens. */
export interface TokenPrice {
  input: number
  output: number
}

/** The app's spend over a set of cases. */
export interface AppUsage {
  /** Cases with a trace. */
  tracedCases: number
  modelCalls: number
  tokens: { input: number; output: number }
  /** USD of the priced calls; null when no call could be priced. */
  usd: number | null
  /** Models without a price (their calls' tokens are counted, not priced). */
  unpriced: string[]
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

/** A price lookup by the table's keys (`provider:model`): by the span's provider, else by model alone. */
export function tablePrice(
  table: Readonly<Record<string, TokenPrice>>,
): (model: string, provider?: string) => TokenPrice | null {
  const byModel = new Map<string, TokenPrice>()
  for (const [key, price] of Object.entries(table)) {
    const model = key.slice(key.indexOf(':') + 1)
    if (!byModel.has(model)) byModel.set(model, price)
  }
  return (model, provider) => {
    const short = provider?.replace(/^gcp\./, '').replace(/^google$/, 'gemini')
    return (short !== undefined ? table[`${short}:${model}`] : undefined) ?? byModel.get(model) ?? null
  }
}

/** The app's model calls, tokens and cost over `cases` (their `trace` spans of kind `llm`). */
export function appUsage(
  cases: Iterable<Pick<ReportCase, 'trace'>>,
  priceOf: (model: string, provider?: string) => TokenPrice | null,
): AppUsage {
  const out: AppUsage = { tracedCases: 0, modelCalls: 0, tokens: { input: 0, output: 0 }, usd: null, unpriced: [] }
  const unpriced = new Set<string>()
  for (const testCase of cases) {
    const trace = testCase.trace
    if (!trace || trace.spans.length === 0) continue
    out.tracedCases++
    for (const span of trace.spans) {
      if (span.kind !== 'llm') continue
      out.modelCalls++
      const input = num(span.attributes['gen_ai.usage.input_tokens'])
      const output = num(span.attributes['gen_ai.usage.output_tokens'])
      out.tokens.input += input
      out.tokens.output += output
      const providerAttr = span.attributes['gen_ai.provider.name'] ?? span.attributes['gen_ai.system']
      const provider = typeof providerAttr === 'string' ? providerAttr : undefined
      // The model asked for first: the one answering is often a dated name the table does not list.
      let model: string | undefined
      let price: TokenPrice | null = null
      for (const key of ['gen_ai.request.model', 'gen_ai.response.model']) {
        const value = span.attributes[key]
        if (typeof value !== 'string' || value === '') continue
        model ??= value
        price = priceOf(value, provider)
        if (price !== null) break
      }
      if (price === null) {
        if (input + output > 0) unpriced.add(model ?? '(no model)')
        continue
      }
      out.usd = (out.usd ?? 0) + (input * price.input + output * price.output) / 1_000_000
    }
  }
  out.unpriced = [...unpriced].sort()
  return out
}
