import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

// `npm run evals` runs these offline with the embedded local judge. Set VITEST_JUDGE (for example
// `openai:gpt-4.1-mini` with OPENAI_API_KEY) to grade them with an LLM instead.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    vitestJudge({
      judge: process.env.VITEST_JUDGE ?? 'local',
      minScore: 0.75,
      params: { app: 'examples', prompt: 'v1' },
      experiment: 'vitest-judge-examples',
    }),
  ],
  test: { include: ['evals/**/*.{test,eval}.ts'] },
})
