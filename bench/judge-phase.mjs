// Judge phase at the concurrency limit. Each scenario runs `vitest run` on a generated eval project
// twice against the fake provider (OpenAI wire format) answering after L ms: cold (fresh
// VITEST_JUDGE_DIR: every case is a judge request) and warm (same folder: every case is a cache hit).
// cold - warm is the time the judge requests cost; the ideal is N / C x L per worker.
//   single     1 file x 400 cases, C = 8, L = 100 ms               ideal 400 / 8 x 100 ms = 5 s
//   multi      4 files x 100 cases, 2 workers, C = 8 per worker    ideal (400 / 2) / 8 x 100 ms = 2.5 s
//   slow case  1 file x 200 cases, case 0 answered after 3 s       ideal max(3 s, 199 / 7 x 100 ms) = 3 s
//              (no head-of-line blocking: the other 199 cases flow through the 7 other slots; a suite that
//               waited for the slow case, e.g. batches of C, would take 3 s + 192 / 8 x 100 ms = 5.4 s)
// Usage: node bench/judge-phase.mjs (after `npm run build && node scripts/link-self.mjs`).
import { evalProject } from './lib/fixtures.mjs'
import { fmtMs, median, openaiEnv, REPEATS, results, runVitest, say, startFake, stateDir } from './lib/harness.mjs'

const L = 100
const C = 8
const SLOW = 3000
const LIMIT = 1.33

const scenarios = [
  { id: 'single', label: '1 file x 400 cases, C=8, L=100ms', files: 1, cases: 400, workers: 1 },
  { id: 'multi', label: '4 files x 100 cases, 2 workers, C=8, L=100ms', files: 4, cases: 100, workers: 2 },
  {
    id: 'slow',
    label: '200 cases, one answered after 3 s, C=8, L=100ms',
    files: 1,
    cases: 200,
    workers: 1,
    slow: true,
  },
]

const fake = await startFake()
const out = results('judge-phase')
try {
  for (const s of scenarios) {
    s.root = evalProject(`bench-judge-${s.id}`, {
      files: s.files,
      cases: s.cases,
      concurrency: C,
      maxWorkers: s.workers,
      slowCase: s.slow === true,
    })
    const n = s.files * s.cases
    s.ideal = s.slow ? Math.max(SLOW, ((n - 1) / (C - 1)) * L) : (n / s.workers / C) * L
    s.samples = []
  }
  say(`judge phase: L=${L} ms, C=${C}, ${REPEATS} repeats`)
  for (let r = 0; r < REPEATS; r++) {
    for (const s of scenarios) {
      const tenant = fake.tenant()
      await tenant.configure({ delayMs: L })
      const env = { ...openaiEnv(tenant), VITEST_JUDGE_DIR: stateDir() }
      let slowTenant
      if (s.slow) {
        slowTenant = fake.tenant()
        await slowTenant.configure({ delayMs: SLOW })
        env.BENCH_SLOW_BASE_URL = slowTenant.openaiBaseURL
      }
      const cold = await runVitest(s.root, { env })
      const coldRequests = (await tenant.requests()) + (slowTenant ? await slowTenant.requests() : 0)
      const warm = await runVitest(s.root, { env })
      const warmRequests = (await tenant.requests()) + (slowTenant ? await slowTenant.requests() : 0) - coldRequests
      const phase = cold.ms - warm.ms
      s.samples.push({ cold: cold.ms, warm: warm.ms, phase, coldRequests, warmRequests })
      say(
        `  [${r + 1}/${REPEATS}] ${s.id.padEnd(6)} cold ${fmtMs(cold.ms)}, warm ${fmtMs(warm.ms)}, judge phase ${fmtMs(phase)} ` +
          `(ideal ${fmtMs(s.ideal)}, x${(phase / s.ideal).toFixed(2)}); provider requests cold ${coldRequests}, warm ${warmRequests}`,
      )
    }
  }
  for (const s of scenarios) {
    const phase = median(s.samples.map((x) => x.phase))
    const ratio = median(s.samples.map((x) => x.phase / s.ideal))
    const n = s.files * s.cases
    const requestsOk = s.samples.every((x) => x.coldRequests === n && x.warmRequests === 0)
    out.record({
      id: `judge-phase.${s.id}`,
      label: `judge phase (cold - warm), ${s.label}`,
      value: Math.round(phase),
      unit: ' ms',
      reference: Math.round(s.ideal),
      referenceLabel: s.slow ? 'max(slow, (N-1)/(C-1) x L)' : 'N/C x L per worker',
      ratio,
      limit: LIMIT,
      pass: ratio <= LIMIT && requestsOk,
      note: `cold ${fmtMs(median(s.samples.map((x) => x.cold)))}, warm ${fmtMs(median(s.samples.map((x) => x.warm)))}${requestsOk ? '' : '; UNEXPECTED provider request counts'}`,
    })
  }
} finally {
  await fake.close()
  out.finish()
}
