// Preloaded with --import in a benched `vitest run`: writes the main process's peak RSS when it exits, with what V8's
// collections did meanwhile (`v8.GCProfiler`): the bytes scavenges promoted to the old generation, the full
// collections, and the old generation's largest size seen before a collection. The peak RSS of a long run is set by
// the old generation's limit, so it moves only once a change takes the promotions below that limit; the promoted
// bytes show a change's effect before then.
import { writeFileSync } from 'node:fs'
import v8 from 'node:v8'
import { isMainThread } from 'node:worker_threads'

const file = process.env.BENCH_RSS_FILE
const isVitestMain = isMainThread && /vitest\.mjs$/.test(process.argv[1] ?? '')
if (file && isVitestMain) {
  const profiler = typeof v8.GCProfiler === 'function' ? new v8.GCProfiler() : undefined
  profiler?.start()
  process.on('exit', () => {
    const figures = { maxRssBytes: process.resourceUsage().maxRSS * 1024 }
    const statistics = profiler?.stop()?.statistics
    if (statistics) Object.assign(figures, gcFigures(statistics))
    writeFileSync(file, JSON.stringify(figures))
  })
}

/** Old-generation bytes (old space and large objects) in use on one side of a collection. */
function oldBytes(side) {
  let bytes = 0
  for (const space of side.heapSpaceStatistics) {
    if (space.spaceName === 'old_space' || space.spaceName === 'large_object_space') bytes += space.spaceUsedSize
  }
  return bytes
}

function gcFigures(statistics) {
  let promotedBytes = 0
  let fullCollections = 0
  let maxOldBytes = 0
  for (const event of statistics) {
    const before = oldBytes(event.beforeGC)
    maxOldBytes = Math.max(maxOldBytes, before, oldBytes(event.afterGC))
    // A scavenge frees nothing in the old generation: what it gained there was promoted.
    if (event.gcType === 'Scavenge') promotedBytes += Math.max(0, oldBytes(event.afterGC) - before)
    else if (event.gcType === 'MarkSweepCompact') fullCollections++
  }
  return { promotedBytes, fullCollections, maxOldBytes }
}
