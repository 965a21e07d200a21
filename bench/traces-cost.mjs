// What tracing costs when no span is made: warm reruns of the same 400-case cached eval project
// (one file; every judge call a cache hit) with this build and with a baseline build (the commit
// before the traces work), alternated in one process so that both see the same machine load.
//   BENCH_BASE_DIST=<dir>  the baseline's dist/ (required), e.g. built from `git archive <commit>`
// Prints the median wall and CPU time of each and the ratio (goal: within 5%, i.e. ratio <= 1.05).
// Usage: node bench/traces-cost.mjs (after the build), BENCH_REPEATS (default 3) pairs of runs.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { evalProject } from './lib/fixtures.mjs'
import { DIST, fmtMs, median, openaiEnv, REPEATS, ROOT, runVitest, say, startFake, stateDir } from './lib/harness.mjs'

const baseDist = process.env.BENCH_BASE_DIST ? resolve(process.env.BENCH_BASE_DIST) : undefined
if (!baseDist || !existsSync(join(baseDist, 'plugin.js'))) {
  throw new Error('Set BENCH_BASE_DIST to the dist/ of the baseline build (a plugin.js in it).')
}

/** A project whose nearest node_modules/vitest-judge is a copy of `dist`. */
function projectWith(name, dist, tracesOff = false) {
  const root = evalProject(name, { files: 1, cases: 400 })
  if (tracesOff) {
    const config = join(root, 'vitest.config.ts')
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('minScore: 0.5', 'minScore: 0.5, traces: { enabled: false }'),
    )
  }
  const target = join(root, 'node_modules/vitest-judge')
  mkdirSync(target, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(target, 'package.json'))
  cpSync(dist, join(target, 'dist'), { recursive: true })
  return root
}

const fake = await startFake()
try {
  const sides = [
    { id: 'base', root: projectWith('bench-traces-base', baseDist), samples: [] },
    { id: 'head', root: projectWith('bench-traces-head', DIST), samples: [] },
  ]
  // BENCH_TRACES_OFF=1: also the head build with `traces: { enabled: false }` (what tracing itself costs).
  if (process.env.BENCH_TRACES_OFF === '1')
    sides.push({ id: 'head, traces off', root: projectWith('bench-traces-off', DIST, true), samples: [] })
  for (const side of sides) {
    const tenant = fake.tenant()
    side.env = { ...openaiEnv(tenant), VITEST_JUDGE_DIR: stateDir() }
    await runVitest(side.root, { env: side.env }) // cold: primes the cache
    await runVitest(side.root, { env: side.env }) // unmeasured warm run
  }
  for (let r = 0; r < REPEATS; r++) {
    // Alternate the order, so neither side always runs first.
    const order = r % 2 === 0 ? sides : [...sides].reverse()
    for (const side of order) {
      const run = await runVitest(side.root, { env: side.env })
      side.samples.push({ ms: run.ms, cpuMs: run.cpuMs })
      say(`  [${r + 1}/${REPEATS}] ${side.id} ${fmtMs(run.ms)}${run.cpuMs ? ` (cpu ${fmtMs(run.cpuMs)})` : ''}`)
    }
  }
  const [base, head, off] = sides
  const wall = (s) => median(s.samples.map((x) => x.ms))
  const cpu = (s) => (s.samples.every((x) => x.cpuMs !== undefined) ? median(s.samples.map((x) => x.cpuMs)) : undefined)
  say(
    `warm rerun, 400 cached cases: base ${fmtMs(wall(base))}, head ${fmtMs(wall(head))}, ratio x${(wall(head) / wall(base)).toFixed(3)} (goal <= 1.05)`,
  )
  if (cpu(base) !== undefined && cpu(head) !== undefined) {
    say(`  cpu: base ${fmtMs(cpu(base))}, head ${fmtMs(cpu(head))}, ratio x${(cpu(head) / cpu(base)).toFixed(3)}`)
  }
  if (off) {
    say(
      `  head with traces off: ${fmtMs(wall(off))}, ratio to base x${(wall(off) / wall(base)).toFixed(3)}${cpu(off) !== undefined ? `, cpu ${fmtMs(cpu(off))} (x${(cpu(off) / cpu(base)).toFixed(3)})` : ''}`,
    )
  }
} finally {
  await fake.close()
}
