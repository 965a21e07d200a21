/**
 * JUnit XML rendering, modelled on Vitest's own junit reporter: one `testsuite` per file, one
 * `testcase` per test. It validates against Jenkins' `junit-10.xsd` (the schema of the xunit
 * plugin, as every xunit release since 2.3.2 ships it) by default: metric results are lines of the
 * test's `<system-out>`, and what that schema rejects on a `<testcase>` (`<properties>`, `file`,
 * `line`) is written only when asked. The test's location is the last line of a failure body, in
 * the frame form the GitHub JUnit actions read; `file:line` patterns in the texts before it are
 * neutralised, so model text never decides where an annotation lands. The output is valid XML 1.0
 * whatever the model wrote: one escaper removes the characters XML cannot carry and escapes the
 * rest; no CDATA is used. Attributes are one line, and no text line starts with `::`.
 */
import { conversationLine, isConversation, worstTurn } from './conversation.js'
import { runKey } from './run-key.js'
import { defuseCommands, singleLine, stripUnsafe } from './text.js'
import { traceLine } from './trace.js'
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
   * Whether to put the case output in the JUnit: in the failure body of a failed case, in
   * `<system-out>` of a passed one.
   * @default true
   */
  includeOutput?: boolean
  /**
   * Whether to also write each case's results as `<properties>` inside its `<testcase>`, for tools
   * that read them. Jenkins' `junit-10.xsd` rejects them, so the file is then no longer valid against it.
   * @default false
   */
  properties?: boolean
  /**
   * Whether to put a `file` attribute on every `<testcase>` too (it is always on `<testsuite>`),
   * named like the option of Vitest's own JUnit reporter. Jenkins' `junit-10.xsd` rejects the file then.
   * @default false
   */
  addFileAttribute?: boolean
  /**
   * Whether to put a `line` attribute (the test's line) on every `<testcase>`. Jenkins'
   * `junit-10.xsd` rejects the file then; the line is always in the failure body's frame.
   * @default false
   */
  addLineAttribute?: boolean
}

/** Property and system-out line prefix. */
const PREFIX = 'vitest-judge'
/** Longest `message` attribute: CI tools show it on one line. */
const MESSAGE_MAX = 500
/** Longest justification on a system-out line. */
const LINE_MAX = 1000

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

/** An attribute: always one line (CI tools print names and messages on one log line). */
function attr(name: string, value: string | number): string {
  return ` ${name}="${escapeXml(singleLine(String(value)), true)}"`
}

/** Element text: escaped, and no line of it can be read as a workflow command. */
function text(value: string): string {
  return escapeXml(defuseCommands(value))
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

function clip(value: string, max: number): string {
  // Cut huge inputs before the regex work; strip before cutting so the kept part is as long as it can be.
  const limit = max * 2 + 1024
  const bounded = value.length > limit ? value.slice(0, limit) : value
  const cleaned = stripUnsafe(bounded)
  if (cleaned.length <= max && bounded.length === value.length) return cleaned
  let cut = Math.min(cleaned.length, Math.max(0, max - 40))
  const last = cleaned.charCodeAt(cut - 1)
  if (last >= 0xd800 && last <= 0xdbff) cut--
  return `${cleaned.slice(0, cut)} … [truncated ${value.length - cut} chars]`
}

/**
 * Takes the `file:line` patterns out of text written by a model, a dataset or a provider, so that
 * the consumers that search a failure body for a location (mikepenz/action-junit-report: the last
 * ` <file>…:<line>`; dorny/test-reporter: the first line ending in `(<path>:<line>:<col>)`) find
 * only the frame this writer puts last. The colon becomes U+2236 (∶), which reads the same.
 */
export function defuseLocations(value: string): string {
  return value.replace(LOCATION_COLON, '\u2236')
}
// A colon after a file extension and before digits (`qa.eval.ts:99`), or the colons of `:<line>:<col>)`.
const LOCATION_COLON = /(?<=\.[A-Za-z0-9]{1,12}):(?=\d)|:(?=\d+:\d+\))|(?<=:\d+):(?=\d+\))/g

/** One line of at most `max` characters. */
function line(value: string, max: number): string {
  return singleLine(clip(value, max))
}

function property(name: string, value: string | number, max: number): string {
  const shown = typeof value === 'number' ? num(value) : clip(value, max)
  return `<property${attr('name', name)}${attr('value', shown)}/>`
}

function metricKeys(testCase: ReportCase): string[] {
  const keys = new Set([...Object.keys(testCase.scores), ...Object.keys(testCase.metrics ?? {})])
  return [...keys].sort()
}

function scoreOf(testCase: ReportCase, key: string): number | null {
  return testCase.scores[key] ?? testCase.metrics?.[key]?.score ?? null
}

/** Whether a metric could not be scored (a judge error). */
function errored(testCase: ReportCase, key: string): boolean {
  return Boolean(testCase.metrics?.[key]?.error) || (key in testCase.scores && scoreOf(testCase, key) === null)
}

function caseProperties(testCase: ReportCase, max: number): string[] {
  const lines: string[] = []
  for (const key of metricKeys(testCase)) {
    const result: CaseMetricResult | undefined = testCase.metrics?.[key]
    const score = scoreOf(testCase, key)
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
    if (result?.error) lines.push(property(`${p}.error`, errorText(result.error), max))
  }
  if (testCase.id !== undefined) lines.push(property(`${PREFIX}.id`, testCase.id, max))
  if (testCase.latencyMs !== undefined) lines.push(property(`${PREFIX}.latency_ms`, testCase.latencyMs, max))
  if (testCase.tokens) {
    lines.push(property(`${PREFIX}.tokens.input`, testCase.tokens.input, max))
    lines.push(property(`${PREFIX}.tokens.output`, testCase.tokens.output, max))
  }
  return lines
}

/** `CODE: message`, the code once even when the message already starts with it. */
function errorText(error: { code: string; message: string }): string {
  return error.message.startsWith(error.code) ? error.message : `${error.code}: ${error.message}`
}

/** `0.25 (raw 2/5) pass mark 0.75`: the score and what it was held to. */
function scoreText(result: CaseMetricResult | undefined, score: number | null): string {
  const parts = [score === null ? 'error' : num(score)]
  if (result?.raw !== undefined && result.raw !== null) parts.push(`(raw ${num(result.raw)}/5)`)
  if (result?.threshold !== undefined && result.threshold !== null) {
    const below = result.pass === false ? (result.greaterIsBetter === false ? 'above ' : 'below ') : ''
    parts.push(`${below}pass mark ${num(result.threshold)}`)
  }
  return parts.join(' ')
}

/**
 * One `<system-out>` line per metric: what CI views that show a test's output show of its scores.
 * A failed case's failing metrics are left out: its `<failure>` or `<error>` says them (once).
 */
function metricLines(testCase: ReportCase, failed: boolean): string[] {
  const lines: string[] = []
  const conversation = isConversation(testCase)
  const how = conversationLine(testCase)
  if (how) lines.push(line(`${PREFIX} conversation: ${how}`, LINE_MAX))
  for (const key of metricKeys(testCase)) {
    if (failed && reportedInOutcome(testCase, key)) continue
    const result = testCase.metrics?.[key]
    const parts = [`${PREFIX} ${key}:`]
    if (result?.error) parts.push(`error ${errorText(result.error)}`)
    else parts.push(scoreText(result, scoreOf(testCase, key)))
    // A conversation's metric names the turn that pulled it down.
    const worst = conversation && !result?.error ? worstTurnText(testCase, key, '') : ''
    if (worst) parts.push(worst)
    if (result?.judge) parts.push(`judge ${result.judge}`)
    if (result?.trials && result.trials.length > 1) parts.push(`trials ${result.trials.map(num).join(',')}`)
    if (result?.justification) parts.push(`justification: ${result.justification}`)
    lines.push(line(parts.join(' '), LINE_MAX))
  }
  return lines
}

/** The metrics a failed case's `<failure>` or `<error>` reports: those that errored or are under their pass mark. */
function reportedInOutcome(testCase: ReportCase, key: string): boolean {
  return errored(testCase, key) || testCase.metrics?.[key]?.pass === false
}

/** `worst turn 2 (0.25)` for a conversation's metric (after `prefix`), or nothing. */
function worstTurnText(testCase: ReportCase, key: string, prefix: string): string {
  const worst = isConversation(testCase) ? worstTurn(testCase, key) : undefined
  return worst ? `${prefix}worst turn ${worst.turn} (${num(worst.score)})` : ''
}

/** Whether a case is reported as a failure, an error (a judge could not answer), or neither. */
function outcomeKind(testCase: ReportCase): 'failure' | 'error' | null {
  if (testCase.pass) return null
  let failed = false
  for (const key of metricKeys(testCase)) {
    if (errored(testCase, key)) return 'error'
    if (testCase.metrics?.[key]?.pass === false) failed = true
  }
  return testCase.judgeErrors > 0 && !failed ? 'error' : 'failure'
}

/**
 * The frame CI tools parse for a file and line (dorny/test-reporter reads `(<file>:<line>:<col>)`
 * at the end of a body line; mikepenz/action-junit-report the last ` <file>…:<line>` of the body).
 * Brackets are taken out of the name so the first `(` is the frame's.
 */
function frame(testCase: ReportCase, file: string): string | undefined {
  const at = testCase.location
  if (!at) return undefined
  const name = line(testCase.name, 200).replace(/[()]/g, '')
  return `    at ${name} (${singleLine(file)}:${at.line}:${at.column})`
}

/**
 * The `<failure>` or `<error>` of a failed case, or nothing when it passed. Its first line is its
 * `message`: the judge errors first (each with its code, once: `type` is `judge-error`), then the
 * metrics under their pass mark; then the details the message leaves out (justifications, the rest
 * of an error), the output once, and last the test's location as a stack frame. The texts before
 * the frame have their `file:line` patterns neutralised ({@link defuseLocations}).
 */
function caseOutcome(
  testCase: ReportCase,
  file: string,
  max: number,
  includeOutput: boolean,
): { kind: 'failure' | 'error'; xml: string } | null {
  const kind = outcomeKind(testCase)
  if (!kind) return null
  const summary: string[] = []
  const details: string[] = []
  let failedCount = 0
  const keys = metricKeys(testCase)
  for (const key of keys.filter((k) => errored(testCase, k))) {
    const error = testCase.metrics?.[key]?.error
    const full = error ? errorText(error) : 'judge error'
    const [first = '', ...rest] = full.split('\n')
    summary.push(`${key}: ${first}`)
    // The message has the first line; the rest of the error follows, once.
    if (rest.length > 0) details.push(`${key} error, continued: ${rest.join('\n')}`)
  }
  for (const key of keys) {
    const result = testCase.metrics?.[key]
    if (errored(testCase, key) || result?.pass !== false) continue
    failedCount++
    summary.push(
      `${key} ${scoreText(result, scoreOf(testCase, key))}${worstTurnText(testCase, key, ', ')}${result.judge ? `, judge ${result.judge}` : ''}`,
    )
    if (result.justification) details.push(`${key} justification: ${result.justification}`)
  }
  if (summary.length === 0) {
    // No metric says why: the test failed on its own assertion (or on judge errors not recorded per metric).
    const [first, ...rest] = (testCase.error ?? '').split('\n')
    summary.push(first || (testCase.judgeErrors > 0 ? `${testCase.judgeErrors} judge error(s)` : 'case failed'))
    if (rest.length > 0) details.push(rest.join('\n'))
  }
  const message = defuseLocations(line(summary.join('; '), MESSAGE_MAX))
  // Not the error's code: dorny's java-junit view shows `<type>: <message>`, and the message has the code.
  const type = kind === 'error' ? 'judge-error' : failedCount > 0 ? 'score-below-pass-mark' : 'AssertionError'
  const body = [message]
  // Each part is clipped, and the body as a whole, so one huge output cannot crowd out the rest.
  for (const detail of details) body.push(clip(detail, max))
  if (includeOutput && testCase.output !== undefined) body.push(`output: ${clip(testCase.output, Math.min(max, 1000))}`)
  const at = frame(testCase, file)
  const texts = defuseLocations(clip(body.join('\n'), max * 2))
  const content = text(at ? `${texts}\n${at}` : texts)
  const xml = `<${kind}${attr('message', message)}${attr('type', type)}>${content}\n</${kind}>`
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
  // The suite is named by the run key (a variant's run is its own suite); `file` is the path.
  const file = attr('file', run.file)
  const lines: string[] = [
    `${PAD1}<testsuite${attr('name', runKey(run))}${file}${attr('timestamp', timestamp)}` +
      `${attr('tests', totals.tests)}${attr('failures', totals.failures)}${attr('errors', totals.errors)}` +
      `${attr('skipped', 0)}${attr('time', seconds(totals.ms))}>`,
    `${PAD2}<properties>`,
  ]
  for (const line of runProperties(run, max)) lines.push(PAD3 + line)
  lines.push(`${PAD2}</properties>`)
  put(lines.join('\n'))
  const classname = attr('classname', runKey(run))
  for (const testCase of run.cases) {
    const outcome = caseOutcome(testCase, run.file, max, includeOutput)
    const props = opts.properties ? caseProperties(testCase, max) : []
    const out: string[] = metricLines(testCase, outcome !== null)
    // What the app did, in one line: `trace: search -> lookup (2 model calls, 812 tokens)`.
    const traced = traceLine(testCase.trace)
    if (traced) out.unshift(line(traced, max))
    // A failed case shows its output in the failure body: once.
    if (includeOutput && !outcome && testCase.output) out.push(`output: ${clip(testCase.output, max)}`)
    const where = opts.addLineAttribute && testCase.location ? attr('line', testCase.location.line) : ''
    const open =
      `${PAD2}<testcase${classname}${attr('name', line(testCase.name, max))}${attr('time', seconds(testCase.durationMs))}` +
      `${opts.addFileAttribute ? file : ''}${where}`
    if (props.length === 0 && !outcome && out.length === 0) {
      put(`\n${open}/>`)
      continue
    }
    const xml = [`\n${open}>`]
    if (props.length > 0) {
      xml.push(`${PAD3}<properties>`)
      for (const p of props) xml.push(PAD4 + p)
      xml.push(`${PAD3}</properties>`)
    }
    // The texts go unindented after their first line: whitespace inside them is text.
    if (outcome) xml.push(PAD3 + outcome.xml)
    if (out.length > 0) xml.push(`${PAD3}<system-out>${text(clip(out.join('\n'), max * 2))}\n</system-out>`)
    xml.push(`${PAD2}</testcase>`)
    put(xml.join('\n'))
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
  const runs = [...report.runs].sort((a, b) => (runKey(a) < runKey(b) ? -1 : runKey(a) > runKey(b) ? 1 : 0))
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
