/** Distributions: a histogram per metric key (raw judge grades when recorded, else values). */
import type { PageContext, View } from '../context.js'
import { el } from '../dom.js'
import { histogram } from './histogram.js'
import { PALETTE } from './trends.js'

/** Builds the Distributions view (charts drawn when first shown). */
export function buildDistributions(ctx: PageContext): View {
  const view = el('section', { id: 'view-distributions' })
  const charts = el('div', { class: 'charts' })
  view.append(charts)
  const pending: Array<() => void> = []
  ctx.caseKeys.forEach((key, i) => {
    const h = histogram(ctx.headCases, key, ctx.kinds.get(key) ?? 'score')
    const box = el('div', { class: 'chart', 'data-histogram': key }, el('h3', { text: key }))
    charts.append(box)
    if (!h) {
      box.append(el('p', { class: 'muted', text: 'no values (every case errored)' }))
      return
    }
    box.append(el('div', { class: 'small muted', text: `${h.what}, ${h.n} cases` }))
    const target = el('div')
    box.append(target)
    const table = el('table', { class: 'grid small' })
    table.append(el('tr', null, el('th', { text: 'bin' }), el('th', { class: 'num', text: 'cases' })))
    h.labels.forEach((label, j) => {
      table.append(
        el('tr', { 'data-bin': label }, el('td', { text: label }), el('td', { class: 'num', text: h.counts[j] })),
      )
    })
    box.append(el('details', null, el('summary', { class: 'small', text: 'counts' }), table))
    pending.push(() => {
      const UPlot = ctx.uPlot
      if (!UPlot) return
      const color = PALETTE[i % PALETTE.length] as string
      const first = h.xs[0] as number
      const last = h.xs[h.xs.length - 1] as number
      const pad = h.xs.length > 1 ? ((h.xs[1] as number) - first) / 2 : 0.5
      new UPlot(
        {
          width: 420,
          height: 200,
          scales: { x: { time: false, range: [first - pad, last + pad] }, y: { range: [0, null] } },
          series: [
            {},
            {
              label: 'cases',
              stroke: color,
              fill: `${color}88`,
              paths: UPlot.paths.bars?.({ size: [0.9, 80] }),
              points: { show: false },
            },
          ],
          legend: { show: false },
        },
        [h.xs, h.counts],
        target,
      )
    })
  })
  if (ctx.caseKeys.length === 0) view.append(el('p', { class: 'muted', text: 'No metric values in this invocation.' }))
  return {
    element: view,
    onShow: () => {
      while (pending.length) pending.shift()?.()
    },
  }
}
