// The HTML report's Variants view at 1,000 and 10,000 cases (issue 15): one describeEval file with
// four variants (250 or 2,500 cases each), written by the built reporter. Measured in headless
// Chromium (Debian's /usr/bin/chromium), side by side on the same page: the time from opening the
// page until the Variants view shows its matrix and the first rows of cases (`#variants`), against
// the time until the case table is usable (`#cases`, the "usable" figure); and the time a
// search of the side-by-side cases takes. Goal: the Variants view usable in under 2 s at 10,000.
//
//   node bench/html-variants.mjs        (after npm run build; BENCH_REPEATS, default 3)
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { median } from './lib/harness.mjs'
import { caseGenerator, launchChromium } from './lib/html-cases.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = process.env.BENCH_DIST ?? join(root, 'dist')
const { JudgeReporter } = await import(pathToFileURL(join(dist, 'reporter.js')).href)
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)
const VARIANTS = ['mini', 'nano', 'flash', 'sonnet']

const generator = caseGenerator(11)
// The first variant answers a grade better.
const caseMeta = (i, variant, v) =>
  generator.caseMeta(i, v === 0 ? 1 : 0, { variant, variantParams: { variant, model: `model-${variant}` } })

async function invoke(projectRoot, cases) {
  const vitest = {
    config: { root: projectRoot, reporters: [['default', {}]] },
    logger: { log() {}, error: console.error },
  }
  const reporter = new JudgeReporter({ dir: join(projectRoot, '.vitest-judge'), experiment: 'bench-variants' })
  reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const perVariant = cases / VARIANTS.length
  const tests = []
  VARIANTS.forEach((variant, v) => {
    for (let i = 0; i < perVariant; i++) {
      const meta = { vitestJudge: caseMeta(i, variant, v) }
      const pass = meta.vitestJudge.metrics.answer_similarity.pass
      const result = pass ? { state: 'passed' } : { state: 'failed', errors: [{ message: 'below 0.5' }] }
      tests.push({
        fullName: `qa > [${variant}] case ${i}`,
        result: () => result,
        diagnostic: () => ({ duration: 3 }),
        meta: () => meta,
      })
    }
  })
  const module = {
    moduleId: join(projectRoot, 'evals/qa.eval.ts'),
    children: { allTests: () => tests[Symbol.iterator]() },
    diagnostic: () => ({ duration: 100 }),
  }
  await reporter.onTestModuleEnd(module)
  await reporter.onTestRunEnd([module], [], 'passed')
  return join(projectRoot, '.vitest-judge', 'report.html')
}

const browser = await launchChromium()

async function timeTo(file, hash, selector) {
  const page = await browser.newPage()
  const t = performance.now()
  await page.goto(`${pathToFileURL(file).href}#${hash}`)
  await page.waitForSelector(selector, { timeout: 60_000 })
  const ms = performance.now() - t
  let searchMs
  if (hash === 'variants') {
    searchMs = await page.evaluate(() => {
      const input = document.getElementById('variants-search')
      const t0 = performance.now()
      input.value = 'refund policy shipping'
      input.dispatchEvent(new Event('input'))
      return performance.now() - t0
    })
  }
  await page.close()
  return { ms, searchMs }
}

const rows = []
console.log('HTML report, Variants view: one file, 4 variants; medians of', REPEATS, 'repeats')
try {
  for (const cases of [1_000, 10_000]) {
    const variantsMs = []
    const casesMs = []
    const searchMs = []
    let size = 0
    for (let r = 0; r < REPEATS; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'vj-bench-variants-'))
      try {
        const file = await invoke(dir, cases)
        size = statSync(file).size
        // Side by side, alternating which goes first.
        const order = r % 2 ? ['cases', 'variants'] : ['variants', 'cases']
        for (const view of order) {
          if (view === 'variants') {
            const m = await timeTo(file, 'variants', '#view-variants .cmp-row')
            variantsMs.push(m.ms)
            searchMs.push(m.searchMs)
          } else casesMs.push((await timeTo(file, 'cases', '#view-cases .vrow')).ms)
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
    const k = cases >= 10_000 ? '10k' : '1k'
    const v = median(variantsMs)
    const c = median(casesMs)
    console.log(
      `${String(cases).padStart(6)} cases: report.html ${(size / 1024 / 1024).toFixed(2)} MB; Variants view usable after ` +
        `${v.toFixed(0)} ms, case table after ${c.toFixed(0)} ms (x${(v / c).toFixed(2)}); a search of the side-by-side ` +
        `cases ${median(searchMs).toFixed(0)} ms`,
    )
    rows.push(
      {
        id: `html-variants-usable-${k}`,
        value: Math.round(v),
        unit: ' ms',
        reference: Math.round(c),
        ratio: v / c,
        note: 'reference: the case table of the same page',
        ...(cases >= 10_000 ? { limit: '< 2000 ms', pass: v < 2000 } : {}),
      },
      { id: `html-variants-search-${k}`, value: Math.round(median(searchMs)), unit: ' ms' },
    )
  }
} finally {
  await browser.close()
}
if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(rows))
