import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { launchChromium, openReport, type PageWatch, watchPage } from './browser.js'
import { type FixtureRun, REPO, runFixture } from './run-fixture.js'

// The conversations fixture's report.html in real headless Chromium: the transcript view.
let run: FixtureRun
let browser: Browser
let page: Page
let watch: PageWatch
let url: string

beforeAll(async () => {
  const tenant = fakeTenant(inject('fakeProviderUrl'))
  run = await runFixture('conversations', {
    env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
  })
  url = pathToFileURL(join(run.dir, 'report.html')).href
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  watch = watchPage(page)
  await openReport(page, url)
}, 180_000)

let ui: ChildProcess | undefined

afterAll(async () => {
  ui?.kill('SIGTERM')
  await browser?.close()
})

async function openCase(name: string): Promise<void> {
  await page.click('#tab-cases')
  await page.fill('#case-search', name)
  await expect.poll(() => page.locator('.vrow').first().getAttribute('data-case')).toBe(name)
  await page.locator('.vrow').first().click()
  await page.waitForSelector('#case-detail [data-transcript]')
}

describe('the transcript view', () => {
  test('every turn as text, roles told apart, each reply with its turn scores beside it, the worst turn marked', async () => {
    await openCase('forgetful > order-status')
    const turns = page.locator('#case-detail [data-transcript] li.turn')
    expect(
      await turns.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-turn')}:${e.getAttribute('data-role')}`)),
    ).toEqual(['1:user', '1:assistant', '2:user', '2:assistant'])
    expect(await turns.nth(3).locator('pre[data-field="turn"]').textContent()).toBe(
      'Could you tell me your order number?',
    )
    expect(await turns.nth(0).locator('.turn-who').textContent()).toBe('turn 1 · user')
    const c = run.report?.runs.flatMap((r) => r.cases).find((x) => x.name === 'forgetful > order-status')
    const second = c?.turns?.[3]?.scores?.answer_relevance
    expect(await turns.nth(3).locator('tr[data-metric="answer_relevance"] td.num').textContent()).toBe(
      (second as number).toFixed(3),
    )
    expect(await turns.nth(0).locator('tr').count()).toBe(0)
    const first = c?.turns?.[1]?.scores?.answer_relevance as number
    const worst = (second as number) < first ? 3 : 1
    expect(await turns.nth(worst).locator('tr.worst').count()).toBe(1)
    expect(
      await turns
        .nth(4 - worst)
        .locator('tr.worst')
        .count(),
    ).toBe(0)
    expect(await turns.nth(worst).locator('tr.worst td.text').textContent()).toMatch(/^worst turn · /)
    if (process.env.VJ_SCREENSHOT) await page.screenshot({ path: process.env.VJ_SCREENSHOT, fullPage: true })
    // Users and assistants look different.
    const colors = await turns.evaluateAll((els) =>
      els
        .slice(0, 2)
        .map(
          (e) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { borderLeftColor: string } }).getComputedStyle(e)
              .borderLeftColor,
        ),
    )
    expect(colors[0]).not.toBe(colors[1])
    expect(await page.locator('#case-detail [data-transcript] p').textContent()).toContain('ended script')
  })

  test('hostile turn text stays text: no element, no script run, no request', async () => {
    await openCase('support > hostile')
    const user = page.locator('#case-detail [data-transcript] li.turn[data-role="user"] pre[data-field="turn"]')
    expect(await user.textContent()).toBe(
      '<img src=x onerror="document.title=\'pwned\'"> my order number is B12. Where is it?',
    )
    expect(await page.locator('#app img, #app script').count()).toBe(0)
    expect(await page.title()).not.toBe('pwned')
    expect(watch.errors).toEqual([])
    expect(watch.requests).toEqual([url])
  })

  test('a conversation that broke in turn 3 shows turns 1-2, the unanswered turn and the error', async () => {
    await openCase('throws > breaks-in-turn-3')
    const roles = await page
      .locator('#case-detail [data-transcript] li.turn')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-turn')}:${e.getAttribute('data-role')}`))
    expect(roles).toEqual(['1:user', '1:assistant', '2:user', '2:assistant', '3:user'])
    expect(await page.locator('#case-detail [data-transcript] pre.bad').textContent()).toBe('turn 3: backend down')
  })

  test('`ui` serves the same transcript from the run store', async () => {
    ui = spawn(process.execPath, [join(REPO, 'dist/cli/index.js'), 'ui', '--port', '0', '--dir', run.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const live = await new Promise<string>((resolve, reject) => {
      let out = ''
      ui?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
        if (found?.[1]) resolve(found[1])
      })
      ui?.on('exit', (code) => reject(new Error(`ui exited with ${code}: ${out}`)))
    })
    await openReport(page, live)
    await openCase('forgetful > order-status')
    const turns = page.locator('#case-detail [data-transcript] li.turn')
    expect(await turns.count()).toBe(4)
    expect(await turns.nth(3).locator('pre[data-field="turn"]').textContent()).toBe(
      'Could you tell me your order number?',
    )
    expect(await turns.nth(3).locator('tr[data-metric="answer_relevance"]').count()).toBe(1)
  })

  test('a traced reply shows the spans its chat call made', async () => {
    await openCase('support > order-status')
    const replies = page.locator('#case-detail [data-transcript] li.turn[data-role="assistant"]')
    expect(await replies.count()).toBe(2)
    for (let i = 0; i < 2; i++) {
      expect(await replies.nth(i).locator('.turn-spans li').allTextContents()).toEqual([
        expect.stringMatching(/^tool · lookup_order · [\d.]+ ms$/),
      ])
    }
  })
})
