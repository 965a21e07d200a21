/**
 * The `vitest-judge ui` server's writes, for review only: a label on a case (`POST /api/labels`) and
 * cases added to a dataset file (`POST /api/dataset`). The server fills what the page must not
 * choose (reviewer, time, the case's digest, the case's texts) from the store, and writes only to the
 * store and to `.jsonl` dataset files under the project root. The caller checks the token, Host and
 * Origin; this module checks everything in the body.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync } from 'node:fs'
import { userInfo } from 'node:os'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { caseDigest } from '../report/dataset-digest.js'
import {
  type HumanLabel,
  indexLabels,
  labelProblem,
  labelRunKey,
  labelScaleOf,
  labelsOfCase,
  MAX_COMMENT,
} from '../report/labels.js'
import type { JsonReport, ReportCase, ReportRun } from '../report/types.js'
import type { State } from './state.js'

/** A refused write: the HTTP status and a message saying what to fix. */
export class ReviewRequestError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

/** The reviewer's name: `ui --reviewer NAME`, else git's `user.name`, else the OS user. */
export function resolveReviewer(flag: string | undefined, cwd: string): string {
  if (flag !== undefined && flag.trim() !== '') return flag.trim().slice(0, 200)
  try {
    const name = execFileSync('git', ['config', 'user.name'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    if (name.trim() !== '') return name.trim().slice(0, 200)
  } catch {
    // No git, or no user.name: the OS user below.
  }
  try {
    return userInfo().username || 'unknown'
  } catch {
    return 'unknown'
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ReviewRequestError(400, 'The request body is a JSON object.')
  }
  return body as Record<string, unknown>
}

function text(body: Record<string, unknown>, key: string): string {
  const value = body[key]
  if (typeof value !== 'string' || value === '') throw new ReviewRequestError(400, `"${key}" is required (text).`)
  return value
}

/** The stored case a request names: its invocation, run key and case name. */
async function findCase(
  state: State,
  inv: string,
  runKey: string,
  caseName: string,
): Promise<{ report: JsonReport; run: ReportRun; c: ReportCase }> {
  if (!/^[0-9a-z]{4,40}$/.test(inv)) throw new ReviewRequestError(400, 'Bad invocation id.')
  const report = await (await state.runs()).getReport(inv)
  const run = report.runs.find((r) => labelRunKey(r) === runKey)
  if (run === undefined) throw new ReviewRequestError(404, `No run ${runKey} in invocation ${inv}.`)
  const c = run.cases.find((x) => x.name === caseName)
  if (c === undefined) throw new ReviewRequestError(404, `No case "${caseName}" in ${runKey}.`)
  return { report, run, c }
}

/** `POST /api/labels` `{ inv, file, case, metric, grade, comment? }`: saves the label and returns it. */
export async function saveLabelRequest(state: State, reviewer: string, raw: unknown): Promise<HumanLabel> {
  const body = objectBody(raw)
  const inv = text(body, 'inv')
  const file = text(body, 'file')
  const caseName = text(body, 'case')
  const metric = text(body, 'metric')
  const { c } = await findCase(state, inv, file, caseName)
  const result = c.metrics?.[metric]
  if (result === undefined && c.scores[metric] === undefined) {
    throw new ReviewRequestError(400, `The case has no metric ${metric}.`)
  }
  const grade = body.grade
  if (grade !== null && grade !== undefined && typeof grade !== 'number') {
    throw new ReviewRequestError(400, 'A grade is a number (1-5, or 1 pass / 0 fail), or null.')
  }
  const comment = body.comment
  if (comment !== undefined && comment !== null && typeof comment !== 'string') {
    throw new ReviewRequestError(400, 'A comment is text.')
  }
  const label: HumanLabel = {
    file,
    case: caseName,
    metric,
    grade: typeof grade === 'number' ? grade : null,
    scale: labelScaleOf(result),
    ...(typeof comment === 'string' && comment !== '' ? { comment } : {}),
    reviewer,
    at: new Date().toISOString(),
    caseDigest: caseDigest(c),
  }
  // A new grade keeps the comment given before (and a comment keeps the grade), as one label.
  const before = (await (await state.runs()).listLabels({ file })).find(
    (l) => l.case === caseName && l.metric === metric && l.caseDigest === label.caseDigest,
  )
  if (before) {
    if (grade === undefined) label.grade = before.grade
    if (comment === undefined && before.comment !== undefined) label.comment = before.comment
  }
  const problem = labelProblem(label)
  if (problem !== undefined) throw new ReviewRequestError(400, `${problem}.`)
  await (await state.runs({ write: true })).saveLabel(label)
  return label
}

/** `GET /api/labels?inv=<id>`: the current labels of an invocation's cases, stale ones marked. */
export async function labelsOfInvocation(state: State, inv: string): Promise<unknown[]> {
  if (!/^[0-9a-z]{4,40}$/.test(inv)) throw new ReviewRequestError(400, 'Bad invocation id.')
  const store = await state.runs()
  const report = await store.getReport(inv)
  const index = indexLabels(await store.listLabels())
  const out: unknown[] = []
  for (const run of report.runs) {
    const key = labelRunKey(run)
    for (const c of run.cases) {
      for (const [metric, label] of Object.entries(labelsOfCase(index, key, c) ?? {})) {
        out.push({ file: key, case: c.name, metric, ...label })
      }
    }
  }
  return out
}

/**
 * A dataset path the page asked for, resolved under `root`: relative, `.jsonl`, no `..`, and inside
 * the root once symlinks of its folders are resolved; the file itself is never a symlink.
 */
export function resolveDatasetPath(root: string, path: unknown): { absolute: string; relative: string } {
  if (typeof path !== 'string' || path.trim() === '') throw new ReviewRequestError(400, '"path" is required.')
  if (path.length > 500 || path.includes('\0')) throw new ReviewRequestError(400, 'Bad dataset path.')
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path)) {
    throw new ReviewRequestError(400, 'A dataset path is relative to the project root.')
  }
  if (path.split(/[\\/]/).includes('..')) throw new ReviewRequestError(400, 'A dataset path has no "..".')
  if (!path.endsWith('.jsonl')) throw new ReviewRequestError(400, 'A dataset file ends in .jsonl.')
  const realRoot = realpathSync(root)
  const absolute = resolve(realRoot, path)
  if (!absolute.startsWith(realRoot + sep))
    throw new ReviewRequestError(400, 'The dataset path leaves the project root.')
  // The nearest existing folder, symlinks resolved, must be inside the root too.
  let folder = dirname(absolute)
  while (!existsSync(folder)) folder = dirname(folder)
  const realFolder = realpathSync(folder)
  if (realFolder !== realRoot && !realFolder.startsWith(realRoot + sep)) {
    throw new ReviewRequestError(400, 'The dataset path leaves the project root (through a symlink).')
  }
  return { absolute, relative: relative(realRoot, absolute).split(sep).join('/') }
}

/** SHA-256 (16 hex digits) of a dataset file's bytes; null when it does not exist. */
function fileDigest(path: string): string | null {
  if (!existsSync(path)) return null
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)
}

/** What an "add to dataset" request wrote. */
export interface DatasetWrite {
  path: string
  rows: number
  /** Digest of the file's bytes before (null: a new file) and after. */
  digestBefore: string | null
  digestAfter: string
}

const EXPECTED_FROM = ['expected', 'output', 'edited', 'none'] as const

/**
 * `POST /api/dataset` `{ inv, path, cases: [{ file, case, expectedFrom?, expected? }] }`: appends one
 * row per case `{ id?, input, expected?, context?, human }` (the case's texts and current 1-5 labels from the
 * store) to a jsonl dataset under `root`, never to a file that is not one.
 */
export async function addToDatasetRequest(state: State, root: string, raw: unknown): Promise<DatasetWrite> {
  const body = objectBody(raw)
  const inv = text(body, 'inv')
  const target = resolveDatasetPath(root, body.path)
  const cases = body.cases
  if (!Array.isArray(cases) || cases.length === 0 || cases.length > 1000) {
    throw new ReviewRequestError(400, '"cases" is a list of 1 to 1000 cases.')
  }
  const store = await state.runs()
  const index = indexLabels(await store.listLabels())
  const rows: string[] = []
  for (const item of cases) {
    const want = objectBody(item)
    const { c } = await findCase(state, inv, text(want, 'file'), text(want, 'case'))
    const from = want.expectedFrom ?? 'expected'
    if (!EXPECTED_FROM.includes(from as (typeof EXPECTED_FROM)[number])) {
      throw new ReviewRequestError(400, `"expectedFrom" is one of ${EXPECTED_FROM.join(', ')}.`)
    }
    if (c.input === undefined) throw new ReviewRequestError(400, `The case "${c.name}" has no recorded input.`)
    let expected: string | undefined
    if (from === 'expected') expected = c.expected
    else if (from === 'output') expected = c.output
    else if (from === 'edited') {
      if (typeof want.expected !== 'string' || want.expected.length > MAX_COMMENT * 16) {
        throw new ReviewRequestError(400, 'An edited expected text is text.')
      }
      expected = want.expected
    }
    const human: Record<string, number> = {}
    for (const [metric, label] of Object.entries(labelsOfCase(index, text(want, 'file'), c) ?? {})) {
      if (!label.stale && label.scale === 'grade' && label.grade !== null) human[metric] = label.grade
    }
    const row = {
      ...(c.id !== undefined ? { id: c.id } : {}),
      input: c.input,
      ...(expected !== undefined ? { expected } : {}),
      ...(c.context !== undefined ? { context: c.context } : {}),
      ...(Object.keys(human).length > 0 ? { human } : {}),
    }
    rows.push(JSON.stringify(row))
  }
  let prefix = ''
  if (existsSync(target.absolute)) {
    const stat = lstatSync(target.absolute)
    if (!stat.isFile()) throw new ReviewRequestError(409, `${target.relative} is not a regular file: not written.`)
    const existing = readFileSync(target.absolute, 'utf8')
    const lines = existing.split('\n')
    lines.forEach((line, i) => {
      if (line.trim() === '') return
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        parsed = undefined
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ReviewRequestError(
          409,
          `${target.relative} is not a jsonl dataset (line ${i + 1} is not a JSON object): not written.`,
        )
      }
    })
    if (existing !== '' && !existing.endsWith('\n')) prefix = '\n'
  } else mkdirSync(dirname(target.absolute), { recursive: true })
  const digestBefore = fileDigest(target.absolute)
  appendFileSync(target.absolute, `${prefix}${rows.join('\n')}\n`, { flag: 'a' })
  return { path: target.relative, rows: rows.length, digestBefore, digestAfter: fileDigest(target.absolute) as string }
}
