import { cpSync } from 'node:fs'
import { build } from 'esbuild'
import { defineConfig } from 'tsup'
import { PAGE_BUNDLE_OPTIONS, PAGE_ENTRY } from './src/report/html/page-bundle.js'

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
  // The HTML report's page script (its TypeScript bundled into one IIFE) and style are inlined
  // from files read beside the bundle.
  async onSuccess() {
    cpSync('src/report/html/client', 'dist/report-page', { recursive: true })
    await build({ ...PAGE_BUNDLE_OPTIONS, entryPoints: [PAGE_ENTRY], outfile: 'dist/report-page/page.js' })
    // The setup file the plugin adds is transpiled alone, not bundled: as an entry of the bundle above
    // it would import each of setup.js's chunks itself, and Vitest fetches every import of a setup file
    // through the main process, one round trip after another, while the worker waits (about 25 ms on
    // the 400-case warm rerun). Its one import of ./setup.js is loaded by Node with its chunks.
    await build({
      entryPoints: ['src/setup-file.ts'],
      outfile: 'dist/setup-file.js',
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
    })
  },
})
