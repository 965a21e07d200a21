/**
 * The setup file the plugin adds: one import. Vitest runs a setup file through Vite (transform and
 * source maps, in the main process, while the worker waits); the module it imports is loaded by
 * Node like any dependency. `vitest-judge/setup` (src/setup.ts) is the same for a hand-written list.
 */
import './setup.js'
