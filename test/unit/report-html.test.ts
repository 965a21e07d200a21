import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { redact } from '../../src/redact.js'
import { aggregateRun } from '../../src/report/aggregate.js'
import { pageAssets } from '../../src/report/html/assets.js'
import { pageHeader, pageHistory, poolAggregates, trendPoints } from '../../src/report/html/page-data.js'
import { encodeRun, pageCsp, pageRunJson, renderPage, scriptSafeJson } from '../../src/report/html/render-page.js'
import { meanConfidenceInterval } from '../../src/report/statistics.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

function run(file: string, scores: number[], output = 'answer'): ReportRun {
  const cases: ReportCase[] = scores.map((score, i) => ({
    name: `case ${i}`,
    pass: true,
    scores: { m: score },
    judgeErrors: 0,
    input: `in ${i}`,
    expected: `ref ${i}`,
    output,
  }))
  return {
    id: `r-${file}`,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
  }
}

describe('page data', () => {
  test('an invocation trend point pools its files: the mean and t interval over every case', () => {
    const a = run('a', [0.1, 0.5, 0.9])
    const b = run('b', [0.2, 0.4, 0.6, 0.8, 1])
    const all = [0.1, 0.5, 0.9, 0.2, 0.4, 0.6, 0.8, 1]
    const pooled = poolAggregates([a.aggregates.m, b.aggregates.m] as never)
    const mean = all.reduce((s, x) => s + x, 0) / all.length
    expect(pooled?.n).toBe(8)
    expect(pooled?.mean).toBeCloseTo(mean, 12)
    const ci = meanConfidenceInterval(all) as [number, number]
    expect(pooled?.ci?.[0]).toBeCloseTo(ci[0], 10)
    expect(pooled?.ci?.[1]).toBeCloseTo(ci[1], 10)
    expect(poolAggregates([run('c', [0.5]).aggregates.m] as never)?.ci).toBeNull()
  })

  test('trend points are sorted oldest first whatever the store order', () => {
    const inv = (id: string, startedAt: string) => ({
      id,
      startedAt,
      git: { commit: null, branch: null },
      params: {},
      runs: [{ aggregates: run('a', [1, 0]).aggregates }],
    })
    const points = trendPoints([inv('new', '2026-02-01T00:00:00Z'), inv('old', '2026-01-01T00:00:00Z')])
    expect(points.map((p) => p.id)).toEqual(['old', 'new'])
    expect(points[0]?.metrics.m?.mean).toBe(0.5)
  })
})

describe('the page header', () => {
  test("one pageHeader() for every writer: the report's cost and agreement carried as they are", () => {
    const cost = {
      calls: 1,
      cachedCalls: 0,
      usd: 0.5,
      savedUsd: 0,
      byJudge: {},
      pricesAsOf: '2025-10-01',
    } as unknown as NonNullable<JsonReport['cost']>
    const agreement = { m: { metric: 'm', n: 3 } } as unknown as NonNullable<JsonReport['agreement']>
    const header = pageHeader({ mode: 'file', report: { cost, agreement }, hasBaseline: true, gateFailures: [] })
    expect(header).toMatchObject({ mode: 'file', baseline: 1, cost, agreement, gate: { failures: [] }, variants: [] })
    expect(header).not.toHaveProperty('t95')
    const bare = pageHeader({ mode: 'file', report: { agreement: {} } })
    expect(bare).toMatchObject({ cost: null, agreement: null, gate: null, baseline: null, comparison: null })
    expect(bare).not.toHaveProperty('follow')
    const waiting = pageHeader({ mode: 'live', report: null, missing: ['none yet'], follow: true })
    expect(waiting).toMatchObject({ mode: 'live', missing: ['none yet'], follow: true })
    expect(waiting).not.toHaveProperty('variants')
  })

  test('the trend history: read through the store, or a note in missing when it cannot be read', async () => {
    const missing: string[] = []
    const history = await pageHistory(
      'e',
      async (limit) => {
        expect(limit).toBe(50)
        return []
      },
      missing,
    )
    expect(history).toEqual({ experiment: 'e', limit: 50, points: [] })
    const failed = await pageHistory('e', () => Promise.reject(new Error('locked')), missing)
    expect(failed).toBeNull()
    expect(missing).toEqual(['Trends: the run history could not be read (locked).'])
    await expect(
      pageHistory(
        'e',
        () => Promise.reject(new TypeError('bug')),
        [],
        (e) => !(e instanceof TypeError),
      ),
    ).rejects.toThrow('bug')
  })
})

describe('page text', () => {
  test('data cannot close its script element: every < is escaped, the value parses back', () => {
    const hostile = '</script><script>alert(1)</script><!-- \u2028'
    const text = scriptSafeJson({ output: hostile })
    expect(text).not.toContain('<')
    expect(JSON.parse(text)).toEqual({ output: hostile })
    const r = run('a', [1], hostile)
    expect(JSON.parse(pageRunJson(r))).toEqual(r)
  })

  test('runs other than the page own keep what is shown beside it: name, pass, scores, output', () => {
    const r = run('a', [1, 0.5])
    const slim = JSON.parse(pageRunJson(r, true)) as ReportRun
    expect(slim.cases[0]).not.toHaveProperty('input')
    expect(slim.cases[0]).not.toHaveProperty('expected')
    expect(slim.cases[1]?.output).toBe('answer')
    expect(slim.aggregates).toEqual(r.aggregates)
  })

  test('a run is stored gzipped in base64 after cleaning: no markup, and it inflates back to the run', () => {
    const r = run('a', [1, 0.5], '<script>alert(1)</script> sk-abcdefghijklmnopqrstuvwx')
    const encoded = encodeRun(r, false, redact)
    expect(encoded).toMatch(/^"[A-Za-z0-9+/=]+"$/)
    const back = JSON.parse(gunzipSync(Buffer.from(JSON.parse(encoded) as string, 'base64')).toString('utf8'))
    expect(back.cases[0].output).toBe('<script>alert(1)</script> [redacted]')
    expect({ ...back, cases: [] }).toEqual({ ...r, cases: [] })
  })

  test('the CSP allows exactly the inline script and style, and no request in a file', () => {
    const assets = pageAssets()
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
    const csp = pageCsp(assets, 'file')
    expect(csp).toContain(`script-src ${hash(assets.script)};`)
    expect(csp).toContain(`style-src ${hash(assets.style)};`)
    expect(csp).toContain("connect-src 'none'")
    expect(pageCsp(assets, 'live')).toContain("connect-src 'self'")
    const html = renderPage(
      {
        version: 1,
        generatedAt: 'now',
        mode: 'file',
        baseline: null,
        comparison: null,
        gate: null,
        notes: [],
        history: null,
        missing: [],
        cost: null,
        agreement: null,
      },
      [{ invocation: { id: 'i', startedAt: 's', git: { commit: null, branch: null }, params: {} }, runs: [] }],
      assets,
    )
    expect(html).toContain(`<script>${assets.script}</script>`)
    expect(html).toContain(`<style>${assets.style}</style>`)
  })

  test('redaction leaves the inlined assets as they are (their hashes stay valid)', () => {
    const assets = pageAssets()
    expect(redact(assets.script)).toBe(assets.script)
    expect(redact(assets.style)).toBe(assets.style)
  })
})
