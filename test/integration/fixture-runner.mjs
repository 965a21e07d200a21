// Runs real Vitest (startVitest) on a fixture project in its own process and prints one JSON line
// with every test's state and errors, after the marker line. Usage: node fixture-runner.mjs <root> [filters...]
import { startVitest } from 'vitest/node'

const [root, ...filters] = process.argv.slice(2)
// FIXTURE_SHARD=1/2 runs one shard, as `vitest --shard=1/2` does.
const shard = process.env.FIXTURE_SHARD
// FIXTURE_TEST_NAME_PATTERN filters tests by name, as `vitest -t <pattern>` does.
const testNamePattern = process.env.FIXTURE_TEST_NAME_PATTERN
const vitest = await startVitest('test', filters, {
  root,
  watch: false,
  // Like `vitest --reporter=default`, unless the fixture's own reporter list is under test.
  ...(process.env.FIXTURE_KEEP_REPORTERS ? {} : { reporters: ['default'] }),
  ...(shard ? { shard } : {}),
  ...(testNamePattern ? { testNamePattern } : {}),
})
const tests = []
for (const module of vitest?.state.getTestModules() ?? []) {
  for (const test of module.children.allTests()) {
    const result = test.result()
    tests.push({
      file: module.relativeModuleId,
      name: test.fullName,
      state: result.state,
      errors: (result.errors ?? []).map((e) => String(e.message ?? e)),
    })
  }
}
process.stdout.write(`\n@@FIXTURE-RESULT@@${JSON.stringify({ tests })}\n`)
await vitest?.close()
process.exit(process.exitCode ?? 0)
