import { defineConfig } from 'vitest/config'

// The project's own tests. The fake provider starts once in globalSetup and is reached through
// `inject('fakeProviderUrl')`; each test uses its own tenant path so parallel files never share state.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/fake-provider/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
