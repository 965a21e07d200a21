/** Variants: per file with describeEval variants, the matrix, the pairwise tests, and the cases side by side. */
import { runKey } from '../../../run-key.js'
import { formatDelta, formatP, formatPercent, formatValue } from '../../../text.js'
import type { ReportRun } from '../../../types.js'
import { matchName } from '../../../variant-match.js'
import type { PageVariantMatrix } from '../../page-header.js'
import type { PageContext, View } from '../context.js'
import { type CaseItem, unionKeys } from '../data.js'
import { clear, el } from '../dom.js'
import { variantParams } from '../format.js'
import { sideBySide } from '../side-by-side.js'

/** Builds the Variants view (one file's matrix at a time, made when chosen). */
export function buildVariants(ctx: PageContext): View {
  const matrices = ctx.variantMatrices
  const view = el('section', { id: 'view-variants' })
  const first = matrices[0] as PageVariantMatrix
  view.append(
    el('p', {
      class: 'muted',
      text:
        `Each describeEval suite with variants ran its cases once per variant. A cell is the mean over the cases ` +
        `with its interval (${first.method.interval}) and the pass rate. Variants are compared pair by pair with the ` +
        `${first.method.test} test, ${first.method.correction === 'holm' ? 'Holm' : first.method.correction}-adjusted ` +
        `over the pairs of each metric, alpha ${first.alpha}: ★ marks the best only when it is significantly better than every ` +
        'other variant, ▼ a variant significantly worse than the leader; otherwise the tie is said.',
    }),
  )
  const runsById = new Map(ctx.head.runs.map((r) => [r.id, r]))
  const body = el('div')
  if (matrices.length > 1) {
    const select = el(
      'select',
      { id: 'variants-file' },
      matrices.map((m, i) => el('option', { value: String(i), text: m.file })),
    )
    select.addEventListener('change', () => showFile(Number(select.value)))
    view.append(
      el(
        'div',
        { class: 'controls' },
        el('label', { htmlFor: 'variants-file', text: `${matrices.length} files with variants:` }),
        select,
      ),
    )
  }
  view.append(body)
  function showFile(index: number) {
    clear(body)
    const matrix = matrices[index]
    if (matrix) body.append(variantFile(ctx, matrix, runsById))
  }
  let ready = false
  return {
    element: view,
    onShow: () => {
      if (!ready) {
        ready = true
        showFile(0)
      }
    },
  }
}

type UsageColumn = [string, ReadonlyArray<number | null> | undefined, (v: number | null | undefined) => string]

function variantFile(ctx: PageContext, matrix: PageVariantMatrix, runsById: Map<string, ReportRun>): HTMLElement {
  const inv = ctx.head.invocation
  const section = el('section', { class: 'variant-file', 'data-variants-file': matrix.file })
  const columns = matrix.columns.map((col, i) => ({ col, i, run: runsById.get(col.runId) }))
  const labelOf = (i: number) => matrix.columns[i]?.label ?? `#${i + 1}`
  section.append(
    el('h2', { class: 'text', text: `${matrix.file} · ${matrix.columns.length} variants` }),
    el('p', {
      class: 'muted',
      text: 'params: the variant’s own fields (its run’s params less those equal to the invocation’s; hover for all).',
    }),
  )
  // Variants x metrics.
  const table = el('table', { class: 'grid', id: 'variant-matrix' })
  const usage: Partial<PageVariantMatrix['usage']> = matrix.usage || {}
  const usageColumns = (
    [
      ['task tokens/case', usage.taskTokens, (v) => formatValue(v)],
      ['task latency ms', usage.latencyMs, (v) => formatValue(v)],
      ['judge tokens', usage.judgeTokens, (v) => (v === null || v === undefined ? '-' : String(v))],
      ['judge cost', usage.judgeCostUsd, (v) => (v === null || v === undefined ? '-' : `$${v.toFixed(4)}`)],
    ] as UsageColumn[]
  ).filter(([, values]) => Array.isArray(values) && values.some((v) => v !== null && v !== undefined))
  table.append(
    el(
      'tr',
      null,
      el('th', { text: 'variant' }),
      el('th', { text: 'params' }),
      el('th', { class: 'num', text: 'cases' }),
      matrix.metrics.map((row) =>
        el('th', {
          class: 'num',
          title: `${row.kind}; ${row.greaterIsBetter ? 'higher' : 'lower'} is better`,
          text: `${row.metric} ${row.greaterIsBetter ? '↑' : '↓'}`,
        }),
      ),
      usageColumns.map(([label]) => el('th', { class: 'num', text: label })),
    ),
  )
  for (const { col, i, run } of columns) {
    const tr = el(
      'tr',
      { 'data-variant': col.label },
      el('th', { class: 'text', text: col.label }),
      el('td', {
        class: 'text small',
        'data-params': '',
        title: run?.params
          ? Object.entries(run.params)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')
          : undefined,
        text: run ? variantParams(run, inv) || '(none)' : '(run not in this page)',
      }),
      el('td', { class: 'num', text: String(col.cases) }),
    )
    for (const row of matrix.metrics) {
      const cell = row.cells[i]
      const best = row.best === i
      const isWorse = row.worse.includes(i)
      const td = el('td', {
        class: `num${best ? ' improved' : isWorse ? ' regressed' : ''}`,
        'data-metric': row.metric,
      })
      if (!cell || cell.mean === null) td.append(el('div', { class: 'muted', text: 'no value' }))
      else {
        td.append(
          el('div', {
            class: 'mean',
            'data-value': String(cell.mean),
            text: `${formatValue(cell.mean)}${best ? ' ★' : isWorse ? ' ▼' : ''}`,
          }),
          el('div', {
            class: 'small ci',
            text: cell.ci ? `[${formatValue(cell.ci[0])}, ${formatValue(cell.ci[1])}]` : 'no interval (n<2)',
          }),
        )
      }
      if (cell)
        td.append(
          el('div', {
            class: 'small muted',
            'data-pass-rate': cell.passRate === null ? '' : String(cell.passRate),
            text: `n=${cell.n}${cell.passRate === null ? '' : ` · pass ${formatPercent(cell.passRate)}`}`,
          }),
        )
      tr.append(td)
    }
    for (const [label, values, format] of usageColumns)
      tr.append(el('td', { class: 'num', 'data-usage': label, text: format(values?.[i]) }))
    table.append(tr)
  }
  section.append(el('div', { style: { 'overflow-x': 'auto' } }, table))
  // Per metric: the verdict, and every pair of variants as the matrix tested it.
  section.append(el('h3', { text: 'Which variant is better: pairs of variants per metric' }))
  matrix.metrics.forEach((row, r) => {
    const box = el('div', { class: 'variant-metric', 'data-metric': row.metric })
    const icon = row.verdict === 'best' ? '★' : row.verdict === 'tie' ? '=' : '?'
    box.append(
      el('p', {
        class: `text verdict ${row.verdict}`,
        'data-verdict': row.verdict,
        text: `${icon} ${matrix.verdicts?.[r] || `${row.metric}: ${row.verdict}`}`,
      }),
    )
    const leader = row.leaders.length > 0 ? row.leaders[0] : null
    if (row.pairs.length > 0) {
      const pairs = row.pairs
        .map((pair, k) => ({ pair, k }))
        .sort((x, y) => {
          const lx = x.pair.a === leader || x.pair.b === leader ? 0 : 1
          const ly = y.pair.a === leader || y.pair.b === leader ? 0 : 1
          return lx - ly || x.k - y.k
        })
      const t = el('table', { class: 'grid small pairs' })
      t.append(
        el(
          'tr',
          null,
          el('th', { text: 'pair (A − B)' }),
          el('th', { class: 'num', text: 'matched cases' }),
          el('th', { class: 'num', text: 'Δ mean of A − B' }),
          el('th', { class: 'num', text: 'p' }),
          el('th', { class: 'num', text: 'p adj. (Holm)' }),
          el('th', { text: 'method' }),
        ),
      )
      for (const { pair } of pairs) {
        const significant = pair.pAdjusted !== null && pair.pAdjusted <= matrix.alpha
        t.append(
          el(
            'tr',
            { 'data-pair': `${pair.a}-${pair.b}`, class: pair.a === leader || pair.b === leader ? 'leader-pair' : '' },
            el('td', {
              class: 'text',
              text: `${labelOf(pair.a)}${pair.a === leader ? ' (leader)' : ''} − ${labelOf(pair.b)}${pair.b === leader ? ' (leader)' : ''}`,
            }),
            el('td', { class: 'num', text: String(pair.n) }),
            el('td', {
              class: 'num',
              'data-delta': pair.delta === null ? '' : String(pair.delta),
              text: formatDelta(pair.delta),
            }),
            el('td', {
              class: 'num',
              'data-p': pair.pValue === null ? '' : String(pair.pValue),
              text: formatP(pair.pValue),
            }),
            el('td', {
              class: `num${significant ? ' sig' : ''}`,
              'data-p-adjusted': pair.pAdjusted === null ? '' : String(pair.pAdjusted),
              text: `${formatP(pair.pAdjusted)}${significant ? ' *' : ''}`,
            }),
            el('td', { text: pair.method || 'too few matched cases' }),
          ),
        )
      }
      box.append(t)
    }
    section.append(box)
  })
  // Matched cases, a column per variant.
  section.append(el('h3', { text: 'Cases side by side' }))
  const maps = columns.map(({ run }) => {
    const map = new Map<string, CaseItem>()
    if (run) {
      run.cases.forEach((c, order) => {
        map.set(matchName(c.name, run.variant), { file: runKey(run), c, key: c.name, order })
      })
    }
    return map
  })
  const cases = sideBySide({
    ids: { search: 'variants-search', differ: 'var-differ', count: 'variants-count', detail: 'variants-detail' },
    noun: 'variant',
    label: (key) => key,
    name: (key) => key,
    input: (key) => {
      for (const map of maps) {
        const item = map.get(key)
        if (item && item.c.input !== undefined) return item.c.input
      }
      return undefined
    },
  })
  section.append(cases.element)
  cases.set(
    columns.map(({ col, run }, i) => ({
      label: `${col.label}${run && variantParams(run, inv) ? ` · ${variantParams(run, inv)}` : ''}`,
      title: col.label,
      attr: ['data-variant', col.label],
      get: (key) => maps[i]?.get(key),
    })),
    unionKeys(maps),
  )
  return section
}
