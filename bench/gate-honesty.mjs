// Gate honesty (issue 12): simulates pull requests through the real compareReports + evaluateGate
// and prints, per grid point (files x metrics x cases), the share of pull requests the gate fails
// when only judge noise changed (false failures; goal <= alpha) and when one metric of one file
// really dropped one grade on every case (detection; goal >= 90% at 20 cases), each with its Monte
// Carlo standard error, and the false-failure share without the correction for reference. The gate
// decides on one-sided p-values (each metric's worse direction) adjusted by Tarone's procedure with
// Holm's step-down (src/report/compare.ts).
//
// Noise model: every case has a true grade 2..5 per metric; a judging reports it moved one step up
// or down with probability q each (clamped to 1..5), score = (grade - 1) / 4; q = 0.1 (a fifth of
// the grades move), q = 1/6 (a grade moves one step one time in three) and q = 0.2 (two fifths
// move: a very noisy judge). The baseline and
// the pull request are independent judgings (a prompt tweak changes every output a little, so
// every case is judged again). A real drop lowers the true grade of one metric of one file by one
// step (0.25) on every case.
//
//   node bench/gate-honesty.mjs [--prs N]        (default 300 pull requests per grid point)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'vj-gate-honesty-'))
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
rmSync(dir, { recursive: true, force: true })

const argv = process.argv.slice(2)
const prsArg = argv.indexOf('--prs')
const PRS = prsArg >= 0 ? Number(argv[prsArg + 1]) : 300
const ALPHA = 0.05
let NOISE = 0.2

let seed = 12
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const METRICS = ['answer_similarity', 'faithfulness', 'relevance']

function judged(grade) {
  const u = random()
  const g = u < NOISE ? grade - 1 : u < 2 * NOISE ? grade + 1 : grade
  return (Math.min(5, Math.max(1, g)) - 1) / 4
}

function report(id, truth, metrics, drop) {
  const runs = truth.map((cases, f) => {
    const reportCases = cases.map((grades, c) => {
      const scores = {}
      const results = {}
      for (let m = 0; m < metrics; m++) {
        const grade = grades[m] - (drop && f === 0 && m === 0 ? 1 : 0)
        const score = judged(grade)
        scores[METRICS[m]] = score
        results[METRICS[m]] = { score, kind: 'score', greaterIsBetter: true }
      }
      return { name: `case ${c}`, pass: true, scores, judgeErrors: 0, metrics: results }
    })
    return {
      id: `${id}-${f}`,
      file: `evals/file-${f}.eval.ts`,
      cases: reportCases,
      aggregates: R.aggregateRun(reportCases),
      judgeErrors: 0,
      cache: { hits: 0, misses: 0 },
      tokens: { input: 0, output: 0 },
    }
  })
  return {
    version: 1,
    invocation: { id, startedAt: '2026-12-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs,
    comparison: null,
  }
}

/** Whether the gate fails, with and without the correction (the latter: any raw p <= alpha with a drop over maxDrop). */
function simulate(files, metrics, cases, drop, maxDrop) {
  const truth = Array.from({ length: files }, () =>
    Array.from({ length: cases }, () => Array.from({ length: metrics }, () => 2 + Math.floor(random() * 4))),
  )
  const base = report('base', truth, metrics, false)
  const head = report('head', truth, metrics, drop)
  const comparison = R.compareReports(base, head, { alpha: ALPHA })
  const failures = R.evaluateGate(comparison, head, { maxDrop, alpha: ALPHA, minMean: {} })
  let uncorrected = false
  for (const run of comparison.runs) {
    for (const m of run.metrics) {
      const change = m.pairedDelta ?? m.delta ?? 0
      const p = m.pOneSided ?? m.pValue
      if (p !== null && p <= ALPHA && -change > maxDrop + 1e-12) uncorrected = true
    }
  }
  return { fails: failures.length > 0, uncorrected }
}

const share = (k, n) => {
  const p = k / n
  return { p, se: Math.sqrt((p * (1 - p)) / n) }
}
const pct = ({ p, se }) => `${(100 * p).toFixed(1)}% ± ${(100 * se).toFixed(1)}`

const GRID = []
for (const files of [1, 10])
  for (const metrics of [1, 3]) for (const cases of [6, 10, 20, 50]) GRID.push([files, metrics, cases])
const rows = []
const started = performance.now()
console.log(
  `Gate honesty: ${PRS} simulated pull requests per point, alpha ${ALPHA}, judge noise ±1 grade with probability q each way; ` +
    'drop = one grade (0.25) on every case of one metric of one file. ± is the Monte Carlo standard error.\n',
)
const header = [
  'q',
  'files',
  'metrics',
  'cases',
  'maxDrop',
  'false failures (gate)',
  'without correction',
  'detection (gate)',
]
const lines = [header]
for (const [noise, maxDrop] of [
  [0.1, 0],
  [1 / 6, 0],
  [0.2, 0],
  [0.2, 0.05],
]) {
  NOISE = noise
  for (const [files, metrics, cases] of GRID) {
    if (maxDrop === 0.05 && !(files === 10 && metrics === 3)) continue
    let nullFails = 0
    let nullRaw = 0
    let detected = 0
    for (let i = 0; i < PRS; i++) {
      const nothing = simulate(files, metrics, cases, false, maxDrop)
      if (nothing.fails) nullFails++
      if (nothing.uncorrected) nullRaw++
      if (simulate(files, metrics, cases, true, maxDrop).fails) detected++
    }
    const falseRate = share(nullFails, PRS)
    const rawRate = share(nullRaw, PRS)
    const detection = share(detected, PRS)
    const q = noise === 1 / 6 ? '1/6' : String(noise)
    lines.push([q, files, metrics, cases, maxDrop, pct(falseRate), pct(rawRate), pct(detection)].map(String))
    const id = `gate-honesty q${q} ${files}x${metrics}x${cases} maxDrop ${maxDrop}`
    // Within 2 standard errors of the goal counts as met (the figure is itself a Monte Carlo estimate).
    rows.push({
      id: `${id} false failures`,
      value: Number((100 * falseRate.p).toFixed(1)),
      unit: '%',
      limit: `<= ${100 * ALPHA}%`,
      pass: falseRate.p <= ALPHA + 2 * falseRate.se,
      note: `± ${(100 * falseRate.se).toFixed(1)}; without correction ${(100 * rawRate.p).toFixed(1)}%`,
    })
    if (cases === 20 && files === 10 && metrics === 3) {
      rows.push({
        id: `${id} detection`,
        value: Number((100 * detection.p).toFixed(1)),
        unit: '%',
        limit: '>= 90%',
        pass: detection.p >= 0.9 - 2 * detection.se,
        note: `± ${(100 * detection.se).toFixed(1)}`,
      })
    }
  }
}
const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)))
for (const [i, l] of lines.entries()) {
  console.log(l.map((c, j) => (j < 5 ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  '))
  if (i === 0) console.log(widths.map((w) => '─'.repeat(w)).join('  '))
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`)
if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(rows))
