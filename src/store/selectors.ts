/**
 * Run selectors, the one place their grammar lives (the reporter's baseline and every CLI command
 * use it): `latest`, `previous`, an invocation or run id or a unique prefix of 4+ characters,
 * `tag:<name>`, `branch:<name>`, or the path of a JSON report. The store only answers the
 * questions asked here (see `RunStore`), whatever its backend.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { NoInvocationYetError, SelectorError } from '../errors.js'
import { parseReport } from '../report/json.js'
import type { JsonReport } from '../report/types.js'
import type { RunStore } from './types.js'

/** What a selector designates: an invocation in the store (and the run, for a run id), or a JSON report file. */
export type ResolvedSelector =
  | { kind: 'invocation'; id: string; runId?: string }
  | { kind: 'report'; path: string; report: JsonReport }

/** Options of `resolveSelector`. */
export interface ResolveOptions {
  /**
   * Resolve `latest`, `previous` and `branch:` among the invocations that started before this one
   * (e.g. the running invocation, for its baseline). An id that is not recorded is ignored.
   */
  before?: string
  /** `latest` must be a complete invocation (`previous` and `branch:` always are). */
  requireComplete?: boolean
  /** Only consider this experiment's invocations for `latest`, `previous` and `branch:`. */
  experiment?: string
  /** Folder a relative report path resolves against. @default process.cwd() */
  cwd?: string
  /** How a report path is shown in messages. @default the absolute path */
  display?: (path: string) => string
}

/** The selector forms, for messages and help texts. */
export const SELECTOR_HELP =
  'A selector is `latest`, `previous`, an invocation or run id (or a unique prefix of 4+ characters), ' +
  '`tag:<name>`, `branch:<name>`, or the path of a JSON report (e.g. .vitest-judge/report.json).'

const SELECTOR_FORMS =
  'Use `latest`, `previous`, an invocation or run id (or a unique prefix of 4+ characters), `tag:<name>`, ' +
  '`branch:<name>`, or the path of a JSON report (e.g. .vitest-judge/report.json).'

/** Ids shown when a prefix is ambiguous (one more is fetched to tell that there are more). */
const PREFIX_SHOWN = 10

/** A store, or how to open one: a selector that names a file never opens the store. */
export type StoreSource = RunStore | (() => RunStore | Promise<RunStore>)

/**
 * Resolves a run selector. A path (it has a slash or ends in `.json`) is read as a JSON report
 * without opening the store. `previous` is the newest complete invocation before `options.before`,
 * or before `latest`. Rejects with a `SelectorError` (or a `ReportFormatError` for a bad report)
 * that says what to type instead.
 */
export async function resolveSelector(
  sel: string,
  source: StoreSource,
  options: ResolveOptions = {},
): Promise<ResolvedSelector> {
  const selector = sel.trim()
  if (selector === '') throw new SelectorError(`An empty run selector selects nothing. ${SELECTOR_HELP}`)
  if (looksLikePath(selector)) return readReport(selector, options)
  const store = typeof source === 'function' ? await source() : source
  const where = store.location
  const experiment = options.experiment === undefined ? {} : { experiment: options.experiment }

  if (selector === 'latest') return { kind: 'invocation', id: await latest(store, options) }
  if (selector === 'previous') {
    const before = options.before ?? (await latest(store, options))
    const id = await store.newestInvocation({ complete: true, before, ...experiment })
    if (id === undefined) {
      throw new NoInvocationYetError(
        `No complete invocation before ${before} in ${where}, so there is no \`previous\` to compare with.`,
      )
    }
    return { kind: 'invocation', id }
  }
  if (selector.startsWith('tag:')) {
    const name = selector.slice(4)
    const id = await store.tagTarget(name)
    if (id !== undefined) return { kind: 'invocation', id }
    const known = await store.tagNames()
    const hint = known.length > 0 ? `Known tags: ${known.join(', ')}.` : 'No tag exists yet.'
    throw new SelectorError(`No tag "${name}" in ${where}. ${hint} Create one with \`vitest-judge tag <sel> ${name}\`.`)
  }
  if (selector.startsWith('branch:')) {
    const branch = selector.slice(7)
    const before = options.before === undefined ? {} : { before: options.before }
    const id = await store.newestInvocation({ complete: true, branch, ...before, ...experiment })
    if (id === undefined)
      throw new NoInvocationYetError(`No complete invocation on git branch "${branch}" in ${where}.`)
    return { kind: 'invocation', id }
  }
  if (await store.hasInvocation(selector)) return { kind: 'invocation', id: selector }
  const runInvocation = await store.invocationOfRun(selector)
  if (runInvocation !== undefined) return { kind: 'invocation', id: runInvocation, runId: selector }
  // A report file named without a slash or `.json` (e.g. `baseline`), when no id matched.
  if (isFile(resolve(options.cwd ?? process.cwd(), selector))) return readReport(selector, options)
  if (/^[0-9a-z_-]{4,}$/i.test(selector)) {
    const found = await byPrefix(store, selector)
    if (found !== undefined) return found
  }
  throw new SelectorError(`Unknown run selector "${selector}". ${SELECTOR_FORMS}`)
}

/** Whether a selector is written as a path: it has a slash or ends in `.json` (`branch:feature/x` is not one). */
export function looksLikePath(selector: string): boolean {
  return !isKeyword(selector) && (/[/\\]/.test(selector) || /\.json$/i.test(selector))
}

function isKeyword(selector: string): boolean {
  return (
    selector === 'latest' || selector === 'previous' || selector.startsWith('tag:') || selector.startsWith('branch:')
  )
}

async function latest(store: RunStore, options: ResolveOptions): Promise<string> {
  const query = {
    complete: options.requireComplete === true,
    ...(options.before === undefined ? {} : { before: options.before }),
    ...(options.experiment === undefined ? {} : { experiment: options.experiment }),
  }
  const id = await store.newestInvocation(query)
  if (id === undefined) {
    const what = options.requireComplete ? 'complete invocation' : 'invocation'
    const where = options.before !== undefined ? ` before ${options.before}` : ''
    throw new SelectorError(
      `No ${what}${where} in ${store.location} yet: run vitest first, or check VITEST_JUDGE_DIR (or the store URL).`,
    )
  }
  return id
}

async function byPrefix(store: RunStore, prefix: string): Promise<ResolvedSelector | undefined> {
  const found = await store.idsByPrefix(prefix, PREFIX_SHOWN + 1)
  const [invocation] = found.invocations
  if (found.invocations.length === 1 && invocation !== undefined) return { kind: 'invocation', id: invocation }
  if (found.invocations.length > 1) throw ambiguous(prefix, found.invocations, 'invocations')
  const [run] = found.runs
  if (found.runs.length === 1 && run !== undefined) return { kind: 'invocation', id: run.invocationId, runId: run.id }
  if (found.runs.length > 1)
    throw ambiguous(
      prefix,
      found.runs.map((r) => r.id),
      'runs',
    )
  return undefined
}

function ambiguous(prefix: string, ids: string[], what: string): SelectorError {
  const shown = ids.slice(0, PREFIX_SHOWN).join(', ')
  const more = ids.length > PREFIX_SHOWN ? ', ...' : ''
  return new SelectorError(
    `Id prefix "${prefix}" matches several ${what}: ${shown}${more}. Type more characters of the id.`,
  )
}

function readReport(selector: string, options: ResolveOptions): ResolvedSelector {
  const path = resolve(options.cwd ?? process.cwd(), selector)
  const shown = options.display?.(path) ?? path
  if (!existsSync(path)) throw new SelectorError(`No JSON report at ${shown}. ${SELECTOR_HELP}`)
  if (statSync(path).isDirectory()) throw new SelectorError(`${shown} is a folder, not a JSON report. ${SELECTOR_HELP}`)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new SelectorError(`Cannot read the JSON report ${shown} (${reason}).`)
  }
  return { kind: 'report', path, report: parseReport(text, shown) }
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile()
  } catch {
    return false
  }
}
