import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  expectPositionals,
  formatDuration,
  parseChoice,
  parseCommandArgs,
  parseDuration,
  parseInteger,
  parseNumber,
  resolveStateDir,
  wantsHelp,
} from '../../src/cli/args.js'
import { COMMANDS } from '../../src/cli/commands/index.js'
import { formatBytes, gitLabel, memoryIo, redactingIo, useColor, writeOutput } from '../../src/cli/io.js'
import { overallHelp, packageVersion, runCli } from '../../src/cli/main.js'
import { UsageError } from '../../src/errors.js'

describe('parseDuration', () => {
  test.each([
    ['45s', 45_000],
    ['90m', 5_400_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
    ['1.5d', 129_600_000],
    ['0s', 0],
    [' 7D ', 604_800_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  test.each(['', '30', 'd', '30 days', '-1d', '1w', '1d2h', 'abc', '1e3s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError)
    expect(() => parseDuration(text)).toThrow(/is not a duration: write a number and a unit/)
  })

  test('formatDuration picks the largest exact unit', () => {
    expect(formatDuration(parseDuration('30d'))).toBe('30d')
    expect(formatDuration(parseDuration('36h'))).toBe('36h')
    expect(formatDuration(parseDuration('90m'))).toBe('90m')
    expect(formatDuration(parseDuration('45s'))).toBe('45s')
    expect(formatDuration(1500)).toBe('1500ms')
  })
})

describe('value parsers', () => {
  test('parseInteger', () => {
    expect(parseInteger('10', '--limit')).toBe(10)
    for (const bad of ['0', '-1', '1.5', 'ten', '', '99999999999999999999']) {
      expect(() => parseInteger(bad, '--limit')).toThrow(/--limit must be a whole number >= 1/)
    }
  })

  test('parseNumber with ranges', () => {
    expect(parseNumber('0.05', '--alpha', { min: 0, max: 1, exclusive: true })).toBe(0.05)
    expect(() => parseNumber('1', '--alpha', { min: 0, max: 1, exclusive: true })).toThrow(/strictly between 0 and 1/)
    expect(() => parseNumber('0', '--alpha', { min: 0, max: 1, exclusive: true })).toThrow(UsageError)
    expect(parseNumber('0', '--max-drop', { min: 0 })).toBe(0)
    expect(() => parseNumber('-0.1', '--max-drop', { min: 0 })).toThrow(/--max-drop must be a number >= 0/)
    expect(() => parseNumber('', '--max-drop', { min: 0 })).toThrow(UsageError)
    expect(() => parseNumber('NaN', '--max-drop')).toThrow(UsageError)
    expect(() => parseNumber('Infinity', '--max-drop')).toThrow(UsageError)
  })

  test('parseChoice', () => {
    expect(parseChoice('json', '--format', ['text', 'json'] as const)).toBe('json')
    expect(() => parseChoice('html', '--format', ['text', 'json'])).toThrow(
      '--format must be one of text, json, got "html".',
    )
  })

  test('expectPositionals', () => {
    expect(() => expectPositionals('tag', ['a', 'b'], 2, 2, '<sel> <name>')).not.toThrow()
    expect(() => expectPositionals('tag', ['a'], 2, 2, '<sel> <name>')).toThrow(
      /Missing argument\. Usage: vitest-judge tag <sel> <name>/,
    )
    expect(() => expectPositionals('tag', ['a', 'b', 'c'], 2, 2, '<sel> <name>')).toThrow(/Unexpected argument "c"/)
  })
})

describe('parseCommandArgs', () => {
  const flags = { out: { type: 'string' }, json: { type: 'boolean' } } as const

  test('parses flags, positionals and the global options', () => {
    const { values, positionals } = parseCommandArgs('x', ['a', '--out', 'f.json', '--json', '--dir=d', 'b'], flags)
    expect(values).toEqual({ out: 'f.json', json: true, dir: 'd' })
    expect(positionals).toEqual(['a', 'b'])
    expect(parseCommandArgs('x', ['-h'], flags).values.help).toBe(true)
    expect(parseCommandArgs('x', ['--', '--json'], flags).positionals).toEqual(['--json'])
  })

  test('turns parseArgs errors into one-line usage errors naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--nope'], /^Unknown option --nope for `vitest-judge x`\. See `vitest-judge x --help`\.$/],
      [['--out'], /^Option --out needs a value/],
      [['--out', '--json'], /^Option --out needs a value; for one that starts with a dash, write --out=-VALUE/],
      [['--json=yes'], /^Option --json takes no value/],
    ]
    for (const [args, message] of cases) {
      let error: unknown
      try {
        parseCommandArgs('x', args, flags)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(UsageError)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).not.toContain('\n')
    }
  })

  test('wantsHelp stops at --', () => {
    expect(wantsHelp(['a', '--help'])).toBe(true)
    expect(wantsHelp(['-h'])).toBe(true)
    expect(wantsHelp(['--', '--help'])).toBe(false)
    expect(wantsHelp(['--helpful'])).toBe(false)
  })
})

describe('resolveStateDir', () => {
  const cwd = resolve('/tmp/project')
  test('--dir, else VITEST_JUDGE_DIR, else .vitest-judge, against the working folder', () => {
    expect(resolveStateDir(memoryIo({ cwd }), undefined)).toBe(join(cwd, '.vitest-judge'))
    expect(resolveStateDir(memoryIo({ cwd, env: { VITEST_JUDGE_DIR: 'state' } }), undefined)).toBe(join(cwd, 'state'))
    expect(resolveStateDir(memoryIo({ cwd, env: { VITEST_JUDGE_DIR: '' } }), undefined)).toBe(
      join(cwd, '.vitest-judge'),
    )
    expect(resolveStateDir(memoryIo({ cwd, env: { VITEST_JUDGE_DIR: 'state' } }), '../other')).toBe(
      resolve(cwd, '../other'),
    )
    expect(resolveStateDir(memoryIo({ cwd }), '/abs/dir')).toBe(resolve('/abs/dir'))
    expect(() => resolveStateDir(memoryIo({ cwd }), ' ')).toThrow(UsageError)
  })

  test('an unusable VITEST_JUDGE_CACHE does not matter to the CLI', () => {
    const io = memoryIo({ cwd, env: { VITEST_JUDGE_CACHE: 'bogus', VITEST_JUDGE: 'nope' } })
    expect(resolveStateDir(io, undefined)).toBe(join(cwd, '.vitest-judge'))
  })
})

describe('io helpers', () => {
  test('colors follow the terminal, NO_COLOR and FORCE_COLOR', () => {
    expect(useColor(memoryIo({ isTTY: true }))).toBe(true)
    expect(useColor(memoryIo({ isTTY: false }))).toBe(false)
    expect(useColor(memoryIo({ isTTY: true, env: { NO_COLOR: '1' } }))).toBe(false)
    expect(useColor(memoryIo({ isTTY: false, env: { FORCE_COLOR: '1' } }))).toBe(true)
    expect(useColor(memoryIo({ isTTY: true, env: { FORCE_COLOR: '0' } }))).toBe(false)
  })

  test('formatting', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(12_345)).toBe('12.3 kB')
    expect(formatBytes(4_500_000)).toBe('4.50 MB')
    expect(gitLabel({ branch: 'main', commit: '0123456789abcdef' })).toBe('main@0123456')
    expect(gitLabel({ branch: null, commit: null })).toBe('-')
    expect(gitLabel({ branch: 'evil\u001b[31mbranch\nx', commit: null })).toBe('evilbranch x')
  })

  test('redactingIo scrubs keys from everything written', () => {
    const io = memoryIo()
    const safe = redactingIo(io)
    safe.stdout('token sk-abcdefghijklmnopqrstuvwxyz012345 here\n')
    safe.stderr('key AIzaSyA1234567890abcdefghijklmn\n')
    expect(io.out()).toBe('token [redacted] here\n')
    expect(io.err()).toBe('key [redacted]\n')
  })

  test('writeOutput writes atomically, creates folders, and turns failures into usage errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vj-cli-io-'))
    try {
      const io = memoryIo({ cwd: dir })
      expect(writeOutput(io, 'a/b/out.json', '{}\n')).toBe(join('a', 'b', 'out.json'))
      expect(writeOutput(io, '-', 'to stdout')).toBeNull()
      expect(io.out()).toBe('to stdout')
      expect(() => writeOutput(io, 'a/b/out.json/inside', 'x')).toThrow(
        /Cannot write .*pass --out a writable file path/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('runCli in-process', () => {
  test('help, version and usage errors', async () => {
    const help = memoryIo()
    expect(await runCli(['--help'], help)).toBe(0)
    expect(help.out()).toBe(`${overallHelp()}\n`)
    for (const name of COMMANDS.keys()) expect(help.out()).toContain(`  ${name} `)

    const commandHelp = memoryIo()
    expect(await runCli(['--dir', 'x', 'runs', '--help'], commandHelp)).toBe(0)
    expect(commandHelp.out()).toBe(COMMANDS.get('runs')?.usage)

    const version = memoryIo()
    expect(await runCli(['--version'], version)).toBe(0)
    expect(version.out()).toBe(`${packageVersion()}\n`)
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/)

    const unknown = memoryIo()
    expect(await runCli(['cmopare'], unknown)).toBe(2)
    expect(unknown.err()).toMatch(/^vitest-judge: Unknown command "cmopare"\. Did you mean compare\?/)

    const global = memoryIo()
    expect(await runCli(['--verbose', 'runs'], global)).toBe(2)
    expect(global.err()).toContain('Unknown option --verbose')

    const prototypeKey = memoryIo()
    expect(await runCli(['constructor'], prototypeKey)).toBe(2)
  })

  test('--dir before the command reaches the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vj-cli-dir-'))
    try {
      const io = memoryIo({ cwd: dir })
      expect(await runCli(['--dir', 'elsewhere', 'runs'], io)).toBe(2)
      expect(io.err()).toContain('No runs recorded in elsewhere/runs.db yet')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('an unexpected error is a bug: exit 70 with the message', async () => {
    const io = memoryIo()
    const command = { summary: 's', usage: 'Usage: boom', run: () => Promise.reject(new TypeError('kaput')) }
    const commands = COMMANDS as Map<string, typeof command>
    commands.set('boom', command)
    try {
      expect(await runCli(['boom'], io)).toBe(70)
      expect(io.err()).toMatch(/^vitest-judge: internal error: kaput\n/)
      expect(io.err()).toContain('This is a bug in vitest-judge')
    } finally {
      commands.delete('boom')
    }
  })
})
