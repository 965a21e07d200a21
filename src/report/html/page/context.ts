/**
 * What every view gets: the header, the invocations, the index of the page's own cases, and a way
 * to switch views. A view is built the first time its tab is shown.
 */
import type uPlot from 'uplot'
import type { PageHeader, PageVariantMatrix } from '../page-header.js'
import type { LoadedInvocation, PageIndex } from './data.js'

/** The chart library, inlined before the page's script (absent: charts are skipped, tables stay). */
export type UPlotConstructor = typeof uPlot

/** Shared by the views. */
export interface PageContext extends PageIndex {
  header: PageHeader
  invocations: LoadedInvocation[]
  variantMatrices: PageVariantMatrix[]
  uPlot: UPlotConstructor | undefined
  /** Shows view `id` (builds it on first use). */
  show(id: string): void
}

/** A built view: its element, and what to do each time it is shown (e.g. draw charts once visible). */
export interface View {
  element: HTMLElement
  onShow?: () => void
}

/** A tab of the page: its id (`#id`, `view-<id>`), its label, and how to build it. */
export interface ViewDef {
  id: string
  label: string
  /** Whether the page has this view (default: always). */
  when?: (ctx: PageContext) => boolean
  build(ctx: PageContext): View
}
