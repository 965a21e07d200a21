/**
 * Command line parsing helpers: `node:util` `parseArgs` with the global options every command
 * accepts, turned into `UsageError`s that name the flag and the help to read; and the value parsers
 * (durations, counts, numbers, formats) the commands share.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { resolveOptions } from '../config.js'
import { UsageError } from '../errors.js'
import type { CliIo } from './io.js'

/** A flag a command accepts: `--name VALUE` (string) or `--name` (boolean); `short` is a one-letter alias. */
export interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
}

/** The flags of a command by long name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** The parsed values of `F`: a string or a boolean per given flag. */
export type FlagValues<F extends FlagSpecs> = { [K in keyof F]?: F[K]['type'] extends 'string' ? string : boolean }

/** Options every command accepts, before or after its name. */
export const GLOBAL_OPTIONS = {
  dir: { type: 'string' },
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs

/** Whether `args` ask for help (`-h`/`--help` before a `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false
    if (arg === '-h' || arg === '--help') return true
  }
  return false
}

/**
 * Parses the arguments of `vitest-judge <command>` (strict: unknown flags and missing values are
 * `UsageError`s naming the flag). The global options (`--dir`, `--help`) are always accepted.
 */
export function parseCommandArgs<const F extends FlagSpecs>(
  command: string,
  args: string[],
  flags: F,
): { values: FlagValues<F & typeof GLOBAL_OPTIONS>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...GLOBAL_OPTIONS, ...flags },
      allowPositionals: true,
      strict: true,
    })
    // Strict parsing without `multiple` gives exactly one string or boolean per flag, as declared.
    return { values: values as FlagValues<F & typeof GLOBAL_OPTIONS>, positionals }
  } catch (error) {
    throw toUsageError(command, error)
  }
}

function toUsageError(command: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return error
  const message = error instanceof Error ? error.message : String(error)
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? ''
  const help = `See \`vitest-judge ${command} --help\`.`
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`Unknown option ${flag} for \`vitest-judge ${command}\`. ${help}`)
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        /argument missing/.test(message)
          ? `Option ${flag} needs a value (e.g. ${flag}=VALUE). ${help}`
          : /ambiguous/.test(message)
            ? `Option ${flag} needs a value; for one that starts with a dash, write ${flag}=-VALUE. ${help}`
            : /does not take an argument/.test(message)
              ? `Option ${flag} takes no value. ${help}`
              : `${message} ${help}`,
      )
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`Too many arguments for \`vitest-judge ${command}\`. ${help}`)
    default:
      return new UsageError(`${message} ${help}`)
  }
}

/** Fails with a usage message unless there are between `min` and `max` positionals. */
export function expectPositionals(
  command: string,
  positionals: readonly string[],
  min: number,
  max: number,
  what: string,
): void {
  if (positionals.length >= min && positionals.length <= max) return
  const usage = `Usage: vitest-judge ${command} ${what}. See \`vitest-judge ${command} --help\`.`
  if (positionals.length < min) throw new UsageError(`Missing argument. ${usage}`)
  throw new UsageError(`Unexpected argument "${positionals[max] ?? ''}". ${usage}`)
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/**
 * Parses a duration: a number and a unit, `s`, `m`, `h` or `d` (`45s`, `90m`, `12h`, `30d`, `1.5d`).
 * Returns milliseconds; throws a `UsageError` naming `flag` otherwise.
 */
export function parseDuration(text: string, flag = '--older-than'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/i.exec(text)
  const unit = match?.[2]?.toLowerCase()
  const scale = unit === undefined ? undefined : DURATION_UNITS[unit]
  if (!match || scale === undefined) {
    throw new UsageError(
      `${flag} "${text}" is not a duration: write a number and a unit, s, m, h or d (e.g. 45s, 90m, 12h, 30d).`,
    )
  }
  return Math.round(Number(match[1]) * scale)
}

/** A duration in the largest unit that divides it: `30d`, `12h`, `90m`, `45s`, `1500ms`. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const scale = DURATION_UNITS[unit] ?? 1
    if (ms >= scale && ms % scale === 0) return `${ms / scale}${unit}`
  }
  return `${ms}ms`
}

/** Parses a whole number >= `min` given to `flag`. */
export function parseInteger(text: string, flag: string, min = 1): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be a whole number >= ${min}, got "${text}".`)
  }
  return value
}

/** Parses a finite number given to `flag` within [`min`, `max`] (`exclusive`: neither bound allowed). */
export function parseNumber(
  text: string,
  flag: string,
  range: { min?: number; max?: number; exclusive?: boolean } = {},
): number {
  const value = text.trim() === '' ? Number.NaN : Number(text)
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, exclusive = false } = range
  const inRange = exclusive ? value > min && value < max : value >= min && value <= max
  if (!Number.isFinite(value) || !inRange) {
    const bounds =
      Number.isFinite(min) && Number.isFinite(max)
        ? `${exclusive ? 'strictly ' : ''}between ${min} and ${max}`
        : Number.isFinite(min)
          ? `${exclusive ? '>' : '>='} ${min}`
          : `${exclusive ? '<' : '<='} ${max}`
    throw new UsageError(`${flag} must be a number ${bounds}, got "${text}".`)
  }
  return value
}

/**
 * Parses `latency=0.5,token_count=0.2` (the `gate.measurements` of the CLI and the action): metric
 * -> largest tolerated worsening as a fraction of the baseline mean. Empty text is no measurement.
 */
export function parseMeasurements(text: string, flag = '--measurements'): Record<string, number> {
  const limits: Record<string, number> = {}
  for (const part of text.split(',')) {
    const item = part.trim()
    if (item === '') continue
    const cut = item.indexOf('=')
    const metric = cut < 0 ? '' : item.slice(0, cut).trim()
    if (cut < 0 || !/^[A-Za-z0-9_.:-]+$/.test(metric)) {
      throw new UsageError(
        `${flag} takes metric=fraction pairs separated by commas (e.g. latency=0.5,token_count=0.2), got "${item}".`,
      )
    }
    limits[metric] = parseNumber(item.slice(cut + 1), `${flag} ${metric}`, { min: 0 })
  }
  return limits
}

/** Checks that `value` is one of `choices` for `flag`. */
export function parseChoice<const C extends string>(value: string, flag: string, choices: readonly C[]): C {
  const found = choices.find((choice) => choice === value)
  if (found === undefined) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${value}".`)
  return found
}

/**
 * The state folder: `--dir`, else VITEST_JUDGE_DIR, else `.vitest-judge`, relative paths against
 * the working folder. Through the plugin's own resolver, so that the CLI finds what vitest wrote.
 */
export function resolveStateDir(io: CliIo, dirFlag: string | undefined): string {
  if (dirFlag !== undefined && dirFlag.trim() === '') throw new UsageError('--dir needs a folder path.')
  const envDir = io.env.VITEST_JUDGE_DIR
  const dir = resolveOptions(dirFlag === undefined ? {} : { dir: dirFlag }, {
    root: io.cwd,
    // Only the folder matters here: a bad VITEST_JUDGE_CACHE must not stop `vitest-judge runs`.
    env: { VITEST_JUDGE_DIR: envDir === '' ? undefined : envDir },
  }).dir
  return resolve(io.cwd, dir)
}
