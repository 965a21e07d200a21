// Generators of the bench fixture projects (written under fixtures/bench-tmp/ at run time).
import { makeFixture } from './harness.mjs'

/**
 * An eval project: `files` test files of `cases` cases each, one judged metric (answer similarity:
 * one judge request per case) with the plugin's judge, in the forks pool.
 * Options: concurrency (plugin), maxWorkers, slowCase (case 0 of each file is judged by a second
 * OpenAI endpoint, BENCH_SLOW_BASE_URL, through a routing judge), judge (plugin option; default: VITEST_JUDGE),
 * outputChars (extra characters in every output), metric (the metric factory, default answerSimilarity; e.g.
 * exactMatch for a suite that judges nothing).
 */
export function evalProject(
  name,
  {
    files = 1,
    cases = 400,
    concurrency = 8,
    maxWorkers,
    slowCase = false,
    judge,
    outputChars = 0,
    metric = 'answerSimilarity',
  } = {},
) {
  const test = { include: ['*.eval.ts'], pool: 'forks' }
  if (maxWorkers !== undefined) test.maxWorkers = maxWorkers
  const out = {
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

export default defineConfig({
  plugins: [vitestJudge({ concurrency: ${concurrency}, minScore: 0.5${judge ? `, judge: ${JSON.stringify(judge)}` : ''} })],
  test: ${JSON.stringify(test)},
})
`,
    'suite.ts': `import { describeEval, metrics, openai } from 'vitest-judge'

${
  slowCase
    ? `// Case 0 goes to a slow endpoint; every other case to the normal one (same cache identity).
const fast = openai({ model: 'bench' })
const slow = openai({ model: 'bench', baseURL: process.env.BENCH_SLOW_BASE_URL })
const judge = {
  name: fast.name,
  cacheIdentity: fast.cacheIdentity,
  grade: (request) => (request.fields.output.includes('[slow]') ? slow : fast).grade(request),
}
`
    : ''
}
${outputChars > 0 ? `const PAD = ${JSON.stringify(` ${'Some further explanation of the answer. '.repeat(Math.ceil(outputChars / 41))}`.slice(0, outputChars))}\n` : ''}export function suite(file: string, count: number): void {
  describeEval(\`bench \${file}\`, {
    data: Array.from({ length: count }, (_, i) => ({
      id: \`\${file}-\${i}\`,
      input: \`Question \${i} of \${file}: what is the answer?\`,
      expected: \`The answer to question \${i} of \${file} is \${i * 7}.\`,
    })),
    task: (_input, c) => (${slowCase ? "c.id.endsWith('-0') ? '[slow] ' + c.expected : " : ''}String(c.expected)${outputChars > 0 ? ` + PAD` : ''}),
    metrics: [metrics.${metric}()],
    threshold: 0,${slowCase ? '\n    judge,' : ''}
  })
}
`,
  }
  for (let f = 0; f < files; f++) {
    const file = `f${String(f).padStart(2, '0')}`
    out[`${file}.eval.ts`] = `import { suite } from './suite.js'\n\nsuite('${file}', ${cases})\n`
  }
  return makeFixture(name, out)
}

/** A plain Vitest project: `files` files of `tests` trivial `test()`s each, no plugin, forks pool. */
export function plainProject(name, { files = 1, tests = 400, maxWorkers } = {}) {
  const test = { include: ['*.test.ts'], pool: 'forks' }
  if (maxWorkers !== undefined) test.maxWorkers = maxWorkers
  const out = {
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: ${JSON.stringify(test)},
})
`,
  }
  for (let f = 0; f < files; f++) {
    const file = `f${String(f).padStart(2, '0')}`
    out[`${file}.test.ts`] = `import { describe, expect, test } from 'vitest'

describe('plain ${file}', () => {
  for (let i = 0; i < ${tests}; i++) {
    test(\`${file}-\${i}\`, () => {
      const answer = \`The answer to question \${i} of ${file} is \${i * 7}.\`
      expect(answer.length).toBeGreaterThan(0)
    })
  }
})
`
  }
  return makeFixture(name, out)
}

/** One trivial test; with or without the plugin (local judge, no key). */
export function startupProject(name, { plugin }) {
  return makeFixture(name, {
    'vitest.config.ts': plugin
      ? `import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

export default defineConfig({
  plugins: [vitestJudge()],
  test: { include: ['*.test.ts'], pool: 'forks' },
})
`
      : `import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['*.test.ts'], pool: 'forks' },
})
`,
    'trivial.test.ts': `import { expect, test } from 'vitest'

test('trivial', () => {
  expect(1 + 1).toBe(2)
})
`,
  })
}

/** The local judge at work (a matcher and an eval suite), to check which SDK modules load. */
export function localJudgeProject(name) {
  return makeFixture(name, {
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

export default defineConfig({
  plugins: [vitestJudge({ judge: 'local', minScore: 0.5 })],
  test: { include: ['*.eval.ts'], pool: 'forks' },
})
`,
    'local.eval.ts': `import { expect, test } from 'vitest'
import { describeEval, metrics } from 'vitest-judge'

test('matcher with the local judge', async () => {
  await expect('Paris is the capital of France.').toBeSimilarTo('The capital of France is Paris.')
})

describeEval('local suite', {
  data: [{ input: 'Capital of France?', expected: 'Paris is the capital of France.' }],
  task: () => 'Paris is the capital of France.',
  metrics: [metrics.answerSimilarity(), metrics.exactMatch()],
})
`,
  })
}
