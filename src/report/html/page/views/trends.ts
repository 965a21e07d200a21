/** Trends: one chart per metric over the experiment's recent invocations, the baseline marked. */
import type uPlot from 'uplot'
import { formatValue } from '../../../text.js'
import type { PageContext, View } from '../context.js'
import { clear, el } from '../dom.js'
import { gitText, paramsText, shortId } from '../format.js'

/** Chart colours, one per metric in turn. */
export const PALETTE = ['#2f5bd3', '#c2410c', '#067647', '#7c3aed', '#b42318', '#0e7490']

/** What links to invocation `id` from a trend point: its live page, the Compare view, or how to make its page. */
export function invocationLink(ctx: PageContext, id: string): HTMLElement {
  const known = ctx.invocations.findIndex((i) => i.invocation.id === id)
  if (ctx.header.mode === 'live')
    return el('a', { href: `?inv=${encodeURIComponent(id)}`, text: 'open this invocation' })
  if (known > 0)
    return el('button', {
      type: 'button',
      class: 'link',
      text: 'compare with it',
      on: { click: () => ctx.show('compare') },
    })
  if (known === 0) return el('span', { class: 'muted', text: 'this report' })
  return el('span', { class: 'muted', text: `vitest-judge report ${id} --out report.html writes its page` })
}

/** Builds the Trends view (charts drawn when first shown). */
export function buildTrends(ctx: PageContext): View {
  const { header: H, base, metricNames } = ctx
  const view = el('section', { id: 'view-trends' })
  const hist = H.history
  if (!hist || hist.points.length === 0) {
    view.append(
      el('p', {
        class: 'muted',
        text: hist ? 'No invocation of this experiment is recorded yet.' : 'No run history in this report.',
      }),
    )
    for (const note of H.missing || []) view.append(el('p', { class: 'muted text', text: note }))
    return { element: view }
  }
  view.append(
    el('p', {
      class: 'muted',
      text:
        `Experiment ${hist.experiment}: the last ${hist.points.length} invocations (at most ${hist.limit}). Each point is ` +
        'the mean over every case of the invocation; the band is its 95% Student t interval over the cases. ' +
        'The baseline is the large point. Click a point to see that invocation.',
    }),
  )
  const baseId = base ? base.invocation.id : null
  const ownId = ctx.head.invocation.id
  const metrics: string[] = []
  for (const m of metricNames) if (hist.points.some((p) => p.metrics[m])) metrics.push(m)
  for (const p of hist.points) for (const m of Object.keys(p.metrics)) if (!metrics.includes(m)) metrics.push(m)
  const charts = el('div', { class: 'charts' })
  view.append(charts)
  const pending: Array<() => void> = []
  metrics.forEach((metric, mi) => {
    const points = hist.points.filter((p) => p.metrics[metric])
    const pointValue = (i: number) => points[i]?.metrics[metric]
    const xs = points.map((p, i) => {
      const t = Date.parse(p.startedAt) / 1000
      return Number.isFinite(t) ? t : i
    })
    const mean = points.map((_, i) => pointValue(i)?.mean ?? null)
    const lo = points.map((_, i) => pointValue(i)?.ci?.[0] ?? null)
    const hi = points.map((_, i) => pointValue(i)?.ci?.[1] ?? null)
    const marks = points.map((p, i) => (p.id === baseId ? (pointValue(i)?.mean ?? null) : null))
    const info = el('div', { class: 'small text', 'data-trend-info': metric })
    const box = el('div', { class: 'chart', 'data-trend': metric }, el('h3', { text: metric }))
    const target = el('div')
    box.append(target, info)
    const list = el('table', { class: 'grid small', 'data-trend-table': metric })
    list.append(
      el(
        'tr',
        null,
        el('th', { text: 'invocation' }),
        el('th', { class: 'num', text: 'mean' }),
        el('th', { text: '95% interval' }),
      ),
    )
    points.forEach((p, i) => {
      const v = pointValue(i)
      if (!v) return
      list.append(
        el(
          'tr',
          { 'data-id': p.id },
          el('td', {
            text: `${shortId(p.id)} ${p.startedAt}${p.id === baseId ? ' (baseline)' : ''}${p.id === ownId ? ' (this run)' : ''}`,
          }),
          el('td', { class: 'num', text: formatValue(v.mean) }),
          el('td', { text: v.ci ? `[${formatValue(v.ci[0])}, ${formatValue(v.ci[1])}]` : 'n/a (n<2)' }),
        ),
      )
    })
    box.append(el('details', null, el('summary', { class: 'small', text: 'values' }), list))
    charts.append(box)
    const color = PALETTE[mi % PALETTE.length] as string
    const select = (i: number) => {
      const p = points[i]
      const v = pointValue(i)
      if (!p || !v) return
      clear(info)
      info.append(
        el('div', {
          text:
            `${p.id} · ${p.startedAt} · ${p.status} · git ${gitText(p.git)}` +
            `${paramsText(p) ? ` · ${paramsText(p)}` : ''} · mean ${formatValue(v.mean)} (n=${v.n})` +
            `${v.ci ? ` [${formatValue(v.ci[0])}, ${formatValue(v.ci[1])}]` : ''}`,
        }),
      )
      info.append(invocationLink(ctx, p.id))
    }
    pending.push(() => {
      const UPlot = ctx.uPlot
      if (!UPlot) return
      const options: uPlot.Options = {
        width: 460,
        height: 220,
        scales: { x: { time: xs.length > 0 && (xs[0] as number) > 1e8 } },
        series: [
          {},
          { label: 'mean', stroke: color, width: 2, points: { show: true, size: 6 } },
          { label: '95% low', stroke: 'transparent', points: { show: false } },
          { label: '95% high', stroke: 'transparent', points: { show: false } },
          {
            label: 'baseline',
            stroke: 'transparent',
            points: { show: true, size: 12, stroke: '#111', fill: '#ffd24d' },
          },
        ],
        bands: [{ series: [3, 2], fill: `${color}22` }],
        legend: { show: true },
      }
      const plot = new UPlot(options, [xs, mean, lo, hi, marks], target)
      plot.over.addEventListener('click', () => {
        const idx = plot.cursor.idx
        if (idx !== null && idx !== undefined) select(idx)
      })
    })
  })
  return {
    element: view,
    onShow: () => {
      while (pending.length) pending.shift()?.()
    },
  }
}
