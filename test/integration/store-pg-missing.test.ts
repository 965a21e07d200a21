import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { assertBuilt } from '../fake-github/cli.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
// Nothing listens on port 1: with `pg` installed, the store cannot be reached; without it, the driver is missing.
const URL = 'postgres://vj:Hidden-Pw-0000@127.0.0.1:1/evals'

/**
 * A copy of the built package whose node_modules holds every dependency of the repository except `pg`
 * (symlinks): what a project that never ran `npm install -D pg` looks like to the lazy loader.
 */
let work: string
let cliWithoutPg: string

function cli(entry: string, args: string[]) {
  const result = spawnSync(process.execPath, [entry, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: work },
  })
  return { code: result.status, stderr: result.stderr, stdout: result.stdout }
}

beforeAll(() => {
  assertBuilt()
  work = mkdtempSync(join(tmpdir(), 'vj-no-pg-'))
  const pkg = join(work, 'pkg')
  mkdirSync(join(pkg, 'node_modules'), { recursive: true })
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'pg') continue
    symlinkSync(join(ROOT, 'node_modules', name), join(pkg, 'node_modules', name))
  }
  cliWithoutPg = join(pkg, 'dist', 'cli', 'index.js')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('a postgres:// URL without the pg driver installed', () => {
  test('the CLI stops with exit 2 and says to run npm install -D pg, password never shown', () => {
    const result = cli(cliWithoutPg, ['runs', '--store', URL])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      'vitest-judge: A postgres:// store or cache URL is configured, and the `pg` driver is not installed: run `npm install -D pg`.',
    )
    expect(result.stderr + result.stdout).not.toContain('Hidden-Pw-0000')
  })

  test('the same for the judge cache (cache stats --store)', () => {
    const result = cli(cliWithoutPg, ['cache', 'stats', '--store', URL])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('run `npm install -D pg`')
  })

  test('with pg installed the same command gets past the driver (a connection error instead)', () => {
    const result = cli(join(ROOT, 'dist', 'cli', 'index.js'), ['runs', '--store', URL])
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain('npm install -D pg')
    expect(result.stderr).toContain('Cannot reach the PostgreSQL store at 127.0.0.1:1')
  })
})
