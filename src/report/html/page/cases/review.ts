/**
 * Review in the live page (`vitest-judge ui`, issue 28): a human grade (1-5 on judged metrics,
 * pass/fail on the others) and a comment per case and metric, the "not reviewed" and "judge and
 * human disagree" filters, and "Add to dataset". Only when the server gave the page its write token
 * (a `<meta name="vitest-judge-token">`): report.html stays read-only. Labels are shown as text.
 */
import { type LabelScale, labelDisagrees, labelGradeText, labelScaleOf } from '../../../label-scale.js'
import type { CaseLabel } from '../../../labels.js'
import type { ReportCase } from '../../../types.js'
import type { PageContext } from '../context.js'
import type { CaseItem } from '../data.js'
import { type Child, el } from '../dom.js'
import type { DetailSection } from './detail.js'
import type { CaseFilter } from './filters.js'

/** The server's write token, or null on a page without review (report.html). */
export function reviewToken(): string | null {
  if (typeof document === 'undefined') return null
  return document.querySelector('meta[name="vitest-judge-token"]')?.getAttribute('content') ?? null
}

/** The metrics a reviewer grades: those with a judge's result (not measurements). */
export function reviewMetrics(c: ReportCase): Array<{ metric: string; scale: LabelScale }> {
  return Object.entries(c.metrics ?? {})
    .filter(([, m]) => m.kind !== 'measurement')
    .map(([metric, m]) => ({ metric, scale: labelScaleOf(m) }))
}

/** Whether any metric of the case has a human grade that differs from the judge. */
export function humanDisagrees(c: ReportCase): boolean {
  return Object.entries(c.labels ?? {}).some(([metric, l]) => !l.stale && labelDisagrees(l, c.metrics?.[metric]))
}

/** Cases checked for "Add to dataset" (by case key). */
export const marked = new Set<string>()

/** The metric the grade keys apply to, per case key (the first graded metric by default). */
const selectedMetric = new Map<string, string>()

/** The metric `1`-`5`/`p`/`f` grade on this case. */
export function metricOf(item: CaseItem): { metric: string; scale: LabelScale } | undefined {
  const metrics = reviewMetrics(item.c)
  const chosen = selectedMetric.get(item.key)
  return metrics.find((m) => m.metric === chosen) ?? metrics.find((m) => m.scale === 'grade') ?? metrics[0]
}

async function post(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Vitest-Judge-Token': reviewToken() ?? '' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(text.trim() || `HTTP ${res.status}`)
  return JSON.parse(text) as unknown
}

/** Saves a label (grade and/or comment) and keeps it on the case; `done` re-renders. */
export async function saveLabel(
  ctx: PageContext,
  item: CaseItem,
  metric: string,
  change: { grade?: number; comment?: string },
): Promise<void> {
  const answer = (await post('api/labels', {
    inv: ctx.head.invocation.id,
    file: item.file,
    case: item.c.name,
    metric,
    ...change,
  })) as { label: CaseLabel & { file: string; case: string; metric: string } }
  const { file: _f, case: _c, metric: _m, ...label } = answer.label
  item.c.labels = { ...item.c.labels, [metric]: { ...label, stale: false } }
  item.search = undefined
}

function status(text: string, bad = false): void {
  const node = document.getElementById('review-status')
  if (node) {
    node.textContent = text
    node.className = bad ? 'text bad' : 'muted text'
  }
}

/** The review part of the case detail: per metric the judge's grade, the human label, grade buttons and a comment. */
export function reviewSection(onChange: () => void): DetailSection {
  return {
    id: 'review',
    render: (item, ctx) => {
      if (reviewToken() === null) return readOnlyLabels(item.c)
      const rows: Child[] = []
      const current = metricOf(item)
      for (const { metric, scale } of reviewMetrics(item.c)) {
        const m = item.c.metrics?.[metric]
        const label = item.c.labels?.[metric]
        const judge =
          scale === 'grade'
            ? `judge ${m?.raw ?? 'n/a'}/5`
            : `judge ${m?.pass === false ? 'fail' : m?.pass ? 'pass' : 'n/a'}`
        const human = label
          ? `human ${labelGradeText(label)} by ${label.reviewer}${label.stale ? ' (stale: the case changed since)' : ''}${label.comment ? ` · "${label.comment}"` : ''}`
          : 'not reviewed'
        const grades = scale === 'grade' ? [1, 2, 3, 4, 5] : [1, 0]
        const comment = el('textarea', {
          class: 'review-comment',
          'data-metric': metric,
          rows: 2,
          placeholder: 'comment (c)',
          value: label?.comment ?? '',
        })
        rows.push(
          el(
            'div',
            {
              class: `review-metric${metric === current?.metric ? ' current' : ''}`,
              'data-metric': metric,
              'data-stale': label?.stale ? 'true' : null,
            },
            el('strong', { text: metric }),
            ' ',
            el('span', { class: 'muted', text: judge }),
            ' · ',
            el('span', { class: 'review-label text', 'data-label': metric, text: human }),
            el(
              'div',
              null,
              grades.map((g) =>
                el('button', {
                  type: 'button',
                  'data-grade': g,
                  'aria-pressed': String(label?.grade === g && !label.stale),
                  text: labelGradeText({ grade: g, scale }),
                  on: {
                    click: () => {
                      selectedMetric.set(item.key, metric)
                      saveLabel(ctx, item, metric, { grade: g }).then(onChange, (e: Error) => status(e.message, true))
                    },
                  },
                }),
              ),
              comment,
              el('button', {
                type: 'button',
                class: 'review-save-comment',
                'data-metric': metric,
                text: 'save comment',
                on: {
                  click: () => {
                    saveLabel(ctx, item, metric, { comment: comment.value }).then(onChange, (e: Error) =>
                      status(e.message, true),
                    )
                  },
                },
              }),
            ),
          ),
        )
      }
      const mark = el('input', { type: 'checkbox', id: 'review-mark', checked: marked.has(item.key) })
      mark.addEventListener('change', () => {
        if (mark.checked) marked.add(item.key)
        else marked.delete(item.key)
        onChange()
      })
      return [
        el('h3', { text: 'review' }),
        rows,
        el('span', null, mark, el('label', { htmlFor: 'review-mark', text: 'select for "Add to dataset"' })),
      ]
    },
  }
}

/** A report file's labels (no review there): each beside the judge's grade, as text. */
function readOnlyLabels(c: ReportCase): Child {
  const entries = Object.entries(c.labels ?? {})
  if (entries.length === 0) return null
  return [
    el('h3', { text: 'review labels' }),
    entries.map(([metric, label]) =>
      el('div', {
        class: 'review-metric text',
        'data-metric': metric,
        'data-stale': label.stale ? 'true' : null,
        text: `${metric}: judge ${c.metrics?.[metric]?.raw ?? 'n/a'} · human ${labelGradeText(label)} by ${label.reviewer}${label.stale ? ' (stale: the case changed since)' : ''}${label.comment ? ` · "${label.comment}"` : ''}`,
      }),
    ),
  ]
}

/** "not reviewed" and "judge and human disagree" (live page only). */
export function reviewFilters(): CaseFilter[] {
  if (reviewToken() === null) return []
  const box = (id: string, label: string, test: (item: CaseItem) => boolean): CaseFilter => {
    let on = false
    return {
      id,
      controls(changed) {
        const input = el('input', { type: 'checkbox', id })
        input.addEventListener('change', () => {
          on = input.checked
          changed()
        })
        return el('span', null, input, el('label', { htmlFor: id, text: label }))
      },
      matches: (item) => !on || test(item),
    }
  }
  return [
    box('f-unreviewed', 'not reviewed', (item) => Object.values(item.c.labels ?? {}).every((l) => l.stale)),
    box('f-disagree', 'judge and human disagree', (item) => humanDisagrees(item.c)),
  ]
}

/** The "Add to dataset" controls: a project-relative .jsonl path, where `expected` comes from, the button. */
export function datasetControls(ctx: PageContext, selectedItem: () => CaseItem | undefined): Child {
  if (reviewToken() === null) return null
  const path = el('input', { type: 'text', id: 'dataset-path', value: 'evals/data/reviewed.jsonl', size: 28 })
  const from = el(
    'select',
    { id: 'dataset-expected' },
    el('option', { value: 'expected', text: 'expected: the expected text' }),
    el('option', { value: 'output', text: 'expected: the output' }),
    el('option', { value: 'edited', text: 'expected: edited text…' }),
  )
  const button = el('button', {
    type: 'button',
    id: 'dataset-add',
    text: 'Add to dataset',
    on: {
      click: () => {
        const items = ctx.headCases.filter((item) => marked.has(item.key))
        const chosen = items.length > 0 ? items : [selectedItem()].filter((i): i is CaseItem => i !== undefined)
        if (chosen.length === 0) {
          status('Select a case (j/k) or check "select for Add to dataset" first.', true)
          return
        }
        let edited: string | undefined
        if (from.value === 'edited') {
          edited =
            window.prompt('Expected text for the selected cases', chosen[0]?.c.expected ?? chosen[0]?.c.output ?? '') ??
            undefined
          if (edited === undefined) return
        }
        const cases = chosen.map((item) => ({
          file: item.file,
          case: item.c.name,
          expectedFrom: from.value,
          ...(edited === undefined ? {} : { expected: edited }),
        }))
        post('api/dataset', { inv: ctx.head.invocation.id, path: path.value, cases }).then(
          (answer) => {
            const a = answer as { path: string; rows: number; digestBefore: string | null; digestAfter: string }
            status(
              `Added ${a.rows} ${a.rows === 1 ? 'row' : 'rows'} to ${a.path}: dataset digest ${a.digestBefore ?? '(new file)'} → ${a.digestAfter}`,
            )
          },
          (e: Error) => status(e.message, true),
        )
      },
    },
  })
  return el(
    'span',
    { class: 'review-dataset' },
    path,
    from,
    button,
    el('span', { id: 'review-status', class: 'muted text', role: 'status' }),
  )
}
