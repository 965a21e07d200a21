/**
 * The CLI's view of the outside world: output writers, env, cwd and terminal facts, gathered in one
 * `CliIo` object so that every command runs in-process in tests. Also the output helpers commands
 * share: redaction, colors, files written atomically, dates and paths for display.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { processEnv } from '../env.js'
import { UsageError } from '../errors.js'
import { redact } from '../redact.js'
import { defuseCommands, excerpt } from '../report/text.js'

/** What a command may use of its process. */
export interface CliIo {
  /** Writes to standard output (text as given: add the newline yourself). */
  stdout: (text: string) => void
  /** Writes to standard error. */
  stderr: (text: string) => void
  /** Environment variables. */
  env: Record<string, string | undefined>
  /** Folder relative paths resolve against. */
  cwd: string
  /** Whether standard output is a terminal (colors, width). */
  isTTY: boolean
  /** Terminal width, when known. */
  columns?: number
}

/** The `CliIo` of the running process. */
export function processIo(): CliIo {
  // A reader that went away (`vitest-judge runs | head`) is not an error worth a message.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
  const io: CliIo = {
    stdout: (text) => {
      process.stdout.write(text)
    },
    stderr: (text) => {
      process.stderr.write(text)
    },
    env: processEnv(),
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  }
  if (process.stdout.columns) io.columns = process.stdout.columns
  return io
}

/** A `CliIo` that collects what is written, for tests and for embedding. */
export function memoryIo(options: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {}): CliIo & {
  out: () => string
  err: () => string
} {
  const out: string[] = []
  const err: string[] = []
  return {
    stdout: (text) => {
      out.push(text)
    },
    stderr: (text) => {
      err.push(text)
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    isTTY: options.isTTY ?? false,
    ...(options.columns !== undefined ? { columns: options.columns } : {}),
    out: () => out.join(''),
    err: () => err.join(''),
  }
}

/**
 * `io` with every write passed through `redact`, so that no key reaches the terminal whatever the
 * data holds; on standard error (messages that may quote data) no line can start with `::`, a
 * workflow command for the Actions runner (the commands the CLI means go to standard output).
 */
export function redactingIo(io: CliIo): CliIo {
  return {
    ...io,
    stdout: (text) => io.stdout(redact(text)),
    stderr: (text) => io.stderr(defuseCommands(redact(text))),
  }
}

/** Writes `text` plus a newline to standard output. */
export function println(io: CliIo, text = ''): void {
  io.stdout(`${text}\n`)
}

/** Writes `text` plus a newline to standard error. */
export function eprintln(io: CliIo, text: string): void {
  io.stderr(`${text}\n`)
}

/** Whether to color standard output: a terminal without NO_COLOR, or FORCE_COLOR set (not `0`). */
export function useColor(io: CliIo): boolean {
  const force = io.env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false'
  return io.isTTY && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '')
}

/** Line width for text output: the terminal's, else 100. */
export function outputWidth(io: CliIo): number {
  return io.isTTY && io.columns ? Math.max(60, io.columns) : 100
}

export { type Palette, palette } from '../report/console.js'

/** Untrusted text (file names, tags, branches, params) as one safe line of at most `max` characters. */
export function clean(text: string | null | undefined, max = 80): string {
  return excerpt(text, max)
}

/** A path for messages: relative to `cwd` when inside it, else absolute. */
export function displayPath(io: CliIo, path: string): string {
  const absolute = resolve(io.cwd, path)
  const rel = relative(io.cwd, absolute)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute
}

/** An ISO time as `YYYY-MM-DD HH:MM` in local time; the input unchanged when it is not a date. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return clean(iso, 30)
  const two = (n: number) => String(n).padStart(2, '0')
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}`
  )
}

/** A byte count as `512 B`, `12.3 kB`, `4.5 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 'B'
  for (const next of units) {
    if (value < 1000) break
    value /= 1000
    unit = next
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${unit}`
}

/** `abc1234` for a commit, `-` when there is none. */
export function shortCommit(commit: string | null | undefined): string {
  return commit ? clean(commit, 40).slice(0, 7) : '-'
}

/** `branch@commit`, or whichever of them is known, or `-`. */
export function gitLabel(git: { branch: string | null; commit: string | null } | undefined): string {
  const branch = git?.branch ? clean(git.branch, 40) : null
  const commit = git?.commit ? shortCommit(git.commit) : null
  if (branch && commit) return `${branch}@${commit}`
  return branch ?? commit ?? '-'
}

/**
 * Writes an output file of a command: `-` means standard output. Redacted, written to a temporary
 * file then renamed, so that a reader never sees half a report; the folder is created when needed.
 * `redacted`: the text was redacted piece by piece already and must be written as it is.
 * Returns the path for messages, or null when it went to standard output.
 */
export function writeOutput(io: CliIo, out: string, text: string, options: { redacted?: boolean } = {}): string | null {
  if (out === '-') {
    io.stdout(text)
    return null
  }
  const path = resolve(io.cwd, out)
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`
  try {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(temp, options.redacted ? text : redact(text))
    renameSync(temp, path)
  } catch (error) {
    try {
      rmSync(temp, { force: true })
    } catch {
      // The temporary file could not even be created; there is nothing to remove.
    }
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
    throw new UsageError(`Cannot write ${displayPath(io, path)} (${reason}): pass --out a writable file path.`)
  }
  return displayPath(io, path)
}
