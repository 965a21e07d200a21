/** The setup file the plugin adds: registers the matchers. The only module with side effects. */
import * as vitest from 'vitest'
import { afterAll, beforeAll, expect } from 'vitest'
import { appCacheInterceptor } from './replay/clients.js'
import { judgeMatchers } from './runtime/matchers.js'
import { traceMatchers } from './runtime/trace-matchers.js'
import { flushWorker } from './runtime/worker-flush.js'
import { installTracingOnce, traceTest } from './tracing/case-hooks.js'
import { setModelCallInterceptor } from './tracing/client.js'
import { isArmed, TRACES_HOOK } from './tracing/collector.js'

expect.extend(judgeMatchers as unknown as Parameters<typeof expect.extend>[0])
expect.extend(traceMatchers as unknown as Parameters<typeof expect.extend>[0])

// Traces: when the project traces, OpenTelemetry is installed before the file's tests (after the
// user's setup files and the test file's own top level, so a provider the user registered there gets
// our processor instead), and each test body runs in its own span collector. The aroundEach hook
// costs every test something (Vitest's timers and promises around each one): it is added only once a
// module of the project that mentions tracing is imported (the plugin's transform calls TRACES_HOOK),
// or now when one already was (modules kept between files). describeEval and describeConversation
// cases are wrapped by their suites either way.
beforeAll(() => installTracingOnce())
let hooked = false
function hookTraces(): void {
  if (hooked || typeof vitest.aroundEach !== 'function') return
  hooked = true
  vitest.aroundEach((runTest, context) => traceTest(context.task, runTest) as Promise<void>)
}
if (isArmed()) hookTraces()
else (globalThis as Record<string, unknown>)[TRACES_HOOK] = hookTraces

// The app cache (issue 27) answers or records the model calls of clients wrapped by traceClient().
setModelCallInterceptor(appCacheInterceptor)

// A shared (PostgreSQL) cache writes its hit counts asynchronously: at the end of each file, while
// the worker still runs (its 'exit' handler cannot wait on the network).
// The caches register their flush when they open (worker-flush.ts): this file imports no store.
afterAll(() => flushWorker())
