import { defineConfig } from 'vitest/config'
import { vitestJudge } from 'vitest-judge/plugin'

// Gemini: set GEMINI_API_KEY (or GOOGLE_API_KEY). GEMINI_BASE_URL points it at a proxy.
export default defineConfig({
  plugins: [vitestJudge({ judge: 'gemini:gemini-2.5-flash', minScore: 0.75 })],
})
