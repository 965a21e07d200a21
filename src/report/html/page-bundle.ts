/**
 * How the page's TypeScript (`page/main.ts`) becomes the one script inlined in report.html: an
 * esbuild bundle, an IIFE for the browser. Used by the build (tsup.config.ts writes it to
 * `dist/report-page/page.js`) and, when the package runs from its sources (the unit tests), by
 * `assets.ts`, so both inline the same script. esbuild is a build tool: it is loaded only here,
 * only then.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** The page's entry module. */
export const PAGE_ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url))

/** esbuild options of the page bundle (without its entry and output). */
export const PAGE_BUNDLE_OPTIONS = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  // Whitespace and syntax only: a smaller page than the hand-written script it replaces (47 KB
  // against 63 KB), with the names kept, so an error in the console still names its function.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  legalComments: 'none',
  charset: 'utf8',
  sourcemap: false,
} as const

/** The page script bundled now, with the modules it took (sources only: needs esbuild, a dev dependency). */
export function bundlePageSync(): { script: string; inputs: string[] } {
  const require = createRequire(import.meta.url)
  const esbuild = require('esbuild') as {
    buildSync(options: object): { outputFiles: Array<{ text: string }>; metafile: { inputs: Record<string, unknown> } }
  }
  const result = esbuild.buildSync({ ...PAGE_BUNDLE_OPTIONS, entryPoints: [PAGE_ENTRY], write: false, metafile: true })
  return { script: result.outputFiles[0]?.text ?? '', inputs: Object.keys(result.metafile.inputs) }
}
