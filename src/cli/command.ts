/** The shape of a CLI command and the exit codes commands return. */
import type { CliIo } from './io.js'

/**
 * Exit codes of `vitest-judge`: `ok` 0; `regression` 1, a regression under `--fail-on-regression`;
 * `usage` 2, bad usage or input (unknown command or flag, bad selector or value, missing store,
 * unreadable or unsupported report), always with a one-line message saying what to fix; `internal`
 * 70 (EX_SOFTWARE), an unexpected error, that is a vitest-judge bug.
 */
export const EXIT = { ok: 0, regression: 1, usage: 2, internal: 70 } as const

/** One `vitest-judge <name>` command, as listed in the registry (`commands/index.ts`). */
export interface Command {
  /** One line for the overall help. */
  summary: string
  /** The full text of `vitest-judge <name> --help`, starting with its `Usage:` line. */
  usage: string
  /**
   * Runs the command with the arguments after its name (global options included) and resolves to
   * the exit code. Expected failures are thrown as `VitestJudgeError`s; the dispatcher prints them.
   */
  run(args: string[], io: CliIo): number | Promise<number>
}
