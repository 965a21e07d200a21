/**
 * Where CI and Vitest users look, end to end through a real `vitest` run of fixtures/junit-ci (a
 * scripted judge: a failing justification naming another line, a hostile case id, a judge that
 * times out beside a failing metric, variants with a hostile name), as GitHub Actions runs it
 * (GITHUB_ACTIONS, GITHUB_WORKSPACE): the JUnit validates against the junit-10.xsd Jenkins' xunit
 * plugin ships today and carries each test's file and line where the JUnit actions find them, our
 * `::error` annotations land on those lines, no log line is a command we did not write, and
 * Vitest's own verbose and JUnit reporters show the scores through the test annotations.
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { xml2js as xmlJs } from 'xml-js'
import { validateXml } from '../schemas/xmllint.js'
import { type FixtureRun, REPO, runFixture } from './run-fixture.js'

const FIXTURE = join(REPO, 'fixtures/junit-ci')
let run: FixtureRun
let junit: string
let vitestJunit: string
let markdown: string

/** The 1-based line of the first line of `file` (in the fixture) containing `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(join(FIXTURE, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text))
  if (index < 0) throw new Error(`${text} not in ${file}`)
  return index + 1
}

/** The text of the first line of `file` (in the fixture) containing `text`. */
function lineText(file: string, text: string): string {
  return readFileSync(join(FIXTURE, file), 'utf8').split('\n')[lineOf(file, text) - 1] ?? ''
}

/** Lines a GitHub runner reads as workflow commands (it trims leading blanks). */
function commandLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/).filter((line) => line.trimStart().startsWith('::'))
}

beforeAll(async () => {
  run = await runFixture('junit-ci', {
    env: { FIXTURE_KEEP_REPORTERS: '1', GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: REPO },
  })
  // Vitest's own JUnit file is written in the state folder too (see the fixture's config).
  junit = readFileSync(join(run.dir, 'junit.xml'), 'utf8')
  markdown = readFileSync(join(run.dir, 'summary.md'), 'utf8')
  vitestJunit = readFileSync(join(run.dir, 'vitest-junit.xml'), 'utf8')
}, 180_000)

afterAll(() => {
  rmSync(run.dir, { recursive: true, force: true })
})

test('the run went as scripted', () => {
  // Files finish in either order.
  expect(run.tests.map((t) => [t.name, t.state]).sort()).toEqual(
    [
      ['a poor answer fails', 'failed'],
      ['a similar answer passes', 'passed'],
      ['qa > evil ::warning::x', 'passed'],
      ['qa > good', 'passed'],
      ['qa > poor', 'failed'],
      ['qa > timeout', 'failed'],
      ['models > [<tag> & "quotes"] capital', 'failed'],
      ['models > [good] capital', 'passed'],
    ].sort(),
  )
})

describe('our junit.xml', () => {
  test("validates against Jenkins' junit-10.xsd", () => {
    const result = validateXml(junit)
    expect(result.messages).toContain('validates')
    expect(result.valid).toBe(true)
  })

  test('carries the file on each suite, and the declaring line in the last line of each failure body (xml-js, as mikepenz reads it)', () => {
    type Node = { _attributes: Record<string, string>; testcase: Node[]; failure?: Node; error?: Node; _text?: string }
    const doc = xmlJs(junit, { compact: true, alwaysArray: ['testsuite', 'testcase'] }) as unknown as {
      testsuites: { testsuite: Node[] }
    }
    const suites = doc.testsuites.testsuite
    // A variant's run is its own suite, named by its key; `file` is the path.
    expect(suites.map((t) => [t._attributes.name, t._attributes.file])).toEqual([
      ['matchers.test.ts', 'matchers.test.ts'],
      ['qa.eval.ts', 'qa.eval.ts'],
      ['variants.eval.ts [<tag> & "quotes"]', 'variants.eval.ts'],
      ['variants.eval.ts [good]', 'variants.eval.ts'],
    ])
    const [matchers, qa, tagged] = suites as [Node, Node, Node]
    // No `line` on a testcase: junit-10.xsd refuses it.
    for (const suite of suites) for (const c of suite.testcase) expect(c._attributes.line).toBeUndefined()
    expect(qa._attributes).toMatchObject({ tests: '4', failures: '1', errors: '1' })
    // mikepenz/action-junit-report's rule without `line`: the last ` <file>…:<digits>` of the body.
    const mikepenz = (file: string, body: string) => {
      const matches = body.trim().match(new RegExp(` [^ ]*${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*?:\\d+`, 'g'))
      return Number(matches?.at(-1)?.split(':').pop())
    }
    const describeLine = lineOf('qa.eval.ts', "describeEval('qa'")
    const poor = qa.testcase[1]?.failure as Node
    const poorBody = poor._text?.trimEnd().split('\n') ?? []
    // The body starts with the message and ends with the frame; the justification's `qa.eval.ts:47` moves nothing.
    expect(poorBody[0]).toBe(poor._attributes.message)
    expect(poorBody.at(-1)).toBe(`    at qa > poor (qa.eval.ts:${describeLine}:1)`)
    expect(mikepenz('qa.eval.ts', poor._text ?? '')).toBe(describeLine)
    const timeout = qa.testcase[3]?.error as Node
    expect(mikepenz('qa.eval.ts', timeout._text ?? '')).toBe(describeLine)
    const failedMatcher = matchers.testcase[1]?.failure as Node
    expect(mikepenz('matchers.test.ts', failedMatcher._text ?? '')).toBe(
      // A matcher test fails at its failing expect(...) line.
      lineOf('matchers.test.ts', "expect('Lyon')"),
    )
    const variantFailure = tagged.testcase[0]?.failure as Node
    expect(mikepenz('variants.eval.ts', variantFailure._text ?? '')).toBe(
      lineOf('variants.eval.ts', "describeEval('models'"),
    )
    // The judge error first, its code once in `<type>: <message>` (dorny's java-junit view).
    expect(timeout._attributes.message).toMatch(
      /^answer_similarity: VJ_ERROR: the provider timed out after 30 s; answer_relevance 0\.25/,
    )
    expect(`${timeout._attributes.type}: ${timeout._attributes.message}`.split('VJ_ERROR')).toHaveLength(2)
    expect(timeout._text?.split('the provider timed out')).toHaveLength(2)
  })

  test('a failed case says its metric line, justification and judge error once (body and system-out together)', () => {
    const doc = xmlJs(junit, { compact: true, alwaysArray: ['testsuite', 'testcase'] }) as unknown as {
      testsuites: {
        testsuite: Array<{
          testcase: Array<{ error?: { _text: string }; failure?: { _text: string }; 'system-out'?: { _text: string } }>
        }>
      }
    }
    const qa = doc.testsuites.testsuite[1]
    const poor = qa?.testcase[1]
    const poorAll = `${poor?.failure?._text}\n${poor?.['system-out']?._text ?? ''}`
    // Both metrics failed: their lines are in the failure body, and there is no system-out to repeat them.
    expect(poor?.['system-out']).toBeUndefined()
    expect(poorAll.split('answer_similarity 0.25 (raw 2/5)')).toHaveLength(2)
    expect(poorAll.split('answer_relevance justification')).toHaveLength(2)
    const timeout = qa?.testcase[3]
    const timeoutAll = `${timeout?.error?._text}\n${timeout?.['system-out']?._text ?? ''}`
    expect(timeoutAll.split('the provider timed out')).toHaveLength(2)
    expect(timeoutAll.split('answer_relevance 0.25')).toHaveLength(2)
  })
})

describe('GitHub annotations', () => {
  const ours = () => commandLines(run.stdout).filter((l) => l.startsWith('::error '))

  test("one ::error per failed case, on the repository path and the test's line", () => {
    const describeLine = lineOf('qa.eval.ts', "describeEval('qa'")
    const poorLine = lineOf('matchers.test.ts', "expect('Lyon')")
    expect(ours().map((l) => l.slice(0, l.indexOf(',title=')))).toEqual([
      `::error file=fixtures/junit-ci/matchers.test.ts,line=${poorLine},col=${lineText('matchers.test.ts', "expect('Lyon')").indexOf('toBeSimilarTo') + 1}`,
      `::error file=fixtures/junit-ci/qa.eval.ts,line=${describeLine},col=1`,
      `::error file=fixtures/junit-ci/qa.eval.ts,line=${describeLine},col=1`,
      `::error file=fixtures/junit-ci/variants.eval.ts,line=${lineOf('variants.eval.ts', "describeEval('models'")},col=1`,
    ])
    expect(ours()[0]).toContain('::answer_similarity 0.25 (raw 2/5) below pass mark 0.75, judge scripted%0A')
  })

  test('no other line of stdout or stderr, nor of the reports, is a workflow command', () => {
    expect(commandLines(run.stdout).filter((l) => !l.startsWith('::error '))).toEqual([])
    expect(commandLines(run.stderr)).toEqual([])
    expect(commandLines(junit)).toEqual([])
    expect(commandLines(markdown)).toEqual([])
    expect(commandLines(vitestJunit)).toEqual([])
  })
})

describe("Vitest's own views, through context.annotate", () => {
  test('the verbose reporter shows each judged result, passing tests included', () => {
    expect(run.stdout).toContain(
      '↳ answer_similarity 1 (raw 5/5) pass mark 0.75 · judge scripted · justification: Scripted verdict for answer_similarity.',
    )
    expect(run.stdout).toContain(
      '↳ answer_similarity judge error VJ_ERROR: the provider timed out after 30 s : :error::injected',
    )
  })

  test("Vitest's JUnit carries them as testcase properties, which junit-10.xsd rejects", () => {
    expect(vitestJunit).toContain(' | answer_relevance 0.25 (raw 2/5) below pass mark 0.75 · judge scripted')
    const result = validateXml(vitestJunit)
    expect(result.valid).toBe(false)
    expect(result.messages).toContain("Element 'properties': This element is not expected")
  })
})
