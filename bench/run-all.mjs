// Runs every bench and prints a summary table of figures and ratios against their references and
// limits (issue 7). `npm run bench` builds and links the package first.
//
//   node bench/run-all.mjs [--only startup,judge-phase,...] [--extras] [--json FILE]
//
// --extras also runs the benches that print figures only: storage (bench/store-bench.mjs, and
// bench/store-pg.mjs against a throw-away PostgreSQL), report functions (bench/report-bench.mjs) and
// the MLflow export (bench/mlflow-export.mjs). Environment: BENCH_REPEATS (default 3; every
// side-by-side figure is the median of that many repeats), BENCH_INSTALL (copy | link, see
// bench/lib/harness.mjs), BENCH_DIST (bench another build than dist/), BENCH_KEEP=1 (keep the
// generated projects under fixtures/bench-tmp/).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const BENCHES = [
  { name: 'startup', file: 'startup.mjs' },
  { name: 'judge-phase', file: 'judge-phase.mjs' },
  { name: 'warm-rerun', file: 'warm-rerun.mjs' },
  { name: 'reporter', file: 'reporter.mjs', args: ['--expose-gc'] },
  { name: 'gate-honesty', file: 'gate-honesty.mjs' },
  { name: 'variants', file: 'variants.mjs' },
  { name: 'html-report', file: 'html-report.mjs' },
  { name: 'html-variants', file: 'html-variants.mjs' },
  { name: 'app-cache', file: 'app-cache.mjs' },
]
const EXTRAS = [
  { name: 'store-bench', file: 'store-bench.mjs' },
  { name: 'report-bench', file: 'report-bench.mjs', args: ['--expose-gc'] },
  { name: 'mlflow-export', file: 'mlflow-export.mjs' },
  { name: 'store-pg', file: 'store-pg.mjs' },
]

const argv = process.argv.slice(2)
const flag = (name) => argv.includes(name)
const value = (name) => {
  const i = argv.indexOf(name)
  return i === -1 ? undefined : argv[i + 1]
}
const only = value('--only')?.split(',')
let selected = BENCHES.filter((b) => !only || only.includes(b.name))
if (flag('--extras')) selected = [...selected, ...EXTRAS.filter((b) => !only || only.includes(b.name))]
if (selected.length === 0) {
  console.error(`Nothing to run: --only takes ${[...BENCHES, ...EXTRAS].map((b) => b.name).join(', ')}`)
  process.exit(2)
}

function run(bench, resultFile) {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [...(bench.args ?? []), join(here, bench.file)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_RESULT_FILE: resultFile },
    })
    child.on('close', (code) => resolve({ code, ms: performance.now() - started }))
  })
}

const work = mkdtempSync(join(tmpdir(), 'vj-bench-all-'))
const rows = []
const failures = []
console.log(
  `vitest-judge benches: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ` +
    `load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, repeats ${process.env.BENCH_REPEATS ?? 3}, install ${process.env.BENCH_INSTALL ?? 'copy'}\n`,
)
try {
  for (const bench of selected) {
    console.log(`── ${bench.name} ${'─'.repeat(Math.max(0, 70 - bench.name.length))}`)
    const resultFile = join(work, `${bench.name}.json`)
    const { code, ms } = await run(bench, resultFile)
    console.log(`   (${bench.name}: ${(ms / 1000).toFixed(1)} s${code === 0 ? '' : `, exit ${code}`})\n`)
    if (code !== 0) failures.push(bench.name)
    try {
      rows.push(...JSON.parse(readFileSync(resultFile, 'utf8')))
    } catch {
      // a bench that prints figures only (the extras), or one that failed before writing
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

const show = (v) => (v === undefined || v === null ? '' : String(v))
const table = rows.map((r) => [
  r.id,
  `${show(r.value)}${r.unit ?? ''}`,
  r.reference === undefined ? '' : `${show(r.reference)}${typeof r.reference === 'number' ? (r.unit ?? '') : ''}`,
  r.ratio === undefined ? '' : `x${r.ratio.toFixed(2)}`,
  show(r.limit),
  r.pass === undefined ? '' : r.pass ? 'ok' : 'OVER',
  show(r.note),
])
const head = ['figure', 'value', 'reference', 'ratio', 'limit', '', 'note']
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)))
const line = (cells) =>
  cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd()
console.log('Summary (medians of the repeats; references: see each bench file)')
console.log(line(head))
console.log(line(widths.map((w) => '─'.repeat(w))))
for (const row of table) console.log(line(row))
const over = rows.filter((r) => r.pass === false)
console.log(
  `\n${rows.filter((r) => r.pass === true).length} within limits, ${over.length} over${failures.length ? `; benches that failed: ${failures.join(', ')}` : ''}`,
)
const jsonOut = value('--json')
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`)
// Figures never fail the command (they are noisy); a bench that crashed does.
process.exitCode = failures.length > 0 ? 1 : 0
