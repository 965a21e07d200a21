import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

// OpenAI: set OPENAI_API_KEY (a secret in CI). Point OPENAI_BASE_URL at Azure or a gateway if needed.
export default defineConfig({
  plugins: [vitestJudge({ judge: 'openai:gpt-4.1-mini', minScore: 0.75, gate: { maxDrop: 0.05 } })],
})
