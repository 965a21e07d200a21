/**
 * Real headless Chromium for the HTML report tests: Debian's `chromium` driven by playwright-core
 * (no browser download; `npm run setup` installs the package when it is missing).
 */
import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium'

/** Launches headless Chromium; fails with the install command when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: run \`npm run setup\` (or apt-get install -y chromium).`)
  }
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

/** What a page did while open: console messages of every kind, page errors, and every request. */
export interface PageWatch {
  console: string[]
  errors: string[]
  requests: string[]
}

/** Records what `page` logs and requests. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { console: [], errors: [], requests: [] }
  page.on('console', (message) => watch.console.push(`${message.type()}: ${message.text()}`))
  page.on('pageerror', (error) => watch.errors.push(error.message))
  page.on('request', (request) => watch.requests.push(request.url()))
  return watch
}

/** Opens `url` and waits until the page script has rendered. */
export async function openReport(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 })
}
