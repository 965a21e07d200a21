import { cpSync } from 'node:fs'
import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    plugin: 'src/plugin.ts',
    reporter: 'src/reporter.ts',
    setup: 'src/setup.ts',
    'cli/index': 'src/cli/index.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: false,
  // The HTML report's page script and style are inlined from files, read beside the bundle.
  async onSuccess() {
    cpSync('src/report/html/client', 'dist/report-page', { recursive: true })
  },
})
