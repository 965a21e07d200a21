/** The digest of a run's dataset: which cases it had, with which input and reference answer. */
import { createHash } from 'node:crypto'
import type { ReportCase } from './types.js'

/**
 * Digest of a run's cases: SHA-256 (first 16 hex digits) over the cases sorted by name, each as
 * its name, input and expected text. Two runs with the same digest ran the same dataset; the order
 * of the cases does not matter. Outputs, scores and timings are not part of it.
 */
export function datasetDigest(cases: readonly Pick<ReportCase, 'name' | 'input' | 'expected'>[]): string {
  const lines = cases.map((c) => JSON.stringify([c.name, c.input ?? null, c.expected ?? null]))
  lines.sort()
  const hash = createHash('sha256')
  for (const line of lines) hash.update(`${line}\n`)
  return hash.digest('hex').slice(0, 16)
}

/** Whether a case's input or expected text differs between two runs (a missing text on either side is no evidence). */
export function caseTextChanged(
  base: Pick<ReportCase, 'input' | 'expected'>,
  head: Pick<ReportCase, 'input' | 'expected'>,
): boolean {
  const differs = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== b
  return differs(base.input, head.input) || differs(base.expected, head.expected)
}
