/** The Overview's app figures (from the cases' traces), beside the judge's: model calls, tokens, cost. */
import { appUsage } from '../../../app-usage.js'
import { formatUsd } from '../../../cost.js'
import type { PageContext } from '../context.js'
import { el } from '../dom.js'
import { anyTrace } from './facts.js'

/** `app cost $0.0123 at list prices`, or why it is unknown. */
export function appCostText(usd: number | null, unpriced: readonly string[]): string {
  if (usd !== null) return `app cost ${formatUsd(usd)} at list prices`
  return unpriced.length > 0
    ? `app cost unknown: no price for ${unpriced.slice(0, 5).join(', ')}${unpriced.length > 5 ? ', …' : ''}`
    : 'app cost unknown'
}

/** The app's cards and cost line, or null when no case has a trace. */
export function appOverview(ctx: PageContext): HTMLElement | null {
  if (!anyTrace(ctx.headCases)) return null
  const usage = appUsage(ctx.headCases.map((item) => item.c))
  const card = (key: string, value: number) =>
    el(
      'div',
      { class: 'card', 'data-total': key },
      el('div', { class: 'v', text: value }),
      el('div', { class: 'k', text: key }),
    )
  return el(
    'div',
    { id: 'app-usage' },
    el(
      'div',
      { class: 'cards' },
      card('traced cases', usage.tracedCases),
      card('app model calls', usage.modelCalls),
      card('app tokens in', usage.tokens.input),
      card('app tokens out', usage.tokens.output),
    ),
    el('p', { class: 'facts' }, el('span', { id: 'app-cost', text: appCostText(usage.usd, usage.unpriced) })),
  )
}
