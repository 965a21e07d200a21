/**
 * Where CI and Vitest users look, end to end through a real `vitest` run of fixtures/junit-ci (a
 * scripted judge: a failing justification naming another line, a hostile case id, a judge that
 * times out beside a failing metric), as GitHub Actions runs it (GITHUB_ACTIONS, GITHUB_WORKSPACE):
 * the JUnit validates against Jenkins' junit-10.xsd and carries each test's file and line, our
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
  expect(run.tests.map((t) => [t.name, t.state]).sort()).toEqual([
    ['a poor answer fails', 'failed'],
    ['a similar answer passes', 'passed'],
    ['qa > evil ::warning::x', 'passed'],
    ['qa > good', 'passed'],
    ['qa > poor', 'failed'],
    ['qa > timeout', 'failed'],
  ])
})

describe('our junit.xml', () => {
  test("validates against Jenkins' junit-10.xsd", () => {
    const result = validateXml(junit)
    expect(result.messages).toContain('validates')
    expect(result.valid).toBe(true)
  })

  test('carries the file on each suite and the declaring line on each case (xml-js, as mikepenz reads it)', () => {
    type Node = { _attributes: Record<string, string>; testcase: Node[]; failure?: Node; error?: Node; _text?: string }
    const doc = xmlJs(junit, { compact: true, alwaysArray: ['testsuite', 'testcase'] }) as unknown as {
      testsuites: { testsuite: Node[] }
    }
    const [matchers, qa] = doc.testsuites.testsuite as [Node, Node]
    expect(matchers._attributes.file).toBe('matchers.test.ts')
    expect(qa._attributes.file).toBe('qa.eval.ts')
    expect(matchers.testcase.map((c) => c._attributes.line)).toEqual([
      String(lineOf('matchers.test.ts', "test('a similar answer passes'")),
      String(lineOf('matchers.test.ts', "test('a poor answer fails'")),
    ])
    // describeEval's cases are declared by the suite: its line in the eval file.
    const describeLine = String(lineOf('qa.eval.ts', "describeEval('qa'"))
    expect(qa.testcase.map((c) => c._attributes.line)).toEqual([describeLine, describeLine, describeLine, describeLine])
    expect(qa._attributes).toMatchObject({ tests: '4', failures: '1', errors: '1' })
    // The justification's "47:11" does not move the frame; the body starts with the message.
    const poor = qa.testcase[1]?.failure as Node
    expect(poor._text?.split('\n').slice(0, 2)).toEqual([
      poor._attributes.message,
      `    at qa > poor (qa.eval.ts:${describeLine}:1)`,
    ])
    // The judge error first, its message once.
    const timeout = qa.testcase[3]?.error as Node
    expect(timeout._attributes.message).toMatch(
      /^answer_similarity: VJ_ERROR: the provider timed out after 30 s; answer_relevance 0\.25/,
    )
    expect(timeout._text?.split('the provider timed out')).toHaveLength(2)
  })
})

describe('GitHub annotations', () => {
  const ours = () => commandLines(run.stdout).filter((l) => l.startsWith('::error '))

  test("one ::error per failed case, on the repository path and the test's line", () => {
    const describeLine = lineOf('qa.eval.ts', "describeEval('qa'")
    const poorLine = lineOf('matchers.test.ts', "test('a poor answer fails'")
    expect(ours().map((l) => l.slice(0, l.indexOf(',title=')))).toEqual([
      `::error file=fixtures/junit-ci/matchers.test.ts,line=${poorLine},col=1`,
      `::error file=fixtures/junit-ci/qa.eval.ts,line=${describeLine},col=1`,
      `::error file=fixtures/junit-ci/qa.eval.ts,line=${describeLine},col=1`,
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
    expect(vitestJunit).toContain(
      '<property name="vitest-judge" value="answer_relevance 0.25 (raw 2/5) below pass mark 0.75 · judge scripted',
    )
    const result = validateXml(vitestJunit)
    expect(result.valid).toBe(false)
    expect(result.messages).toContain("Element 'properties': This element is not expected")
  })
})
