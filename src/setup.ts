/** The setup file the plugin adds: registers the matchers. The only module with side effects. */
import { afterAll, expect } from 'vitest'
import { judgeMatchers } from './runtime/matchers.js'
import { flushWorker } from './runtime/worker-flush.js'

expect.extend(judgeMatchers as unknown as Parameters<typeof expect.extend>[0])

// A shared (PostgreSQL) cache writes its hit counts asynchronously: at the end of each file, while
// the worker still runs (its 'exit' handler cannot wait on the network).
// The caches register their flush when they open (worker-flush.ts): this file imports no store.
afterAll(() => flushWorker())
