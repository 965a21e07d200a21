/**
 * Runs the built `vitest-judge` CLI (`dist/cli/index.js`) as a child process with a clean
 * environment: only what the test passes, so that a CI runner's own GITHUB_* variables never leak in.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The built CLI entry. */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'index.js')

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Throws a clear message when `dist/` is missing or predates the GitHub commands. */
export function assertBuilt(): void {
  const built = existsSync(CLI) && readFileSync(CLI, 'utf8').length > 0
  if (!built) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test builds first).`)
}

/** Runs `node dist/cli/index.js ...args` in `cwd` with exactly `env` (plus PATH). */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd ?? process.cwd(),
        env: { PATH: process.env.PATH ?? '', ...(options.env ?? {}) },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** Reads a GITHUB_OUTPUT file written in the heredoc form into name -> value. */
export function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  if (!existsSync(file)) return outputs
  for (const m of readFileSync(file, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[m[1] ?? ''] = m[3] ?? ''
  }
  return outputs
}
