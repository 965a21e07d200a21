/**
 * Hostile model output, end to end through a real `vitest` run of fixtures/faults-hostile: XML
 * breakers, control characters, lone surrogates, bidi overrides, a 1 MB answer, markdown table
 * pipes, @mentions, HTML and prompt injections. JUnit stays valid XML, the markdown summary stays
 * a well-formed and inert table, the console stays readable, and the judge sees each answer whole
 * inside its own section.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { EXPECTED, OUTPUTS } from '../../fixtures/faults-hostile/outputs.js'
import { FAKE_API_KEY, type FakeTenant, type FakeTenantStats, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, REPO, runFixture } from './run-fixture.js'

// C0 controls but \t \n \r, DEL, C1 controls, bidi overrides and isolates, U+FFFE/U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/
const CASES = Object.keys(OUTPUTS).length + 1
const MATCHER_TESTS = 4

let tenant: FakeTenant
let run: FixtureRun
let fake: FakeTenantStats
let junit: string
let markdown: string
let show: { status: number | null; stdout: string; stderr: string }

beforeAll(async () => {
  tenant = fakeTenant(inject('fakeProviderUrl'))
  run = await runFixture('faults-hostile', {
    env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
  })
  fake = await tenant.stats()
  junit = readFileSync(join(run.dir, 'junit.xml'), 'utf8')
  markdown = readFileSync(join(run.dir, 'summary.md'), 'utf8')
  const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), 'show', 'latest', '--dir', run.dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  show = { status: result.status, stdout: result.stdout, stderr: result.stderr }
})

afterAll(async () => {
  await tenant?.reset()
  rmSync(run.dir, { recursive: true, force: true })
})

const evalRun = () => run.report?.runs.find((r) => r.file === 'hostile.eval.ts')

test('every hostile case ran, was judged and failed on its score', () => {
  expect(run.tests).toHaveLength(CASES + MATCHER_TESTS)
  expect(run.tests.every((t) => t.state === 'failed')).toBe(true)
  expect(run.report?.runs.map((r) => r.judgeErrors)).toEqual([0, 0])
  expect(evalRun()?.cases).toHaveLength(CASES)
})

describe('JUnit', () => {
  test('is valid XML that a real parser reads, one testcase per case, nothing injected', () => {
    expect(XMLValidator.validate(junit)).toBe(true)
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junit) as {
      testsuites: { testsuite: Array<{ name: string; testcase: Array<{ name: string; failure?: unknown }> }> }
    }
    expect(parsed.testsuites.testsuite.map((s) => s.name)).toEqual(['hostile.eval.ts', 'matchers.test.ts'])
    const testcases = parsed.testsuites.testsuite.flatMap((s) => s.testcase)
    expect(testcases).toHaveLength(CASES + MATCHER_TESTS)
    expect(testcases.filter((t) => t.name === 'fake')).toHaveLength(0)
    expect(testcases.every((t) => t.failure !== undefined)).toBe(true)
    expect(testcases.map((t) => t.name)).toContain('hostile > xml-breakers')
  })

  test('carries no character XML 1.0 forbids, and the 1 MB answer is cut', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 cannot carry
    expect(junit).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/)
    expect(junit).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
    expect(junit.length).toBeLessThan(200_000)
  })
})

describe('markdown summary', () => {
  test('every table keeps its column count on every row', () => {
    const cells = (line: string) => line.replace(/\\\\/g, '').split(/(?<!\\)\|/).length
    let tables = 0
    const lines = markdown.split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]?.startsWith('|') || lines[i - 1]?.startsWith('|')) continue
      tables++
      const width = cells(lines[i] ?? '')
      for (let j = i; j < lines.length && lines[j]?.startsWith('|'); j++) {
        expect({ row: lines[j], cells: cells(lines[j] ?? '') }).toEqual({ row: lines[j], cells: width })
      }
    }
    expect(tables).toBeGreaterThan(0)
    // The failed cases show up in a table.
    expect(markdown).toMatch(/xml-breakers/)
  })

  test('is inert: no raw HTML tag, no @mention that pings, no control character', () => {
    expect(markdown).not.toMatch(/<script|<img|<b>|<testcase|<!--(?! vitest-judge)/i)
    expect(markdown).not.toMatch(/@(octocat|org|here|channel)\b/)
    expect(markdown).not.toMatch(RAW_CONTROL)
    expect(markdown).not.toMatch(/javascript:alert/)
    expect(markdown.length).toBeLessThan(200_000)
  })
})

/** What a user sees, less the harness's own result line (fixture-runner.mjs). */
function consoleLines(): string[] {
  return `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => !line.startsWith('@@FIXTURE-RESULT@@'))
}

describe('console', () => {
  test('no raw control characters, escape sequences or bidi overrides reach stdout or stderr', () => {
    const lines = consoleLines().filter((line) => RAW_CONTROL.test(line))
    expect(lines.map((line) => JSON.stringify(line).slice(0, 200))).toEqual([])
  })

  test('describeEval test names and failure messages carry no raw control characters', () => {
    expect(consoleLines().filter((line) => RAW_CONTROL.test(line))).toEqual([])
  })

  test('the 1 MB answer is cut', () => {
    expect(run.stdout.length + run.stderr.length).toBeLessThan(200_000)
    expect(`${run.stdout}${run.stderr}`).not.toContain('A'.repeat(2000))
    expect(`${run.stdout}${run.stderr}`).not.toContain('END-OF-HUGE')
  })

  test('the CLI shows the run from runs.db, readable too', () => {
    expect(show.stderr).toBe('')
    expect(show.status).toBe(0)
    expect(show.stdout).toMatch(/hostile\.eval\.ts/)
    expect(show.stdout).not.toMatch(RAW_CONTROL)
    expect(show.stdout.length).toBeLessThan(100_000)
  })
})

describe('prompt injection', () => {
  const entryFor = (id: keyof typeof OUTPUTS) => {
    const entry = fake.log.find((e) => e.sections.output?.startsWith(OUTPUTS[id]?.slice(0, 30) ?? '\u0000'))
    if (!entry) throw new Error(`no judge request for ${id}`)
    return entry
  }

  test('an answer telling the judge to give 5 stays whole inside the output section', () => {
    const entry = entryFor('injection-plain')
    expect(entry.sections.output).toBe(OUTPUTS['injection-plain'])
    expect(entry.sections.reference).toBe(EXPECTED)
    expect(entry.sections.input).toBe('What is the capital of France?')
  })

  test('a fake closing tag and a fake reference do not leave the output section', () => {
    const entry = entryFor('injection-closing-tag')
    expect(entry.sections.output).toBe(OUTPUTS['injection-closing-tag'])
    expect(entry.sections.reference).toBe(EXPECTED)
    expect(entry.nonce).not.toBe('deadbeef')
  })

  test('every judged answer reached the judge whole, the 1 MB one included', () => {
    const seen = new Set(fake.log.map((e) => e.sections.output))
    for (const [id, output] of Object.entries(OUTPUTS)) {
      // Lone surrogates cannot cross JSON over UTF-8 unchanged; the other answers arrive byte for byte.
      if (id === 'lone-surrogates') continue
      expect({ id, seen: seen.has(output) }).toEqual({ id, seen: true })
    }
  })
})
