/**
 * The GitHub Actions runner's file and log protocols: step outputs (`GITHUB_OUTPUT`), annotations
 * (`::notice::`, `::warning::`, `::error::`) and the event payload (`GITHUB_EVENT_PATH`). Outside
 * Actions, annotations are plain lines and outputs are not written.
 */
import { randomBytes } from 'node:crypto'
import { appendFileSync, readFileSync } from 'node:fs'
import { escapeCommandData } from '../report/github-annotations.js'

/** Whether the process runs in a GitHub Actions job. */
export function inActions(env: Record<string, string | undefined>): boolean {
  return env.GITHUB_ACTIONS === 'true'
}

export { escapeCommandData }

/**
 * One annotation line: `::notice title=vitest-judge::message` in Actions (shown on the run's
 * summary page), `vitest-judge: message` elsewhere.
 */
export function annotation(
  env: Record<string, string | undefined>,
  level: 'notice' | 'warning' | 'error',
  message: string,
): string {
  if (!inActions(env)) return `vitest-judge: ${message}\n`
  return `::${level} title=vitest-judge::${escapeCommandData(message)}\n`
}

/**
 * Appends step outputs to the file named by `GITHUB_OUTPUT`, in the heredoc form with a random
 * delimiter so that no value can end its own entry. Does nothing outside Actions.
 */
export function setOutputs(env: Record<string, string | undefined>, outputs: Record<string, string>): void {
  const file = env.GITHUB_OUTPUT
  if (!file) return
  let text = ''
  for (const [name, value] of Object.entries(outputs)) {
    let delimiter = `vitest_judge_${randomBytes(8).toString('hex')}`
    while (value.includes(delimiter)) delimiter = `vitest_judge_${randomBytes(8).toString('hex')}`
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`
  }
  appendFileSync(file, text)
}

/** The event that started the workflow: its name and payload, when the runner provided them. */
export interface ActionsEvent {
  /** `pull_request`, `push`, `workflow_run`, ... (`GITHUB_EVENT_NAME`); empty when unknown. */
  name: string
  /** The parsed `GITHUB_EVENT_PATH` file; null when there is none. */
  payload: Record<string, unknown> | null
}

/** Reads `GITHUB_EVENT_NAME` and the `GITHUB_EVENT_PATH` payload; a missing or unreadable file gives a null payload. */
export function readEvent(env: Record<string, string | undefined>): ActionsEvent {
  const name = env.GITHUB_EVENT_NAME ?? ''
  const path = env.GITHUB_EVENT_PATH
  if (!path) return { name, payload: null }
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return { name, payload: isRecord(value) ? value : null }
  } catch {
    return { name, payload: null }
  }
}

/** Whether `value` is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `value[key]` when `value` is an object, else undefined; for walking untyped JSON. */
export function field(value: unknown, ...keys: string[]): unknown {
  let current = value
  for (const key of keys) {
    if (!isRecord(current)) return undefined
    current = current[key]
  }
  return current
}

/** `field(...)` as a string, or undefined. */
export function stringField(value: unknown, ...keys: string[]): string | undefined {
  const found = field(value, ...keys)
  return typeof found === 'string' ? found : undefined
}

/** `field(...)` as a positive whole number, or undefined. */
export function numberField(value: unknown, ...keys: string[]): number | undefined {
  const found = field(value, ...keys)
  return typeof found === 'number' && Number.isSafeInteger(found) && found > 0 ? found : undefined
}
