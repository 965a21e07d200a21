/** The digest of a run's dataset: which cases it had, with which input and reference answer. */
import { createHash, hash } from 'node:crypto'
import type { ReportCase } from './types.js'

type DatasetFields = Pick<ReportCase, 'name' | 'input' | 'expected' | 'contextDigest'>

/** Digest of a text: the first 16 hex digits of its SHA-256 (a case's context, a run's dataset). */
export function textDigest(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 16)
}

/**
 * Digest of a run's cases: SHA-256 (first 16 hex digits) over the cases sorted by name, each as
 * its name, input, expected text and context digest (the last only when the case has a context, so
 * digests of datasets without context stay what they were). Two runs with the same digest ran the
 * same dataset; the order of the cases does not matter. Outputs, scores and timings are not part of it.
 */
export function datasetDigest(cases: readonly DatasetFields[]): string {
  const lines = cases.map((c) =>
    JSON.stringify(
      c.contextDigest === undefined
        ? [c.name, c.input ?? null, c.expected ?? null]
        : [c.name, c.input ?? null, c.expected ?? null, c.contextDigest],
    ),
  )
  lines.sort()
  const hash = createHash('sha256')
  for (const line of lines) hash.update(`${line}\n`)
  return hash.digest('hex').slice(0, 16)
}

/** Whether a case's input, expected text or context differs between two runs (a missing one on either side is no evidence). */
export function caseTextChanged(
  base: Pick<ReportCase, 'input' | 'expected' | 'contextDigest'>,
  head: Pick<ReportCase, 'input' | 'expected' | 'contextDigest'>,
): boolean {
  const differs = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== b
  return (
    differs(base.input, head.input) ||
    differs(base.expected, head.expected) ||
    differs(base.contextDigest, head.contextDigest)
  )
}

/**
 * Digest of what one case was asked (its input, expected text and context digest; absent ones as
 * null), for review labels: a label given on a case reads as stale once this changes. Outputs and
 * scores are not part of it.
 */
export function caseDigest(c: Pick<ReportCase, 'input' | 'expected' | 'contextDigest'>): string {
  return textDigest(JSON.stringify([c.input ?? null, c.expected ?? null, c.contextDigest ?? null]))
}
