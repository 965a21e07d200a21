/**
 * GitHub Actions annotations (`::error file=...,line=...::message` workflow commands) for failed
 * cases and gate failures, so that a pull request shows them on its diff without a third-party
 * action. A pure function over the JSON report's data. Every value is escaped per the
 * workflow-command rules (the runner's toolkit: `%`, CR and LF in the message; also `:` and `,`
 * in properties), so no data can end a command or start another.
 */
import { runSourceFile } from './collect.js'
import type { GateFailure } from './compare.js'
import type { ReportRunSummary, SummaryInput } from './summary.js'
import { excerpt, singleLine, stripUnsafe } from './text.js'
import type { CaseMetricResult, ReportCase, ReportRun } from './types.js'

/** Options of {@link renderGithubAnnotations}. */
export interface GithubAnnotationOptions {
  /**
   * Path of the Vitest root inside the repository (`GITHUB_WORKSPACE`), with forward slashes, put
   * before each run's file so the annotation lands on the file GitHub knows. Empty when they are the same.
   * @default ''
   */
  pathPrefix?: string
  /**
   * Most `::error` annotations written; GitHub keeps 10 per step. Past it one `::notice` counts the rest.
   * @default 10
   */
  maxErrors?: number
}

/** Escapes a workflow command's message: `%`, CR and LF (as the runner's toolkit does). */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Escapes a workflow command's property value: as the message, and also `:` and `,`. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** One workflow command. */
export interface WorkflowCommand {
  command: 'error' | 'warning' | 'notice'
  properties?: { file?: string; line?: number; col?: number; title?: string }
  message: string
}

/** Longest annotation message kept (GitHub shows a few lines of it). */
const MESSAGE_MAX = 4000

/** A workflow command line, with its properties and message escaped and unsafe characters removed. */
export function formatWorkflowCommand(cmd: WorkflowCommand): string {
  const props: string[] = []
  for (const [key, value] of Object.entries(cmd.properties ?? {})) {
    if (value === undefined || value === '') continue
    props.push(`${key}=${escapeCommandProperty(singleLine(String(value)))}`)
  }
  const raw = cmd.message.length > MESSAGE_MAX ? `${cmd.message.slice(0, MESSAGE_MAX)} …` : cmd.message
  const message = escapeCommandData(stripUnsafe(raw))
  return `::${cmd.command}${props.length > 0 ? ` ${props.join(',')}` : ''}::${message}`
}

function num(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'error'
  return String(Math.round(value * 1e4) / 1e4)
}

function describeMetric(key: string, result: CaseMetricResult | undefined, score: number | null): string | null {
  if (result?.error)
    return `${key}: ${result.error.message.startsWith(result.error.code) ? '' : `${result.error.code}: `}${excerpt(result.error.message, 400)}`
  if (result?.pass !== false) return null
  const raw = result.raw !== undefined && result.raw !== null ? ` (raw ${num(result.raw)}/5)` : ''
  const worse = result.greaterIsBetter === false ? 'above' : 'below'
  const mark =
    result.threshold !== undefined && result.threshold !== null ? ` ${worse} pass mark ${num(result.threshold)}` : ''
  const judge = result.judge ? `, judge ${result.judge}` : ''
  const why = result.justification ? `\njustification: ${excerpt(result.justification, 600)}` : ''
  return `${key} ${num(score)}${raw}${mark}${judge}${why}`
}

/** The annotation of one failed case: errors and failed metrics, or the test's own failure. */
function caseCommand(file: string, testCase: ReportCase): WorkflowCommand {
  const lines: string[] = []
  const keys = [...new Set([...Object.keys(testCase.scores), ...Object.keys(testCase.metrics ?? {})])].sort()
  // Judge errors first, like the JUnit failure body.
  const ordered = [
    ...keys.filter((k) => testCase.metrics?.[k]?.error),
    ...keys.filter((k) => !testCase.metrics?.[k]?.error),
  ]
  for (const key of ordered) {
    const line = describeMetric(key, testCase.metrics?.[key], testCase.scores[key] ?? null)
    if (line) lines.push(line)
  }
  if (lines.length === 0) lines.push(testCase.error ? excerpt(testCase.error, 1000) : 'case failed')
  if (testCase.output !== undefined) lines.push(`output: ${excerpt(testCase.output, 400)}`)
  return {
    command: 'error',
    properties: {
      file,
      ...(testCase.location ? { line: testCase.location.line, col: testCase.location.column } : {}),
      title: `vitest-judge: ${excerpt(testCase.name, 200)}`,
    },
    message: lines.join('\n'),
  }
}

/**
 * The workflow commands (one per line, each ending with a newline) for a finished run: one
 * `::error` per gate failure, on its eval file, then one per failed case on the test's line, at
 * most `maxErrors` in all, then a `::notice` counting those left out. Empty when nothing failed.
 */
export function renderGithubAnnotations(
  report: Pick<SummaryInput, 'runs'>,
  gateFailures: readonly GateFailure[],
  opts: GithubAnnotationOptions = {},
): string {
  const prefix = opts.pathPrefix ? `${opts.pathPrefix.replace(/\/+$/, '')}/` : ''
  const max = opts.maxErrors ?? 10
  const commands: WorkflowCommand[] = []
  let left = 0
  const add = (cmd: WorkflowCommand) => {
    if (commands.length < max) commands.push(cmd)
    else left++
  }
  for (const failure of gateFailures) {
    add({
      command: 'error',
      // `file` is the path (a gate on the whole invocation has none: '').
      properties: {
        file: `${prefix}${failure.file}`,
        title: `vitest-judge gate: ${failure.metric}`,
      },
      message: failure.message,
    })
  }
  for (const run of report.runs as ReadonlyArray<ReportRun | ReportRunSummary>) {
    // A run summary keeps the first failed cases whole and counts the others.
    const failed = 'cases' in run ? run.cases.filter((c) => !c.pass) : run.failedCases
    if ('failedCount' in run) left += run.failedCount - failed.length
    for (const testCase of failed) add(caseCommand(`${prefix}${runSourceFile(run)}`, testCase))
  }
  const lines = commands.map(formatWorkflowCommand)
  if (left > 0) {
    lines.push(
      formatWorkflowCommand({
        command: 'notice',
        properties: { title: 'vitest-judge' },
        message: `${left} more failure${left === 1 ? '' : 's'} not annotated (GitHub shows ${max} per step): see the JUnit report or the step summary.`,
      }),
    )
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : ''
}
