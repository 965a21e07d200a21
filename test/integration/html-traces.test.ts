/**
 * Traces kept and shown: two invocations with traced cases saved in a real SQLite run store, read
 * back by the CLI as a process (`show --json`, `report --out`), and the page opened from file:// in
 * real headless Chromium: the span waterfall, a span's text, the trace columns and filters, the
 * baseline's trajectory beside the head's, the app's figures on the overview. Hostile attribute
 * text stays text; the page makes no request and logs nothing.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { CaseTrace } from '../../src/report/trace-types.js'
import type { JsonReport, ReportCase } from '../../src/report/types.js'
import { SqliteRunStore } from '../../src/store/run-store.js'
import { agentTrace, HOSTILE } from '../trace-sample.js'
import { launchChromium, openReport, type PageWatch, watchPage } from './browser.js'
import { REPO } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')
const FILE = 'evals/agent.eval.ts'

let root: string
let browser: Browser
let page: Page
let watch: PageWatch
let htmlUrl: string
let shown: JsonReport

function onlySearch(t0: number): CaseTrace {
  const trace = agentTrace(t0)
  trace.spans = trace.spans.filter((s) => s.name !== 'ai.toolCall lookup')
  return trace
}

function cases(head: boolean): ReportCase[] {
  const t0 = head ? 1_765_000_100_000 : 1_765_000_000_000
  const make = (name: string, pass: boolean, trace?: CaseTrace): ReportCase => ({
    name,
    pass,
    scores: { answer_similarity: pass ? 0.9 : 0.2 },
    judgeErrors: 0,
    input: `input of ${name}`,
    output: `output of ${name}`,
    // As the reporter records them: the app's tokens are the case's, read from its model calls.
    ...(trace ? { trace, tokens: { input: 300, output: 60 } } : {}),
  })
  return [
    make('agent > hostile tool result', !head, agentTrace(t0, { failLookup: head, hostile: true })),
    make('agent > plain', true, agentTrace(t0 + 1000)),
    make('no trace', true),
    // The head stopped calling lookup: Compare shows it dropped.
    make('agent > changed trajectory', true, head ? onlySearch(t0 + 2000) : agentTrace(t0 + 2000)),
  ]
}

async function save(store: SqliteRunStore, id: string, startedAt: string, head: boolean): Promise<void> {
  await store.startInvocation({ id, startedAt, git: { commit: null, branch: 'main' }, params: {}, experiment: 'agent' })
  await store.saveRun(id, {
    id: `${id}-run`,
    file: FILE,
    status: 'complete',
    cases: cases(head),
    aggregates: {},
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
  })
  await store.finishInvocation(id, 'complete', startedAt)
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env }
  delete env.VITEST_JUDGE_DIR
  delete env.VITEST_JUDGE_STORE_URL
  const result = spawnSync(process.execPath, [CLI, ...args, '--dir', join(root, '.vitest-judge')], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vj-html-traces-'))
  const store = new SqliteRunStore(join(root, '.vitest-judge'))
  await save(store, 'inv-base-0001', '2026-12-01T10:00:00.000Z', false)
  await save(store, 'inv-head-0002', '2026-12-01T11:00:00.000Z', true)
  await store.close()
  const json = cli(['show', 'latest', '--json'])
  expect(json.status, json.stderr).toBe(0)
  shown = JSON.parse(json.stdout) as JsonReport
  const out = join(root, 'report.html')
  const made = cli(['report', 'latest', '--out', out])
  expect(made.status, made.stderr).toBe(0)
  htmlUrl = pathToFileURL(out).href
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

async function openCase(name: string): Promise<void> {
  await page.click('#tab-cases')
  await page.locator(`.vrow[data-case="${name}"]`).click()
  await expect.poll(() => page.locator('#detail-name').textContent()).toBe(name)
}

describe('traces from the store', () => {
  test('`show --json` gives back each case trace as saved; a case without spans has none', () => {
    const saved = cases(true)
    const back = shown.runs[0]?.cases ?? []
    expect(back.map((c) => c.name)).toEqual(saved.map((c) => c.name))
    expect(back[0]?.trace).toStrictEqual(JSON.parse(JSON.stringify(saved[0]?.trace)))
    expect(back[2]).not.toHaveProperty('trace')
  })
})

describe('the span view in Chromium', () => {
  test('the case detail lays out the span tree as a waterfall with kind, model, tokens and errors', async () => {
    await openCase('agent > hostile tool result')
    const rows = page.locator('#case-detail .span-row')
    expect(await rows.count()).toBe(5)
    expect(
      await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-kind'), e.getAttribute('aria-level')])),
    ).toEqual([
      ['agent', '1'],
      ['llm', '2'],
      ['tool', '2'],
      ['llm', '2'],
      ['tool', '2'],
    ])
    const llm = rows.nth(1)
    expect(await llm.locator('.badge').allTextContents()).toEqual(['llm', 'gpt-4.1-mini', '120 → 20 tok'])
    const lookup = rows.nth(4)
    expect(await lookup.getAttribute('class')).toContain('failed')
    expect(await lookup.locator('.badge-error').textContent()).toBe('error')
    // The bars sit on the case's time axis: the search tool starts a third of the way in.
    const bar = await rows.nth(2).locator('.span-bar').getAttribute('style')
    expect(bar).toBe('left: 35.556%; width: 11.111%;')
    expect(await page.locator('#case-detail [data-trace-facts]').textContent()).toContain('2 tool calls')
    expect(await page.locator('#case-detail [data-trace-facts]').textContent()).toContain('2 failed spans')
  })

  test('a click on a span shows its attributes and messages as text; hostile text runs nothing', async () => {
    await openCase('agent > hostile tool result')
    await page.locator('#case-detail .span-row').nth(2).click()
    const panel = page.locator('#case-detail .span-detail')
    const blocks = await panel.locator('pre').allTextContents()
    expect(blocks).toContain(HOSTILE)
    expect(await panel.locator('h4').allTextContents()).toEqual([
      'ai.toolCall search',
      'gen_ai.tool.call.arguments',
      'gen_ai.tool.call.result',
      'attributes',
    ])
    await page.locator('#case-detail .span-row').nth(4).click()
    expect(await page.locator('#case-detail .span-detail pre').nth(1).textContent()).toBe(`lookup failed ${HOSTILE}`)
    await page.locator('#case-detail .span-row').nth(1).click()
    expect(await page.locator('#case-detail .span-detail').textContent()).toContain(
      '"content": "Where is the Eiffel tower?"',
    )
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await page.locator('#app script, #app img, #app style, #app a').count()).toBe(0)
  })

  test('the cases table has tool calls, steps and failed spans columns, and filters on them', async () => {
    await page.click('#tab-cases')
    expect(await countShown()).toBe(4)
    const row = page.locator('.vrow[data-case="agent > hostile tool result"] .cell')
    const texts = await row.allTextContents()
    // status, file, case, answer_similarity, tool calls, steps, failed spans (the tool's and the agent's), latency
    expect(texts.slice(4, 7)).toEqual(['2', '4', '2'])
    await page.check('#f-failed-spans')
    expect(await countShown()).toBe(1)
    await page.uncheck('#f-failed-spans')
    await page.selectOption('#f-tool', 'lookup')
    expect(await countShown()).toBe(2)
    await page.selectOption('#f-tool', '')
    await page.fill('#f-steps', '4')
    expect(await countShown()).toBe(2)
    await page.fill('#f-steps', '')
    expect(await countShown()).toBe(4)
    await page.click('[data-sort="steps"]')
    expect(await page.locator('.vrow').first().getAttribute('data-case')).toBe('no trace')
  })

  test("the baseline's trajectory beside the head's: in the case detail and in Compare", async () => {
    await openCase('agent > changed trajectory')
    const table = page.locator('#case-detail [data-trajectory]')
    expect(
      await table.locator('tr[data-op]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-op'))),
    ).toEqual(['same', 'removed'])
    expect(await table.locator('tr[data-op="removed"]').textContent()).toContain('lookup')
    await page.click('#tab-compare')
    await page.locator('#view-compare .vrow[data-case="agent > changed trajectory"]').click()
    const lines = await page.locator('#compare-detail [data-trajectory-line]').allTextContents()
    expect(lines).toEqual(['search', 'search -> lookup'])
    // The baseline's column beside the first (this run's): lookup is the call the head no longer makes.
    const removed = page.locator('#compare-detail [data-trajectory] tr[data-op="removed"]')
    expect(await removed.textContent()).toContain('lookup')
  })

  test("the overview shows the app's model calls, tokens and cost beside the judge's", async () => {
    await page.click('#tab-overview')
    const card = (key: string) => page.locator(`#app-usage [data-total="${key}"] .v`).textContent()
    expect(await card('traced cases')).toBe('3')
    expect(await card('app model calls')).toBe('6')
    expect(await card('app tokens in')).toBe('900')
    expect(await card('app tokens out')).toBe('180')
    expect(await page.locator('#app-cost').textContent()).toBe(
      'app tokens 900 in / 180 out · 6 model calls · app cost $0.0006',
    )
  })

  test('no console message, no page error, no request but its own file', () => {
    expect(watch.errors).toEqual([])
    expect(watch.console).toEqual([])
    expect(watch.requests).toEqual([htmlUrl])
  })
})
