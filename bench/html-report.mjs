// The HTML report at 1,000 and 10,000 cases (issue 15): size of report.html, what it adds to the
// reporter's end-of-run time (the same invocations with `reports.html` on and off, side by side),
// and the time until the case table is usable in headless Chromium (Debian's /usr/bin/chromium).
// Each invocation has a baseline of the same shape (its cases are in the page too). Goals: 10,000
// cases in under 15 MB, usable in under 2 s, under 0.5 s added to the end of the run.
//
//   node bench/html-report.mjs        (after npm run build; BENCH_REPEATS, default 3)
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
const FILES = 10

const { caseMeta } = caseGenerator(7)

function modules(projectRoot, cases) {
  const perFile = Math.ceil(cases / FILES)
  return Array.from({ length: FILES }, (_, f) => {
    const tests = Array.from({ length: perFile }, (_, i) => {
      const meta = { vitestJudge: caseMeta(f * perFile + i) }
      const pass = meta.vitestJudge.metrics.answer_similarity.pass
      const result = pass ? { state: 'passed' } : { state: 'failed', errors: [{ message: 'below 0.5' }] }
      return { fullName: `case ${i}`, result: () => result, diagnostic: () => ({ duration: 3 }), meta: () => meta }
    })
    return {
      moduleId: join(projectRoot, `evals/file-${f}.eval.ts`),
      children: { allTests: () => tests[Symbol.iterator]() },
      diagnostic: () => ({ duration: 100 }),
    }
  })
}

/** One invocation; returns the ms spent in the reporter's module ends and in its end of run. */
async function invoke(projectRoot, cases, html) {
  const vitest = {
    config: { root: projectRoot, reporters: [['default', {}]] },
    logger: { log() {}, error: console.error },
  }
  const reporter = new JudgeReporter({
    dir: join(projectRoot, '.vitest-judge'),
    experiment: 'bench',
    params: { model: 'm' },
    reports: html ? {} : { html: false },
  })
  reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const mods = modules(projectRoot, cases)
  let t = performance.now()
  // Vitest awaits each module end (its work overlaps the workers, not the end of the run).
  for (const m of mods) await reporter.onTestModuleEnd(m)
  const moduleMs = performance.now() - t
  t = performance.now()
  await reporter.onTestRunEnd(mods, [], 'passed')
  return { moduleMs, endMs: performance.now() - t }
}

let browser
async function timeToUsable(file) {
  browser ??= await launchChromium()
  const page = await browser.newPage()
  const t = performance.now()
  await page.goto(`${pathToFileURL(file).href}#cases`)
  await page.waitForSelector('.vrow', { timeout: 60_000 })
  const ms = performance.now() - t
  await page.close()
  return ms
}

const rows = []
console.log('HTML report: 10 files, baseline of the same shape; medians of', REPEATS, 'repeats')
for (const cases of [1_000, 10_000]) {
  const added = []
  const moduleAdded = []
  const usable = []
  let size = 0
  for (let r = 0; r < REPEATS; r++) {
    const on = mkdtempSync(join(tmpdir(), 'vj-bench-html-'))
    const off = mkdtempSync(join(tmpdir(), 'vj-bench-html-'))
    try {
      await invoke(on, cases, true)
      await invoke(off, cases, false)
      // Side by side, alternating which goes first.
      const [a, b] =
        r % 2
          ? [await invoke(off, cases, false), await invoke(on, cases, true)].reverse()
          : [await invoke(on, cases, true), await invoke(off, cases, false)]
      added.push(a.endMs - b.endMs)
      moduleAdded.push(a.moduleMs - b.moduleMs)
      const file = join(on, '.vitest-judge', 'report.html')
      size = statSync(file).size
      usable.push(await timeToUsable(file))
    } finally {
      rmSync(on, { recursive: true, force: true })
      rmSync(off, { recursive: true, force: true })
    }
  }
  const mb = size / 1024 / 1024
  const k = cases >= 10_000 ? '10k' : '1k'
  console.log(
    `${String(cases).padStart(6)} cases: report.html ${mb.toFixed(2)} MB; end of run +${median(added).toFixed(0)} ms with it ` +
      `(spooling during the run +${median(moduleAdded).toFixed(0)} ms); case table usable after ${median(usable).toFixed(0)} ms`,
  )
  rows.push(
    {
      id: `html-size-${k}`,
      value: Number(mb.toFixed(2)),
      unit: ' MB',
      ...(cases >= 10_000 ? { limit: '< 15 MB', pass: mb < 15 } : {}),
    },
    {
      id: `html-end-of-run-added-${k}`,
      value: Math.round(median(added)),
      unit: ' ms',
      note: `spool during run +${Math.round(median(moduleAdded))} ms`,
      ...(cases >= 10_000 ? { limit: '< 500 ms', pass: median(added) < 500 } : {}),
    },
    {
      id: `html-usable-${k}`,
      value: Math.round(median(usable)),
      unit: ' ms',
      ...(cases >= 10_000 ? { limit: '< 2000 ms', pass: median(usable) < 2000 } : {}),
    },
  )
}
await browser?.close()
if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(rows))
