/**
 * JUnit XML rendering, modelled on Vitest's own junit reporter: one `testsuite` per file, one
 * `testcase` per test, metric results as `<property>` elements. The output is valid XML 1.0
 * whatever the model wrote: one escaper removes the characters XML cannot carry and escapes the
 * rest; no CDATA is used.
 */
import { stripUnsafe } from './text.js'
import type { CaseMetricResult, JsonReport, ReportCase, ReportRun } from './types.js'

/** Options of {@link renderJunit}. */
export interface JunitOptions {
  /**
   * Name of the root `<testsuites>` element.
   * @default 'vitest-judge'
   */
  suiteName?: string
  /**
   * Longest text (justification, output, error) kept, in characters; longer texts are cut with a marker.
   * @default 4000
   */
  maxTextLength?: number
  /**
   * Whether to put the case output in `<system-out>`.
   * @default true
   */
  includeOutput?: boolean
}

/** Property name prefix. */
const PREFIX = 'vitest-judge'
/** Longest `message` attribute: CI tools show it on one line. */
const MESSAGE_MAX = 500

/**
 * Escapes text for XML 1.0 content or attribute values: removes what XML cannot carry (control
 * characters but tab, newline and return, lone surrogates, U+FFFE/U+FFFF) and terminal escape
 * sequences, escapes `& < > " '`, and in attributes also tab, newline and return (which parsers
 * would otherwise normalize to spaces).
 */
export function escapeXml(value: string, attribute = false): string {
  const text = stripUnsafe(value)
  return attribute ? text.replace(ATTRIBUTE_SPECIALS, entity) : text.replace(TEXT_SPECIALS, entity)
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
}
const TEXT_SPECIALS = /[&<>"']/g
const ATTRIBUTE_SPECIALS = /[&<>"'\t\n\r]/g

function entity(c: string): string {
  return ENTITIES[c] ?? c
}

function attr(name: string, value: string | number): string {
  return ` ${name}="${escapeXml(String(value), true)}"`
}

/** A number as it goes in an attribute: rounded to 6 decimals so float noise does not show. */
function num(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  return String(Math.round(value * 1e6) / 1e6)
}

/** Milliseconds as seconds, like Vitest's reporter. */
function seconds(ms: number | undefined): string {
  return String(Math.round(ms ?? 0) / 1000)
}

function clip(text: string, max: number): string {
  // Cut huge inputs before the regex work; strip before cutting so the kept part is as long as it can be.
  const limit = max * 2 + 1024
  const bounded = text.length > limit ? text.slice(0, limit) : text
  const cleaned = stripUnsafe(bounded)
  if (cleaned.length <= max && bounded.length === text.length) return cleaned
  let cut = Math.min(cleaned.length, Math.max(0, max - 40))
  const last = cleaned.charCodeAt(cut - 1)
  if (last >= 0xd800 && last <= 0xdbff) cut--
  return `${cleaned.slice(0, cut)} … [truncated ${text.length - cut} chars]`
}

function property(name: string, value: string | number, max: number): string {
  const text = typeof value === 'number' ? num(value) : clip(value, max)
  return `<property${attr('name', name)}${attr('value', text)}/>`
}

function metricKeys(testCase: ReportCase): string[] {
  const keys = new Set([...Object.keys(testCase.scores), ...Object.keys(testCase.metrics ?? {})])
  return [...keys].sort()
}

function caseProperties(testCase: ReportCase, max: number): string[] {
  const lines: string[] = []
  for (const key of metricKeys(testCase)) {
    const result: CaseMetricResult | undefined = testCase.metrics?.[key]
    const score = testCase.scores[key] ?? result?.score ?? null
    const p = `${PREFIX}.${key}`
    lines.push(property(`${p}.score`, score === null ? 'error' : score, max))
    if (result?.raw !== undefined && result.raw !== null) lines.push(property(`${p}.raw`, result.raw, max))
    if (result?.threshold !== undefined && result.threshold !== null) {
      lines.push(property(`${p}.threshold`, result.threshold, max))
    }
    if (result?.pass !== undefined && result.pass !== null) lines.push(property(`${p}.pass`, String(result.pass), max))
    if (result?.judge) lines.push(property(`${p}.judge`, result.judge, max))
    if (result?.justification) lines.push(property(`${p}.justification`, result.justification, max))
    if (result?.trials && result.trials.length > 0)
      lines.push(property(`${p}.trials`, result.trials.map(num).join(','), max))
    if (result?.error) lines.push(property(`${p}.error`, `${result.error.code}: ${result.error.message}`, max))
  }
  if (testCase.id !== undefined) lines.push(property(`${PREFIX}.id`, testCase.id, max))
  if (testCase.latencyMs !== undefined) lines.push(property(`${PREFIX}.latency_ms`, testCase.latencyMs, max))
  if (testCase.tokens) {
    lines.push(property(`${PREFIX}.tokens.input`, testCase.tokens.input, max))
    lines.push(property(`${PREFIX}.tokens.output`, testCase.tokens.output, max))
  }
  return lines
}

function describeScore(key: string, result: CaseMetricResult | undefined, score: number | null): string {
  const parts = [`${key}: score ${score === null ? 'error' : num(score)}`]
  if (result?.raw !== undefined && result.raw !== null) parts.push(`raw ${num(result.raw)}`)
  if (result?.threshold !== undefined && result.threshold !== null) parts.push(`pass mark ${num(result.threshold)}`)
  if (result?.judge) parts.push(`judge ${result.judge}`)
  return parts.join(', ')
}

/** Whether a case is reported as a failure, an error (a judge could not answer), or neither. */
function outcomeKind(testCase: ReportCase): 'failure' | 'error' | null {
  if (testCase.pass) return null
  let failed = false
  for (const key of metricKeys(testCase)) {
    const result = testCase.metrics?.[key]
    const score = testCase.scores[key] ?? result?.score ?? null
    if (result?.error || (score === null && key in testCase.scores)) return 'error'
    if (result?.pass === false) failed = true
  }
  return testCase.judgeErrors > 0 && !failed ? 'error' : 'failure'
}

/** The `<failure>` or `<error>` of a failed case, or nothing when it passed. */
function caseOutcome(testCase: ReportCase, max: number): { kind: 'failure' | 'error'; xml: string } | null {
  if (testCase.pass) return null
  const failed: string[] = []
  const errored: string[] = []
  const body: string[] = []
  let errorType = ''
  for (const key of metricKeys(testCase)) {
    const result = testCase.metrics?.[key]
    const score = testCase.scores[key] ?? result?.score ?? null
    if (result?.error || (score === null && key in testCase.scores)) {
      const reason = result?.error ? `${result.error.code}: ${result.error.message}` : 'judge error'
      errored.push(`${key}: ${reason}`)
      errorType ||= result?.error?.code ?? 'judge-error'
      body.push(`${key}: judge error: ${reason}`)
    } else if (result?.pass === false) {
      failed.push(describeScore(key, result, score))
      body.push(describeScore(key, result, score))
      if (result.justification) body.push(`  justification: ${result.justification}`)
    }
  }
  if (testCase.error) body.push(testCase.error)
  // A short output in the body, for CI views that show only the failure; the whole of it is in system-out.
  if (testCase.output !== undefined) body.push(`output: ${clip(testCase.output, Math.min(max, 1000))}`)
  const isError = outcomeKind(testCase) === 'error'
  let message: string
  if (isError) message = errored.length > 0 ? errored.join('; ') : `${testCase.judgeErrors} judge error(s)`
  else if (failed.length > 0) message = failed.join('; ')
  else message = testCase.error?.split('\n')[0] ?? 'case failed'
  const kind = isError ? 'error' : 'failure'
  const type = isError ? errorType || 'judge-error' : failed.length > 0 ? 'score-below-pass-mark' : 'AssertionError'
  // The body is clipped as a whole and each part too, so one huge output cannot crowd out the scores.
  const text = clip(body.map((part) => clip(part, max)).join('\n'), max * 2)
  const xml = `<${kind}${attr('message', clip(message, MESSAGE_MAX))}${attr('type', type)}>\n${escapeXml(text)}\n</${kind}>`
  return { kind, xml }
}

function runProperties(run: ReportRun, max: number): string[] {
  const lines: string[] = []
  for (const metric of Object.keys(run.aggregates).sort()) {
    const a = run.aggregates[metric]
    if (!a) continue
    for (const [field, value] of Object.entries(a)) lines.push(property(`${PREFIX}.${metric}.${field}`, value, max))
  }
  lines.push(property(`${PREFIX}.judge_errors`, run.judgeErrors, max))
  lines.push(property(`${PREFIX}.cache.hits`, run.cache.hits, max))
  lines.push(property(`${PREFIX}.cache.misses`, run.cache.misses, max))
  lines.push(property(`${PREFIX}.tokens.input`, run.tokens.input, max))
  lines.push(property(`${PREFIX}.tokens.output`, run.tokens.output, max))
  return lines
}

const PAD1 = '    '
const PAD2 = PAD1.repeat(2)
const PAD3 = PAD1.repeat(3)
const PAD4 = PAD1.repeat(4)

/** One rendered `<testsuite>` with the counts the root element totals. */
export interface JunitSuite extends JunitTotals {
  /** The suite's lines joined with newlines (no trailing newline). */
  xml: string
}

/** Totals of the root `<testsuites>` element. */
export interface JunitTotals {
  tests: number
  failures: number
  errors: number
  ms: number
}

/** The counts one run adds to the root element's totals, without rendering it. */
export function junitTotals(run: ReportRun): JunitTotals {
  let failures = 0
  let errors = 0
  let caseMs = 0
  for (const testCase of run.cases) {
    caseMs += testCase.durationMs ?? 0
    const kind = outcomeKind(testCase)
    if (kind === 'failure') failures++
    else if (kind === 'error') errors++
  }
  return { tests: run.cases.length, failures, errors, ms: run.durationMs ?? caseMs }
}

/**
 * Writes one run as a `<testsuite>` through `put`, a line or a test case at a time (no trailing
 * newline), so that a writer streaming thousands of cases never holds the whole suite as one string.
 * `timestamp` is the invocation's start. Returns the suite's counts.
 */
export function writeJunitSuite(
  run: ReportRun,
  timestamp: string,
  put: (text: string) => void,
  opts: JunitOptions = {},
): JunitTotals {
  const max = opts.maxTextLength ?? 4000
  const includeOutput = opts.includeOutput ?? true
  const totals = junitTotals(run)
  const lines: string[] = [
    `${PAD1}<testsuite${attr('name', run.file)}${attr('timestamp', timestamp)}` +
      `${attr('tests', totals.tests)}${attr('failures', totals.failures)}${attr('errors', totals.errors)}` +
      `${attr('skipped', 0)}${attr('time', seconds(totals.ms))}>`,
    `${PAD2}<properties>`,
  ]
  for (const line of runProperties(run, max)) lines.push(PAD3 + line)
  lines.push(`${PAD2}</properties>`)
  put(lines.join('\n'))
  const classname = attr('classname', run.file)
  for (const testCase of run.cases) {
    const outcome = caseOutcome(testCase, max)
    const props = caseProperties(testCase, max)
    const output = includeOutput && testCase.output ? testCase.output : ''
    const open = `${PAD2}<testcase${classname}${attr('name', clip(testCase.name, max))}${attr('time', seconds(testCase.durationMs))}`
    if (props.length === 0 && !outcome && !output) {
      put(`\n${open}/>`)
      continue
    }
    const out = [`\n${open}>`]
    if (props.length > 0) {
      out.push(`${PAD3}<properties>`)
      for (const line of props) out.push(PAD4 + line)
      out.push(`${PAD3}</properties>`)
    }
    // The body goes unindented: whitespace inside it is text.
    if (outcome) out.push(PAD3 + outcome.xml)
    if (output) out.push(`${PAD3}<system-out>${escapeXml(clip(output, max))}</system-out>`)
    out.push(`${PAD2}</testcase>`)
    put(out.join('\n'))
  }
  put(`\n${PAD1}</testsuite>`)
  return totals
}

/**
 * Renders one run as a `<testsuite>` (the piece {@link renderJunit} repeats per file). `timestamp`
 * is the invocation's start.
 */
export function renderJunitSuite(run: ReportRun, timestamp: string, opts: JunitOptions = {}): JunitSuite {
  const parts: string[] = []
  const totals = writeJunitSuite(run, timestamp, (text) => parts.push(text), opts)
  return { xml: parts.join(''), ...totals }
}

/**
 * The start of a JUnit document: the XML declaration and the root element with its totals, each
 * line ending with a newline. With `empty` the root element is closed (no suites follow, and no
 * {@link renderJunitFooter}).
 */
export function renderJunitHeader(totals: JunitTotals, opts: JunitOptions = {}, empty = false): string {
  const root =
    `<testsuites${attr('name', opts.suiteName ?? 'vitest-judge')}${attr('tests', totals.tests)}` +
    `${attr('failures', totals.failures)}${attr('errors', totals.errors)}${attr('time', seconds(totals.ms))}`
  return `<?xml version="1.0" encoding="UTF-8" ?>\n${root}${empty ? '/>' : '>'}\n`
}

/** The end of a JUnit document with suites (each suite's xml is followed by a newline). */
export function renderJunitFooter(): string {
  return '</testsuites>\n'
}

/**
 * Renders a report as JUnit XML. Suites are sorted by file; cases keep the run's order; metric
 * properties are sorted by name. `timestamp` is the invocation's start.
 */
export function renderJunit(report: JsonReport, opts: JunitOptions = {}): string {
  const runs = [...report.runs].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  const totals: JunitTotals = { tests: 0, failures: 0, errors: 0, ms: 0 }
  const suites: string[] = []
  for (const run of runs) {
    const suite = renderJunitSuite(run, report.invocation.startedAt, opts)
    suites.push(suite.xml)
    totals.tests += suite.tests
    totals.failures += suite.failures
    totals.errors += suite.errors
    totals.ms += suite.ms
  }
  const header = renderJunitHeader(totals, opts, runs.length === 0)
  if (runs.length === 0) return header
  return `${header}${suites.join('\n')}\n${renderJunitFooter()}`
}
