import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { agreementFromConfusion, describeAgreement, mergeAgreements } from '../../src/report/agreement.js'
import { costLines } from '../../src/report/cost.js'
import type { JsonReport, ReportRun } from '../../src/report/types.js'
import { launchChromium, openReport, watchPage } from './browser.js'
import { writeInvocation } from './drive-reporter.js'
import { REPO } from './run-fixture.js'

// The page header carries the invocation's cost and agreement as report.json has them: the page
// shows them in the console's words and adds nothing up itself.

let root: string
let browser: Browser

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vj-html-header-'))
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('the page header', () => {
  test("the overview's cost is report.json's invocation cost, over every file", async () => {
    await writeInvocation(root, {
      files: [
        ['evals/a.eval.ts', 6],
        ['evals/b.eval.ts', 4],
      ],
      judgeCalls: (_file, i) => ({
        'openai:gpt-4.1-mini': {
          calls: 1,
          input: 1000,
          output: 200,
          cached: i % 2,
          cachedInput: (i % 2) * 1000,
          cachedOutput: (i % 2) * 200,
        },
      }),
    })
    const dir = join(root, '.vitest-judge')
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport
    if (!report.cost) throw new Error('report.json has no cost')
    const page = await browser.newPage()
    const watch = watchPage(page)
    await openReport(page, pathToFileURL(join(dir, 'report.html')).href)
    expect(await page.textContent('#cost')).toBe(costLines(report.cost).join(' · '))
    const first = report.runs[0]?.cost
    if (!first) throw new Error('the first run has no cost')
    expect(await page.textContent('#cost')).not.toBe(costLines(first).join(' · '))
    expect(watch.errors).toEqual([])
    await page.close()
  })

  test("the invocation's agreement over its files, then each file's", async () => {
    const labelled = (file: string, diagonal: number, off: number): ReportRun => {
      const confusion = Array.from({ length: 5 }, (_, h) =>
        Array.from({ length: 5 }, (_, j) => (h === j ? diagonal : Math.abs(h - j) === 1 ? off : 0)),
      )
      return {
        id: `r-${file}`,
        file,
        cases: [{ name: 'c', pass: true, scores: { m: 1 }, judgeErrors: 0 }],
        aggregates: {},
        judgeErrors: 0,
        cache: { hits: 0, misses: 0 },
        tokens: { input: 0, output: 0 },
        agreement: { m: agreementFromConfusion('m', confusion, []) },
      }
    }
    const runs = [labelled('a.eval.ts', 4, 0), labelled('b.eval.ts', 1, 2)]
    const report: JsonReport = {
      version: 1,
      invocation: {
        id: 'inv-agreement',
        startedAt: '2026-01-01T00:00:00Z',
        git: { commit: null, branch: null },
        params: {},
      },
      runs,
      comparison: null,
      agreement: mergeAgreements(runs),
    }
    const file = join(root, 'agreement.json')
    const out = join(root, 'agreement.html')
    writeFileSync(file, JSON.stringify(report))
    const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), 'report', file, '--out', out], {
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
    const page = await browser.newPage()
    await openReport(page, pathToFileURL(out).href)
    expect(await page.locator('#agreement li').allTextContents()).toEqual([
      describeAgreement(report.agreement?.m as NonNullable<JsonReport['agreement']>['m'] & object),
    ])
    expect(await page.locator('.agreement[data-metric="m"]').count()).toBe(2)
    await page.close()
  })
})
