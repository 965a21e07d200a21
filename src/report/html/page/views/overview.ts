/** Overview: totals, judges and cost, the gate's verdict, files × metrics with the comparison, agreement. */
import { runKey } from '../../../run-key.js'
import { formatDelta, formatP, formatPercent, formatValue } from '../../../text.js'
import type { MetricAgreement } from '../../../types.js'
import type { PageContext, View } from '../context.js'
import { type Child, el } from '../dom.js'
import { appOverview } from '../trace/overview.js'
import { agreementLines, costText, judgesOf, overviewTotals } from './overview-model.js'

function card(key: string, value: number, cls = ''): HTMLElement {
  return el(
    'div',
    { class: 'card', 'data-total': key },
    el('div', { class: `v ${cls}`, text: value }),
    el('div', { class: 'k', text: key }),
  )
}

function agreementSection(title: string, a: MetricAgreement): HTMLElement {
  const section = el('section', { class: 'agreement', 'data-metric': a.metric })
  const kappa = a.kappa === null ? 'undefined' : a.kappa.toFixed(3)
  const ci = a.kappaCi ? ` [${a.kappaCi[0].toFixed(2)}, ${a.kappaCi[1].toFixed(2)}]` : ''
  const share = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(0)}%`)
  section.append(
    el('h2', { text: `Agreement with human labels · ${title} · ${a.metric}` }),
    el('p', {
      text:
        `quadratic-weighted kappa ${kappa}${ci} (${a.method}), ${a.n} labelled cases, Spearman ` +
        `${a.spearman === null ? '-' : a.spearman.toFixed(3)}, exact ${share(a.exact)}, within one ${share(a.withinOne)}`,
    }),
  )
  const grid = el('table', { class: 'confusion' })
  grid.append(
    el(
      'tr',
      null,
      el('th', { text: 'human \\ judge' }),
      [1, 2, 3, 4, 5].map((g) => el('th', { class: 'num', text: String(g) })),
    ),
  )
  a.confusion.forEach((counts, i) => {
    grid.append(
      el(
        'tr',
        null,
        el('th', { text: String(i + 1) }),
        counts.map((count, j) => el('td', { class: `num${i === j ? ' good' : ''}`, text: String(count) })),
      ),
    )
  })
  section.append(grid)
  return section
}

/** Builds the Overview. */
export function buildOverview(ctx: PageContext): View {
  const { header: H, head, metricNames, variantMatrices } = ctx
  const view = el('section', { id: 'view-overview' })
  const totals = overviewTotals(head.runs)
  view.append(
    el(
      'div',
      { class: 'cards' },
      card('files', totals.files),
      card('cases', totals.cases),
      card('failed', totals.failed, totals.failed ? 'bad' : ''),
      card('judge errors', totals.judgeErrors, totals.judgeErrors ? 'warn' : ''),
      card('retries', totals.retries),
      card('cache hits', totals.hits),
      card('cache misses', totals.misses),
      card('judge tokens in', totals.tokensIn),
      card('judge tokens out', totals.tokensOut),
    ),
  )
  const app = appOverview(ctx)
  if (app) view.append(app)
  const judges = judgesOf(head.runs)
  view.append(
    el(
      'p',
      { id: 'judges', class: 'facts' },
      el('span', { text: `judges ${judges.length ? judges.join(', ') : 'none'}` }),
      el('span', { id: 'cost', text: costText(H.cost) }),
    ),
  )
  // The gate's verdict.
  const gate = el('div', { id: 'gate' })
  if (H.gate) {
    if (H.gate.failures.length === 0) gate.append(el('p', { class: 'good', text: 'Gate passed.' }))
    else {
      gate.append(el('p', { class: 'bad', text: `Gate failed (${H.gate.failures.length}):` }))
      gate.append(
        el(
          'ul',
          null,
          H.gate.failures.map((f) => el('li', { class: 'text', text: f.message })),
        ),
      )
    }
  } else {
    gate.append(
      el('p', {
        class: 'muted',
        text: 'No gate evaluated (the reporter evaluates the `gate` option; pages made by `report` or `ui` have none).',
      }),
    )
  }
  view.append(gate)
  const cmp = H.comparison
  if (cmp) {
    view.append(
      el('p', {
        text:
          `Baseline ${cmp.base.label} → current ${cmp.head.label}. Significance: paired sign-flip test over the cases ` +
          `matched by name (unpaired permutation test otherwise), alpha ${cmp.alpha}; a delta is marked only when significant.`,
      }),
    )
  } else view.append(el('p', { class: 'muted', text: 'No baseline to compare with: current aggregates only.' }))
  for (const note of H.notes || []) view.append(el('p', { class: 'warn text', text: note }))
  for (const note of H.missing || []) view.append(el('p', { class: 'muted text', text: note }))

  // Files x metrics.
  view.append(el('h2', { text: 'Files × metrics' }))
  const compared = new Map<string, NonNullable<typeof cmp>['runs'][number]['metrics'][number]>()
  // Runs are matched by key: a file's variants are rows of their own.
  for (const r of cmp ? cmp.runs : []) for (const m of r.metrics) compared.set(`${runKey(r)}\u0000${m.metric}`, m)
  const gated = new Set((H.gate ? H.gate.failures : []).map((f) => `${f.key ?? f.file}\u0000${f.metric}`))
  const files = [...new Set([...head.runs.map(runKey), ...(cmp ? cmp.runs.map(runKey) : [])])].sort()
  const runOf = new Map(head.runs.map((r) => [runKey(r), r]))
  const table = el('table', { class: 'grid', id: 'matrix' })
  table.append(
    el(
      'tr',
      null,
      el('th', { text: 'file' }),
      el('th', { class: 'num', text: 'cases' }),
      el('th', { class: 'num', text: 'failed' }),
      el('th', { class: 'num', text: 'judge errors' }),
      metricNames.map((m) => el('th', { text: m })),
    ),
  )
  for (const file of files) {
    const run = runOf.get(file)
    const row = el(
      'tr',
      { 'data-file': file },
      el('td', { class: 'text', text: file }),
      el('td', { class: 'num', text: run ? run.cases.length : '-' }),
      el('td', { class: 'num', text: run ? run.cases.filter((c) => !c.pass).length : '-' }),
      el('td', { class: 'num', text: run ? run.judgeErrors || 0 : '-' }),
    )
    for (const metric of metricNames) {
      const a = run?.aggregates ? run.aggregates[metric] : undefined
      const m = compared.get(`${file}\u0000${metric}`)
      const cell = el('td', { class: 'num', 'data-metric': metric })
      if (a && a.n > 0) {
        cell.append(el('div', { class: 'mean', 'data-value': a.mean, text: formatValue(a.mean) }))
        cell.append(el('div', { class: 'small muted', text: `n=${a.n} · pass ${formatPercent(a.pass_rate)}` }))
      } else if (a) cell.append(el('div', { class: 'muted', text: 'no value (n=0)' }))
      else cell.append(el('div', { class: 'muted', text: '-' }))
      if (m && m.status !== 'new') {
        // The adjusted p-value is the gate's: one-sided (worse direction) when `pOneSided` is recorded.
        const sided = m.pOneSided !== undefined ? ' (one-sided)' : ''
        const p = m.pAdjusted !== undefined && m.pAdjusted !== null ? ` p_adj${sided}=${formatP(m.pAdjusted)}` : ''
        const how = m.method || m.test
        cell.append(
          el('div', {
            class: `small delta ${m.status === 'regressed' ? 'regressed' : m.status === 'improved' ? 'improved' : ''}`,
            title: `baseline ${formatValue(m.baseMean)}; ${how}; n=${m.n.base}/${m.n.head} (${m.n.paired} paired)`,
            text: `Δ ${formatDelta(m.delta)} p (two-sided)=${formatP(m.pValue)}${p} ${m.status}`,
          }),
        )
      }
      if (gated.has(`${file}\u0000${metric}`)) cell.append(el('div', { class: 'small bad', text: '✗ gate' }))
      row.append(cell)
    }
    table.append(row)
  }
  view.append(el('div', { style: { 'overflow-x': 'auto' } }, table))
  // Judge-human agreement over the invocation (report.agreement), then per file: kappa with its
  // interval and the confusion matrix (rows human, columns judge).
  const overall = agreementLines(H.agreement)
  if (overall.length > 0) {
    view.append(
      el('h2', { text: 'Agreement with human labels · the invocation' }),
      el(
        'ul',
        { id: 'agreement' },
        overall.map((line) => el('li', { class: 'text', text: line })),
      ),
    )
  }
  for (const run of head.runs) {
    for (const a of Object.values(run.agreement || {})) view.append(agreementSection(run.file, a))
  }
  if (variantMatrices.length > 0) {
    const n = variantMatrices.length
    view.append(
      el(
        'p',
        { id: 'variants-note' },
        `${n} ${n === 1 ? 'file has' : 'files have'} describeEval variants: `,
        el('button', {
          type: 'button',
          class: 'link',
          text: 'see the Variants view',
          on: { click: () => ctx.show('variants') },
        }),
        '.',
      ),
    )
  }
  // Raw data the views do not show otherwise (the variant matrices have their own view).
  const extras: Child[] = []
  for (const run of head.runs)
    if (run.cost !== undefined)
      extras.push(el('pre', { class: 'text', text: `${run.file} · cost: ${JSON.stringify(run.cost, null, 2)}` }))
  if (extras.length) view.append(el('h2', { text: 'More' }), ...(extras as Node[]))
  return { element: view }
}
