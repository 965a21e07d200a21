// Persistence and reporting in the main process.
// 1. End to end through the built reporter (dist/reporter.js, as the plugin adds it): 10,000 cases in
//    10 files of 1,000 (a judged score with justification, exact match, latency, token count, ~300
//    characters of output each) go through onTestModuleEnd (collect, aggregate, save in runs.db) and
//    onTestRunEnd (finish, read the previous invocation as baseline, compare, JUnit, JSON, markdown,
//    console), against a previous invocation of the same shape. Limit: 2 s of main-process time.
// 2. The same work piece by piece (the pure report functions and the run store, bundled from src/).
// 3. Peak RSS of the main process of real `vitest run`s (local judge, no provider) at 1,000 and 10,000
//    cases, against plain projects with as many tests: what vitest-judge adds should stay flat.
// Usage: node --expose-gc bench/reporter.mjs (after the build and link); BENCH_REPORTER_PARTS=e2e,pieces,rss
// picks parts.
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { evalProject, plainProject } from './lib/fixtures.mjs'
import { DIST, fmtMb, fmtMs, median, REPEATS, ROOT, results, runVitest, say, stateDir } from './lib/harness.mjs'

const FILES = 10
const PER_FILE = 1000
const LIMIT_MS = 2000
const out = results('reporter')
const gc = globalThis.gc ?? (() => {})

// Deterministic pseudo-random numbers.
let seed = 7
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0
  return seed / 2 ** 32
}

function caseMeta(file, i, drift) {
  const raw = Math.max(1, Math.min(5, 1 + Math.floor(random() * 5) - (drift && i % 3 === 0 ? 1 : 0)))
  const score = (raw - 1) / 4
  const expected = `The answer to question ${i} of ${file} is ${i * 7}.`
  const output = `${expected} ${'It follows from the figures given in the question. '.repeat(5)}`
  const latency = 100 + Math.round(random() * 900)
  const exact = random() < 0.6 ? 1 : 0
  return {
    v: 1,
    id: `${file}-${i}`,
    input: `Question ${i} of ${file}: what is the answer?`,
    output,
    expected,
    metrics: {
      answer_similarity: {
        score,
        raw,
        kind: 'score',
        threshold: 0.5,
        pass: score >= 0.5,
        judge: 'openai:gpt-4.1-mini',
        justification: `The answer ${raw >= 4 ? 'matches' : 'differs from'} the reference: it states the figure and the reasoning.`,
        greaterIsBetter: true,
      },
      exact_match: { score: exact, kind: 'score', threshold: 1, pass: exact === 1, greaterIsBetter: true },
      latency: { score: latency, kind: 'measurement', pass: null, greaterIsBetter: false },
      token_count: { score: 120 + (i % 80), kind: 'measurement', pass: null, greaterIsBetter: false },
    },
    judgeErrors: 0,
    cache: { hits: 1, misses: 0 },
    judgeTokens: { input: 0, output: 0 },
    tokens: { input: 100, output: 20 + (i % 80) },
    latencyMs: latency,
  }
}

/** Fake finished test modules, shaped like Vitest's TestModule / TestCase as the reporter reads them. */
function testModules(root, drift) {
  const modules = []
  for (let f = 0; f < FILES; f++) {
    const file = `evals/suite-${String(f).padStart(2, '0')}.eval.ts`
    const tests = []
    for (let i = 0; i < PER_FILE; i++) {
      const meta = { vitestJudge: caseMeta(file, i, drift) }
      const pass = meta.vitestJudge.metrics.answer_similarity.pass && meta.vitestJudge.metrics.exact_match.pass
      const result = pass
        ? { state: 'passed', errors: undefined }
        : { state: 'failed', errors: [{ message: 'exact_match 0.00 < 1: the output is not the reference' }] }
      tests.push({
        fullName: `suite ${f} > ${file}-${i}`,
        result: () => result,
        diagnostic: () => ({ duration: meta.vitestJudge.latencyMs + 3 }),
        meta: () => meta,
      })
    }
    modules.push({
      moduleId: join(root, file),
      children: { allTests: () => tests[Symbol.iterator]() },
      diagnostic: () => ({ duration: 1234 }),
    })
  }
  return modules
}

async function endToEnd() {
  const { JudgeReporter } = await import(pathToFileURL(join(DIST, 'reporter.js')).href)
  const root = mkdtempSync(join(tmpdir(), 'vj-bench-reporter-'))
  const dir = join(root, '.vitest-judge')
  const logged = []
  const vitest = { config: { root }, logger: { log: (t) => logged.push(t), error: (t) => logged.push(t) } }
  const samples = []
  try {
    // Invocation 0 is the first baseline; 1..REPEATS are measured, each compared with the one before.
    for (let r = 0; r <= REPEATS; r++) {
      const modules = testModules(root, r % 2 === 1)
      gc()
      const reporter = new JudgeReporter({ dir, judge: 'openai:gpt-4.1-mini', baseline: 'previous' })
      reporter.onInit(vitest)
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      reporter.onTestRunStart([])
      const t1 = performance.now()
      for (const m of modules) {
        // As Vitest does: a file starts (the reporter records the files finished before), then ends.
        reporter.onTestModuleStart?.(m)
        reporter.onTestModuleEnd(m)
        // Vitest reports files as they finish: the event loop turns in between (timers the reporter sets run there).
        await new Promise((resolve) => setImmediate(resolve))
      }
      const t2 = performance.now()
      await reporter.onTestRunEnd(modules, [], 'passed')
      const t3 = performance.now()
      const cpu = process.cpuUsage(cpu0)
      const sample = {
        start: t1 - t0,
        modules: t2 - t1,
        end: t3 - t2,
        total: t3 - t0,
        cpu: (cpu.user + cpu.system) / 1000,
        heap: process.memoryUsage().heapUsed,
      }
      if (r > 0) samples.push(sample)
      say(
        `  [${r === 0 ? 'baseline' : `${r}/${REPEATS}`}] start ${fmtMs(sample.start)}, while ${FILES} files finish ${fmtMs(sample.modules)}, ` +
          `onTestRunEnd ${fmtMs(sample.end)}: total ${fmtMs(sample.total)} (CPU ${fmtMs(sample.cpu)})`,
      )
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  const total = median(samples.map((s) => s.total))
  out.record({
    id: 'reporter.e2e-10k',
    label: `reporter main-process time, ${FILES * PER_FILE} cases (persist, aggregate, compare, JUnit/JSON/markdown/console)`,
    value: Math.round(total),
    unit: ' ms',
    limit: `${LIMIT_MS} ms`,
    pass: total <= LIMIT_MS,
    note:
      `while files finish (onTestModuleEnd x${FILES} and what it schedules) ${fmtMs(median(samples.map((s) => s.modules)))}, ` +
      `after the last file (onTestRunEnd) ${fmtMs(median(samples.map((s) => s.end)))}, CPU ${fmtMs(median(samples.map((s) => s.cpu)))}`,
  })
}

async function pieces() {
  const work = mkdtempSync(join(tmpdir(), 'vj-bench-pieces-'))
  try {
    const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')
    const outfile = join(work, 'pieces.mjs')
    await build({
      stdin: {
        contents: `export * from './src/report/index.ts'\nexport { SqliteRunStore as RunStore, newId } from './src/store/index.ts'\n`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'silent',
      plugins: [
        {
          name: 'external-better-sqlite3',
          setup(b) {
            b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: betterSqlite3, external: true }))
          },
        },
      ],
    })
    const P = await import(pathToFileURL(outfile).href)
    const store = new P.RunStore(join(work, 'state'))
    const times = {}
    const time = async (label, fn) => {
      gc()
      const t = performance.now()
      const value = await fn()
      times[label] = (times[label] ?? 0) + performance.now() - t
      return value
    }
    const invocation = (id) => ({
      id,
      startedAt: new Date().toISOString(),
      status: 'running',
      git: { commit: 'abc1234', branch: 'main' },
      params: {},
      experiment: 'bench',
    })
    const reports = []
    for (const drift of [false, true]) {
      const id = P.newId()
      await store.startInvocation(invocation(id))
      const runs = []
      for (const m of testModules(work, drift)) {
        const tests = Array.from(m.children.allTests(), (t) => ({
          name: t.fullName,
          state: t.result().state,
          durationMs: t.diagnostic().duration,
          meta: t.meta().vitestJudge,
        }))
        const run = await time('buildRun (collect + aggregate)', () => P.buildRun(P.newId(), m.moduleId, tests, 1234))
        await time('RunStore.saveRun', () => store.saveRun(id, run))
        runs.push(run)
      }
      await store.finishInvocation(id, 'complete', new Date().toISOString())
      reports.push({ version: 1, invocation: invocation(id), runs, comparison: null })
    }
    const [baseId] = reports.map((r) => r.invocation.id)
    const base = await time('RunStore.getReport (baseline)', () => store.getReport(baseId))
    const head = reports[1]
    head.comparison = await time('compareReports', () => P.compareReports(base, head, { alpha: 0.05 }))
    const json = await time('JSON.stringify (pretty)', () => JSON.stringify(head, null, 2))
    const junit = await time('renderJunit', () => P.renderJunit(head))
    await time('renderMarkdown', () => P.renderMarkdown(head, { gateFailures: [], notes: [] }))
    await time('renderConsole', () =>
      P.renderConsole(head, { color: false, filesWritten: [], gateFailures: [], notes: [] }),
    )
    say(`  pieces (10,000 cases; saveRun and buildRun summed over ${FILES} files, second invocation only counted):`)
    for (const [label, ms] of Object.entries(times)) {
      const value = label === 'RunStore.saveRun' || label.startsWith('buildRun') ? ms / 2 : ms
      say(`    ${label.padEnd(34)} ${fmtMs(value).padStart(8)}`)
    }
    say(`    sizes: JSON ${fmtMb(json.length)}, JUnit ${fmtMb(junit.length)}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** What V8's collections did in the main processes of two runs (`bench/lib/hooks/peak-rss.mjs`), when recorded. */
function gcNote(judged, plain) {
  if (judged.promotedBytes === undefined || plain.promotedBytes === undefined) return ''
  const side = (r) =>
    `${fmtMb(r.promotedBytes)} promoted, ${r.fullCollections} full GC, old gen. max ${fmtMb(r.maxOldBytes)}`
  return ` (vitest-judge ${side(judged)}; plain ${side(plain)})`
}

async function peakRss() {
  const sizes = [
    { id: '1k', files: 1, per: 1000 },
    { id: '10k', files: 10, per: 1000 },
  ]
  for (const s of sizes) {
    s.evalRoot = evalProject(`bench-rss-${s.id}`, { files: s.files, cases: s.per, judge: 'local', outputChars: 300 })
    s.plainRoot = plainProject(`bench-rss-plain-${s.id}`, { files: s.files, tests: s.per })
    s.dir = stateDir()
    s.judge = []
    s.plain = []
    s.promoted = { judge: [], plain: [] }
    await runVitest(s.evalRoot, { env: { VITEST_JUDGE_DIR: s.dir } }) // previous run: the baseline
  }
  for (let r = 0; r < REPEATS; r++) {
    for (const s of sizes) {
      const judged = await runVitest(s.evalRoot, { env: { VITEST_JUDGE_DIR: s.dir }, rss: true })
      const plain = await runVitest(s.plainRoot, { rss: true })
      s.judge.push(judged.rss.maxRssBytes)
      s.plain.push(plain.rss.maxRssBytes)
      if (judged.rss.promotedBytes !== undefined && plain.rss.promotedBytes !== undefined) {
        s.promoted.judge.push(judged.rss.promotedBytes)
        s.promoted.plain.push(plain.rss.promotedBytes)
      }
      say(
        `  [${r + 1}/${REPEATS}] ${s.id.padEnd(3)} peak RSS (main process) vitest-judge ${fmtMb(judged.rss.maxRssBytes)}, plain ${fmtMb(plain.rss.maxRssBytes)}${gcNote(judged.rss, plain.rss)}`,
      )
    }
  }
  const added = {}
  for (const s of sizes) {
    added[s.id] = median(s.judge) - median(s.plain)
    out.record({
      id: `reporter.rss-${s.id}`,
      label: `main-process peak RSS, ${s.files * s.per} cases (local judge)`,
      value: fmtMb(median(s.judge)),
      reference: fmtMb(median(s.plain)),
      referenceLabel: `plain ${s.files * s.per} tests`,
      note: `vitest-judge adds ${fmtMb(added[s.id])}`,
      // The goal: at most 30 MB added at 10,000 cases.
      ...(s.id === '10k' ? { limit: '+30 MB added', pass: added[s.id] <= 30 * 1024 * 1024 } : {}),
    })
  }
  // The peak is the old generation's limit once a run reaches it (docs/reference/performance.md), so a change
  // that keeps fewer objects alive shows here first: what the main process's scavenges promoted.
  for (const s of sizes) {
    if (s.promoted.judge.length === 0) continue
    out.record({
      id: `reporter.promoted-${s.id}`,
      label: `bytes promoted to V8's old generation in the main process, ${s.files * s.per} cases`,
      value: fmtMb(median(s.promoted.judge)),
      reference: fmtMb(median(s.promoted.plain)),
      referenceLabel: `plain ${s.files * s.per} tests`,
    })
  }
  const growth = added['10k'] - added['1k']
  out.record({
    id: 'reporter.rss-growth',
    label: 'RSS vitest-judge adds at 10,000 cases minus at 1,000 (flat: ~0)',
    value: fmtMb(growth),
    note: `${Math.round(growth / 9000)} bytes per extra case`,
    ratio: added['1k'] > 0 ? added['10k'] / added['1k'] : undefined,
  })
}

say(
  `reporter: ${FILES} files x ${PER_FILE} cases, ${REPEATS} repeats${globalThis.gc ? '' : ' (run with --expose-gc for steadier figures)'}`,
)
const parts = (process.env.BENCH_REPORTER_PARTS ?? 'e2e,pieces,rss').split(',')
try {
  if (parts.includes('e2e')) await endToEnd()
  if (parts.includes('pieces')) await pieces()
  if (parts.includes('rss')) await peakRss()
} finally {
  out.finish()
}
