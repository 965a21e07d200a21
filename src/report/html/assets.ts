/**
 * The page's inlined assets: uPlot (chart library, MIT) and the page's own script and style. Read
 * once per process from the package: `report-page/` beside the bundle in `dist` (the script bundled
 * there at build from `page/`); in the sources the style is `client/page.css` and the script is
 * bundled on first use (`page-bundle.ts`).
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { ReportAssetError } from '../../errors.js'
import { bundlePageSync, PAGE_ENTRY } from './page-bundle.js'
import type { PageAssets } from './render-page.js'

let cached: PageAssets | undefined

function ownFile(name: string): string {
  for (const folder of ['./report-page/', '../report-page/', './client/']) {
    const path = fileURLToPath(new URL(`${folder}${name}`, import.meta.url))
    if (existsSync(path)) return readFileSync(path, 'utf8')
  }
  if (name === 'page.js' && existsSync(PAGE_ENTRY)) return bundlePageSync().script
  throw new ReportAssetError(
    `The HTML report's ${name} is missing from the vitest-judge package: reinstall vitest-judge.`,
  )
}

function noScriptEnd(text: string, name: string): string {
  if (/<\/script/i.test(text)) {
    throw new ReportAssetError(`${name} holds "</script": it cannot be inlined in the HTML report.`)
  }
  return text
}

/** The page's script and style (read on first use). */
export function pageAssets(): PageAssets {
  if (cached) return cached
  const require = createRequire(import.meta.url)
  const uplotScript = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')
  const uplotStyle = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')
  cached = {
    script: noScriptEnd(`${uplotScript}\n${ownFile('page.js')}`, 'the page script'),
    style: `${uplotStyle}\n${ownFile('page.css')}`.replace(/<\//g, '<\\/'),
  }
  return cached
}
