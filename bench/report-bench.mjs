// Times the pure report functions on a large invocation: 10,000 cases across 50 files, each case
// with a judged score (3 trials), an exact match, latency and token count, against a baseline of
// the same shape. Prints figures only. Run: node bench/report-bench.mjs (add --expose-gc for
// steadier heap figures).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const FILES = 50
const CASES_PER_FILE = 200
const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'vj-report-bench-'))
const outfile = join(dir, 'report.mjs')
await build({
  entryPoints: [join(root, 'src/report/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  logLevel: 'warning',
})
const R = await import(pathToFileURL(outfile).href)

// Deterministic pseudo-random numbers, so that runs are comparable.
let seed = 42
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0
  return seed / 2 ** 32
}
const quarter = () => Math.floor(random() * 5) / 4

function makeCase(file, i, drift) {
  const trials = [quarter(), quarter(), quarter()].map((s) => Math.max(0, s - drift))
  const score = (trials[0] + trials[1] + trials[2]) / 3
  const exact = random() < 0.7 ? 1 : 0
  const latency = Math.round(200 + random() * 800)
  const tokens = Math.round(50 + random() * 400)
  const output = `Answer ${i} for ${file}: ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 20))}`
  return {
    name: `suite > case ${i}`,
    pass: score >= 0.75 && exact === 1,
    scores: { answer_similarity: score, exact_match: exact, latency, token_count: tokens },
    judgeErrors: 0,
    metrics: {
      answer_similarity: {
        score,
        raw: score * 4 + 1,
        kind: 'score',
        threshold: 0.75,
        pass: score >= 0.75,
        judge: 'openai:gpt-4.1-mini',
        justification: 'The answer conveys the same facts as the reference, with minor omissions.',
        trials,
        greaterIsBetter: true,
      },
      exact_match: { score: exact, kind: 'score', threshold: 1, pass: exact === 1, greaterIsBetter: true },
      latency: { score: latency, kind: 'measurement', greaterIsBetter: false },
      token_count: { score: tokens, kind: 'measurement', greaterIsBetter: false },
    },
    input: `Question ${i}`,
    output,
    expected: `Reference ${i}`,
    durationMs: latency + 5,
    latencyMs: latency,
  }
}

function makeReport(id, drift) {
  const runs = []
  for (let f = 0; f < FILES; f++) {
    const file = `evals/suite-${String(f).padStart(2, '0')}.test.ts`
    const cases = []
    // Every fifth file regresses in the head report.
    for (let i = 0; i < CASES_PER_FILE; i++) cases.push(makeCase(file, i, f % 5 === 0 ? drift : 0))
    runs.push({
      id: `${id}-${f}`,
      file,
      cases,
      aggregates: {},
      judgeErrors: 0,
      cache: { hits: CASES_PER_FILE, misses: 0 },
      tokens: { input: CASES_PER_FILE * 400, output: CASES_PER_FILE * 60 },
    })
  }
  return {
    version: 1,
    invocation: { id, startedAt: '2025-01-01T00:00:00.000Z', git: { commit: 'abc1234', branch: 'main' }, params: {} },
    runs,
    comparison: null,
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const gc = globalThis.gc ?? (() => {})
const time = (label, fn) => {
  gc()
  const before = process.memoryUsage().heapUsed
  const start = performance.now()
  const result = fn()
  const ms = performance.now() - start
  const after = process.memoryUsage().heapUsed
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms   heap ${mb(after).padStart(9)} (${after >= before ? '+' : ''}${mb(after - before)})`,
  )
  return result
}

const base = makeReport('base', 0)
const head = makeReport('head', 0.25)
gc()
console.log(
  `report functions: ${FILES} files x ${CASES_PER_FILE} cases = ${FILES * CASES_PER_FILE} cases, 4 metrics each`,
)
console.log(`heap after building base + head data: ${mb(process.memoryUsage().heapUsed)}`)
time('aggregateRun (base + head)', () => {
  for (const r of [base, head]) for (const run of r.runs) run.aggregates = R.aggregateRun(run.cases)
})
head.comparison = time('compareReports', () => R.compareReports(base, head, { alpha: 0.05 }))
const gate = time('evaluateGate', () =>
  R.evaluateGate(head.comparison, head, { maxDrop: 0.05, alpha: 0.05, minMean: { answer_similarity: 0.5 } }),
)
const junit = time('renderJunit', () => R.renderJunit(head))
const json = time('JSON.stringify (pretty)', () => JSON.stringify(head, null, 2))
const markdown = time('renderMarkdown', () => R.renderMarkdown(head, { gateFailures: gate }))
const consoleText = time('renderConsole', () => R.renderConsole(head, { color: false, gateFailures: gate }))
const merged = time('mergeReports (2 x 25 files)', () =>
  R.mergeReports([
    { ...head, runs: head.runs.slice(0, 25) },
    { ...head, runs: head.runs.slice(25) },
  ]),
)
time('validateReport (parsed JSON)', () => R.validateReport(JSON.parse(json), 'bench.json'))
console.log(
  `sizes: junit ${mb(junit.length)}, json ${mb(json.length)}, markdown ${(markdown.length / 1024).toFixed(1)} KB, ` +
    `console ${consoleText.split('\n').length} lines, merged ${merged.runs.length} runs, gate failures ${gate.length}`,
)
console.log(`peak-ish heap now: ${mb(process.memoryUsage().heapUsed)}, rss ${mb(process.memoryUsage().rss)}`)
rmSync(dir, { recursive: true, force: true })
