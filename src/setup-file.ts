/**
 * The setup file the plugin adds: one import. Vitest runs a setup file through Vite (transform and
 * source maps, in the main process, while the worker waits), and each of its imports is one more
 * round trip; the module it imports is loaded by Node like any dependency, chunks and all. Built on
 * its own, unbundled (tsup.config.ts), so that the import stays one. `vitest-judge/setup`, for a
 * hand-written list, is this file too.
 */
import './setup.js'
