/** A run's key and its file: one rule for every reader of runs (reports, stores, comparison, merge). */
import type { ReportRun } from './types.js'

/**
 * The key of a variant's run wherever runs are matched (run store, comparison, merge, JUnit suite,
 * gate): `<file> [<variant>]`. The run's `file` stays the path and its `variant` holds the name.
 */
export function variantRunKey(file: string, variant: string): string {
  return `${file} [${variant}]`
}

/** A run's key (see `ReportRun.key`): its `key`, or for a report written before `key` existed, its `file`. */
export function runKey(run: Pick<ReportRun, 'file' | 'key'>): string {
  return run.key ?? run.file
}

/**
 * The test file a run came from. Reports and store rows written before `key` existed held a
 * variant's key in `file`: that suffix is dropped.
 */
export function runSourceFile(run: Pick<ReportRun, 'file' | 'variant' | 'key'>): string {
  if (run.key !== undefined || run.variant === undefined) return run.file
  const suffix = ` [${run.variant}]`
  return run.file.endsWith(suffix) ? run.file.slice(0, -suffix.length) : run.file
}

/**
 * A run read from a report or a store, in today's shape: `file` the path and `key` set. A run written
 * before `key` existed (a variant's `file` was `<path> [<variant>]`) is read correctly.
 */
export function withRunKey<T extends Pick<ReportRun, 'file' | 'variant' | 'key'>>(run: T): T {
  if (run.key !== undefined) return run
  const key = run.file
  const file = runSourceFile(run)
  // `key` right after `file`, as the writer orders them.
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(run)) {
    out[name] = name === 'file' ? file : value
    if (name === 'file') out.key = key
  }
  return out as T
}
