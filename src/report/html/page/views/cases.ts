/**
 * Cases: every case of the invocation in a virtual table (columns and filters declared in
 * `cases/columns.ts` and `cases/filters.ts`), a case opening to its detail (`cases/detail.ts`).
 */
import { type CaseColumn, caseColumns, sortCases } from '../cases/columns.js'
import { DETAIL_SECTIONS } from '../cases/detail.js'
import { caseFilters } from '../cases/filters.js'
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
  const filters = caseFilters(ctx)
  const tests = [...filters.filter((f) => !f.expensive), ...filters.filter((f) => f.expensive)]
  const sort: { id: string | null; desc: boolean } = { id: null, desc: false }
  const count = el('span', { id: 'case-count', class: 'muted' })
  view.append(
    el(
      'div',
      { class: 'controls' },
      filters.map((f) => f.controls(refresh)),
      count,
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
  function refresh() {
    let items = ctx.headCases.filter((item) => tests.every((f) => f.matches(item)))
    const col = sort.id ? columns.find((c) => c.id === sort.id) : undefined
    if (col) items = sortCases(items, col, sort.desc)
    count.textContent = `${items.length} of ${ctx.headCases.length} cases`
    count.setAttribute('data-count', String(items.length))
    list.set(items)
  }
  function openDetail(item: CaseItem) {
    clear(detail)
    detail.hidden = false
    for (const section of DETAIL_SECTIONS) append(detail, [section.render(item, ctx)])
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
