// Preloaded with --import in every process of a benched `vitest run` (NODE_OPTIONS reaches the forks
// pool): registers a resolve hook that appends to BENCH_MODULES_FILE the URL of every module of the
// `openai` or `@google/genai` packages that this process resolves, whatever imports it.
import { register } from 'node:module'

if (process.env.BENCH_MODULES_FILE) {
  register('./record-modules-loader.mjs', import.meta.url, { data: { file: process.env.BENCH_MODULES_FILE } })
}
