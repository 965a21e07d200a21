// The vitest-judge report page. Plain browser script, inlined in report.html after uPlot.
// Every piece of run data is shown as text (textContent, text nodes): nothing from a run ever
// becomes markup, a link, a style or a request.
;(async () => {
  const dataElement = document.getElementById('vj-data')
  const app = document.getElementById('app')
  performance.mark('vj-start')
  const data = JSON.parse(dataElement.textContent)
  // Runs are stored gzipped and base64-encoded (see encodeRun): inflated here, without any request.
  // The stream is read chunk by chunk and decoded once: about twice as fast as Response.text() on
  // 15 MB of cases (bench/html-report.mjs).
  const utf8 = new TextDecoder()
  async function decodeRun(text) {
    let bytes
    if (typeof Uint8Array.fromBase64 === 'function') bytes = Uint8Array.fromBase64(text)
    else {
      const binary = atob(text)
      bytes = new Uint8Array(binary.length)
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    }
    const inflate = new DecompressionStream('gzip')
    const writer = inflate.writable.getWriter()
    writer.write(bytes).catch(() => {})
    writer.close().catch(() => {})
    const reader = inflate.readable.getReader()
    const chunks = []
    let length = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      length += value.length
    }
    const all = new Uint8Array(length)
    let offset = 0
    for (const chunk of chunks) {
      all.set(chunk, offset)
      offset += chunk.length
    }
    return JSON.parse(utf8.decode(all))
  }
  // Every invocation's runs at once: the baseline inflates while the head's runs do.
  await Promise.all(
    data.invocations.map(async (item) => {
      item.runs = await Promise.all(item.runs.map((run) => (typeof run === 'string' ? decodeRun(run) : run)))
    }),
  )
  performance.mark('vj-decoded')
  const H = data.header
  const invocations = data.invocations
  const head = invocations[0]
  const base = H.baseline === null || H.baseline === undefined ? null : invocations[H.baseline] || null
  const uPlot = window.uPlot

  // --- small helpers ------------------------------------------------------------------------

  /** Bidi controls made visible, so that no text can reorder what is shown around it. */
  const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g
  function visible(text) {
    return String(text).replace(BIDI, (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`)
  }
  /** An element with properties and children (strings become text nodes). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag)
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue
        if (key === 'class') node.className = value
        else if (key === 'text') node.textContent = visible(value)
        else if (key === 'on') for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn)
        else if (key === 'style') for (const [prop, v] of Object.entries(value)) node.style.setProperty(prop, v)
        else if (key.startsWith('data-') || key.startsWith('aria-') || ['id', 'type', 'title', 'role'].includes(key))
          node.setAttribute(key, String(value))
        else node[key] = value
      }
    }
    append(node, children)
    return node
  }
  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue
      node.append(
        typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
      )
    }
    return node
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild)
  }
  function formatValue(value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '-'
    const abs = Math.abs(value)
    if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`
    if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`
    if (abs >= 100) return value.toFixed(1)
    return value.toFixed(3)
  }
  function formatDelta(delta) {
    if (delta === null || delta === undefined || !Number.isFinite(delta)) return '-'
    const text = formatValue(Math.abs(delta))
    if (Math.abs(delta) < 5e-4 && Math.abs(delta) < 100) return `±${text}`
    return `${delta < 0 ? '-' : '+'}${text}`
  }
  function formatP(p) {
    if (p === null || p === undefined || !Number.isFinite(p)) return '-'
    return p < 0.001 ? '<0.001' : p.toFixed(3)
  }
  function formatPercent(share) {
    if (share === null || share === undefined || !Number.isFinite(share)) return '-'
    return `${(share * 100).toFixed(1)}%`
  }
  function excerpt(text, max) {
    if (text === null || text === undefined) return ''
    const s = String(text)
    const line = s.length > max * 4 ? s.slice(0, max * 4) : s
    const flat = line.replace(/\s+/g, ' ')
    return flat.length > max ? `${flat.slice(0, max)} …` : flat
  }
  function shortId(id) {
    return String(id || '').slice(0, 12)
  }
  function baseName(key) {
    return key.replace(/#\d+$/, '')
  }
  function params(inv) {
    return Object.entries(inv.params || {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
  }
  function gitText(git) {
    if (!git) return 'no git'
    const commit = git.commit ? String(git.commit).slice(0, 8) : 'no commit'
    return git.branch ? `${git.branch} @ ${commit}` : commit
  }
  function t95(df) {
    return H.t95?.[df] || 1.96
  }
  function trialInterval(trials, kind) {
    const xs = (trials || []).filter((x) => Number.isFinite(x))
    if (xs.length < 2) return null
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)
    const half = t95(xs.length - 1) * Math.sqrt(variance / xs.length)
    let lo = mean - half
    let hi = mean + half
    if (kind !== 'measurement') {
      lo = Math.max(0, lo)
      hi = Math.min(1, hi)
    }
    return [lo, hi]
  }

  // --- a live page still waiting for its first invocation ------------------------------------

  if (!head) {
    const note = el('p', { class: 'muted text', id: 'waiting', text: (H.missing || []).join(' ') || 'No invocation.' })
    append(app, [el('header', { class: 'top' }, el('h1', { text: 'vitest-judge' })), el('main', null, note)])
    if (H.mode === 'live') {
      setInterval(() => {
        fetch('api/state', { cache: 'no-store' })
          .then((r) => (r.ok ? r.json() : null))
          .then((state) => {
            if (state?.latest) location.reload()
          })
          .catch(() => {})
      }, 1500)
    }
    document.documentElement.setAttribute('data-ready', 'true')
    return
  }

  // --- the data, indexed ----------------------------------------------------------------------

  // A run's key (report/run-key.ts): `<file> [<variant>]` for a variant's run; `file` is the path.
  function runKeyOf(run) {
    return run.key || run.file
  }

  function casesOf(inv) {
    const out = []
    for (const run of inv.runs) {
      const key = runKeyOf(run)
      for (const c of run.cases) out.push({ file: key, c, key: `${key}\u0000${c.name}`, order: out.length })
    }
    return out
  }
  const headCases = casesOf(head)
  const baseByKey = new Map()
  if (base) for (const item of casesOf(base)) baseByKey.set(item.key, item.c)

  const caseKeys = []
  {
    const seen = new Set()
    for (const item of headCases) {
      for (const key of Object.keys(item.c.scores || {})) {
        if (!seen.has(key)) {
          seen.add(key)
          caseKeys.push(key)
        }
      }
    }
  }
  function kindOf(key) {
    for (const item of headCases) {
      const m = item.c.metrics?.[key]
      if (m?.kind) return m.kind
    }
    return 'score'
  }
  const kinds = new Map(caseKeys.map((k) => [k, kindOf(k)]))
  function worse(c, b, key) {
    const h = c.scores ? c.scores[key] : null
    const v = b?.scores ? b.scores[key] : null
    if (typeof h !== 'number' || typeof v !== 'number') return false
    const gib = !(c.metrics?.[key] && c.metrics[key].greaterIsBetter === false)
    return gib ? h < v : h > v
  }
  for (const item of headCases) {
    const b = baseByKey.get(item.key)
    item.base = b
    item.regressed = b ? caseKeys.some((k) => worse(item.c, b, k)) : false
  }

  const metricNames = []
  {
    const seen = new Set()
    for (const run of head.runs) {
      for (const m of Object.keys(run.aggregates || {})) {
        if (!seen.has(m)) {
          seen.add(m)
          metricNames.push(m)
        }
      }
    }
    for (const key of caseKeys) {
      const m = baseName(key)
      if (!seen.has(m)) {
        seen.add(m)
        metricNames.push(m)
      }
    }
  }

  // --- layout -----------------------------------------------------------------------------

  const inv = head.invocation
  const tabs = [
    ['overview', 'Overview'],
    ['trends', 'Trends'],
    ['distributions', 'Distributions'],
    ['cases', 'Cases'],
    ['compare', 'Compare'],
  ]
  // The Variants tab only when the invocation ran describeEval suites with variants.
  const variantMatrices = Array.isArray(H.variants) ? H.variants : []
  if (variantMatrices.length > 0) tabs.splice(4, 0, ['variants', 'Variants'])
  const views = {}
  const tabButtons = {}
  const main = el('main')
  const liveMark = el('span', { class: 'pill live', id: 'live' })
  const nav = el('nav', { class: 'tabs', role: 'tablist' })
  for (const [id, label] of tabs) {
    const button = el('button', {
      type: 'button',
      role: 'tab',
      id: `tab-${id}`,
      'aria-selected': 'false',
      text: label,
      on: { click: () => show(id) },
    })
    tabButtons[id] = button
    nav.append(button)
  }
  const facts = el(
    'div',
    { class: 'facts' },
    el('span', { text: `invocation ${shortId(inv.id)}` }),
    el('span', { text: `started ${inv.startedAt || '-'}` }),
    inv.endedAt ? el('span', { text: `ended ${inv.endedAt}` }) : null,
    el('span', { class: inv.status === 'interrupted' ? 'warn' : '', text: inv.status || 'complete' }),
    el('span', { text: `git ${gitText(inv.git)}` }),
    inv.experiment ? el('span', { text: `experiment ${inv.experiment}` }) : null,
    params(inv) ? el('span', { text: `params ${params(inv)}` }) : null,
    inv.ci ? el('span', { text: `CI ${inv.ci.provider}${inv.ci.runId ? ` #${inv.ci.runId}` : ''}` }) : null,
    inv.tags?.length ? el('span', { text: `tags ${inv.tags.join(', ')}` }) : null,
    H.mode === 'live' ? liveMark : null,
  )
  append(app, [el('header', { class: 'top' }, el('h1', { text: 'vitest-judge' }), facts, nav), main])

  let current = null
  function show(id) {
    if (!views[id]) views[id] = build[id]()
    if (current) views[current].hidden = true
    for (const [key, button] of Object.entries(tabButtons)) button.setAttribute('aria-selected', String(key === id))
    current = id
    if (!views[id].isConnected) main.append(views[id])
    views[id].hidden = false
    if (views[id].onShow) views[id].onShow()
    if (history.replaceState && location.protocol !== 'file:') history.replaceState(null, '', `#${id}`)
  }

  // --- overview ---------------------------------------------------------------------------

  function buildOverview() {
    const view = el('section', { id: 'view-overview' })
    const totals = { files: head.runs.length, cases: 0, failed: 0, judgeErrors: 0, retries: 0, hits: 0, misses: 0 }
    const tokens = { input: 0, output: 0 }
    for (const run of head.runs) {
      totals.cases += run.cases.length
      totals.failed += run.cases.filter((c) => !c.pass).length
      totals.judgeErrors += run.judgeErrors || 0
      totals.retries += run.retries || 0
      totals.hits += run.cache ? run.cache.hits : 0
      totals.misses += run.cache ? run.cache.misses : 0
      tokens.input += run.tokens ? run.tokens.input : 0
      tokens.output += run.tokens ? run.tokens.output : 0
    }
    // The judges that graded this invocation and what their calls cost (null: a judge without a price).
    const judges = new Set()
    const cost = { seen: false, usd: 0, saved: 0, unknown: false }
    for (const run of head.runs) {
      for (const c of run.cases) for (const m of Object.values(c.metrics || {})) if (m.judge) judges.add(m.judge)
      if (!run.cost) continue
      cost.seen = true
      if (run.cost.usd === null) cost.unknown = true
      else cost.usd += run.cost.usd
      if (run.cost.savedUsd !== null) cost.saved += run.cost.savedUsd
    }
    const costText = !cost.seen
      ? 'cost not recorded'
      : cost.unknown
        ? `cost unknown (a judge without a price), $${cost.usd.toFixed(4)} known, $${cost.saved.toFixed(4)} saved by the cache`
        : `cost $${cost.usd.toFixed(4)}, $${cost.saved.toFixed(4)} saved by the cache`
    const card = (key, value, cls) =>
      el(
        'div',
        { class: 'card', 'data-total': key },
        el('div', { class: `v ${cls || ''}`, text: value }),
        el('div', { class: 'k', text: key }),
      )
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
        card('judge tokens in', tokens.input),
        card('judge tokens out', tokens.output),
      ),
    )
    view.append(
      el(
        'p',
        { id: 'judges', class: 'facts' },
        el('span', { text: `judges ${judges.size ? [...judges].sort().join(', ') : 'none'}` }),
        el('span', { id: 'cost', text: costText }),
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
    const compared = new Map()
    for (const r of cmp ? cmp.runs : []) for (const m of r.metrics) compared.set(`${runKeyOf(r)}\u0000${m.metric}`, m)
    const gated = new Set((H.gate ? H.gate.failures : []).map((f) => `${f.key || f.file}\u0000${f.metric}`))
    const files = [...new Set([...head.runs.map(runKeyOf), ...(cmp ? cmp.runs.map(runKeyOf) : [])])].sort()
    const runOf = new Map(head.runs.map((r) => [runKeyOf(r), r]))
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
    // Judge-human agreement: kappa with its interval and the confusion matrix (rows human, columns judge).
    for (const run of head.runs) {
      for (const a of Object.values(run.agreement || {})) {
        const section = el('section', { class: 'agreement', 'data-metric': a.metric })
        const kappa = a.kappa === null ? 'undefined' : a.kappa.toFixed(3)
        const ci = a.kappaCi ? ` [${a.kappaCi[0].toFixed(2)}, ${a.kappaCi[1].toFixed(2)}]` : ''
        const share = (v) => (v === null ? '-' : `${(v * 100).toFixed(0)}%`)
        section.append(
          el('h2', { text: `Agreement with human labels · ${run.file} · ${a.metric}` }),
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
            ...[1, 2, 3, 4, 5].map((g) => el('th', { class: 'num', text: String(g) })),
          ),
        )
        a.confusion.forEach((counts, i) => {
          grid.append(
            el(
              'tr',
              null,
              el('th', { text: String(i + 1) }),
              ...counts.map((count, j) => el('td', { class: `num${i === j ? ' good' : ''}`, text: String(count) })),
            ),
          )
        })
        section.append(grid)
        view.append(section)
      }
    }
    if (variantMatrices.length > 0) {
      view.append(
        el(
          'p',
          { id: 'variants-note' },
          `${variantMatrices.length} ${variantMatrices.length === 1 ? 'file has' : 'files have'} describeEval variants: `,
          el('button', {
            type: 'button',
            class: 'link',
            text: 'see the Variants view',
            on: { click: () => show('variants') },
          }),
          '.',
        ),
      )
    }
    // Raw data the views do not show otherwise (the variant matrices have their own view).
    const extras = []
    for (const run of head.runs) if (run.cost !== undefined) extras.push([run.file, 'cost', run.cost])
    if (extras.length) {
      view.append(el('h2', { text: 'More' }))
      for (const [file, key, value] of extras)
        view.append(el('pre', { class: 'text', text: `${file} · ${key}: ${JSON.stringify(value, null, 2)}` }))
    }
    return view
  }

  // --- trends -------------------------------------------------------------------------------

  const PALETTE = ['#2f5bd3', '#c2410c', '#067647', '#7c3aed', '#b42318', '#0e7490']

  function buildTrends() {
    const view = el('section', { id: 'view-trends' })
    const hist = H.history
    if (!hist || hist.points.length === 0) {
      view.append(
        el('p', {
          class: 'muted',
          text: hist ? 'No invocation of this experiment is recorded yet.' : 'No run history in this report.',
        }),
      )
      for (const note of H.missing || []) view.append(el('p', { class: 'muted text', text: note }))
      return view
    }
    view.append(
      el('p', {
        class: 'muted',
        text:
          `Experiment ${hist.experiment}: the last ${hist.points.length} invocations (at most ${hist.limit}). Each point is ` +
          'the mean over every case of the invocation; the band is its 95% Student t interval over the cases. ' +
          'The baseline is the large point. Click a point to see that invocation.',
      }),
    )
    const baseId = base ? base.invocation.id : null
    const metrics = []
    for (const m of metricNames) if (hist.points.some((p) => p.metrics[m])) metrics.push(m)
    for (const p of hist.points) for (const m of Object.keys(p.metrics)) if (!metrics.includes(m)) metrics.push(m)
    const charts = el('div', { class: 'charts' })
    view.append(charts)
    const pending = []
    metrics.forEach((metric, mi) => {
      const points = hist.points.filter((p) => p.metrics[metric])
      const xs = points.map((p, i) => {
        const t = Date.parse(p.startedAt) / 1000
        return Number.isFinite(t) ? t : i
      })
      const mean = points.map((p) => p.metrics[metric].mean)
      const lo = points.map((p) => (p.metrics[metric].ci ? p.metrics[metric].ci[0] : null))
      const hi = points.map((p) => (p.metrics[metric].ci ? p.metrics[metric].ci[1] : null))
      const marks = points.map((p) => (p.id === baseId ? p.metrics[metric].mean : null))
      const info = el('div', { class: 'small text', 'data-trend-info': metric })
      const box = el('div', { class: 'chart', 'data-trend': metric }, el('h3', { text: metric }))
      const target = el('div')
      box.append(target, info)
      const list = el('table', { class: 'grid small', 'data-trend-table': metric })
      list.append(
        el(
          'tr',
          null,
          el('th', { text: 'invocation' }),
          el('th', { class: 'num', text: 'mean' }),
          el('th', { text: '95% interval' }),
        ),
      )
      points.forEach((p) => {
        const v = p.metrics[metric]
        list.append(
          el(
            'tr',
            { 'data-id': p.id },
            el('td', {
              text: `${shortId(p.id)} ${p.startedAt}${p.id === baseId ? ' (baseline)' : ''}${p.id === inv.id ? ' (this run)' : ''}`,
            }),
            el('td', { class: 'num', text: formatValue(v.mean) }),
            el('td', { text: v.ci ? `[${formatValue(v.ci[0])}, ${formatValue(v.ci[1])}]` : 'n/a (n<2)' }),
          ),
        )
      })
      const details = el('details', null, el('summary', { class: 'small', text: 'values' }), list)
      box.append(details)
      charts.append(box)
      const color = PALETTE[mi % PALETTE.length]
      const select = (i) => {
        const p = points[i]
        if (!p) return
        clear(info)
        const v = p.metrics[metric]
        info.append(
          el('div', {
            text:
              `${p.id} · ${p.startedAt} · ${p.status} · git ${gitText(p.git)}` +
              `${params(p) ? ` · ${params(p)}` : ''} · mean ${formatValue(v.mean)} (n=${v.n})` +
              `${v.ci ? ` [${formatValue(v.ci[0])}, ${formatValue(v.ci[1])}]` : ''}`,
          }),
        )
        info.append(invocationLink(p.id))
      }
      pending.push(() => {
        if (!uPlot) return
        const plot = new uPlot(
          {
            width: 460,
            height: 220,
            scales: { x: { time: xs.length > 0 && xs[0] > 1e8 } },
            series: [
              {},
              { label: 'mean', stroke: color, width: 2, points: { show: true, size: 6 } },
              { label: '95% low', stroke: 'transparent', points: { show: false } },
              { label: '95% high', stroke: 'transparent', points: { show: false } },
              {
                label: 'baseline',
                stroke: 'transparent',
                points: { show: true, size: 12, stroke: '#111', fill: '#ffd24d' },
              },
            ],
            bands: [{ series: [3, 2], fill: `${color}22` }],
            legend: { show: true },
          },
          [xs, mean, lo, hi, marks],
          target,
        )
        plot.over.addEventListener('click', () => {
          if (plot.cursor.idx !== null && plot.cursor.idx !== undefined) select(plot.cursor.idx)
        })
      })
    })
    view.onShow = () => {
      while (pending.length) pending.shift()()
    }
    return view
  }

  function invocationLink(id) {
    const known = invocations.findIndex((i) => i.invocation.id === id)
    if (H.mode === 'live') {
      return el('a', { href: `?inv=${encodeURIComponent(id)}`, text: 'open this invocation' })
    }
    if (known > 0)
      return el('button', {
        type: 'button',
        class: 'link',
        text: 'compare with it',
        on: { click: () => show('compare') },
      })
    if (known === 0) return el('span', { class: 'muted', text: 'this report' })
    return el('span', { class: 'muted', text: `vitest-judge report ${id} --out report.html writes its page` })
  }

  // --- distributions ------------------------------------------------------------------------

  function histogram(key) {
    const values = []
    const raws = []
    for (const item of headCases) {
      const m = item.c.metrics?.[key]
      const v = item.c.scores ? item.c.scores[key] : null
      if (typeof v === 'number') values.push(v)
      if (m && typeof m.raw === 'number') raws.push(m.raw)
    }
    if (raws.length > 0) {
      const labels = [1, 2, 3, 4, 5]
      const counts = labels.map((g) => raws.filter((r) => Math.round(r) === g).length)
      return { what: 'raw judge grades (1-5)', labels: labels.map(String), xs: labels, counts, n: raws.length }
    }
    if (values.length === 0) return null
    if (kinds.get(key) === 'measurement') {
      const min = Math.min(...values)
      const max = Math.max(...values)
      const bins = min === max ? 1 : 20
      const width = (max - min) / bins || 1
      const counts = new Array(bins).fill(0)
      for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++
      const xs = counts.map((_, i) => min + width * (i + 0.5))
      const labels = counts.map((_, i) => `${formatValue(min + width * i)}–${formatValue(min + width * (i + 1))}`)
      return { what: 'values', labels, xs, counts, n: values.length }
    }
    const counts = new Array(10).fill(0)
    for (const v of values) counts[Math.max(0, Math.min(9, Math.floor(v * 10)))]++
    const xs = counts.map((_, i) => i / 10 + 0.05)
    const labels = counts.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`)
    return { what: 'scores (0-1)', labels, xs, counts, n: values.length }
  }

  function buildDistributions() {
    const view = el('section', { id: 'view-distributions' })
    const charts = el('div', { class: 'charts' })
    view.append(charts)
    const pending = []
    caseKeys.forEach((key, i) => {
      const h = histogram(key)
      const box = el('div', { class: 'chart', 'data-histogram': key }, el('h3', { text: key }))
      charts.append(box)
      if (!h) {
        box.append(el('p', { class: 'muted', text: 'no values (every case errored)' }))
        return
      }
      box.append(el('div', { class: 'small muted', text: `${h.what}, ${h.n} cases` }))
      const target = el('div')
      box.append(target)
      const table = el('table', { class: 'grid small' })
      table.append(el('tr', null, el('th', { text: 'bin' }), el('th', { class: 'num', text: 'cases' })))
      h.labels.forEach((label, j) => {
        table.append(
          el('tr', { 'data-bin': label }, el('td', { text: label }), el('td', { class: 'num', text: h.counts[j] })),
        )
      })
      box.append(el('details', null, el('summary', { class: 'small', text: 'counts' }), table))
      pending.push(() => {
        if (!uPlot) return
        const color = PALETTE[i % PALETTE.length]
        const pad = h.xs.length > 1 ? (h.xs[1] - h.xs[0]) / 2 : 0.5
        new uPlot(
          {
            width: 420,
            height: 200,
            scales: {
              x: { time: false, range: [h.xs[0] - pad, h.xs[h.xs.length - 1] + pad] },
              y: { range: [0, null] },
            },
            series: [
              {},
              {
                label: 'cases',
                stroke: color,
                fill: `${color}88`,
                paths: uPlot.paths.bars({ size: [0.9, 80] }),
                points: { show: false },
              },
            ],
            legend: { show: false },
          },
          [h.xs, h.counts],
          target,
        )
      })
    })
    if (caseKeys.length === 0) view.append(el('p', { class: 'muted', text: 'No metric values in this invocation.' }))
    view.onShow = () => {
      while (pending.length) pending.shift()()
    }
    return view
  }

  // --- a virtual list -----------------------------------------------------------------------

  function virtualList(rowHeight, renderRow) {
    const box = el('div', { class: 'vlist' })
    const spacer = el('div', { class: 'spacer' })
    box.append(spacer)
    let items = []
    let scheduled = false
    function paint() {
      scheduled = false
      const top = box.scrollTop
      const height = box.clientHeight || 480
      const first = Math.max(0, Math.floor(top / rowHeight) - 5)
      const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 5)
      clear(spacer)
      for (let i = first; i < last; i++) {
        const row = renderRow(items[i], i)
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

  // --- word diff ----------------------------------------------------------------------------

  function wordDiff(a, b) {
    const A = a.split(/(\s+)/).filter((x) => x !== '')
    const B = b.split(/(\s+)/).filter((x) => x !== '')
    const n = A.length
    const m = B.length
    // Past these sizes the table or the markup would freeze the page: both texts are shown whole instead.
    if ((n + 1) * (m + 1) > 4e6 || n + m > 20000) return null
    const w = m + 1
    const L = new Uint32Array((n + 1) * w)
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        L[i * w + j] = A[i] === B[j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1])
      }
    }
    const out = []
    let i = 0
    let j = 0
    while (i < n && j < m) {
      if (A[i] === B[j]) {
        out.push(['=', A[i++]])
        j++
      } else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) out.push(['-', A[i++]])
      else out.push(['+', B[j++]])
    }
    while (i < n) out.push(['-', A[i++]])
    while (j < m) out.push(['+', B[j++]])
    return out
  }

  function diffView(before, after) {
    const parts = wordDiff(before, after)
    if (!parts) return el('p', { class: 'muted', text: 'Too long for a word diff: both outputs are shown above.' })
    const pre = el('pre', { class: 'text diff', 'data-diff': '' })
    for (const [op, text] of parts) {
      if (op === '=') pre.append(document.createTextNode(visible(text)))
      else pre.append(el(op === '-' ? 'del' : 'ins', { text }))
    }
    return pre
  }

  // --- cases --------------------------------------------------------------------------------

  const CASE_ROW = 28
  function searchText(item) {
    if (item.search === undefined) {
      const c = item.c
      const parts = [item.file, c.name, c.input, c.output, c.expected, c.error, c.context]
      for (const m of Object.values(c.metrics || {})) parts.push(m.justification, m.error ? m.error.message : '')
      item.search = parts
        .filter((x) => x !== undefined && x !== null)
        .map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
        .join('\n')
        .toLowerCase()
    }
    return item.search
  }

  function buildCases() {
    const view = el('section', { id: 'view-cases' })
    const state = {
      q: '',
      failed: false,
      regressed: false,
      errors: false,
      under: '',
      below: '',
      sort: null,
      desc: false,
    }
    const shownKeys = caseKeys.slice(0, 8)
    const search = el('input', {
      type: 'search',
      id: 'case-search',
      placeholder: 'search name, input, output, justification…',
    })
    const box = (id, label) => {
      const input = el('input', { type: 'checkbox', id })
      return [input, el('label', { htmlFor: id, text: label })]
    }
    const [failed, failedLabel] = box('f-failed', 'failed')
    const [regressed, regressedLabel] = box('f-regressed', base ? 'regressed vs baseline' : 'regressed (no baseline)')
    regressed.disabled = !base
    const [errors, errorsLabel] = box('f-errors', 'judge errors')
    const metricSelect = el(
      'select',
      { id: 'f-metric' },
      el('option', { value: '', text: 'metric…' }),
      caseKeys.map((k) => el('option', { value: k, text: k })),
    )
    const below = el('input', { type: 'number', id: 'f-below', step: 'any', placeholder: 'value' })
    const count = el('span', { id: 'case-count', class: 'muted' })
    view.append(
      el(
        'div',
        { class: 'controls' },
        search,
        el('span', null, failed, failedLabel),
        el('span', null, regressed, regressedLabel),
        el('span', null, errors, errorsLabel),
        el('span', null, metricSelect, ' under ', below),
        count,
      ),
    )
    const columns = [
      { id: 'status', label: '', width: 34, value: (it) => (it.c.pass ? 1 : 0) },
      { id: 'file', label: 'file', width: 170, value: (it) => it.file },
      { id: 'name', label: 'case', grow: true, value: (it) => it.c.name },
      ...shownKeys.map((k) => ({
        id: `m:${k}`,
        label: k,
        width: 110,
        num: true,
        value: (it) => numberOr(it.c.scores[k]),
      })),
      { id: 'latency', label: 'latency ms', width: 90, num: true, value: (it) => numberOr(it.c.latencyMs) },
    ]
    function numberOr(v) {
      return typeof v === 'number' ? v : Number.NEGATIVE_INFINITY
    }
    const headRow = el('div', { class: 'vhead' })
    for (const col of columns) {
      const cell = el('span', {
        class: `cell${col.grow ? ' grow' : ''}${col.num ? ' num' : ''}`,
        'data-sort': col.id,
        text: col.label,
        on: {
          click: () => {
            if (state.sort === col.id) state.desc = !state.desc
            else {
              state.sort = col.id
              state.desc = false
            }
            refresh()
          },
        },
      })
      if (col.width) cell.style.width = `${col.width}px`
      headRow.append(cell)
    }
    let selectedKey = null
    const list = virtualList(CASE_ROW, (item) => {
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
        let text
        let cls = ''
        if (col.id === 'status') {
          text = item.c.pass ? '✓' : '✗'
          cls = item.c.pass ? 'good' : 'bad'
        } else if (col.id === 'file') text = item.file
        else if (col.id === 'name') text = excerpt(item.c.name, 200)
        else if (col.id === 'latency') text = item.c.latencyMs === undefined ? '' : formatValue(item.c.latencyMs)
        else {
          const key = col.id.slice(2)
          const v = item.c.scores[key]
          text = v === null ? 'error' : v === undefined ? '' : formatValue(v)
          if (item.base && worse(item.c, item.base, key)) cls = 'regressed'
          if (v === null) cls = 'warn'
        }
        const cell = el('span', { class: `cell${col.grow ? ' grow' : ''}${col.num ? ' num' : ''} ${cls}`, text })
        if (col.width) cell.style.width = `${col.width}px`
        row.append(cell)
      }
      return row
    })
    const detail = el('div', { class: 'detail', id: 'case-detail', hidden: true })
    view.append(headRow, list.element, detail)
    function matches(item) {
      if (state.failed && item.c.pass) return false
      if (state.regressed && !item.regressed) return false
      if (state.errors && !(item.c.judgeErrors > 0)) return false
      if (state.under && state.below !== '') {
        const v = item.c.scores[state.under]
        const limit = Number(state.below)
        if (typeof v !== 'number' || !(v < limit)) return false
      }
      if (state.q && !searchText(item).includes(state.q)) return false
      return true
    }
    function refresh() {
      let items = headCases.filter(matches)
      if (state.sort) {
        const col = columns.find((c) => c.id === state.sort)
        const sign = state.desc ? -1 : 1
        items = items.slice().sort((a, b) => {
          const x = col.value(a)
          const y = col.value(b)
          return (x < y ? -1 : x > y ? 1 : a.order - b.order) * sign
        })
      }
      count.textContent = `${items.length} of ${headCases.length} cases`
      count.setAttribute('data-count', String(items.length))
      list.set(items)
    }
    let timer = null
    search.addEventListener('input', () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        state.q = search.value.trim().toLowerCase()
        refresh()
      }, 120)
    })
    failed.addEventListener('change', () => {
      state.failed = failed.checked
      refresh()
    })
    regressed.addEventListener('change', () => {
      state.regressed = regressed.checked
      refresh()
    })
    errors.addEventListener('change', () => {
      state.errors = errors.checked
      refresh()
    })
    metricSelect.addEventListener('change', () => {
      state.under = metricSelect.value
      refresh()
    })
    below.addEventListener('input', () => {
      state.below = below.value
      refresh()
    })

    function textBlock(label, value) {
      if (value === undefined || value === null) return null
      return [
        el('h3', { text: label }),
        el('pre', {
          class: 'text',
          'data-field': label,
          text: typeof value === 'string' ? value : JSON.stringify(value, null, 2),
        }),
      ]
    }
    function metricsTable(c, other) {
      const table = el('table', { class: 'grid small' })
      table.append(
        el(
          'tr',
          null,
          [
            'metric',
            'score',
            'raw',
            'kind',
            'threshold',
            'pass',
            'judge',
            'trials (95% t interval)',
            'justification',
          ].map((t) => el('th', { text: t })),
          other ? el('th', { text: 'baseline' }) : null,
        ),
      )
      const keys = [...new Set([...Object.keys(c.scores || {}), ...Object.keys(c.metrics || {})])]
      for (const key of keys) {
        const m = c.metrics?.[key] || { score: c.scores[key] }
        const ci = m.trials ? trialInterval(m.trials, m.kind) : null
        const trials = m.trials
          ? `${m.trials.map(formatValue).join(', ')}${ci ? ` [${formatValue(ci[0])}, ${formatValue(ci[1])}]` : ''}`
          : ''
        const regressedHere = other && worse(c, other, key)
        table.append(
          el(
            'tr',
            { 'data-metric': key },
            el('td', { text: key }),
            el('td', {
              class: `num ${regressedHere ? 'regressed' : ''}`,
              text: m.error ? 'error' : formatValue(m.score),
            }),
            el('td', { class: 'num', text: m.raw === undefined || m.raw === null ? '' : String(m.raw) }),
            el('td', { text: m.kind || '' }),
            el('td', {
              class: 'num',
              text: m.threshold === undefined || m.threshold === null ? '' : formatValue(m.threshold),
            }),
            el('td', { text: m.pass === true ? 'yes' : m.pass === false ? 'no' : '' }),
            el('td', { text: m.judge || '' }),
            el('td', { text: trials }),
            el('td', { class: 'text', text: m.error ? `${m.error.code}: ${m.error.message}` : m.justification || '' }),
            other ? el('td', { class: 'num', text: formatValue(other.scores ? other.scores[key] : null) }) : null,
          ),
        )
      }
      return table
    }
    function openDetail(item) {
      const c = item.c
      const b = item.base
      clear(detail)
      detail.hidden = false
      const facts = [c.pass ? 'passed' : 'failed', `file ${item.file}`]
      if (c.latencyMs !== undefined) facts.push(`latency ${formatValue(c.latencyMs)} ms`)
      if (c.durationMs !== undefined) facts.push(`test ${formatValue(c.durationMs)} ms`)
      if (c.tokens) facts.push(`tokens ${c.tokens.input} in / ${c.tokens.output} out`)
      if (c.judgeErrors) facts.push(`${c.judgeErrors} judge errors`)
      if (c.retries) facts.push(`${c.retries} retries`)
      append(detail, [
        el('h2', { class: 'text', id: 'detail-name', text: c.name }),
        el('div', { class: 'facts', text: facts.join(' · ') }),
        c.error ? el('pre', { class: 'text bad', text: c.error }) : null,
        textBlock('input', c.input),
        textBlock('expected', c.expected),
        textBlock('context', c.context),
      ])
      const sides = el('div', { class: b ? 'sides' : '' })
      sides.append(el('div', null, textBlock('output', c.output === undefined ? '' : c.output)))
      if (b) sides.append(el('div', null, textBlock('baseline output', b.output === undefined ? '' : b.output)))
      detail.append(sides)
      if (b && typeof c.output === 'string' && typeof b.output === 'string') {
        detail.append(el('h3', { text: 'word diff (baseline → current)' }), diffView(b.output, c.output))
      } else if (base && !b) detail.append(el('p', { class: 'muted', text: 'Not in the baseline (a new case).' }))
      detail.append(el('h3', { text: 'metrics' }), metricsTable(c, b))
      detail.scrollIntoView({ block: 'nearest' })
    }
    view.onShow = () => {
      if (!view.ready) {
        view.ready = true
        refresh()
      }
    }
    return view
  }

  // --- cases side by side (the Compare and Variants views) -----------------------------------

  /**
   * Matched cases in columns: one row per case, a column per source (an invocation, a variant)
   * with its scores and the start of its output; a row opens to every column's whole output and
   * scores. `opts.ids` names the controls; `opts.label(key)` and `opts.name(key)` say what a row is,
   * `opts.input(key)` the input shown in the detail. `set(columns, keys)` fills it: each column is
   * `{ label, title, attr: [name, value], get(key) }`, `get` giving an item as `casesOf` makes them.
   */
  function sideBySide(opts) {
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
    let columns = []
    let keys = []
    const list = virtualList(56, (key) => {
      const row = el('div', { class: 'vrow cmp-row', 'data-case': opts.name(key) })
      row.append(el('span', { class: 'cell', style: { width: '220px' }, text: excerpt(opts.label(key), 160) }))
      for (const col of columns) {
        const item = col.get(key)
        const cell = el('span', { class: 'cell grow', [col.attr[0]]: col.attr[1] })
        if (!item) cell.append(el('span', { class: 'muted', text: `(not in this ${opts.noun})` }))
        else {
          const scores = Object.entries(item.c.scores || {})
            .map(([k, v]) => `${k} ${v === null ? 'error' : formatValue(v)}`)
            .join(' · ')
          cell.append(
            el('div', { class: item.c.pass ? '' : 'bad', text: scores || '(no scores)' }),
            el('div', { class: 'muted', text: excerpt(item.c.output, 160) }),
          )
        }
        row.append(cell)
      }
      row.addEventListener('click', () => openDetail(key))
      return row
    })
    const detail = el('div', { class: 'detail', id: opts.ids.detail, hidden: true })
    element.append(headRow, list.element, detail)
    function differs(key) {
      const present = columns.map((col) => col.get(key)).filter(Boolean)
      if (present.length < 2) return true
      const text = (item) => JSON.stringify(item.c.scores || {})
      return present.some((item) => text(item) !== text(present[0]))
    }
    function refresh() {
      clear(headRow)
      headRow.append(el('span', { class: 'cell', style: { width: '220px' }, text: 'case' }))
      for (const col of columns) headRow.append(el('span', { class: 'cell grow', title: col.title, text: col.label }))
      const q = search.value.trim().toLowerCase()
      const shown = keys.filter((key) => {
        if (differ.checked && !differs(key)) return false
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
    function openDetail(key) {
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

  /** The keys of several maps, each once, in the order first met. */
  function unionKeys(maps) {
    const seen = new Set()
    const out = []
    for (const map of maps) {
      for (const key of map.keys()) {
        if (!seen.has(key)) {
          seen.add(key)
          out.push(key)
        }
      }
    }
    return out
  }

  // --- compare ------------------------------------------------------------------------------

  function buildCompare() {
    const view = el('section', { id: 'view-compare' })
    if (invocations.length < 2) {
      view.append(
        el('p', {
          class: 'muted',
          text: 'Only one invocation in this report. With a baseline, the reporter adds it here; `vitest-judge report A B C --out FILE` lines up several.',
        }),
      )
      return view
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
            text: `${what}: ${shortId(item.invocation.id)} ${item.invocation.startedAt || ''} ${params(item.invocation) || '(no params)'} ${gitText(item.invocation.git)}`,
          }),
        ),
      )
    })
    const byInvocation = invocations.map((item) => {
      const map = new Map()
      for (const c of casesOf(item)) map.set(c.key, c)
      return map
    })
    const allKeys = unionKeys(byInvocation)
    const table = sideBySide({
      ids: { search: 'compare-search', differ: 'cmp-differ', count: 'compare-count', detail: 'compare-detail' },
      noun: 'invocation',
      label: (key) => key.split('\u0000').join(' › '),
      name: (key) => key.split('\u0000')[1],
      input: (key) => byInvocation[0].get(key)?.c.input,
    })
    view.append(pick, table.element)
    function refresh() {
      const columns = []
      chosen.forEach((on, i) => {
        if (!on) return
        const item = invocations[i].invocation
        columns.push({
          label: `${shortId(item.id)} ${params(item)}`,
          attr: ['data-invocation', i],
          get: (key) => byInvocation[i].get(key),
        })
      })
      table.set(columns, allKeys)
    }
    view.onShow = () => {
      if (!view.ready) {
        view.ready = true
        refresh()
      }
    }
    return view
  }

  // --- variants -----------------------------------------------------------------------------

  /** A case's name without its `[variant] ` tag, as report/variant-matrix.ts matches cases. */
  function matchName(name, variant) {
    if (variant === undefined || variant === null) return name
    const tag = `[${variant}] `
    const cut = name.lastIndexOf(' > ')
    const before = cut < 0 ? '' : name.slice(0, cut + 3)
    const last = cut < 0 ? name : name.slice(cut + 3)
    return last.startsWith(tag) ? before + last.slice(tag.length) : name
  }

  /** A variant's own fields: its run's params less those equal to the invocation's (and its name). */
  function variantParams(run) {
    if (!run?.params) return ''
    const own = inv.params || {}
    return Object.entries(run.params)
      .filter(([k, v]) => k !== 'variant' && own[k] !== v)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
  }

  function buildVariants() {
    const view = el('section', { id: 'view-variants' })
    const first = variantMatrices[0]
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
    const runsById = new Map(head.runs.map((r) => [r.id, r]))
    const body = el('div')
    if (variantMatrices.length > 1) {
      const select = el(
        'select',
        { id: 'variants-file' },
        variantMatrices.map((m, i) => el('option', { value: String(i), text: m.file })),
      )
      select.addEventListener('change', () => showFile(Number(select.value)))
      view.append(
        el(
          'div',
          { class: 'controls' },
          el('label', { htmlFor: 'variants-file', text: `${variantMatrices.length} files with variants:` }),
          select,
        ),
      )
    }
    view.append(body)
    // One file's view at a time, made when chosen: nothing is built for files not looked at.
    function showFile(index) {
      clear(body)
      body.append(variantFile(variantMatrices[index], runsById))
    }
    view.onShow = () => {
      if (!view.ready) {
        view.ready = true
        showFile(0)
      }
    }
    return view
  }

  function variantFile(matrix, runsById) {
    const section = el('section', { class: 'variant-file', 'data-variants-file': matrix.file })
    const columns = matrix.columns.map((col, i) => ({ col, i, run: runsById.get(col.runId) }))
    const labelOf = (i) => (matrix.columns[i] ? matrix.columns[i].label : `#${i + 1}`)
    section.append(
      el('h2', { class: 'text', text: `${matrix.file} · ${matrix.columns.length} variants` }),
      el('p', {
        class: 'muted',
        text: 'params: the variant’s own fields (its run’s params less those equal to the invocation’s; hover for all).',
      }),
    )
    // Variants x metrics.
    const table = el('table', { class: 'grid', id: 'variant-matrix' })
    const usage = matrix.usage || {}
    const usageColumns = [
      ['task tokens/case', usage.taskTokens, (v) => formatValue(v)],
      ['task latency ms', usage.latencyMs, (v) => formatValue(v)],
      ['judge tokens', usage.judgeTokens, (v) => (v === null || v === undefined ? '-' : String(v))],
      ['judge cost', usage.judgeCostUsd, (v) => (v === null || v === undefined ? '-' : `$${v.toFixed(4)}`)],
    ].filter(([, values]) => Array.isArray(values) && values.some((v) => v !== null && v !== undefined))
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
          text: run ? variantParams(run) || '(none)' : '(run not in this page)',
        }),
        el('td', { class: 'num', text: String(col.cases) }),
      )
      for (const row of matrix.metrics) {
        const cell = row.cells[i]
        const best = row.best === i
        const worse = row.worse.includes(i)
        const td = el('td', {
          class: `num${best ? ' improved' : worse ? ' regressed' : ''}`,
          'data-metric': row.metric,
        })
        if (!cell || cell.mean === null) td.append(el('div', { class: 'muted', text: 'no value' }))
        else {
          td.append(
            el('div', {
              class: 'mean',
              'data-value': String(cell.mean),
              text: `${formatValue(cell.mean)}${best ? ' ★' : worse ? ' ▼' : ''}`,
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
        tr.append(el('td', { class: 'num', 'data-usage': label, text: format(values[i]) }))
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
              {
                'data-pair': `${pair.a}-${pair.b}`,
                class: pair.a === leader || pair.b === leader ? 'leader-pair' : '',
              },
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
      const map = new Map()
      if (run)
        for (const c of run.cases) map.set(matchName(c.name, run.variant), { file: runKeyOf(run), c, key: c.name })
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
        label: `${col.label}${run && variantParams(run) ? ` · ${variantParams(run)}` : ''}`,
        title: col.label,
        attr: ['data-variant', col.label],
        get: (key) => maps[i].get(key),
      })),
      unionKeys(maps),
    )
    return section
  }

  const build = {
    overview: buildOverview,
    trends: buildTrends,
    distributions: buildDistributions,
    cases: buildCases,
    compare: buildCompare,
  }
  if (variantMatrices.length > 0) build.variants = buildVariants

  // --- live mode ----------------------------------------------------------------------------

  if (H.mode === 'live') {
    liveMark.textContent = 'live'
    const poll = () => {
      fetch('api/state', { cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : null))
        .then((state) => {
          if (!state) return
          liveMark.textContent = `live · checked ${new Date().toLocaleTimeString()}`
          if (H.follow && state.latest && state.latest !== inv.id) location.reload()
        })
        .catch(() => {
          liveMark.textContent = 'live · server unreachable'
        })
    }
    setInterval(poll, 1500)
  }

  const start = (location.hash || '').slice(1)
  show(build[start] ? start : 'overview')
  performance.mark('vj-ready')
  document.documentElement.setAttribute('data-ready', 'true')
})()
