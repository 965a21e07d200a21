/**
 * The HTML page: one self-contained file (inline script and style, the data as an inert JSON
 * script element), with a Content-Security-Policy that lets only its own script and style run and
 * forbids every request (`file` mode) or allows only its own origin (`live` mode, for `ui`).
 * Written piece by piece, so that the runs of a large invocation are never one string.
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { trajectoryTrace } from '../trace-layout.js'
import type { ReportCase, ReportInvocation, ReportRun } from '../types.js'
import type { PageHeader } from './page-data.js'

/** The page's script (the chart library and the page code) and style, as inlined. */
export interface PageAssets {
  script: string
  style: string
}

/**
 * JSON text safe inside a `<script type="application/json">` element: every `<` escaped, so that no
 * `</script>` or `<!--` in model output can end or change the element.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

/** Fields the other invocations keep (their cases are shown beside the page's own: output and scores). */
const OTHER_FIELDS = ['name', 'pass', 'scores', 'judgeErrors', 'output', 'error'] as const

/**
 * The JSON text of one case for the page; `slim` keeps only what the other invocations show (name,
 * pass, scores, output, error, and the part of the trace their trajectory is read from).
 */
export function pageCaseJson(testCase: ReportCase, slim = false): string {
  if (!slim) return scriptSafeJson(testCase)
  const copy: Record<string, unknown> = {}
  for (const field of OTHER_FIELDS) if (testCase[field] !== undefined) copy[field] = testCase[field]
  // Compare shows the other invocations' trajectories, not their spans: only what those are read from.
  const trajectory = trajectoryTrace(testCase.trace)
  if (trajectory) copy.trace = trajectory
  return scriptSafeJson(copy)
}

/** The JSON text of a run for the page, put a case at a time (see {@link pageCaseJson} for `slim`). */
export function writeRunPageJson(run: ReportRun, put: (text: string) => void, slim = false): void {
  const mark = `vj-cases-${Math.random().toString(36).slice(2)}`
  const skeleton = scriptSafeJson({ ...run, cases: mark })
  const at = skeleton.indexOf(JSON.stringify(mark))
  put(`${skeleton.slice(0, at)}[`)
  run.cases.forEach((testCase, i) => {
    if (i > 0) put(',')
    put(pageCaseJson(testCase, slim))
  })
  put(`]${skeleton.slice(at + JSON.stringify(mark).length)}`)
}

/** The JSON text of a run for the page. */
export function pageRunJson(run: ReportRun, slim = false): string {
  const parts: string[] = []
  writeRunPageJson(run, (t) => parts.push(t), slim)
  return parts.join('')
}

/**
 * A run as the page stores it: its JSON text (after `clean`, e.g. redaction) gzipped and
 * base64-encoded, as a JSON string. Level 6, not 1: a third fewer bytes for Chromium to parse (the
 * page is usable about 20% sooner at 10,000 cases) for gzip work done while the run goes on, as each
 * file finishes, not at its end (bench/html-report.mjs). The page inflates
 * it with the browser's DecompressionStream: no request. Base64 holds no markup at all.
 */
export function encodeRun(run: ReportRun, slim = false, clean: (text: string) => string = (t) => t): string {
  const parts: string[] = []
  writeRunPageJson(run, (t) => parts.push(clean(t)), slim)
  return `"${gzipSync(parts.join(''), { level: 6 }).toString('base64')}"`
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}

/** The Content-Security-Policy of the page. */
export function pageCsp(assets: PageAssets, mode: PageHeader['mode']): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(assets.script)}`,
    `style-src ${sha256(assets.style)}`,
    `connect-src ${mode === 'live' ? "'self'" : "'none'"}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}

/**
 * The page up to its data's invocations array: head, style, and the data element opened with the
 * page header (`headerJson`, as {@link scriptSafeJson} makes it; the writer may redact it).
 */
export function pageHead(headerJson: string, mode: PageHeader['mode'], assets: PageAssets): string {
  return [
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(pageCsp(assets, mode))}">\n`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
    '<meta name="referrer" content="no-referrer">\n',
    '<title>vitest-judge report</title>\n',
    `<style>${assets.style}</style>\n</head>\n<body>\n`,
    '<noscript>This report needs JavaScript to show its data (report.json holds the same).</noscript>\n',
    '<div id="app"></div>\n<script type="application/json" id="vj-data">',
    `{"header":${headerJson},"invocations":[`,
  ].join('')
}

/** Opens invocation number `index` of the data (`invocationJson` as {@link scriptSafeJson} makes it). */
export function invocationOpen(invocationJson: string, index: number): string {
  return `${index > 0 ? ',' : ''}{"invocation":${invocationJson},"runs":[`
}

/** Closes an invocation opened by {@link invocationOpen}. */
export const INVOCATION_CLOSE = ']}'

/** Separator between two runs of an invocation. */
export const RUN_SEPARATOR = ','

/** The rest of the page after the last invocation: the data element closed, then the script. */
export function pageTail(assets: PageAssets): string {
  return `]}</script>\n<script>${assets.script}</script>\n</body>\n</html>\n`
}

/** An invocation with its whole runs, for a page built in memory. */
export interface PageInvocation {
  invocation: ReportInvocation
  runs: readonly ReportRun[]
}

/**
 * Writes a page through `put`: the first invocation whole, the others slimmed (see
 * {@link pageCaseJson}), each run encoded ({@link encodeRun}). `clean` is applied to every piece of
 * data before it is encoded (e.g. redaction); `put` gets text that must not be changed any more.
 */
export function writePage(
  put: (text: string) => void,
  header: PageHeader,
  invocations: readonly PageInvocation[],
  assets: PageAssets,
  clean: (text: string) => string = (t) => t,
): void {
  put(pageHead(clean(scriptSafeJson(header)), header.mode, assets))
  invocations.forEach((inv, i) => {
    put(invocationOpen(clean(scriptSafeJson(inv.invocation)), i))
    inv.runs.forEach((run, r) => {
      if (r > 0) put(RUN_SEPARATOR)
      put(encodeRun(run, i > 0, clean))
    })
    put(INVOCATION_CLOSE)
  })
  put(pageTail(assets))
}

/** The whole page as one string. */
export function renderPage(
  header: PageHeader,
  invocations: readonly PageInvocation[],
  assets: PageAssets,
  clean?: (text: string) => string,
): string {
  const parts: string[] = []
  writePage((t) => parts.push(t), header, invocations, assets, clean)
  return parts.join('')
}
