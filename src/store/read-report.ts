/** Reading a JSON report written by the reporter or `vitest-judge export`, e.g. to use it as a baseline. */
import { readFileSync } from 'node:fs'
import { ReportFormatError } from '../errors.js'
import type { JsonReport } from '../report/types.js'

/** The JSON report versions this vitest-judge reads. */
export const SUPPORTED_REPORT_VERSION = 1

/**
 * Reads and checks a JSON report file: version 1, an `invocation` object, a `runs` array whose runs
 * each have a `file` and a `cases` array. Throws a `ReportFormatError` naming the file otherwise.
 */
export function readJsonReport(path: string): JsonReport {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ReportFormatError(`Cannot read the JSON report ${path} (${reason}).`)
  }
  return parseJsonReport(text, path)
}

/** Parses and checks the text of a JSON report; `source` names it in errors (a path, `stdin`...). */
export function parseJsonReport(text: string, source: string): JsonReport {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ReportFormatError(`${source} is not valid JSON (${reason}); expected a vitest-judge JSON report.`)
  }
  if (!isRecord(value)) throw notAReport(source, 'it is not a JSON object')
  if (!('version' in value)) throw notAReport(source, 'it has no `version` field')
  if (value.version !== SUPPORTED_REPORT_VERSION) {
    throw new ReportFormatError(
      `${source} is a version ${JSON.stringify(value.version)} report; this vitest-judge reads version ${SUPPORTED_REPORT_VERSION}. ` +
        'Use the vitest-judge version that wrote it, or re-export it with `vitest-judge export <sel> --out FILE`.',
    )
  }
  if (!isRecord(value.invocation)) throw notAReport(source, '`invocation` is missing or not an object')
  if (!Array.isArray(value.runs)) throw notAReport(source, '`runs` is missing or not an array')
  value.runs.forEach((run: unknown, index: number) => {
    if (!isRecord(run)) throw notAReport(source, `runs[${index}] is not an object`)
    if (typeof run.file !== 'string') throw notAReport(source, `runs[${index}].file is missing or not a string`)
    if (!Array.isArray(run.cases)) throw notAReport(source, `runs[${index}].cases is missing or not an array`)
  })
  return value as unknown as JsonReport
}

function notAReport(source: string, why: string): ReportFormatError {
  return new ReportFormatError(`${source} is not a vitest-judge JSON report: ${why}.`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
