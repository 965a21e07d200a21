/** Compare's trajectories: each invocation's tool calls, aligned with the first column's (this run). */
import { renderTrajectory } from '../../../trace.js'
import type { CaseItem } from '../data.js'
import { type Child, el } from '../dom.js'
import { caseToolCalls } from './facts.js'
import { trajectoryTable } from './section.js'

/** What a column's box adds: its trajectory, and beside the first column's when they differ. */
export function compareTrajectory(item: CaseItem, first: CaseItem | undefined): Child {
  if (!item.c.trace) return null
  const steps = caseToolCalls(item.c)
  const out: Child[] = [
    el('h4', { text: 'trajectory' }),
    el('p', { class: 'text', 'data-trajectory-line': '', text: renderTrajectory(steps) }),
  ]
  if (first && first !== item && first.c.trace) {
    const head = caseToolCalls(first.c)
    const same = head.length === steps.length && head.every((s, i) => s.name === steps[i]?.name)
    if (!same)
      out.push(
        el('p', { class: 'small muted', text: 'beside the first column:' }),
        trajectoryTable(steps, head, ['this column', 'first column']),
      )
  }
  return out
}
