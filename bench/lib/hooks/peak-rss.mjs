// Preloaded with --import in a benched `vitest run`: writes the main process's peak RSS when it exits.
import { writeFileSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'

const file = process.env.BENCH_RSS_FILE
const isVitestMain = isMainThread && /vitest\.mjs$/.test(process.argv[1] ?? '')
if (file && isVitestMain) {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
  })
}
