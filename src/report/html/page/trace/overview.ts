/** The Overview's app figures (the report's own: `report.app`), beside the judge's: model calls, tokens, cost. */
import { describeAppUsage } from '../../../cost.js'
import type { PageContext } from '../context.js'
import { el } from '../dom.js'

/** The app's cards and its line (tokens, model calls, cost), or null when nothing was reported or traced. */
export function appOverview(ctx: PageContext): HTMLElement | null {
  const app = ctx.header.app
  if (!app) return null
  const traced = ctx.headCases.filter((item) => item.c.trace).length
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
      card('traced cases', traced),
      card('app model calls', app.modelCalls),
      card('app tokens in', app.tokens.input),
      card('app tokens out', app.tokens.output),
    ),
    el('p', { class: 'facts' }, el('span', { id: 'app-cost', text: describeAppUsage(app) })),
  )
}
