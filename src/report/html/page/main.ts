/**
 * The vitest-judge report page: bundled at build (tsup.config.ts, `page-bundle.ts`) into one IIFE
 * inlined in report.html after uPlot. It reads the data element `#vj-data` (a `PageHeader` and the
 * invocations, each run gzipped and base64-encoded), and shows it in views. Every piece of run data
 * is shown as text (`dom.ts`): nothing from a run ever becomes markup, a link, a style or a request.
 * Rules (formats, what "worse" means, intervals, how variant cases match) are imported from the
 * pure `report/` modules, never copied here.
 *
 * Extension points (one declaration each, no other edit):
 * - a view (a tab): a module exporting `build(ctx): View` (`context.ts`), listed in {@link VIEWS};
 * - a part of the case detail (a span waterfall, a transcript, a review form): a `DetailSection`
 *   (`render(item, ctx)` returning nodes or null) listed in `DETAIL_SECTIONS` (`cases/detail.ts`);
 * - a column of the Cases table: a `CaseColumn` in `caseColumns` (`cases/columns.ts`);
 * - a filter of the Cases table: a `CaseFilter` (its controls and its test) in `caseFilters`
 *   (`cases/filters.ts`).
 * View logic that needs no DOM lives in functions the views export, unit-tested in Node
 * (test/unit/page-*.test.ts).
 */
import type { PageVariantMatrix } from '../page-header.js'
import type { PageContext, UPlotConstructor, View, ViewDef } from './context.js'
import { indexPage, type LoadedInvocation, type PageData } from './data.js'
import { decodeRun } from './decode.js'
import { append, el } from './dom.js'
import { gitText, paramsText, shortId } from './format.js'
import { buildCases } from './views/cases.js'
import { buildCompare } from './views/compare.js'
import { buildDistributions } from './views/distributions.js'
import { buildOverview } from './views/overview.js'
import { buildTrends } from './views/trends.js'
import { buildVariants } from './views/variants.js'

/** The page's tabs, in order. */
export const VIEWS: ViewDef[] = [
  { id: 'overview', label: 'Overview', build: buildOverview },
  { id: 'trends', label: 'Trends', build: buildTrends },
  { id: 'distributions', label: 'Distributions', build: buildDistributions },
  { id: 'cases', label: 'Cases', build: buildCases },
  // Only when the invocation ran describeEval suites with variants.
  { id: 'variants', label: 'Variants', when: (ctx) => ctx.variantMatrices.length > 0, build: buildVariants },
  { id: 'compare', label: 'Compare', build: buildCompare },
]

const POLL_MS = 1500

function pollState(onState: (state: { latest?: string | null }) => void, onError: () => void = () => {}): void {
  setInterval(() => {
    fetch('api/state', { cache: 'no-store' })
      .then((r) => (r.ok ? (r.json() as Promise<{ latest?: string | null }>) : null))
      .then((state) => {
        if (state) onState(state)
      })
      .catch(onError)
  }, POLL_MS)
}

function ready(): void {
  performance.mark('vj-ready')
  document.documentElement.setAttribute('data-ready', 'true')
}

async function main(): Promise<void> {
  const dataElement = document.getElementById('vj-data') as HTMLElement
  const app = document.getElementById('app') as HTMLElement
  performance.mark('vj-start')
  const data = JSON.parse(dataElement.textContent ?? '{}') as PageData
  // Every invocation's runs at once: the baseline inflates while the head's runs do.
  const invocations: LoadedInvocation[] = await Promise.all(
    data.invocations.map(async (item) => ({
      invocation: item.invocation,
      runs: await Promise.all(item.runs.map((run) => (typeof run === 'string' ? decodeRun(run) : run))),
    })),
  )
  performance.mark('vj-decoded')
  const H = data.header
  const head = invocations[0]

  // A live page still waiting for its first invocation.
  if (!head) {
    const note = el('p', { class: 'muted text', id: 'waiting', text: (H.missing || []).join(' ') || 'No invocation.' })
    append(app, [el('header', { class: 'top' }, el('h1', { text: 'vitest-judge' })), el('main', null, note)])
    if (H.mode === 'live') pollState((state) => state.latest && location.reload())
    ready()
    return
  }
  const base = H.baseline === null || H.baseline === undefined ? null : invocations[H.baseline] || null
  const views: Record<string, View> = {}
  const tabButtons: Record<string, HTMLElement> = {}
  let current: string | null = null
  const ctx: PageContext = {
    ...indexPage(head, base),
    header: H,
    invocations,
    variantMatrices: Array.isArray(H.variants) ? (H.variants as PageVariantMatrix[]) : [],
    uPlot: (window as unknown as { uPlot?: UPlotConstructor }).uPlot,
    show,
  }
  const tabs = VIEWS.filter((v) => !v.when || v.when(ctx))

  const inv = head.invocation
  const main = el('main')
  const liveMark = el('span', { class: 'pill live', id: 'live' })
  const nav = el('nav', { class: 'tabs', role: 'tablist' })
  for (const { id, label } of tabs) {
    const button = el('button', {
      type: 'button',
      role: 'tab',
      id: `tab-${id}`,
      'aria-selected': 'false',
      text: label,
      on: { click: () => show(id) },
    })
    tabButtons[id] = button
    nav.append(button)
  }
  const params = paramsText(inv)
  const facts = el(
    'div',
    { class: 'facts' },
    el('span', { text: `invocation ${shortId(inv.id)}` }),
    el('span', { text: `started ${inv.startedAt || '-'}` }),
    inv.endedAt ? el('span', { text: `ended ${inv.endedAt}` }) : null,
    el('span', { class: inv.status === 'interrupted' ? 'warn' : '', text: inv.status || 'complete' }),
    el('span', { text: `git ${gitText(inv.git)}` }),
    inv.experiment ? el('span', { text: `experiment ${inv.experiment}` }) : null,
    params ? el('span', { text: `params ${params}` }) : null,
    inv.ci ? el('span', { text: `CI ${inv.ci.provider}${inv.ci.runId ? ` #${inv.ci.runId}` : ''}` }) : null,
    inv.tags?.length ? el('span', { text: `tags ${inv.tags.join(', ')}` }) : null,
    H.mode === 'live' ? liveMark : null,
  )
  append(app, [el('header', { class: 'top' }, el('h1', { text: 'vitest-judge' }), facts, nav), main])

  function show(id: string): void {
    const def = tabs.find((v) => v.id === id)
    if (!def) return
    views[id] ??= def.build(ctx)
    const view = views[id]
    if (current) (views[current] as View).element.hidden = true
    for (const [key, button] of Object.entries(tabButtons)) button.setAttribute('aria-selected', String(key === id))
    current = id
    if (!view.element.isConnected) main.append(view.element)
    view.element.hidden = false
    view.onShow?.()
    if (history.replaceState && location.protocol !== 'file:') history.replaceState(null, '', `#${id}`)
  }

  if (H.mode === 'live') {
    liveMark.textContent = 'live'
    pollState(
      (state) => {
        liveMark.textContent = `live · checked ${new Date().toLocaleTimeString()}`
        if (H.follow && state.latest && state.latest !== inv.id) location.reload()
      },
      () => {
        liveMark.textContent = 'live · server unreachable'
      },
    )
  }

  const start = (location.hash || '').slice(1)
  show(tabs.some((v) => v.id === start) ? start : 'overview')
  ready()
}

void main()
