/**
 * Review in `vitest-judge ui` driven in Chromium (issue 28): ten cases graded with the keyboard and
 * one commented; the next run's agreement counts them; "Add to dataset" writes the rows; report.html
 * (file mode) has no review controls.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JsonReport } from '../../src/report/types.js'
import { launchChromium, openReport, watchPage } from './browser.js'
import { writeInvocation } from './drive-reporter.js'
import { REPO } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')
const QA = 'evals/qa.eval.ts'
let root: string
let dir: string
let browser: Browser
let server: ChildProcess | undefined
let url: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vj-review-ui-'))
  dir = join(root, '.vitest-judge')
  await writeInvocation(root, { files: [[QA, 12]], shift: 0 })
  browser = await launchChromium()
  server = spawn(process.execPath, [CLI, 'ui', '--port', '0', '--dir', dir, '--reviewer', 'bob'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  url = await new Promise<string>((resolve, reject) => {
    let out = ''
    server?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
      if (found?.[1]) resolve(found[1])
    })
    server?.on('exit', (code) => reject(new Error(`ui exited with ${code}: ${out}`)))
  })
}, 120_000)

afterAll(async () => {
  server?.kill('SIGTERM')
  await browser?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('review in the live page', () => {
  test('grade ten cases with the keyboard, comment one, add two to a dataset; the next run counts the grades', async () => {
    const page = await browser.newPage()
    const watch = watchPage(page)
    await openReport(page, url)
    await page.click('#tab-cases')
    await page.waitForSelector('.vrow')
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('j')
      await expect.poll(() => page.getAttribute('.vrow[aria-selected="true"]', 'data-case')).toBe(`case ${i}`)
      // The judge's grade is 1 + i % 5: the reviewer agrees except on case 9 (judge 5, human 1).
      const grade = i === 9 ? 1 : 1 + (i % 5)
      await page.keyboard.press(String(grade))
      await expect.poll(() => page.textContent('[data-label="answer_similarity"]')).toBe(`human ${grade}/5 by bob`)
    }
    expect(await page.getAttribute('.vrow[aria-selected="true"]', 'data-case')).toBe('case 9')
    // `c` opens the comment field; typing there (j, k, digits) grades nothing and moves nothing.
    await page.keyboard.press('c')
    await page.keyboard.type('judge too kind: 5 for a wrong answer; j k 3')
    await page.click('.review-save-comment[data-metric]')
    await expect
      .poll(() => page.textContent('[data-label="answer_similarity"]'))
      .toBe('human 1/5 by bob · "judge too kind: 5 for a wrong answer; j k 3"')
    expect(await page.getAttribute('.vrow[aria-selected="true"]', 'data-case')).toBe('case 9')

    // Filters: "judge and human disagree" shows case 9 only; "not reviewed" the two left.
    await page.check('#f-disagree')
    await expect.poll(() => page.getAttribute('#case-count', 'data-count')).toBe('1')
    await page.uncheck('#f-disagree')
    await page.check('#f-unreviewed')
    await expect.poll(() => page.getAttribute('#case-count', 'data-count')).toBe('2')
    await page.uncheck('#f-unreviewed')

    // Add to dataset: case 9 (selected) and case 2 (checked), expected = the output.
    await page.check('#review-mark')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    await expect.poll(() => page.getAttribute('.vrow[aria-selected="true"]', 'data-case')).toBe('case 2')
    await page.check('#review-mark')
    await page.fill('#dataset-path', 'evals/data/regressions.jsonl')
    await page.selectOption('#dataset-expected', 'output')
    await page.click('#dataset-add')
    await expect
      .poll(() => page.textContent('#review-status'))
      .toMatch(/^Added 2 rows to evals\/data\/regressions\.jsonl: dataset digest \(new file\) → [0-9a-f]{16}$/)
    const rows = readFileSync(join(root, 'evals/data/regressions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport
    const cases = report.runs[0]?.cases ?? []
    expect(rows).toEqual([
      { id: cases[2]?.id, input: cases[2]?.input, expected: cases[2]?.output, human: { answer_similarity: 3 } },
      { id: cases[9]?.id, input: cases[9]?.input, expected: cases[9]?.output, human: { answer_similarity: 1 } },
    ])
    expect(watch.errors).toEqual([])
    await page.close()

    // The next run: kappa over the ten grades given in the page.
    const logged = await writeInvocation(root, { files: [[QA, 12]], shift: 0 })
    expect(logged.find((l) => l.includes('judge vs human'))).toContain('(n 10)')
    const next = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport
    expect(next.agreement?.answer_similarity).toMatchObject({ n: 10, fromLabels: 10 })
    expect(next.agreement?.answer_similarity?.disagreements[0]).toMatchObject({
      case: 'case 9',
      human: 1,
      judge: 5,
    })
  }, 120_000)

  test('report.html stays read-only: no review controls, no keys', async () => {
    const out = join(root, 'report.html')
    const result = spawnSync(process.execPath, [CLI, 'report', 'latest', '--dir', dir, '--out', out], {
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
    expect(existsSync(out)).toBe(true)
    const page = await browser.newPage()
    await openReport(page, pathToFileURL(out).href)
    await page.click('#tab-cases')
    await page.waitForSelector('.vrow')
    expect(await page.locator('#dataset-add').count()).toBe(0)
    expect(await page.locator('#f-unreviewed').count()).toBe(0)
    await page.click('.vrow[data-case="case 0"]')
    // The labels are shown, as text; nothing to grade with.
    expect(await page.textContent('.review-metric[data-metric="answer_similarity"]')).toBe(
      'answer_similarity: judge 1 · human 1/5 by bob',
    )
    expect(await page.locator('[data-grade]').count()).toBe(0)
    expect(await page.locator('textarea').count()).toBe(0)
    await page.close()
  }, 60_000)
})
