/**
 * What the setup file flushes after each test file: the worker's caches register here when they
 * open, so that the setup file imports no store (a worker whose tests judge nothing never loads
 * SQLite's native module).
 */
const flushes = new Set<() => Promise<void>>()

/** Registers a flush (once per function). */
export function onWorkerFlush(flush: () => Promise<void>): void {
  flushes.add(flush)
}

/** Runs every registered flush (each does its own error handling). */
export async function flushWorker(): Promise<void> {
  for (const flush of flushes) await flush()
}
