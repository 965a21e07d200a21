// Makes the docs' screenshots of the HTML report (docs/guide/html-report.md, one in README.md): a small project's four invocations written by
// the built reporter, then each view photographed in headless Chromium (Debian's /usr/bin/chromium).
//   npm run build && node scripts/html-screenshots.mjs   (writes docs/images/html-*.png)
//   node scripts/html-screenshots.mjs traces            (only docs/images/html-trace.png: an agent's span waterfall)
//   node scripts/html-screenshots.mjs review            (only docs/images/html-review.png: grading in `vitest-judge ui`)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'

const repo = fileURLToPath(new URL('..', import.meta.url))
const { JudgeReporter } = await import(pathToFileURL(join(repo, 'dist/reporter.js')).href)
const QUESTIONS = [
  'How do I reset my password?',
  'Can I get a refund after 30 days?',
  'Where is my order?',
  'Do you ship abroad?',
]
const ANSWERS = [
  'Open Settings, choose Security and press Reset password; a link arrives by email.',
  'Refunds are possible within 30 days of delivery; after that we offer store credit.',
  'Your order status is under Orders; tracking appears once it ships.',
  'We ship to 40 countries; duties are shown at checkout.',
]
function meta(i, model) {
  const drift = model === 'gpt-4.1-mini' ? 0 : (i * 7) % 3
  const raw = Math.max(1, Math.min(5, 5 - ((i * 3) % 4) + (drift === 2 ? -1 : 0)))
  const score = (raw - 1) / 4
  const answer = ANSWERS[i % 4] + (drift ? ' Please contact support for anything else.' : '')
  return {
    v: 1,
    id: `q${i}`,
    input: QUESTIONS[i % 4],
    output: answer,
    expected: ANSWERS[i % 4],
    metrics: {
      answer_similarity: {
        score,
        raw,
        kind: 'score',
        threshold: 0.5,
        pass: score >= 0.5,
        judge: 'openai:gpt-4.1-mini',
        justification: `The answer covers ${raw} of 5 key points of the reference.`,
      },
      latency: {
        score: 300 + ((i * 37) % 400) + (drift ? 80 : 0),
        kind: 'measurement',
        pass: null,
        greaterIsBetter: false,
      },
    },
    judgeErrors: 0,
    cache: { hits: i % 3 ? 1 : 0, misses: i % 3 ? 0 : 1 },
    judgeTokens: { input: 320, output: 45 },
    tokens: { input: 140, output: 60 },
    latencyMs: 300 + ((i * 37) % 400),
  }
}
async function invoke(root, model) {
  const vitest = { config: { root, reporters: [['default', {}]] }, logger: { log() {}, error: console.error } }
  const reporter = new JudgeReporter({
    dir: join(root, '.vitest-judge'),
    experiment: 'support-bot',
    params: { model, prompt: 'v3' },
  })
  reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const modules = ['evals/support.eval.ts', 'evals/refunds.eval.ts'].map((file, f) => {
    const tests = Array.from({ length: 24 }, (_, i) => {
      const m = meta(i + f * 24, model)
      const result = m.metrics.answer_similarity.pass
        ? { state: 'passed' }
        : { state: 'failed', errors: [{ message: 'below 0.5' }] }
      return {
        fullName: `${QUESTIONS[i % 4]} #${i}`,
        result: () => result,
        diagnostic: () => ({ duration: 4 }),
        meta: () => ({ vitestJudge: m }),
      }
    })
    return {
      moduleId: join(root, file),
      children: { allTests: () => tests[Symbol.iterator]() },
      diagnostic: () => ({ duration: 80 }),
    }
  })
  for (const m of modules) await reporter.onTestModuleEnd(m)
  await reporter.onTestRunEnd(modules, [], 'passed')
}
// One invocation of a describeEval suite with three variants (two models, one prompt change), as
// the reporter records it: each case once per variant, tagged `[variant]`, the variant's fields as params.
const VARIANTS = {
  'mini-v3': { model: 'gpt-4.1-mini', prompt: 'v3' },
  'nano-v3': { model: 'gpt-4.1-nano', prompt: 'v3' },
  'mini-v4': { model: 'gpt-4.1-mini', prompt: 'v4' },
}
async function invokeVariants(root) {
  const vitest = { config: { root, reporters: [['default', {}]] }, logger: { log() {}, error: console.error } }
  const reporter = new JudgeReporter({ dir: join(root, '.vitest-judge'), experiment: 'support-variants' })
  reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const tests = []
  for (const [name, fields] of Object.entries(VARIANTS)) {
    for (let i = 0; i < 24; i++) {
      const m = meta(i, fields.model)
      if (fields.prompt === 'v4') {
        const raw = Math.min(5, m.metrics.answer_similarity.raw + (i % 3 === 0 ? 1 : 0))
        m.metrics.answer_similarity = { ...m.metrics.answer_similarity, raw, score: (raw - 1) / 4, pass: raw >= 3 }
        m.output = `${ANSWERS[i % 4]} Anything else I can help with?`
      }
      m.variant = name
      m.variantParams = { variant: name, ...fields }
      const result = m.metrics.answer_similarity.pass
        ? { state: 'passed' }
        : { state: 'failed', errors: [{ message: 'below 0.5' }] }
      tests.push({
        fullName: `support > [${name}] ${QUESTIONS[i % 4]} #${i}`,
        result: () => result,
        diagnostic: () => ({ duration: 4 }),
        meta: () => ({ vitestJudge: m }),
      })
    }
  }
  const module = {
    moduleId: join(root, 'evals/support.eval.ts'),
    children: { allTests: () => tests[Symbol.iterator]() },
    diagnostic: () => ({ duration: 80 }),
  }
  await reporter.onTestModuleEnd(module)
  await reporter.onTestRunEnd([module], [], 'passed')
}
// An agent's trace as the worker records it from the AI SDK: the agent span, its model calls and tool calls.
function agentTrace(i, t0, changed) {
  const root = `a${i}`
  const spans = [
    {
      id: root,
      name: 'ai.generateText',
      kind: 'agent',
      start: t0,
      end: t0 + 2350,
      status: 'ok',
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4.1-mini' },
    },
  ]
  let at = t0 + 15
  const llm = (n, tokensIn, tokensOut, ms, content) => {
    spans.push({
      id: `${root}-llm${n}`,
      parentId: root,
      name: 'ai.generateText.doGenerate',
      kind: 'llm',
      start: at,
      end: at + ms,
      status: 'ok',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4.1-mini',
        'gen_ai.usage.input_tokens': tokensIn,
        'gen_ai.usage.output_tokens': tokensOut,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: QUESTIONS[i % 4] }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [content] }]),
      },
    })
    at += ms + 10
  }
  const tool = (name, args, result, ms, error) => {
    spans.push({
      id: `${root}-${name}`,
      parentId: root,
      name: `ai.toolCall ${name}`,
      kind: 'tool',
      start: at,
      end: at + ms,
      status: error ? 'error' : 'ok',
      ...(error ? { error } : {}),
      attributes: {
        'gen_ai.tool.name': name,
        'gen_ai.tool.call.arguments': JSON.stringify(args),
        ...(result ? { 'gen_ai.tool.call.result': JSON.stringify(result) } : {}),
      },
    })
    at += ms + 10
  }
  llm(1, 412, 38, 520, { type: 'tool_call', name: 'search_orders', arguments: { customer: 'C-1042' } })
  tool('search_orders', { customer: 'C-1042' }, { orders: [{ id: 'A-77', status: 'shipped' }] }, 180)
  llm(2, 690, 41, 610, { type: 'tool_call', name: 'track_parcel', arguments: { order: 'A-77' } })
  if (!changed)
    tool('track_parcel', { order: 'A-77' }, null, 240, i % 5 === 0 ? 'carrier API timed out after 200 ms' : undefined)
  llm(3, 905, 96, 640, { type: 'text', content: ANSWERS[i % 4] })
  return { spans, dropped: 0 }
}
async function invokeAgent(root, changed) {
  const vitest = { config: { root, reporters: [['default', {}]] }, logger: { log() {}, error: console.error } }
  const reporter = new JudgeReporter({ dir: join(root, '.vitest-judge'), experiment: 'support-agent' })
  reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const tests = Array.from({ length: 12 }, (_, i) => {
    const m = meta(i, 'gpt-4.1-mini')
    m.trace = agentTrace(i, Date.UTC(2026, 11, 7, 10, 0, i), changed && i % 3 === 1)
    const failed = m.trace.spans.some((s) => s.status === 'error') || !m.metrics.answer_similarity.pass
    const result = failed ? { state: 'failed', errors: [{ message: 'below 0.5' }] } : { state: 'passed' }
    return {
      fullName: `agent > ${QUESTIONS[i % 4]} #${i}`,
      result: () => result,
      diagnostic: () => ({ duration: 4 }),
      meta: () => ({ vitestJudge: m }),
    }
  })
  const module = {
    moduleId: join(root, 'evals/agent.eval.ts'),
    children: { allTests: () => tests[Symbol.iterator]() },
    diagnostic: () => ({ duration: 80 }),
  }
  await reporter.onTestModuleEnd(module)
  await reporter.onTestRunEnd([module], [], 'passed')
}
async function traceShots(browser, root) {
  const agentRoot = join(root, 'agent')
  await invokeAgent(agentRoot, false)
  await invokeAgent(agentRoot, true)
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } })
  await page.goto(`${pathToFileURL(join(agentRoot, '.vitest-judge', 'report.html')).href}#cases`)
  await page.waitForSelector('html[data-ready="true"]')
  await page.locator('.vrow').nth(1).click()
  await page.waitForSelector('#case-detail .span-row')
  await page.locator('#case-detail .span-row').nth(2).click()
  await page.waitForTimeout(200)
  await page.locator('#case-trace').screenshot({ path: join(repo, 'docs/images/html-trace.png') })
  await page.close()
}
// `vitest-judge ui` with three cases graded with the keyboard and one commented.
async function reviewShot(browser, root) {
  const { spawn } = await import('node:child_process')
  await invoke(root, 'gpt-4.1-mini')
  const server = spawn(
    process.execPath,
    [join(repo, 'dist/cli/index.js'), 'ui', '--port', '0', '--dir', join(root, '.vitest-judge'), '--reviewer', 'Ada'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  try {
    const url = await new Promise((resolve) => {
      let out = ''
      server.stdout.on('data', (chunk) => {
        out += chunk
        const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
        if (found) resolve(found[1])
      })
    })
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    await page.goto(url)
    await page.waitForSelector('html[data-ready="true"]')
    await page.click('#tab-cases')
    await page.waitForSelector('.vrow')
    for (const grade of ['5', '4', '2']) {
      await page.keyboard.press('j')
      await page.keyboard.press(grade)
      await page.waitForTimeout(150)
    }
    await page.keyboard.press('c')
    await page.keyboard.type('Misses the 30-day rule: the judge is too kind.')
    await page.click('.review-save-comment')
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(repo, 'docs/images/html-review.png'), fullPage: true })
    await page.close()
  } finally {
    server.kill('SIGTERM')
  }
}
const root = mkdtempSync(join(tmpdir(), 'vj-shots-'))
if (process.argv[2] === 'review') {
  try {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    await reviewShot(browser, root)
    await browser.close()
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  console.log('wrote docs/images/html-review.png')
  process.exit(0)
}
if (process.argv[2] === 'traces') {
  try {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    await traceShots(browser, root)
    await browser.close()
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  console.log('wrote docs/images/html-trace.png')
  process.exit(0)
}
try {
  for (const model of ['gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4.1-mini', 'gpt-4.1-nano'])
    await invoke(root, model)
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } })
  await page.goto(pathToFileURL(join(root, '.vitest-judge', 'report.html')).href)
  await page.waitForSelector('html[data-ready="true"]')
  for (const view of ['overview', 'trends', 'distributions', 'cases', 'compare']) {
    await page.click(`#tab-${view}`)
    await page.waitForTimeout(300)
    if (view === 'cases') {
      await page.locator('.vrow').nth(1).click()
      await page.waitForTimeout(200)
      await page.screenshot({ path: join(repo, 'docs/images/html-cases.png'), fullPage: true })
      continue
    }
    await page.screenshot({ path: join(repo, `docs/images/html-${view}.png`) })
  }
  const variantsRoot = join(root, 'variants')
  await invokeVariants(variantsRoot)
  await page.goto(pathToFileURL(join(variantsRoot, '.vitest-judge', 'report.html')).href)
  await page.waitForSelector('html[data-ready="true"]')
  await page.click('#tab-variants')
  await page.waitForTimeout(300)
  await page.locator('#view-variants .cmp-row').nth(3).click()
  await page.waitForTimeout(200)
  await page.screenshot({ path: join(repo, 'docs/images/html-variants.png'), fullPage: true })
  await traceShots(browser, root)
  await browser.close()
} finally {
  rmSync(root, { recursive: true, force: true })
}
console.log('wrote docs/images/html-*.png')
