/**
 * Loading eval cases: arrays, functions (async allowed), `.jsonl` / `.json` / `.csv` files and
 * globs. Every problem names the file and the line.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { DatasetError } from '../errors.js'

/** One eval case. Extra columns are kept and passed to the task. */
export interface EvalCase<TInput = unknown> {
  input: TInput
  expected?: unknown
  context?: unknown
  id?: string
  [column: string]: unknown
}

/** Where cases come from. */
export type EvalData<TInput = unknown> =
  | string
  | ReadonlyArray<EvalCase<TInput>>
  | (() => ReadonlyArray<EvalCase<TInput>> | Promise<ReadonlyArray<EvalCase<TInput>>>)

/** Where a case came from, as errors name it. */
export interface CaseLocation {
  file?: string
  /** 1-based line (or CSV record line), when known. */
  line?: number
  /** `line 3`, `case 2 (0-based, line 7)`, `data[3]`. */
  label: string
}

/** A loaded row (an eval case, a conversation) with where it came from. */
export interface LoadedRow<T> {
  case: T
  /** `file:line` or `data[3]`. */
  source: string
  /** Where the row is, for problems found after loading (a JSON file's lines are found only then). */
  where: () => CaseLocation
}

/** A loaded case with where it came from. */
export type LoadedCase<TInput = unknown> = LoadedRow<EvalCase<TInput>>

/** Where a row came from, for messages. */
export interface RowWhere {
  file?: string
  line?: number
}

/**
 * How rows of one kind are checked: eval cases (an `input` each) or conversations (`turns` or a
 * `scenario`, see `conversation-data.ts`). The file formats, globs and line numbers are shared.
 */
export interface RowRules<T> {
  /** Checks one row; throws `DatasetError` naming `label` and `where`. */
  check(value: unknown, where: RowWhere, label: string): T
  /** A CSV header must have one of these columns. */
  csvColumns: readonly string[]
  /** CSV cells holding JSON (parsed before `check`; a cell that is not JSON stays text). */
  jsonCells?: readonly string[]
}

/**
 * A problem with a loaded case found after loading (a `human` grade, `expectedToolCalls`): a
 * `VJ_DATASET` error naming the file and line, like the loader's own.
 */
export function caseProblem(where: CaseLocation, message: string): DatasetError {
  const { label, ...at } = where
  return new DatasetError(`${label}: ${message}`, at)
}

function checkCase(value: unknown, where: RowWhere, label: string): EvalCase {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DatasetError(
      `${label} must be an object like {"input": ..., "expected": ...}, got ${JSON.stringify(value)?.slice(0, 80)}.`,
      where,
    )
  }
  if (!('input' in value) || (value as { input: unknown }).input === undefined) {
    throw new DatasetError(`${label} has no "input" field (each case needs one).`, where)
  }
  const id = (value as { id?: unknown }).id
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new DatasetError(`${label}: "id" must be a string or a number.`, where)
  }
  return value as EvalCase
}

function lineOfPosition(text: string, position: number): number {
  let line = 1
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

const CASE_RULES: RowRules<EvalCase> = { check: checkCase, csvColumns: ['input'] }

function parseJsonl<T>(file: string, text: string, rules: RowRules<T>): LoadedRow<T>[] {
  const out: LoadedRow<T>[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, index) => {
    const line = index + 1
    if (raw.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (error) {
      throw new DatasetError(`line ${line} is not valid JSON (${(error as Error).message}).`, { file, line })
    }
    const where = { file, line, label: `line ${line}` }
    out.push({ case: rules.check(value, where, where.label), source: `${file}:${line}`, where: () => where })
  })
  return out
}

function parseJson<T>(file: string, text: string, rules: RowRules<T>): LoadedRow<T>[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const position = /position (\d+)/.exec(message)?.[1]
    const line = position === undefined ? undefined : lineOfPosition(text, Number(position))
    throw new DatasetError(`not valid JSON (${message}).`, line === undefined ? { file } : { file, line })
  }
  const list = Array.isArray(value) ? value : (value as { cases?: unknown } | null)?.cases
  if (!Array.isArray(list)) {
    throw new DatasetError('must hold an array of cases, or an object with a "cases" array.', { file })
  }
  let lines: number[] | undefined
  const where = (index: number): CaseLocation => {
    lines ??= caseLines(text, Array.isArray(value))
    const line = lines[index]
    return line === undefined
      ? { file, label: `case ${index} (0-based)` }
      : { file, line, label: `case ${index} (0-based, line ${line})` }
  }
  return list.map((item, index) => {
    try {
      return {
        case: rules.check(item, { file }, `case ${index} (0-based)`),
        source: `${file}[${index}]`,
        where: () => where(index),
      }
    } catch (error) {
      // The line is found only on failure (a pass over the text), then the case is checked again with it.
      lines ??= caseLines(text, Array.isArray(value))
      const line = lines[index]
      if (line !== undefined) rules.check(item, { file, line }, `case ${index} (0-based, line ${line})`)
      throw error
    }
  })
}

/**
 * The line each element of the cases array starts on, in valid JSON text: the root array, or the
 * array under the root object's `cases` key (the last one, as JSON.parse keeps the last).
 */
function caseLines(text: string, rootIsArray: boolean): number[] {
  let depth = 0
  let line = 1
  let lines: number[] = []
  let current: number[] | undefined
  let arrayDepth = rootIsArray ? 1 : -1
  let lastKey: string | undefined
  let expectElement = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (ch === '\n') {
      line++
      continue
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\ufeff') continue
    if (expectElement && ch !== ']') {
      current?.push(line)
      expectElement = false
    }
    if (ch === '"') {
      const start = i
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      if (depth === 1 && !rootIsArray) lastKey = text.slice(start, i + 1)
      continue
    }
    if (ch === '[' || ch === '{') {
      depth++
      if (ch === '[' && (rootIsArray ? depth === 1 : depth === 2 && lastKey === '"cases"')) {
        arrayDepth = depth
        current = []
        lines = current
        expectElement = true
      }
    } else if (ch === ']' || ch === '}') {
      if (depth === arrayDepth) current = undefined
      depth--
      expectElement = false
    } else if (ch === ',' && depth === arrayDepth && current) {
      expectElement = true
    } else if (ch === ',' && depth === 1) lastKey = undefined
  }
  return lines
}

/** Parses CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). Returns rows with their line. */
export function parseCsv(file: string, text: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = []
  let fields: string[] = []
  let field = ''
  let inQuotes = false
  let line = 1
  let rowLine = 1
  let quoteLine = 1
  let fieldStart = true
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else inQuotes = false
      } else {
        if (ch === '\n') line++
        field += ch
      }
      continue
    }
    if (ch === '"' && fieldStart) {
      inQuotes = true
      quoteLine = line
      fieldStart = false
    } else if (ch === '"') {
      throw new DatasetError('a quote (") inside an unquoted field; quote the whole field and double inner quotes.', {
        file,
        line,
      })
    } else if (ch === ',') {
      fields.push(field)
      field = ''
      fieldStart = true
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      fields.push(field)
      if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields })
      fields = []
      field = ''
      fieldStart = true
      line++
      rowLine = line
    } else {
      field += ch
      fieldStart = false
    }
  }
  if (inQuotes) throw new DatasetError('a quoted field is never closed.', { file, line: quoteLine })
  fields.push(field)
  if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields })
  return rows
}

function parseCsvCases<T>(file: string, text: string, rules: RowRules<T>): LoadedRow<T>[] {
  const rows = parseCsv(file, text.replace(/^\uFEFF/, ''))
  const header = rows.shift()
  if (!header) return []
  const columns = header.fields.map((c) => c.trim())
  if (!rules.csvColumns.some((c) => columns.includes(c))) {
    const wanted = rules.csvColumns.map((c) => `"${c}"`).join(' or ')
    throw new DatasetError(`the header row has no ${wanted} column (columns: ${columns.join(', ')}).`, {
      file,
      line: header.line,
    })
  }
  return rows.map((row) => {
    if (row.fields.length !== columns.length) {
      throw new DatasetError(`has ${row.fields.length} fields where the header has ${columns.length}.`, {
        file,
        line: row.line,
      })
    }
    const value: Record<string, unknown> = {}
    columns.forEach((column, index) => {
      const cell = row.fields[index] ?? ''
      if (cell !== '' || column === 'input') value[column] = rules.jsonCells?.includes(column) ? jsonCell(cell) : cell
    })
    const where = { file, line: row.line, label: `line ${row.line}` }
    return { case: rules.check(value, where, where.label), source: `${file}:${row.line}`, where: () => where }
  })
}

function jsonCell(cell: string): unknown {
  if (cell === '') return undefined
  try {
    return JSON.parse(cell)
  } catch {
    // Left as text: the row's check says what the cell should hold.
    return cell
  }
}

function loadFile<T>(absolute: string, shown: string, rules: RowRules<T>): LoadedRow<T>[] {
  let text: string
  try {
    // Editors on Windows save UTF-8 with a byte order mark, which JSON.parse rejects.
    text = readFileSync(absolute, 'utf8').replace(/^\uFEFF/, '')
  } catch (error) {
    throw new DatasetError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, {
      file: shown,
    })
  }
  if (/\.jsonl$/i.test(absolute) || /\.ndjson$/i.test(absolute)) return parseJsonl(shown, text, rules)
  if (/\.json$/i.test(absolute)) return parseJson(shown, text, rules)
  if (/\.csv$/i.test(absolute)) return parseCsvCases(shown, text, rules)
  throw new DatasetError('has an unknown extension: use .jsonl, .json or .csv.', { file: shown })
}

/** Loads the cases of `data`; paths and globs resolve against `root`. Throws `DatasetError` for bad or empty data. */
export async function loadCases<TInput>(data: EvalData<TInput>, root: string): Promise<LoadedCase<TInput>[]> {
  return loadRows(data, root, CASE_RULES) as Promise<LoadedCase<TInput>[]>
}

/** Loads rows of any kind (see `RowRules`) from an array, a function, a file or a glob. */
export async function loadRows<T>(
  data: string | ReadonlyArray<unknown> | (() => ReadonlyArray<unknown> | Promise<ReadonlyArray<unknown>>),
  root: string,
  rules: RowRules<T>,
): Promise<LoadedRow<T>[]> {
  let loaded: LoadedRow<T>[]
  let label: string
  if (typeof data === 'string') {
    label = data
    const pattern = isAbsolute(data) ? data : resolve(root, data)
    // fast-glob is loaded for a path only: a suite with its cases inline never loads it.
    const { default: fg } = await import('fast-glob')
    const files = fg.isDynamicPattern(data)
      ? (
          await fg(isAbsolute(data) ? data : `${fg.convertPathToPattern(root)}/${data.replace(/^\.\//, '')}`, {
            absolute: true,
          })
        ).sort()
      : [pattern]
    if (files.length === 0) throw new DatasetError(`no file matches "${data}" (resolved against ${root}).`)
    loaded = files.flatMap((file) => loadFile(file, relative(root, file).split('\\').join('/') || file, rules))
  } else {
    label = typeof data === 'function' ? 'the data function' : 'the data array'
    const value = typeof data === 'function' ? await data() : data
    if (!Array.isArray(value)) throw new DatasetError(`${label} must give an array of cases.`)
    loaded = value.map((item, index) => {
      const where = { label: `data[${index}]` }
      return { case: rules.check(item, {}, `data[${index}]`), source: `data[${index}]`, where: () => where }
    })
  }
  if (loaded.length === 0) throw new DatasetError(`${label} has no cases.`)
  return loaded
}
