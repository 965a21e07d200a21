import { defineConfig } from 'vitest/config'
import { openai } from 'vitest-judge'
import { vitestJudge } from 'vitest-judge/plugin'

// Any OpenAI-compatible server (Ollama, vLLM, LM Studio): the judge spec plus OPENAI_BASE_URL,
//   OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_API_KEY=ollama npx vitest
// or a judge object with the base URL in code, used by one metric or matcher:
export const llama = openai({ model: 'llama3.1:8b', baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' })

export default defineConfig({
  plugins: [vitestJudge({ judge: 'openai:llama3.1:8b', concurrency: 2 })],
})
