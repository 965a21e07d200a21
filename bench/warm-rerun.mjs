// Warm reruns: the wall time of `vitest run` on a fully cached eval project (every judge call a cache
// hit; the reporter persists the run, compares it with the previous one and writes its reports)
// against the same number of plain `test()`s doing trivial work (no plugin), same Vitest, same pool.
//   400 cases     1 file x 400       limit 1.3 x
//   10,000 cases  10 files x 1,000   limit 1.5 x
// The eval projects are primed once (cold run, fake provider without delay); then warm and plain
// runs alternate, REPEATS times. With strace installed, one more warm run per size is traced to count
// the opens of cache.db (one per worker process, never per case) and the fsync calls (never per case).
// Usage: node bench/warm-rerun.mjs (after the build and link).
// Under another Node and Vitest (a `test:compat` app): BENCH_APP and BENCH_NODE, see bench/lib/harness.mjs.
import { evalProject, plainProject } from './lib/fixtures.mjs'
import {
  CAN_TRACE,
  fmtMs,
  median,
  openaiEnv,
  REPEATS,
  results,
  runVitest,
  say,
  startFake,
  stateDir,
} from './lib/harness.mjs'

const sizes = [
  { id: '400', label: '400 cases (1 file)', files: 1, per: 400, limit: 1.3 },
  { id: '10k', label: '10,000 cases (10 files x 1,000)', files: 10, per: 1000, limit: 1.5 },
  // Only when asked for (BENCH_WARM_SIZES=10k-unjudged): the same suites with a metric that judges
  // nothing (exact match), to tell the cost of the suites from the cost of the cached judge calls.
  {
    id: '10k-unjudged',
    label: '10,000 cases (10 files x 1,000), exact match only (no judge)',
    files: 10,
    per: 1000,
    metric: 'exactMatch',
    optIn: true,
  },
]
{
  const keep = process.env.BENCH_WARM_SIZES?.split(',')
  sizes.splice(0, sizes.length, ...sizes.filter((s) => (keep ? keep.includes(s.id) : !s.optIn)))
}

const fake = await startFake()
const out = results('warm-rerun')
try {
  for (const s of sizes) {
    s.evalRoot = evalProject(`bench-warm-${s.id}`, {
      files: s.files,
      cases: s.per,
      ...(s.metric ? { metric: s.metric } : {}),
    })
    s.plainRoot = plainProject(`bench-plain-${s.id}`, { files: s.files, tests: s.per })
    const tenant = fake.tenant()
    s.env = { ...openaiEnv(tenant), VITEST_JUDGE_DIR: stateDir() }
    const cold = await runVitest(s.evalRoot, { env: s.env })
    const requests = await tenant.requests()
    s.tenant = tenant
    s.primedRequests = requests
    s.samples = []
    say(`warm rerun ${s.label}: primed the cache in ${fmtMs(cold.ms)} (${requests} judge requests)`)
    // One unmeasured run of each, so that both have Vite's caches and a previous run to compare with.
    await runVitest(s.evalRoot, { env: s.env })
    await runVitest(s.plainRoot)
  }
  for (let r = 0; r < REPEATS; r++) {
    for (const s of sizes) {
      const warm = await runVitest(s.evalRoot, { env: s.env })
      const plain = await runVitest(s.plainRoot)
      s.samples.push({ warm: warm.ms, plain: plain.ms, ratio: warm.ms / plain.ms })
      say(
        `  [${r + 1}/${REPEATS}] ${s.id.padEnd(4)} cached ${fmtMs(warm.ms)}, plain ${fmtMs(plain.ms)}, x${(warm.ms / plain.ms).toFixed(2)}`,
      )
    }
  }
  for (const s of sizes) {
    const ratio = median(s.samples.map((x) => x.ratio))
    const extra = (await s.tenant.requests()) - s.primedRequests
    out.record({
      id: `warm-rerun.${s.id}`,
      label: `warm rerun, ${s.label}, cached vs plain tests`,
      value: Math.round(median(s.samples.map((x) => x.warm))),
      unit: ' ms',
      reference: Math.round(median(s.samples.map((x) => x.plain))),
      referenceLabel: 'plain test()s',
      ratio,
      ...(s.limit === undefined ? { pass: extra === 0 } : { limit: s.limit, pass: ratio <= s.limit && extra === 0 }),
      note: extra === 0 ? 'no provider request on warm runs' : `UNEXPECTED: ${extra} provider requests on warm runs`,
    })
  }
  if (CAN_TRACE) {
    // How often the judge cache is opened, and how many fsync calls a warm run makes (all processes).
    for (const s of sizes) {
      const traced = await runVitest(s.evalRoot, { env: s.env, trace: true })
      const lines = traced.trace.split('\n')
      const opens = lines.filter((l) => /openat\(.*cache\.db"/.test(l) && !/= -1/.test(l)).length
      const fsyncs = lines.filter((l) => /^\d+\s+f(data)?sync\(/.test(l)).length
      out.record({
        id: `warm-rerun.syscalls-${s.id}`,
        label: `warm run of ${s.label}: opens of cache.db / fsync calls (strace, all processes)`,
        value: `${opens} / ${fsyncs}`,
        limit: `1 open per test file`,
        pass: opens <= s.files,
        note: `${s.files} test file${s.files === 1 ? '' : 's'} (one worker process each), ${s.files * s.per} cached cases`,
      })
    }
  }
} finally {
  await fake.close()
  out.finish()
}
