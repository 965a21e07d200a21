// Startup: the wall time of `vitest run` on a project with one trivial test, with and without
// `vitestJudge()` in its config (no key: the local judge), runs alternating, median of
// BENCH_STARTUP_RUNS (default 9) each; the difference is what the plugin adds (limit 100 ms).
// Then which SDK modules load: a run where the local judge grades (a matcher and an eval suite) must
// never load `openai` or `@google/genai`; a resolve hook preloaded in every process of the run
// (NODE_OPTIONS=--import, which reaches the forks pool) records the modules of those packages. The
// same hook on a run with the OpenAI judge is the positive control (it must see `openai`).
// Usage: node bench/startup.mjs (after the build and link).
import { evalProject, localJudgeProject, startupProject } from './lib/fixtures.mjs'
import { fmtMs, median, openaiEnv, REPEATS, results, runVitest, say, startFake, stateDir } from './lib/harness.mjs'

const RUNS = Math.max(3, Number(process.env.BENCH_STARTUP_RUNS ?? 3 * REPEATS))
const LIMIT_MS = 100

const out = results('startup')
const fake = await startFake()
try {
  const withPlugin = startupProject('bench-startup-plugin', { plugin: true })
  const without = startupProject('bench-startup-plain', { plugin: false })
  const dir = stateDir()
  // Warm-up: Vite's config bundling and the OS file cache.
  await runVitest(withPlugin, { env: { VITEST_JUDGE_DIR: dir } })
  await runVitest(without)
  const runs = { a: [], b: [] }
  for (let i = 0; i < RUNS; i++) {
    const first = i % 2 === 0
    if (first) runs.a.push(await runVitest(withPlugin, { env: { VITEST_JUDGE_DIR: dir } }))
    runs.b.push(await runVitest(without))
    if (!first) runs.a.push(await runVitest(withPlugin, { env: { VITEST_JUDGE_DIR: dir } }))
  }
  const a = runs.a.map((r) => r.ms)
  const b = runs.b.map((r) => r.ms)
  const cpuA = runs.a.map((r) => r.cpuMs).filter((x) => x !== undefined)
  const cpuB = runs.b.map((r) => r.cpuMs).filter((x) => x !== undefined)
  const cpuNote = cpuA.length
    ? `; CPU time (all processes) ${fmtMs(median(cpuA))} vs ${fmtMs(median(cpuB))}, +${fmtMs(median(cpuA) - median(cpuB))}`
    : ''
  const added = median(a) - median(b)
  // The median of paired differences as well: less sensitive to drifts in machine load.
  const paired = median(a.map((x, i) => x - b[i]))
  say(
    `startup: with plugin ${a.map(fmtMs).join(', ')}\n         without     ${b.map(fmtMs).join(', ')}\n` +
      `         median ${fmtMs(median(a))} vs ${fmtMs(median(b))}, paired +${fmtMs(paired)}${cpuNote}`,
  )
  out.record({
    id: 'startup.added',
    label: `startup added by the plugin (1 trivial test, median of ${RUNS})`,
    value: Math.round(added),
    unit: ' ms',
    reference: Math.round(median(b)),
    referenceLabel: 'vitest without plugin, ms',
    ratio: median(a) / median(b),
    limit: `${LIMIT_MS} ms added`,
    pass: added <= LIMIT_MS,
    note: `median of paired differences ${Math.round(paired)} ms${cpuNote}`,
  })

  const local = await runVitest(localJudgeProject('bench-local-judge'), {
    modules: true,
    env: { VITEST_JUDGE_DIR: stateDir() },
  })
  const tenant = fake.tenant()
  const control = await runVitest(evalProject('bench-openai-control', { cases: 3 }), {
    modules: true,
    env: { ...openaiEnv(tenant), VITEST_JUDGE_DIR: stateDir() },
  })
  const sdks = (mods) => [...new Set(mods.map((m) => m.match(/node_modules\/(openai|@google\/genai)\//)?.[1]))].sort()
  const localSdks = sdks(local.modules)
  const controlSdks = sdks(control.modules)
  const judged = /2 passed|2 tests? passed/.test(local.stdout) || /Tests\s+2 passed/.test(local.stdout)
  say(
    `SDK modules: local-judge run ${localSdks.length ? localSdks.join(', ') : 'none'} (${local.modules.length} modules); ` +
      `OpenAI-judge control run ${controlSdks.join(', ') || 'none'} (${control.modules.length} modules)`,
  )
  out.record({
    id: 'startup.lazy-sdks',
    label: 'SDK modules loaded by a local-judge run (openai, @google/genai)',
    value: localSdks.length ? localSdks.join(', ') : 'none',
    reference: controlSdks.join(', ') || 'none',
    referenceLabel: 'OpenAI-judge run (control):',
    limit: 'none',
    pass: localSdks.length === 0 && controlSdks.includes('openai') && judged,
    note: judged ? 'local judge graded 2 tests' : 'UNEXPECTED: the local-judge tests did not both pass',
  })
} finally {
  await fake.close()
  out.finish()
}
