/** Compare: the matched cases of several invocations side by side (the page's own, its baseline, more). */
import type { PageContext, View } from '../context.js'
import { type CaseItem, casesOf, unionKeys } from '../data.js'
import { el } from '../dom.js'
import { gitText, paramsText, shortId } from '../format.js'
import { type SideColumn, sideBySide } from '../side-by-side.js'
import { compareTrajectory } from '../trace/compare.js'

/** Builds the Compare view (filled when first shown). */
export function buildCompare(ctx: PageContext): View {
  const { invocations, header: H } = ctx
  const view = el('section', { id: 'view-compare' })
  if (invocations.length < 2) {
    view.append(
      el('p', {
        class: 'muted',
        text: 'Only one invocation in this report. With a baseline, the reporter adds it here; `vitest-judge report A B C --out FILE` lines up several.',
      }),
    )
    return { element: view }
  }
  const chosen = invocations.map((_, i) => i < 6)
  const pick = el('div', { class: 'controls', id: 'compare-pick' })
  invocations.forEach((item, i) => {
    const box = el('input', { type: 'checkbox', id: `cmp-${i}`, checked: chosen[i] })
    box.addEventListener('change', () => {
      chosen[i] = box.checked
      refresh()
    })
    const what = i === 0 ? 'this run' : i === H.baseline ? 'baseline' : `#${i + 1}`
    pick.append(
      el(
        'span',
        null,
        box,
        el('label', {
          htmlFor: `cmp-${i}`,
          text: `${what}: ${shortId(item.invocation.id)} ${item.invocation.startedAt || ''} ${paramsText(item.invocation) || '(no params)'} ${gitText(item.invocation.git)}`,
        }),
      ),
    )
  })
  const byInvocation = invocations.map((item) => {
    const map = new Map<string, CaseItem>()
    for (const c of casesOf(item)) map.set(c.key, c)
    return map
  })
  const allKeys = unionKeys(byInvocation)
  const table = sideBySide({
    ids: { search: 'compare-search', differ: 'cmp-differ', count: 'compare-count', detail: 'compare-detail' },
    noun: 'invocation',
    label: (key) => key.split('\u0000').join(' › '),
    name: (key) => key.split('\u0000')[1] ?? key,
    input: (key) => byInvocation[0]?.get(key)?.c.input,
    more: compareTrajectory,
  })
  view.append(pick, table.element)
  function refresh() {
    const columns: SideColumn[] = []
    chosen.forEach((on, i) => {
      const item = invocations[i]
      if (!on || !item) return
      columns.push({
        label: `${shortId(item.invocation.id)} ${paramsText(item.invocation)}`,
        attr: ['data-invocation', i],
        get: (key) => byInvocation[i]?.get(key),
      })
    })
    table.set(columns, allKeys)
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
