// Variants x cases within `concurrency` (issue 16). One file, one describeEval suite with 4
// variants x 100 cases, judged by the fake provider (OpenAI wire format) answering after L ms, C = 8.
// As in judge-phase.mjs, each scenario runs `vitest run` cold (fresh VITEST_JUDGE_DIR) then warm
// (same folder: every judgement a cache hit); cold - warm is the judge phase.
//   distinct   every variant gives its own outputs: 400 judge requests   ideal 400 / 8 x 100 ms = 5 s
//   identical  the 4 variants give the same outputs: 100 judge requests   ideal 100 / 8 x 100 ms = 1.25 s
//              (a judgement already in flight is awaited, not asked again; the cache serves the rest)
//   plain      the same 400 cases without variants, side by side: the reference under the same load
// A suite that ran its variants one after the other, or did not share the slots across variants,
// would show in the ratio; a duplicate request shows in the request count.
// Usage: node bench/variants.mjs (after `npm run build && node scripts/link-self.mjs`).
import {
  fmtMs,
  makeFixture,
  median,
  openaiEnv,
  REPEATS,
  results,
  runVitest,
  say,
  startFake,
  stateDir,
} from './lib/harness.mjs'

const L = 100
const C = 8
const VARIANTS = 4
const CASES = 100
const LIMIT = 1.33

function project(name, identical, plain = false) {
  return makeFixture(name, {
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

export default defineConfig({
  plugins: [vitestJudge({ concurrency: ${C}, minScore: 0.5 })],
  test: { include: ['*.eval.ts'], pool: 'forks' },
})
`,
    'variants.eval.ts': `import { describeEval, metrics } from 'vitest-judge'

describeEval('variants', {
  data: Array.from({ length: ${plain ? VARIANTS * CASES : CASES} }, (_, i) => ({
    id: \`case-\${i}\`,
    input: \`Question \${i}: what is the answer?\`,
    expected: \`The answer to question \${i} is \${i * 7}.\`,
  })),
${
  plain
    ? `  // The same 400 judged cases without variants: the reference measured side by side.
  task: (_input, c) => String(c.expected),`
    : `  variants: Object.fromEntries(Array.from({ length: ${VARIANTS} }, (_, v) => [\`v\${v}\`, { model: \`model-\${v}\` }])),
  task: (_input, { case: c, variantName }) => String(c.expected)${identical ? '' : " + ' (' + variantName + ')'"},`
}
  metrics: [metrics.answerSimilarity()],
  threshold: 0,
})
`,
  })
}

const scenarios = [
  { id: 'plain', label: `${VARIANTS * CASES} cases without variants, C=${C}, L=${L}ms`, identical: false, plain: true },
  {
    id: 'distinct',
    label: `${VARIANTS} variants x ${CASES} cases, distinct outputs, C=${C}, L=${L}ms`,
    identical: false,
  },
  {
    id: 'identical',
    label: `${VARIANTS} variants x ${CASES} cases, identical outputs, C=${C}, L=${L}ms`,
    identical: true,
  },
]

const fake = await startFake()
const out = results('variants')
try {
  for (const s of scenarios) {
    s.root = project(`bench-variants-${s.id}`, s.identical, s.plain === true)
    s.requests = s.identical ? CASES : VARIANTS * CASES
    s.ideal = (s.requests / C) * L
    s.samples = []
  }
  say(`variants: ${VARIANTS} x ${CASES} cases, L=${L} ms, C=${C}, ${REPEATS} repeats`)
  for (let r = 0; r < REPEATS; r++) {
    for (const s of scenarios) {
      const tenant = fake.tenant()
      await tenant.configure({ delayMs: L })
      const env = { ...openaiEnv(tenant), VITEST_JUDGE_DIR: stateDir() }
      const cold = await runVitest(s.root, { env })
      const coldRequests = await tenant.requests()
      const warm = await runVitest(s.root, { env })
      const warmRequests = (await tenant.requests()) - coldRequests
      const phase = cold.ms - warm.ms
      s.samples.push({ cold: cold.ms, warm: warm.ms, phase, coldRequests, warmRequests })
      say(
        `  [${r + 1}/${REPEATS}] ${s.id.padEnd(9)} cold ${fmtMs(cold.ms)}, warm ${fmtMs(warm.ms)}, judge phase ${fmtMs(phase)} ` +
          `(ideal ${fmtMs(s.ideal)}, x${(phase / s.ideal).toFixed(2)}); provider requests cold ${coldRequests}, warm ${warmRequests}`,
      )
    }
  }
  const plain = scenarios[0]
  for (const s of scenarios) {
    const ratio = median(s.samples.map((x) => x.phase / s.ideal))
    // Against the same number of plain cases judged side by side (same repeat, same load).
    const vsPlain =
      s === plain ? null : median(s.samples.map((x, i) => x.phase / (plain.samples[i]?.phase ?? Number.NaN)))
    const requestsOk = s.samples.every((x) => x.coldRequests === s.requests && x.warmRequests === 0)
    out.record({
      id: `variants.${s.id}`,
      label: `judge phase (cold - warm), ${s.label}`,
      value: Math.round(median(s.samples.map((x) => x.phase))),
      unit: ' ms',
      reference: Math.round(s.ideal),
      referenceLabel: 'requests / C x L',
      ratio,
      limit: LIMIT,
      pass: ratio <= LIMIT && requestsOk,
      note: `cold ${fmtMs(median(s.samples.map((x) => x.cold)))}, warm ${fmtMs(median(s.samples.map((x) => x.warm)))}, ${s.requests} requests${vsPlain === null ? '' : `; x${vsPlain.toFixed(2)} the plain 400 cases`}${requestsOk ? '' : '; UNEXPECTED provider request counts'}`,
    })
  }
} finally {
  await fake.close()
  out.finish()
}
