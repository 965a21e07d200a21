/**
 * Matched cases in columns (the Compare and Variants views): one row per case, a column per source
 * (an invocation, a variant) with its scores and the start of its output; a row opens to every
 * column's whole output and scores.
 */
import { formatValue } from '../../text.js'
import { type CaseItem, scoresDiffer, searchText } from './data.js'
import { append, type Child, clear, el } from './dom.js'
import { cellExcerpt } from './format.js'
import { virtualList } from './virtual-list.js'

/** A column: its label, and the case of each row key (undefined: not in this source). */
export interface SideColumn {
  label: string
  title?: string
  /** The attribute that names the column on its cells, e.g. `['data-invocation', 1]`. */
  attr: [string, string | number]
  get(key: string): CaseItem | undefined
}

/** What the rows are: ids of the controls, and what a row key shows. */
export interface SideBySideOptions {
  ids: { search: string; differ: string; count: string; detail: string }
  /** `invocation`, `variant`: what a column is. */
  noun: string
  label(key: string): string
  name(key: string): string
  input(key: string): string | undefined
  /** More of a column's case in the opened row (e.g. its trajectory beside the first column's). */
  more?(item: CaseItem, first: CaseItem | undefined): Child
}

/** The table: its element, and `set(columns, keys)` to fill it. */
export interface SideBySide {
  element: HTMLDivElement
  set(columns: SideColumn[], keys: string[]): void
}

function scoresText(item: CaseItem): string {
  return Object.entries(item.c.scores || {})
    .map(([k, v]) => `${k} ${v === null ? 'error' : formatValue(v)}`)
    .join(' · ')
}

/** Makes the side-by-side table. */
export function sideBySide(opts: SideBySideOptions): SideBySide {
  const element = el('div', { class: 'side-by-side' })
  const search = el('input', { type: 'search', id: opts.ids.search, placeholder: 'search case names and outputs…' })
  const differ = el('input', { type: 'checkbox', id: opts.ids.differ })
  const count = el('span', { id: opts.ids.count, class: 'muted' })
  element.append(
    el(
      'div',
      { class: 'controls' },
      search,
      el('span', null, differ, el('label', { htmlFor: opts.ids.differ, text: 'only cases whose scores differ' })),
      count,
    ),
  )
  const headRow = el('div', { class: 'vhead cmp-head' })
  let columns: SideColumn[] = []
  let keys: string[] = []
  const list = virtualList<string>(56, (key) => {
    const row = el('div', { class: 'vrow cmp-row', 'data-case': opts.name(key) })
    row.append(el('span', { class: 'cell', style: { width: '220px' }, text: cellExcerpt(opts.label(key), 160) }))
    for (const col of columns) {
      const item = col.get(key)
      const cell = el('span', { class: 'cell grow', [col.attr[0]]: col.attr[1] })
      if (!item) cell.append(el('span', { class: 'muted', text: `(not in this ${opts.noun})` }))
      else {
        cell.append(
          el('div', { class: item.c.pass ? '' : 'bad', text: scoresText(item) || '(no scores)' }),
          el('div', { class: 'muted', text: cellExcerpt(item.c.output, 160) }),
        )
      }
      row.append(cell)
    }
    row.addEventListener('click', () => openDetail(key))
    return row
  })
  const detail = el('div', { class: 'detail', id: opts.ids.detail, hidden: true })
  element.append(headRow, list.element, detail)
  function refresh() {
    clear(headRow)
    headRow.append(el('span', { class: 'cell', style: { width: '220px' }, text: 'case' }))
    for (const col of columns) headRow.append(el('span', { class: 'cell grow', title: col.title, text: col.label }))
    const q = search.value.trim().toLowerCase()
    const shown = keys.filter((key) => {
      if (differ.checked && !scoresDiffer(columns.map((col) => col.get(key)))) return false
      if (!q) return true
      return columns.some((col) => {
        const item = col.get(key)
        return item ? searchText(item).includes(q) : false
      })
    })
    count.textContent = `${shown.length} cases`
    count.setAttribute('data-count', String(shown.length))
    list.set(shown)
  }
  function openDetail(key: string) {
    clear(detail)
    detail.hidden = false
    detail.append(el('h2', { class: 'text', text: opts.label(key) }))
    const input = opts.input(key)
    if (input !== undefined && input !== null)
      detail.append(el('h3', { text: 'input' }), el('pre', { class: 'text', 'data-field': 'input', text: input }))
    const grid = el('div', {
      class: 'sides',
      style: { 'grid-template-columns': `repeat(${Math.max(1, columns.length)}, minmax(0, 1fr))` },
    })
    for (const col of columns) {
      const item = col.get(key)
      const box = el('div', { [col.attr[0]]: col.attr[1] }, el('h3', { class: 'text', text: col.label }))
      if (!item) box.append(el('p', { class: 'muted', text: `not in this ${opts.noun}` }))
      else {
        box.append(
          el('pre', {
            class: 'text',
            'data-field': 'output',
            text: item.c.output === undefined ? '' : String(item.c.output),
          }),
        )
        if (item.c.error) box.append(el('pre', { class: 'text bad', text: item.c.error }))
        const t = el('table', { class: 'grid small' })
        for (const [k, v] of Object.entries(item.c.scores || {}))
          t.append(
            el(
              'tr',
              { 'data-metric': k },
              el('td', { text: k }),
              el('td', { class: 'num', text: v === null ? 'error' : formatValue(v) }),
            ),
          )
        box.append(t)
        if (opts.more) append(box, [opts.more(item, columns[0]?.get(key))])
      }
      grid.append(box)
    }
    detail.append(grid)
  }
  search.addEventListener('input', refresh)
  differ.addEventListener('change', refresh)
  return {
    element,
    set(newColumns, newKeys) {
      columns = newColumns
      keys = newKeys
      refresh()
    },
  }
}
