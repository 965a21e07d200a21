// The HTML report with traces (issue 25): 1,000 cases with 20 spans each (an agent: model calls
// with their messages, tool calls with arguments and results), and a baseline of the same shape,
// written by the reporter. Prints the size of report.html (goal: under 15 MB), the time until the
// case table is usable in headless Chromium (Debian's /usr/bin/chromium; goal: under 2 s), and the
// time from a click on a case to its span waterfall; beside the same invocations without traces.
//
//   node bench/html-traces.mjs        (after npm run build; BENCH_REPEATS, default 3; BENCH_CASES, default 1000)
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
const CASES = Number(process.env.BENCH_CASES ?? 1000)
const SPANS = 20
const FILES = 10

const { random, text, caseMeta } = caseGenerator(25)

/** An agent's trace of `SPANS` spans: a root, then model calls and tool calls in turn. */
function agentTrace(t0) {
  const root = {
    id: `${t0.toString(16)}00`,
    name: 'ai.generateText',
    kind: 'agent',
    start: t0,
    end: t0 + SPANS * 40,
    status: 'ok',
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4.1-mini' },
    source: 'otel',
  }
  const spans = [root]
  for (let i = 1; i < SPANS; i++) {
    const start = t0 + i * 40
    const tool = i % 2 === 0
    const failed = tool && random() < 0.02
    spans.push({
      id: `${t0.toString(16)}${String(i).padStart(2, '0')}`,
      parentId: root.id,
      name: tool ? `ai.toolCall ${i % 4 === 0 ? 'search' : 'lookup'}` : 'ai.generateText.doGenerate',
      kind: tool ? 'tool' : 'llm',
      start,
      end: start + 10 + Math.floor(random() * 28),
      status: failed ? 'error' : 'ok',
      ...(failed ? { error: 'tool failed: timeout' } : {}),
      attributes: tool
        ? {
            'gen_ai.tool.name': i % 4 === 0 ? 'search' : 'lookup',
            'gen_ai.tool.call.arguments': JSON.stringify({ query: text(6) }),
            'gen_ai.tool.call.result': JSON.stringify({ hits: [text(12), text(12)] }),
          }
        : {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4.1-mini',
            'gen_ai.usage.input_tokens': 200 + i * 30,
            'gen_ai.usage.output_tokens': 40,
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text(30) }] }]),
            'gen_ai.output.messages': JSON.stringify([
              { role: 'assistant', parts: [{ type: 'tool_call', name: 'search', arguments: { query: text(5) } }] },
            ]),
          },
      source: 'otel',
    })
  }
  return { spans, dropped: 0 }
}

function modules(projectRoot, traced) {
  const perFile = Math.ceil(CASES / FILES)
  return Array.from({ length: FILES }, (_, f) => {
    const tests = Array.from({ length: perFile }, (_, i) => {
      const n = f * perFile + i
      const meta = { vitestJudge: caseMeta(n, 0, traced ? { trace: agentTrace(1_765_000_000_000 + n * 10_000) } : {}) }
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

async function invoke(projectRoot, traced) {
  const vitest = {
    config: { root: projectRoot, reporters: [['default', {}]] },
    logger: { log() {}, error: console.error },
  }
  const reporter = new JudgeReporter({
    dir: join(projectRoot, '.vitest-judge'),
    experiment: 'bench',
    params: { model: 'm' },
  })
  reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const mods = modules(projectRoot, traced)
  for (const m of mods) await reporter.onTestModuleEnd(m)
  const t = performance.now()
  await reporter.onTestRunEnd(mods, [], 'passed')
  return performance.now() - t
}

let browser
/** ms until the case table shows rows, and from a click on a case to its waterfall (when traced). */
async function openPage(file, traced) {
  browser ??= await launchChromium()
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  let t = performance.now()
  await page.goto(`${pathToFileURL(file).href}#cases`)
  await page.waitForSelector('.vrow', { timeout: 60_000 })
  const usable = performance.now() - t
  let detail = 0
  if (traced) {
    t = performance.now()
    await page.locator('.vrow').first().click()
    await page.waitForSelector('#case-detail .span-row', { timeout: 60_000 })
    detail = performance.now() - t
    const rows = await page.locator('#case-detail .span-row').count()
    if (rows !== SPANS) throw new Error(`the waterfall shows ${rows} spans, not ${SPANS}`)
  }
  await page.close()
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
  return { usable, detail }
}

console.log(
  `HTML report with traces: ${CASES} cases in ${FILES} files, ${SPANS} spans each, baseline of the same shape; medians of ${REPEATS} repeats`,
)
const figures = {}
for (const traced of [false, true]) {
  const sizes = []
  const usable = []
  const detail = []
  const ends = []
  for (let r = 0; r < REPEATS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'vj-bench-html-traces-'))
    try {
      await invoke(dir, traced)
      ends.push(await invoke(dir, traced))
      const file = join(dir, '.vitest-judge', 'report.html')
      sizes.push(statSync(file).size / 1024 / 1024)
      const opened = await openPage(file, traced)
      usable.push(opened.usable)
      detail.push(opened.detail)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  figures[traced ? 'traced' : 'plain'] = {
    mb: median(sizes),
    usable: median(usable),
    detail: median(detail),
    end: median(ends),
  }
  console.log(
    `${traced ? `with ${SPANS} spans a case` : 'without traces   '}: report.html ${median(sizes).toFixed(2)} MB; ` +
      `case table usable after ${median(usable).toFixed(0)} ms` +
      (traced ? `; a case's waterfall ${median(detail).toFixed(0)} ms after the click` : '') +
      `; reporter end of run ${median(ends).toFixed(0)} ms`,
  )
}
await browser?.close()
const { traced, plain } = figures
console.log(
  `traces add ${(traced.mb - plain.mb).toFixed(2)} MB (x${(traced.mb / plain.mb).toFixed(2)}) and ${(traced.usable - plain.usable).toFixed(0)} ms to a usable table; ` +
    `goals: < 15 MB ${traced.mb < 15 ? 'met' : 'MISSED'}, < 2000 ms ${traced.usable < 2000 ? 'met' : 'MISSED'}`,
)
if (process.env.BENCH_RESULT_FILE) {
  writeFileSync(
    process.env.BENCH_RESULT_FILE,
    JSON.stringify([
      {
        id: 'html-traces-size-1k',
        value: Number(traced.mb.toFixed(2)),
        unit: ' MB',
        limit: '< 15 MB',
        pass: traced.mb < 15,
      },
      {
        id: 'html-traces-usable-1k',
        value: Math.round(traced.usable),
        unit: ' ms',
        limit: '< 2000 ms',
        pass: traced.usable < 2000,
      },
      { id: 'html-traces-waterfall-1k', value: Math.round(traced.detail), unit: ' ms' },
    ]),
  )
}
