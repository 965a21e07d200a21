// The app cache (issue 27): 400 judged cases whose app makes one AI SDK model call at 100 ms latency
// (fake provider `delayMs: 100`), through `cachedModel()` with VITEST_JUDGE_APP_CACHE=auto, against the
// same suite whose app answers at once (the same AI SDK code, its model an in-process one). Both projects are primed (cold run: the app's
// calls and the judge's verdicts recorded), then their warm reruns alternate, REPEATS times: the warm
// rerun in `auto` must be within 10% of the instant app's (ratio <= 1.10) and make no app request.
// One live (`off`) run of the 100 ms app is measured once, for what the replay saves.
// Usage: node bench/app-cache.mjs (after the build and link). Prints the load average with the figures.
import { loadavg } from 'node:os'
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

const CASES = 400
const DELAY_MS = 100

function project(name, app) {
  return makeFixture(name, {
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

export default defineConfig({
  plugins: [vitestJudge({ concurrency: 8, minScore: 0.5 })],
  test: { include: ['*.eval.ts'], pool: 'forks' },
})
`,
    'app.eval.ts': `import { createOpenAI } from '@ai-sdk/openai'
import { generateText } from 'ai'
import { cachedModel, describeEval, metrics } from 'vitest-judge'

${
  app
    ? `const model = cachedModel(createOpenAI({ baseURL: process.env.APP_BASE_URL, apiKey: 'sk-bench-app' }).chat('app'))`
    : `// The same app code answered at once, in-process (an AI SDK model with no network and no cache).
const reply = '{"score":3,"justification":"instant"}'
const model = {
  specificationVersion: 'v3' as const,
  provider: 'instant',
  modelId: 'app',
  supportedUrls: {},
  async doGenerate() {
    return {
      content: [{ type: 'text' as const, text: reply }],
      finishReason: { unified: 'stop' as const, raw: 'stop' },
      usage: {
        inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 10, text: 10, reasoning: 0 },
      },
      warnings: [],
    }
  },
  async doStream(): Promise<never> {
    throw new Error('not used')
  },
}
void createOpenAI
void cachedModel`
}
const task = async (input: string) => (await generateText({ model, prompt: input, temperature: 0 })).text

describeEval('app', {
  data: Array.from({ length: ${CASES} }, (_, i) => ({
    id: \`case-\${i}\`,
    input: \`Question \${i}: what is the answer?\`,
    expected: \`The answer to question \${i} is \${i * 7}.\`,
  })),
  task,
  metrics: [metrics.answerSimilarity()],
  threshold: 0,
})
`,
  })
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

const fake = await startFake()
const out = results('app-cache')
try {
  const appTenant = fake.tenant()
  await appTenant.configure({ delayMs: DELAY_MS })
  const cached = {
    root: project('bench-app-cache', true),
    env: {
      ...openaiEnv(fake.tenant()),
      VITEST_JUDGE_DIR: stateDir(),
      APP_BASE_URL: appTenant.openaiBaseURL,
      VITEST_JUDGE_APP_CACHE: 'auto',
    },
    samples: [],
  }
  const instant = {
    root: project('bench-app-instant', false),
    env: { ...openaiEnv(fake.tenant()), VITEST_JUDGE_DIR: stateDir() },
    samples: [],
  }
  const cold = await runVitest(cached.root, { env: cached.env })
  const primed = await appTenant.requests()
  say(`app cache: primed in ${fmtMs(cold.ms)} (${primed} app requests at ${DELAY_MS} ms, load ${load()})`)
  await runVitest(instant.root, { env: instant.env })
  // One unmeasured warm run of each: both have Vite's caches and a previous run to compare with.
  await runVitest(cached.root, { env: cached.env })
  await runVitest(instant.root, { env: instant.env })
  for (let r = 0; r < REPEATS; r++) {
    const a = await runVitest(cached.root, { env: cached.env })
    const b = await runVitest(instant.root, { env: instant.env })
    cached.samples.push(a.ms)
    instant.samples.push(b.ms)
    say(
      `  [${r + 1}/${REPEATS}] replayed app ${fmtMs(a.ms)}, instant app ${fmtMs(b.ms)}, x${(a.ms / b.ms).toFixed(2)} (load ${load()})`,
    )
  }
  const extra = (await appTenant.requests()) - primed
  // For scale: the same suite with the app live (every call made again at 100 ms).
  const live = await runVitest(cached.root, { env: { ...cached.env, VITEST_JUDGE_APP_CACHE: 'off' } })
  const ratios = cached.samples.map((ms, i) => ms / (instant.samples[i] ?? ms))
  const ratio = median(ratios)
  out.record({
    id: 'app-cache.warm-400',
    label: `warm rerun, ${CASES} judged cases, app replayed (auto) vs instant app`,
    value: Math.round(median(cached.samples)),
    unit: ' ms',
    reference: Math.round(median(instant.samples)),
    referenceLabel: 'instant app',
    ratio,
    limit: 1.1,
    pass: ratio <= 1.1 && extra === 0,
    note: `${extra === 0 ? 'no app request on warm runs' : `UNEXPECTED: ${extra} app requests on warm runs`}; live app (off) ${fmtMs(live.ms)}; load average ${load()}`,
  })
  say(`  live app (appCache off): ${fmtMs(live.ms)}; load average ${load()}`)
} finally {
  await fake.close()
  out.finish()
}
