import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JsonReport } from '../../src/report/types.js'
import { launchChromium, openReport, type PageWatch, watchPage } from './browser.js'
import { HOSTILE, writeInvocation } from './drive-reporter.js'
import { REPO } from './run-fixture.js'

// The reporter writes report.html beside report.json; the page is opened from file:// in real
// headless Chromium and checked against report.json.

let root: string
let browser: Browser
let page: Page
let watch: PageWatch
let report: JsonReport
let htmlUrl: string
const BIG = `${'long answer '.repeat(90_000)}END`

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vj-html-'))
  const files: Array<[string, number]> = [
    ['evals/qa.eval.ts', 40],
    ['evals/summaries.eval.ts', 25],
  ]
  await writeInvocation(root, { files, shift: 0 })
  await writeInvocation(root, { files, shift: 2 })
  const outputs = new Map<number, string>(HOSTILE.map((text, i) => [i, text]))
  outputs.set(HOSTILE.length, BIG)
  await writeInvocation(root, { files, shift: 1, outputs, options: { gate: { maxDrop: 0.5 } } })
  const dir = join(root, '.vitest-judge')
  report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport
  htmlUrl = pathToFileURL(join(dir, 'report.html')).href
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  watch = watchPage(page)
  await openReport(page, htmlUrl)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  rmSync(root, { recursive: true, force: true })
})

async function countShown(): Promise<number> {
  return Number(await page.getAttribute('#case-count', 'data-count'))
}

describe('report.html', () => {
  test('loads with no console message, no error and no request but its own file', () => {
    expect(watch.errors).toEqual([])
    expect(watch.console).toEqual([])
    expect(watch.requests).toEqual([htmlUrl])
  })

  test('one self-contained file: a strict CSP, inline script and style, nothing to fetch', () => {
    const html = readFileSync(join(root, '.vitest-judge', 'report.html'), 'utf8')
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("connect-src 'none'")
    expect(csp).toMatch(/script-src 'sha256-[^']+'(;|$)/)
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import/i)
  })

  test('the overview shows report.json numbers: totals and every file x metric mean', async () => {
    const cases = report.runs.reduce((n, r) => n + r.cases.length, 0)
    const failed = report.runs.reduce((n, r) => n + r.cases.filter((c) => !c.pass).length, 0)
    expect(await page.textContent('[data-total="cases"] .v')).toBe(String(cases))
    expect(await page.textContent('[data-total="failed"] .v')).toBe(String(failed))
    const judges = new Set(
      report.runs.flatMap((r) => r.cases.flatMap((c) => Object.values(c.metrics ?? {}).map((m) => m.judge ?? ''))),
    )
    judges.delete('')
    expect(judges.size).toBeGreaterThan(0)
    expect(await page.textContent('#judges span')).toBe(`judges ${[...judges].sort().join(', ')}`)
    for (const run of report.runs) {
      for (const [metric, aggregate] of Object.entries(run.aggregates)) {
        if (aggregate.n === 0) continue
        const cell = page.locator(`#matrix tr[data-file="${run.file}"] td[data-metric="${metric}"] .mean`)
        expect(Number(await cell.getAttribute('data-value'))).toBe(aggregate.mean)
      }
      for (const m of report.comparison?.runs.find((r) => r.file === run.file)?.metrics ?? []) {
        if (m.status === 'new' || m.status === 'removed') continue
        const delta = page.locator(`#matrix tr[data-file="${run.file}"] td[data-metric="${m.metric}"] .delta`)
        expect(await delta.textContent()).toContain(m.status)
      }
    }
    expect(await page.textContent('#gate')).toMatch(/Gate (passed|failed)/)
  })

  test('filters, search and sort narrow the cases as report.json says', async () => {
    await page.click('#tab-cases')
    const all = report.runs.flatMap((r) => r.cases)
    expect(await countShown()).toBe(all.length)
    await page.check('#f-failed')
    expect(await countShown()).toBe(all.filter((c) => !c.pass).length)
    await page.uncheck('#f-failed')
    await page.check('#f-errors')
    expect(await countShown()).toBe(all.filter((c) => c.judgeErrors > 0).length)
    await page.uncheck('#f-errors')
    await page.selectOption('#f-metric', 'answer_similarity')
    await page.fill('#f-below', '0.5')
    const under = all.filter((c) => typeof c.scores.answer_similarity === 'number' && c.scores.answer_similarity < 0.5)
    expect(await countShown()).toBe(under.length)
    await page.selectOption('#f-metric', '')
    await page.fill('#case-search', 'topic-17')
    await expect.poll(countShown).toBe(2)
    await page.fill('#case-search', '')
    await expect.poll(countShown).toBe(all.length)
    await page.click('[data-sort="m:latency"]')
    const first = await page.locator('.vrow').first().getAttribute('data-case')
    const lowest = all.reduce((a, b) => ((b.scores.latency ?? 1e9) < (a.scores.latency ?? 1e9) ? b : a))
    expect(first).toBe(lowest.name)
  })

  test('regressed: the cases whose score is worse than the baseline case', async () => {
    await page.click('#tab-cases')
    await page.check('#f-regressed')
    const shown = await countShown()
    await page.uncheck('#f-regressed')
    expect(shown).toBeGreaterThan(0)
    expect(shown).toBeLessThan(report.runs.reduce((n, r) => n + r.cases.length, 0))
  })

  test('a case opens with its fields, metrics, trials interval and the baseline diff', async () => {
    await page.click('#tab-cases')
    await page.fill('#case-search', 'topic-7')
    await expect.poll(countShown).toBe(2)
    await expect.poll(() => page.locator('.vrow').first().getAttribute('data-case')).toBe('case 7')
    await page.locator('.vrow').first().click()
    const detail = page.locator('#case-detail')
    await expect.poll(() => detail.textContent()).toContain('Question 7 about topic-7')
    expect(await detail.textContent()).toContain('baseline output')
    expect(await detail.locator('[data-diff] del').count()).toBeGreaterThan(0)
    expect(await detail.locator('[data-diff] ins').count()).toBeGreaterThan(0)
    // Case 7 ran three trials: their 95% Student t interval is shown.
    expect(await detail.locator('tr[data-metric="answer_similarity"]').textContent()).toMatch(
      /\[\d\.\d{3}, \d\.\d{3}\]/,
    )
    await page.fill('#case-search', '')
  })

  test('hostile outputs are shown as text and run nothing; a 1 MB answer opens', async () => {
    await page.click('#tab-cases')
    for (let i = 0; i <= HOSTILE.length; i++) {
      await page.fill('#case-search', `question ${i} about`)
      await expect.poll(() => page.locator('.vrow').first().getAttribute('data-case')).toBe(`case ${i}`)
      await expect.poll(countShown).toBe(2)
      await page.locator('.vrow').first().click()
      const output = page.locator('#case-detail pre[data-field="output"]')
      const text = (await output.textContent()) ?? ''
      if (i < HOSTILE.length) {
        const expected = (HOSTILE[i] as string).replace(
          /[\u202a-\u202e\u2066-\u2069]/g,
          (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase()}⟧`,
        )
        expect(text).toBe(expected)
      } else {
        expect(text.length).toBe(BIG.length)
        expect(text.endsWith('END')).toBe(true)
      }
    }
    await page.fill('#case-search', '')
    await page.click('#tab-compare')
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: string }).__pwned)).toBeUndefined()
    expect(await page.locator('#app script, #app img, #app a[href^="javascript"], #app style').count()).toBe(0)
    expect(watch.errors).toEqual([])
    expect(watch.requests).toEqual([htmlUrl])
  })

  test('the compare view lines up the matched cases of the invocation and its baseline', async () => {
    await page.click('#tab-compare')
    const all = report.runs.flatMap((r) => r.cases)
    expect(Number(await page.getAttribute('#compare-count', 'data-count'))).toBe(all.length)
    const row = page.locator('.cmp-row').first()
    const name = await row.getAttribute('data-case')
    const own = report.runs[0]?.cases.find((c) => c.name === name)
    const cells = row.locator('[data-invocation]')
    expect(await cells.count()).toBe(2)
    expect(await cells.nth(0).textContent()).toContain(`answer_similarity ${own?.scores.answer_similarity?.toFixed(3)}`)
  })

  test('trends: one chart per metric over the three invocations, the baseline marked; distributions', async () => {
    await page.click('#tab-trends')
    await page.waitForSelector('[data-trend="answer_similarity"] canvas')
    expect(await page.locator('[data-trend-table="answer_similarity"] tr[data-id]').count()).toBe(3)
    expect(await page.locator('[data-trend-table="answer_similarity"]').textContent()).toContain('(baseline)')
    await page.click('#tab-distributions')
    await page.waitForSelector('[data-histogram="answer_similarity"] canvas')
    const counts = await page.locator('[data-histogram="answer_similarity"] tr[data-bin] td.num').allTextContents()
    const raws = report.runs.flatMap((r) => r.cases.map((c) => c.metrics?.answer_similarity?.raw))
    expect(counts.map(Number)).toEqual([1, 2, 3, 4, 5].map((g) => raws.filter((r) => r === g).length))
    expect(watch.errors).toEqual([])
    expect(watch.console).toEqual([])
  })

  test('agreement with human labels: kappa with its interval and the confusion matrix', async () => {
    const confusion = [
      [2, 1, 0, 0, 0],
      [0, 3, 1, 0, 0],
      [0, 0, 4, 0, 0],
      [0, 0, 1, 5, 0],
      [0, 0, 0, 1, 6],
    ]
    const labelled: JsonReport = {
      ...report,
      runs: report.runs.map((run, i) =>
        i === 0
          ? {
              ...run,
              agreement: {
                answer_similarity: {
                  metric: 'answer_similarity',
                  n: 24,
                  kappa: 0.912,
                  kappaCi: [0.81, 0.97],
                  method: 'percentile bootstrap',
                  spearman: 0.93,
                  exact: 0.83,
                  withinOne: 1,
                  confusion,
                  disagreements: [],
                },
              },
            }
          : run,
      ),
    }
    const file = join(root, 'labelled.json')
    const out = join(root, 'labelled.html')
    writeFileSync(file, JSON.stringify(labelled))
    const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), 'report', file, '--out', out], {
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
    const other = await browser.newPage()
    const otherWatch = watchPage(other)
    await openReport(other, pathToFileURL(out).href)
    const section = other.locator('.agreement[data-metric="answer_similarity"]')
    expect(await section.locator('p').textContent()).toContain('quadratic-weighted kappa 0.912 [0.81, 0.97]')
    const rows = await section.locator('table.confusion tr').allTextContents()
    expect(rows).toHaveLength(6)
    expect(await section.locator('table.confusion tr').nth(4).locator('td').allTextContents()).toEqual(
      confusion[3]?.map(String),
    )
    expect(otherWatch.errors).toEqual([])
    await other.close()
  })
})
