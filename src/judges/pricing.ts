/**
 * What judge calls cost: a dated table of list prices (USD per million input and output tokens)
 * for the default and common models of each provider, and the lookup that the `pricing` option
 * extends or overrides. Prices change: the table says when it was taken, and an unknown model is
 * priced `null` ("unknown"), never 0.
 */

/** USD per million tokens. */
export interface ModelPrice {
  input: number
  output: number
}

/** When the table below was taken from the providers' public price pages. */
export const PRICES_AS_OF = '2025-10-01'

/** List prices (standard tier, text, no batch or cache discounts; Gemini 2.5 Pro at <= 200k-token prompts). */
export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'openai:gpt-4.1': { input: 2, output: 8 },
  'openai:gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'openai:gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'openai:gpt-4o': { input: 2.5, output: 10 },
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'openai:gpt-5': { input: 1.25, output: 10 },
  'openai:gpt-5-mini': { input: 0.25, output: 2 },
  'openai:gpt-5-nano': { input: 0.05, output: 0.4 },
  'openai:o4-mini': { input: 1.1, output: 4.4 },
  'openai:text-embedding-3-small': { input: 0.02, output: 0 },
  'openai:text-embedding-3-large': { input: 0.13, output: 0 },
  'gemini:gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini:gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini:gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini:gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini:gemini-embedding-001': { input: 0.15, output: 0 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
  'anthropic:claude-sonnet-4-5': { input: 3, output: 15 },
  'anthropic:claude-sonnet-4': { input: 3, output: 15 },
  'anthropic:claude-opus-4-1': { input: 15, output: 75 },
  'anthropic:claude-3-5-haiku-latest': { input: 0.8, output: 4 },
}

/** User prices (the `pricing` option), keyed by judge spec (`openai:gpt-4.1`) or bare model (`gpt-4.1`). */
export type Pricing = Record<string, ModelPrice>

/**
 * The price of a judge's calls: the `pricing` option by spec, then by model, then the table by
 * spec. The offline local judge is free; anything else unknown is `null`.
 */
export function priceOf(judge: string, pricing: Pricing = {}): ModelPrice | null {
  if (judge === 'local') return { input: 0, output: 0 }
  const colon = judge.indexOf(':')
  const model = colon === -1 ? judge : judge.slice(colon + 1)
  return pricing[judge] ?? pricing[model] ?? PRICE_TABLE[judge] ?? null
}

/** USD of a number of input and output tokens at `price`. */
export function usdOf(tokens: { input: number; output: number }, price: ModelPrice): number {
  return (tokens.input * price.input + tokens.output * price.output) / 1_000_000
}
