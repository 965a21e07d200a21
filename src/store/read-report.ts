/** Reading a JSON report written by the reporter or `vitest-judge export`, e.g. to use it as a baseline. */
import { readFileSync } from 'node:fs'
import { ReportFormatError } from '../errors.js'
import { parseReport, REPORT_VERSION } from '../report/json.js'
import type { JsonReport } from '../report/types.js'

/** The JSON report versions this vitest-judge reads. */
export const SUPPORTED_REPORT_VERSION = REPORT_VERSION

/** Reads and validates a JSON report file (see `validateReport`); throws a `ReportFormatError` naming the file. */
export function readJsonReport(path: string): JsonReport {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ReportFormatError(`Cannot read the JSON report ${path} (${reason}).`)
  }
  return parseReport(text, path)
}

/** Parses and validates the text of a JSON report; `source` names it in errors (a path, `stdin`...). */
export function parseJsonReport(text: string, source: string): JsonReport {
  return parseReport(text, source)
}
