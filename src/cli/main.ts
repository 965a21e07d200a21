/**
 * The dispatcher: global options, help and version, the command lookup, and the one place where
 * errors become a message on standard error and an exit code (see `EXIT`). Runs in-process with
 * any `CliIo`, so tests need no child process.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UsageError, VitestJudgeError } from '../errors.js'
import { judgeHelpLines } from '../judges/providers.js'
import { wantsHelp } from './args.js'
import { EXIT } from './command.js'
import { COMMANDS } from './commands/index.js'
import { type CliIo, eprintln, println, redactingIo } from './io.js'

/** Runs `vitest-judge` with `argv` (the arguments after the program name); resolves to the exit code. */
export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  const io = redactingIo(rawIo)
  try {
    const { name, args, help } = splitArgs(argv)
    if (name === undefined) {
      if (help) {
        println(io, overallHelp())
        return EXIT.ok
      }
      throw new UsageError('A command is needed. See `vitest-judge --help`.')
    }
    const command = COMMANDS.get(name)
    if (command === undefined) throw unknownCommand(name)
    if (help || wantsHelp(args)) {
      io.stdout(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`)
      return EXIT.ok
    }
    return await command.run(args, io)
  } catch (error) {
    if (error instanceof VersionRequest) {
      println(io, packageVersion())
      return EXIT.ok
    }
    return reportError(io, error)
  }
}

/** The overall help text. */
export function overallHelp(): string {
  const width = Math.max(...[...COMMANDS.keys()].map((name) => name.length)) + 2
  const commands = [...COMMANDS].map(([name, command]) => `  ${name.padEnd(width)}${command.summary}`)
  return [
    'Usage: vitest-judge <command> [options]',
    '',
    'Reads what vitest-judge recorded (runs.db, cache.db, JSON reports): never runs vitest or a judge.',
    '',
    'Commands:',
    ...commands,
    '',
    'Global options (before or after the command):',
    '  --dir PATH   state folder (default: VITEST_JUDGE_DIR, else .vitest-judge in the working folder)',
    '  -h, --help   help; `vitest-judge <command> --help` for a command',
    '  --version    the version of vitest-judge',
    '',
    'Judges of the vitest runs it reads (plugin option `judge`, env VITEST_JUDGE):',
    ...judgeHelpLines(),
    '',
    'Selectors: latest, previous, an invocation or run id (or a unique prefix), tag:<name>,',
    'branch:<name>, or the path of a JSON report.',
    '',
    'Exit codes: 0 fine; 1 a regression under --fail-on-regression; 2 bad usage or input (the message',
    'says what to fix); 70 an internal error (a bug in vitest-judge: please report it).',
  ].join('\n')
}

class VersionRequest extends Error {}

/** Global options before the command name, the name, and the command's own arguments. */
function splitArgs(argv: readonly string[]): { name: string | undefined; args: string[]; help: boolean } {
  const global: string[] = []
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--version') throw new VersionRequest()
    if (arg === '-h' || arg === '--help') help = true
    else if (arg === '--dir') {
      const value = argv[i + 1]
      if (value === undefined) throw new UsageError('Option --dir needs a value (e.g. --dir .vitest-judge).')
      global.push('--dir', value)
      i++
    } else if (arg.startsWith('--dir=')) global.push(arg)
    else if (arg === 'help') {
      // `vitest-judge help [command]`
      const target = argv[i + 1]
      return { name: target, args: [], help: true }
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`Unknown option ${arg.split('=')[0]}. See \`vitest-judge --help\`.`)
    } else return { name: arg, args: [...global, ...argv.slice(i + 1)], help }
  }
  return { name: undefined, args: global, help }
}

function unknownCommand(name: string): UsageError {
  const names = [...COMMANDS.keys()]
  // At most two edits, and fewer for short names (`run` is not a typo of `ui`).
  const close = names.filter(
    (known) => distance(known, name.toLowerCase()) <= Math.min(2, Math.floor(known.length / 2)),
  )
  const hint = close.length > 0 ? ` Did you mean ${close.join(' or ')}?` : ''
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name
  return new UsageError(`Unknown command "${shown}".${hint} Commands: ${names.join(', ')}.`)
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** SQLite conditions of the environment (locks, permissions, disk), not of vitest-judge's code. */
const ENVIRONMENT_SQLITE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|READONLY|CORRUPT|NOTADB|FULL|PERM|AUTH)/

function reportError(io: CliIo, error: unknown): number {
  if (error instanceof VitestJudgeError) {
    eprintln(io, `vitest-judge: ${error.message}`)
    return EXIT.usage
  }
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && ENVIRONMENT_SQLITE.test(code)) {
    eprintln(io, `vitest-judge: database error (${code}): ${message}. Check the files in the state folder (--dir).`)
    return EXIT.usage
  }
  eprintln(io, `vitest-judge: internal error: ${message}`)
  if (error instanceof Error && error.stack) eprintln(io, error.stack)
  eprintln(io, 'This is a bug in vitest-judge: please report it with the command you ran and this output.')
  return EXIT.internal
}

let version: string | undefined

/** The version in vitest-judge's package.json, found from this file (src/cli or dist, any chunk). */
export function packageVersion(): string {
  if (version !== undefined) return version
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown }
      if (pkg.name === 'vitest-judge' && typeof pkg.version === 'string') {
        version = pkg.version
        return version
      }
    } catch {
      // No package.json at this level: keep climbing.
    }
    dir = dirname(dir)
  }
  version = 'unknown'
  return version
}
