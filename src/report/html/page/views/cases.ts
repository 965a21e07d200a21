/**
 * Cases: every case of the invocation in a virtual table (columns and filters declared in
 * `cases/columns.ts` and `cases/filters.ts`), a case opening to its detail (`cases/detail.ts`).
 */
import { type CaseColumn, caseColumns, sortCases } from '../cases/columns.js'
import { DETAIL_SECTIONS } from '../cases/detail.js'
import { caseFilters } from '../cases/filters.js'
import { datasetControls, metricOf, reviewFilters, reviewSection, reviewToken, saveLabel } from '../cases/review.js'
import type { PageContext, View } from '../context.js'
import type { CaseItem } from '../data.js'
import { append, clear, el } from '../dom.js'
import { anyTrace } from '../trace/facts.js'
import { traceColumns } from '../trace/table.js'
import { virtualList } from '../virtual-list.js'

const CASE_ROW = 28

function cellClass(col: CaseColumn, extra = ''): string {
  return `cell${col.grow ? ' grow' : ''}${col.num ? ' num' : ''}${extra ? ` ${extra}` : ''}`
}

/** Builds the Cases view (filled when first shown). */
export function buildCases(ctx: PageContext): View {
  const view = el('section', { id: 'view-cases' })
  const columns = caseColumns(ctx.caseKeys, anyTrace(ctx.headCases) ? traceColumns() : [])
  const filters = [...caseFilters(ctx), ...reviewFilters()]
  const tests = [...filters.filter((f) => !f.expensive), ...filters.filter((f) => f.expensive)]
  const sort: { id: string | null; desc: boolean } = { id: null, desc: false }
  const count = el('span', { id: 'case-count', class: 'muted' })
  view.append(
    el(
      'div',
      { class: 'controls' },
      filters.map((f) => f.controls(refresh)),
      count,
      datasetControls(ctx, () => shown.find((item) => item.key === selectedKey)),
    ),
  )
  const headRow = el('div', { class: 'vhead' })
  for (const col of columns) {
    const cell = el('span', {
      class: cellClass(col),
      'data-sort': col.id,
      text: col.label,
      on: {
        click: () => {
          if (sort.id === col.id) sort.desc = !sort.desc
          else {
            sort.id = col.id
            sort.desc = false
          }
          refresh()
        },
      },
    })
    if (col.width) cell.style.width = `${col.width}px`
    headRow.append(cell)
  }
  let selectedKey: string | null = null
  const list = virtualList<CaseItem>(CASE_ROW, (item) => {
    const row = el('div', {
      class: `vrow${item.key === selectedKey ? ' selected' : ''}`,
      role: 'row',
      'aria-selected': String(item.key === selectedKey),
      'data-case': item.c.name,
      'data-file': item.file,
    })
    row.addEventListener('click', () => {
      selectedKey = item.key
      list.repaint()
      openDetail(item)
    })
    for (const col of columns) {
      const { text, cls } = col.cell(item)
      const cell = el('span', { class: cellClass(col, cls), text })
      if (col.width) cell.style.width = `${col.width}px`
      row.append(cell)
    }
    return row
  })
  const detail = el('div', { class: 'detail', id: 'case-detail', hidden: true })
  view.append(headRow, list.element, detail)
  let shown: CaseItem[] = []
  const review = reviewSection(() => {
    list.repaint()
    const item = shown.find((i) => i.key === selectedKey)
    if (item) openDetail(item)
  })
  function refresh() {
    let items = ctx.headCases.filter((item) => tests.every((f) => f.matches(item)))
    const col = sort.id ? columns.find((c) => c.id === sort.id) : undefined
    if (col) items = sortCases(items, col, sort.desc)
    count.textContent = `${items.length} of ${ctx.headCases.length} cases`
    count.setAttribute('data-count', String(items.length))
    shown = items
    list.set(items)
  }
  /** Selects the case at `index` of the rows shown: marked, scrolled to and opened. */
  function select(index: number) {
    const item = shown[Math.max(0, Math.min(shown.length - 1, index))]
    if (!item) return
    selectedKey = item.key
    const box = list.element
    const top = shown.indexOf(item) * CASE_ROW
    if (top < box.scrollTop) box.scrollTop = top
    else if (top + CASE_ROW > box.scrollTop + (box.clientHeight || 480))
      box.scrollTop = top + CASE_ROW - (box.clientHeight || 480)
    list.repaint()
    openDetail(item)
  }
  // Review keys (live page only; SPEC "ui review keys"): typing in a field never triggers one.
  if (reviewToken() !== null) {
    document.addEventListener('keydown', (event) => {
      if (view.hidden || !view.isConnected || event.ctrlKey || event.metaKey || event.altKey) return
      const target = event.target as HTMLElement | null
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return
      const at = shown.findIndex((i) => i.key === selectedKey)
      const item = at >= 0 ? shown[at] : undefined
      const key = event.key
      if (key === 'j' || key === 'k') {
        event.preventDefault()
        select(at < 0 ? 0 : at + (key === 'j' ? 1 : -1))
        return
      }
      if (!item) return
      const metric = metricOf(item)
      if (!metric) return
      let grade: number | undefined
      if (/^[1-5]$/.test(key) && metric.scale === 'grade') grade = Number(key)
      else if ((key === 'p' || key === 'f') && metric.scale === 'pass') grade = key === 'p' ? 1 : 0
      if (grade !== undefined) {
        event.preventDefault()
        saveLabel(ctx, item, metric.metric, { grade }).then(
          () => {
            list.repaint()
            openDetail(item)
          },
          () => {},
        )
      } else if (key === 'c') {
        event.preventDefault()
        const field = detail.querySelector<HTMLTextAreaElement>(
          `textarea.review-comment[data-metric="${CSS.escape(metric.metric)}"]`,
        )
        field?.focus()
      }
    })
  }
  function openDetail(item: CaseItem) {
    clear(detail)
    detail.hidden = false
    for (const section of [...DETAIL_SECTIONS.slice(0, 1), review, ...DETAIL_SECTIONS.slice(1)])
      append(detail, [section.render(item, ctx)])
    detail.scrollIntoView({ block: 'nearest' })
  }
  let ready = false
  return {
    element: view,
    onShow: () => {
      if (!ready) {
        ready = true
        refresh()
      }
    },
  }
}
