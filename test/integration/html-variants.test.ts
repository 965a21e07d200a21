import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { formatP, formatValue } from '../../src/report/text.js'
import type { JsonReport, ReportRun, VariantMatrix } from '../../src/report/types.js'
import { matchName } from '../../src/report/variant-matrix.js'
import { verdictText } from '../../src/report/variant-render.js'
import { launchChromium, openReport, type PageWatch, watchPage } from './browser.js'
import { writeInvocation } from './drive-reporter.js'
import { REPO, runFixture } from './run-fixture.js'

// A real Vitest run of fixtures/variants-html (two files with describeEval variants, one variant
// answering markup and bidi controls) writes report.html; the page's Variants view is read in real
// headless Chromium and checked against report.json.

const CLI = join(REPO, 'dist/cli/index.js')
let dir: string
let report: JsonReport
let browser: Browser
let page: Page
let watch: PageWatch
let htmlUrl: string

/** Bidi controls as the page shows them (made visible, so that they reorder nothing). */
function shown(text: string): string {
  return text.replace(
    /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g,
    (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`,
  )
}

function runOf(id: string): ReportRun {
  const run = report.runs.find((r) => r.id === id)
  if (!run) throw new Error(`no run ${id} in report.json`)
  return run
}

function matrixOf(file: string): VariantMatrix {
  const matrix = report.variants?.find((m) => m.file === file)
  if (!matrix) throw new Error(`no matrix for ${file}`)
  return matrix
}

async function openVariants(target: Page, file: string): Promise<void> {
  await target.click('#tab-variants')
  if ((await target.locator('#variants-file').count()) > 0) {
    const index = await target
      .locator('#variants-file option')
      .evaluateAll((options, wanted) => options.findIndex((o) => o.textContent === wanted), file)
    await target.selectOption('#variants-file', String(index))
  }
  await target.waitForSelector(`[data-variants-file="${file}"]`)
}

/** The matrix as the page shows it: per variant and metric the mean, the interval text, the pass rate. */
async function shownMatrix(target: Page, matrix: VariantMatrix) {
  const cells: Record<string, Record<string, { mean: number; ci: string; pass: string; mark: string }>> = {}
  for (const column of matrix.columns) {
    cells[column.label] = {}
    for (const row of matrix.metrics) {
      const td = target.locator(`#variant-matrix tr[data-variant="${column.label}"] td[data-metric="${row.metric}"]`)
      const meanText = (await td.locator('.mean').textContent()) ?? ''
      ;(cells[column.label] as Record<string, unknown>)[row.metric] = {
        mean: Number(await td.locator('.mean').getAttribute('data-value')),
        ci: (await td.locator('.ci').textContent()) ?? '',
        pass: (await td.locator('[data-pass-rate]').getAttribute('data-pass-rate')) ?? '',
        mark: meanText.includes('★') ? 'best' : meanText.includes('▼') ? 'worse' : '',
      }
    }
  }
  return cells
}

function expectedMatrix(matrix: VariantMatrix) {
  const cells: Record<string, Record<string, { mean: number; ci: string; pass: string; mark: string }>> = {}
  matrix.columns.forEach((column, i) => {
    cells[column.label] = {}
    for (const row of matrix.metrics) {
      const cell = row.cells[i]
      if (!cell || cell.mean === null) throw new Error('the fixture scores every case')
      ;(cells[column.label] as Record<string, unknown>)[row.metric] = {
        mean: cell.mean,
        ci: cell.ci ? `[${formatValue(cell.ci[0])}, ${formatValue(cell.ci[1])}]` : 'no interval (n<2)',
        pass: cell.passRate === null ? '' : String(cell.passRate),
        mark: row.best === i ? 'best' : row.worse.includes(i) ? 'worse' : '',
      }
    }
  })
  return cells
}

beforeAll(async () => {
  const run = await runFixture('variants-html')
  if (!run.report) throw new Error(`the fixture wrote no report.json: ${run.stderr}`)
  dir = run.dir
  report = run.report
  htmlUrl = pathToFileURL(join(dir, 'report.html')).href
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  watch = watchPage(page)
  await openReport(page, htmlUrl)
}, 180_000)

afterAll(async () => {
  await browser?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the Variants view of report.html', () => {
  test('the fixture ran two files with variants, one variant answering hostile text', () => {
    expect(report.variants?.map((m) => m.file)).toEqual(['chat.eval.ts', 'qa.eval.ts'])
    expect(matrixOf('qa.eval.ts').columns.map((c) => c.label)).toEqual(['reference', 'terse', 'hostile'])
    const hostile = report.runs.find((r) => r.variant === 'hostile')
    expect(hostile?.cases.some((c) => c.output?.includes('<script>'))).toBe(true)
  })

  test('a Variants tab; the overview points to it and no longer dumps the matrices as JSON', async () => {
    expect(await page.locator('#tab-variants').count()).toBe(1)
    expect(await page.textContent('#variants-note')).toContain('2 files have describeEval variants')
    expect(await page.locator('#view-overview').textContent()).not.toContain('"metrics"')
  })

  test('every cell, interval, pass rate and mark equals report.json, for each file', async () => {
    for (const matrix of report.variants ?? []) {
      await openVariants(page, matrix.file)
      expect(await shownMatrix(page, matrix)).toEqual(expectedMatrix(matrix))
      const cases = await page.locator('#variant-matrix tr[data-variant] td:nth-child(3)').allTextContents()
      expect(cases).toEqual(matrix.columns.map((c) => String(c.cases)))
    }
  })

  test("each variant's own params are shown", async () => {
    await openVariants(page, 'qa.eval.ts')
    const params = await page.locator('#variant-matrix tr[data-variant] td[data-params]').allTextContents()
    expect(params).toEqual([
      'model=ref-model temperature=0',
      'model=terse-model temperature=0.5',
      'model=hostile-model temperature=1',
    ])
    const matrix = matrixOf('qa.eval.ts')
    for (const column of matrix.columns) expect(runOf(column.runId).params?.model).toBeDefined()
  })

  test('the verdicts and every pair (delta, p, Holm p, method) are report.json numbers', async () => {
    for (const matrix of report.variants ?? []) {
      await openVariants(page, matrix.file)
      for (const row of matrix.metrics) {
        const box = page.locator(`.variant-metric[data-metric="${row.metric}"]`)
        const verdict = verdictText(matrix, row, (i) => matrix.columns[i]?.label ?? '')
        expect(await box.locator('.verdict').textContent()).toBe(`${row.verdict === 'best' ? '★' : '='} ${verdict}`)
        expect(await box.locator('.verdict').getAttribute('data-verdict')).toBe(row.verdict)
        expect(await box.locator('tr[data-pair]').count()).toBe(row.pairs.length)
        for (const pair of row.pairs) {
          const tr = box.locator(`tr[data-pair="${pair.a}-${pair.b}"]`)
          const a = matrix.columns[pair.a]?.label ?? ''
          const b = matrix.columns[pair.b]?.label ?? ''
          expect((await tr.locator('td').first().textContent())?.replace(/ \(leader\)/g, '')).toBe(`${a} − ${b}`)
          expect(Number(await tr.locator('[data-delta]').getAttribute('data-delta'))).toBe(pair.delta)
          expect(Number(await tr.locator('[data-p]').getAttribute('data-p'))).toBe(pair.pValue)
          expect(Number(await tr.locator('[data-p-adjusted]').getAttribute('data-p-adjusted'))).toBe(pair.pAdjusted)
          expect(await tr.locator('[data-p-adjusted]').textContent()).toContain(formatP(pair.pAdjusted))
          expect(await tr.locator('td').last().textContent()).toBe(pair.method)
        }
      }
    }
    // The fixture's verdicts, as the console printed them: the reference is best on both metrics.
    const qa = matrixOf('qa.eval.ts')
    expect(qa.metrics.map((m) => [m.metric, m.verdict, m.best])).toEqual([
      ['token_f1', 'best', 0],
      ['exact_match', 'best', 0],
    ])
  })

  test('matched cases line up, one row per case and a column per variant with its output and scores', async () => {
    const matrix = matrixOf('qa.eval.ts')
    await openVariants(page, 'qa.eval.ts')
    expect(Number(await page.getAttribute('#variants-count', 'data-count'))).toBe(12)
    const headers = await page.locator('#view-variants .cmp-head .cell').allTextContents()
    expect(headers.slice(1).map((h) => h.split(' · ')[0])).toEqual(['reference', 'terse', 'hostile'])
    const rows = page.locator('#view-variants .cmp-row')
    const name = (await rows.nth(2).getAttribute('data-case')) ?? ''
    for (const column of matrix.columns) {
      const run = runOf(column.runId)
      const own = run.cases.find((c) => matchName(c.name, run.variant) === name)
      expect(own, `${column.label} has ${name}`).toBeDefined()
      const cell = rows.nth(2).locator(`[data-variant="${column.label}"]`)
      const text = (await cell.textContent()) ?? ''
      for (const [metric, score] of Object.entries(own?.scores ?? {}))
        expect(text).toContain(`${metric} ${formatValue(score)}`)
    }
    await page.fill('#variants-search', 'number 7 jumps')
    expect(Number(await page.getAttribute('#variants-count', 'data-count'))).toBe(1)
    await page.fill('#variants-search', '')
    await page.check('#var-differ')
    expect(Number(await page.getAttribute('#variants-count', 'data-count'))).toBe(12)
    await page.uncheck('#var-differ')
    // The chat file: the two variants' scores differ on every case.
    await openVariants(page, 'chat.eval.ts')
    expect(Number(await page.getAttribute('#variants-count', 'data-count'))).toBe(6)
    expect(await page.locator('#view-variants .cmp-row').first().locator('[data-variant]').count()).toBe(2)
  })

  test('hostile variant outputs are shown as text in the rows and the detail, and run nothing', async () => {
    await openVariants(page, 'qa.eval.ts')
    const hostile = report.runs.find((r) => r.variant === 'hostile') as ReportRun
    const rows = page.locator('#view-variants .cmp-row')
    for (let i = 0; i < 6; i++) {
      const testCase = hostile.cases.find((c) => matchName(c.name, 'hostile') === `qa > q${i}`)
      const output = testCase?.output ?? ''
      expect(output.length).toBeGreaterThan(0)
      const row = page.locator(`#view-variants .cmp-row[data-case="qa > q${i}"]`)
      expect(await row.locator('[data-variant="hostile"] .muted').textContent()).toBe(
        shown(output.replace(/\s+/g, ' ')),
      )
      await row.click()
      const pre = page.locator('#variants-detail [data-variant="hostile"] pre[data-field="output"]')
      expect(await pre.textContent()).toBe(shown(output))
      expect(await page.locator('#variants-detail pre[data-field="input"]').textContent()).toBe(testCase?.input)
    }
    expect(await rows.count()).toBeGreaterThan(0)
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: string }).__pwned)).toBeUndefined()
    expect(await page.locator('#app script, #app img, #app a, #app style, #app link').count()).toBe(0)
    expect(await page.evaluate('getComputedStyle(document.body).display')).not.toBe('none')
  })

  test('nothing logged, no error, no request but the page itself', () => {
    expect(watch.errors).toEqual([])
    expect(watch.console).toEqual([])
    expect(watch.requests).toEqual([htmlUrl])
  })

  test('`vitest-judge report` of the stored invocation: the same matrices, made again from the runs', async () => {
    const out = join(dir, 'stored.html')
    const result = spawnSync(process.execPath, [CLI, 'report', report.invocation.id, '--out', out, '--dir', dir], {
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const otherWatch = watchPage(other)
    await openReport(other, pathToFileURL(out).href)
    for (const matrix of report.variants ?? []) {
      await openVariants(other, matrix.file)
      // The store lists a file's runs by name, so the columns may come in another order: compared by label.
      expect(await shownMatrix(other, matrix)).toEqual(expectedMatrix(matrix))
    }
    expect(otherWatch.errors).toEqual([])
    expect(otherWatch.console).toEqual([])
    expect(otherWatch.requests).toEqual([pathToFileURL(out).href])
    await other.close()
  })

  test('a report without variants has no Variants tab, and #variants opens the overview', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vj-novariants-'))
    try {
      await writeInvocation(root, { files: [['evals/plain.eval.ts', 5]], shift: 0 })
      const json = JSON.parse(readFileSync(join(root, '.vitest-judge', 'report.json'), 'utf8')) as JsonReport
      expect(json.variants).toBeUndefined()
      const other = await browser.newPage()
      const otherWatch = watchPage(other)
      const url = `${pathToFileURL(join(root, '.vitest-judge', 'report.html')).href}#variants`
      await openReport(other, url)
      expect(await other.locator('#tab-variants').count()).toBe(0)
      expect(await other.locator('nav.tabs button').allTextContents()).toEqual([
        'Overview',
        'Trends',
        'Distributions',
        'Cases',
        'Compare',
      ])
      expect(await other.getAttribute('#tab-overview', 'aria-selected')).toBe('true')
      expect(await other.locator('#variants-note').count()).toBe(0)
      expect(otherWatch.errors).toEqual([])
      expect(otherWatch.console).toEqual([])
      await other.close()
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
