/** A list that renders only the rows in sight (10,000 cases scroll as fast as 10). */
import { clear, el } from './dom.js'

/** A virtual list: its element, `set(items)` to fill it, `repaint()` after a row's look changed. */
export interface VirtualList<T> {
  element: HTMLDivElement
  set(items: readonly T[]): void
  repaint(): void
}

/** Rows of fixed height `rowHeight`, made by `renderRow` when in sight. */
export function virtualList<T>(rowHeight: number, renderRow: (item: T, index: number) => HTMLElement): VirtualList<T> {
  const box = el('div', { class: 'vlist' })
  const spacer = el('div', { class: 'spacer' })
  box.append(spacer)
  let items: readonly T[] = []
  let scheduled = false
  function paint() {
    scheduled = false
    const top = box.scrollTop
    const height = box.clientHeight || 480
    const first = Math.max(0, Math.floor(top / rowHeight) - 5)
    const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 5)
    clear(spacer)
    for (let i = first; i < last; i++) {
      const row = renderRow(items[i] as T, i)
      row.style.top = `${i * rowHeight}px`
      spacer.append(row)
    }
  }
  box.addEventListener('scroll', () => {
    if (!scheduled) {
      scheduled = true
      requestAnimationFrame(paint)
    }
  })
  return {
    element: box,
    set(list) {
      items = list
      spacer.style.height = `${items.length * rowHeight}px`
      box.scrollTop = 0
      paint()
    },
    repaint: paint,
  }
}
