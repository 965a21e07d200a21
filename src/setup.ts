/** The setup file the plugin adds: registers the matchers. The only module with side effects. */
import { afterAll, expect } from 'vitest'
import { flushWorkerAppCaches } from './replay/app-call.js'
import { judgeMatchers } from './runtime/matchers.js'
import { flushWorkerCaches } from './runtime/worker-cache.js'

expect.extend(judgeMatchers as unknown as Parameters<typeof expect.extend>[0])

// A shared (PostgreSQL) cache writes its hit counts asynchronously: at the end of each file, while
// the worker still runs (its 'exit' handler cannot wait on the network).
afterAll(() => flushWorkerCaches())
afterAll(() => flushWorkerAppCaches())
