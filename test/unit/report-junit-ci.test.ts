/**
 * The JUnit report as the CI tools read it: valid against Jenkins' junit-10.xsd (xmllint; the file
 * xunit 3.1.6 ships), parsed by the XML libraries the GitHub JUnit actions use (xml-js:
 * mikepenz/action-junit-report; xml2js: dorny/test-reporter), with the file and line where those
 * actions look for them (their location rules as their sources have them today, reproduced below),
 * one-line attributes, failure bodies whose first line is the message and whose last is the frame,
 * each thing said once, and no line a runner could read as a workflow command.
 */

import { describe, expect, test } from 'vitest'
import { xml2js as xmlJs } from 'xml-js'
import { parseStringPromise } from 'xml2js'
import { aggregateRun } from '../../src/report/aggregate.js'
import { renderJunit } from '../../src/report/junit.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'
import { validateXml } from '../schemas/xmllint.js'

function run(file: string, cases: ReportCase[]): ReportRun {
  return {
    id: `run-${file}`,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: cases.reduce((s, c) => s + c.judgeErrors, 0),
    cache: { hits: 0, misses: 2 },
    tokens: { input: 10, output: 2 },
  }
}

function report(runs: ReportRun[]): JsonReport {
  return {
    version: 1,
    invocation: { id: 'inv', startedAt: '2026-01-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs,
    comparison: null,
  }
}

const passed: ReportCase = {
  name: 'qa > capital',
  pass: true,
  scores: { answer_similarity: 1 },
  judgeErrors: 0,
  location: { line: 7, column: 1 },
  metrics: {
    answer_similarity: {
      score: 1,
      raw: 5,
      kind: 'score',
      threshold: 0.75,
      pass: true,
      judge: 'local',
      justification: 'Same.',
    },
  },
  output: 'PASSED-OUTPUT',
}

// A justification naming another file and line, a hostile id, and an error sorted after a failing metric.
const failed: ReportCase = {
  name: 'qa > evil\n::warning::from-name\t(tab)\r',
  id: 'evil\n::warning::x',
  pass: false,
  scores: { answer_similarity: 0.25 },
  judgeErrors: 0,
  location: { line: 12, column: 3 },
  metrics: {
    answer_similarity: {
      score: 0.25,
      raw: 2,
      kind: 'score',
      threshold: 0.75,
      pass: false,
      judge: 'local',
      justification: 'See node_modules/x/ts.js:47:11 (other.test.ts:47:11)\n::warning::from-justification',
    },
  },
  output: 'FAILED-OUTPUT\n  ::error::from-output',
  error: 'AssertionError: 1 metric below the pass mark',
}

const timedOut: ReportCase = {
  name: 'qa > timeout',
  pass: false,
  scores: { answer_relevance: 0.25, answer_similarity: null },
  judgeErrors: 1,
  location: { line: 12, column: 3 },
  metrics: {
    answer_relevance: { score: 0.25, kind: 'score', threshold: 0.75, pass: false, judge: 'local' },
    answer_similarity: {
      score: null,
      kind: 'score',
      threshold: 0.75,
      pass: false,
      judge: 'openai:gpt-4.1-mini',
      error: { code: 'VJ_JUDGE_TIMEOUT', message: 'Judge openai:gpt-4.1-mini: no answer in 30 s\nretried 3 times' },
    },
  },
  output: 'TIMEOUT-OUTPUT',
  error: 'Judge openai:gpt-4.1-mini: no answer in 30 s',
}

const xml = renderJunit(report([run('evals/qa.test.ts', [passed, failed, timedOut])]))

/** Lines a GitHub runner would read as a workflow command (it trims leading blanks). */
function commandLines(text: string): string[] {
  return text.split(/\r\n|\n|\r|\u2028|\u2029/).filter((line) => line.trimStart().startsWith('::'))
}

describe("Jenkins' junit-10.xsd", () => {
  test('the default report is valid', () => {
    expect(validateXml(xml)).toEqual({ valid: true, messages: expect.stringContaining('validates') })
  })

  test('testcase properties (opt-in) are what the schema rejects: the validator is real', () => {
    const withProps = renderJunit(report([run('evals/qa.test.ts', [passed])]), { properties: true })
    const result = validateXml(withProps)
    expect(result.valid).toBe(false)
    expect(result.messages).toContain("Element 'properties': This element is not expected")
  })

  test('no testcase carries `line` or `file` by default: the schema refuses both', () => {
    expect(xml).not.toMatch(/<testcase [^>]*\b(line|file)=/)
    const withFile = renderJunit(report([run('evals/qa.test.ts', [passed, failed])]), { addFileAttribute: true })
    expect(withFile.match(/<testcase [^>]*file="evals\/qa\.test\.ts"/g)).toHaveLength(2)
    expect(validateXml(withFile).messages).toContain(
      "Element 'testcase', attribute 'file': The attribute 'file' is not allowed",
    )
    const withLine = renderJunit(report([run('evals/qa.test.ts', [passed, failed])]), { addLineAttribute: true })
    expect(withLine.match(/<testcase [^>]*line="(\d+)"/g)).toHaveLength(2)
    expect(validateXml(withLine).messages).toContain(
      "Element 'testcase', attribute 'line': The attribute 'line' is not allowed",
    )
  })
})

/**
 * mikepenz/action-junit-report's `resolveFileAndLine` (src/testParser.ts at 305cd1f, v6.4.2): with
 * no `line` on the testcase it takes the last ` <anything><file>…:<digits>` of the failure body.
 */
function mikepenzLine(file: string, body: string): number {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const matches = body.trim().match(new RegExp(` [^ ]*${escaped}.*?:\\d+`, 'g'))
  if (!matches) return 1
  return Number.parseInt(matches[matches.length - 1]?.split(':').pop() ?? '0', 10)
}

/** dorny/test-reporter's jest-junit `getExceptionSource` (src/utils/node-utils.ts at 29672c5, v3): the first line ending in a frame of a tracked file. */
function dornyFrame(body: string, tracked: string[]): [string, number] | undefined {
  for (const str of body.split(/\r?\n/)) {
    const match = str.match(/\((.*):(\d+):\d+\)$/)
    if (match && tracked.includes(match[1] as string)) return [match[1] as string, Number(match[2])]
  }
  return undefined
}

describe('where the GitHub JUnit actions put the annotation, without `line`', () => {
  const lowScore: ReportCase = {
    name: 'qa > low score',
    pass: false,
    scores: { answer_similarity: 0.25 },
    judgeErrors: 0,
    location: { line: 12, column: 3 },
    metrics: {
      answer_similarity: {
        score: 0.25,
        raw: 2,
        kind: 'score',
        threshold: 0.75,
        pass: false,
        judge: 'local',
        justification: 'Compare evals/low-score.test.ts:99 and see (evals/low-score.test.ts:99:1)',
      },
    },
    output: 'The answer is in evals/low-score.test.ts:99.',
  }
  const body = async (file: string, c: ReportCase) => {
    const doc = (await parseStringPromise(renderJunit(report([run(file, [c])])))) as {
      testsuites: { testsuite: Array<{ testcase: Array<{ failure?: Array<{ _: string }> }> }> }
    }
    return doc.testsuites.testsuite[0]?.testcase[0]?.failure?.[0]?._ ?? ''
  }

  test('mikepenz lands on the test, not on the line a justification names', async () => {
    const text = await body('evals/low-score.test.ts', lowScore)
    expect(text).toContain('evals/low-score.test.ts\u223699')
    expect(mikepenzLine('evals/low-score.test.ts', text)).toBe(12)
    // The frame is the body's last line.
    expect(text.trimEnd().split('\n').at(-1)).toBe('    at qa > low score (evals/low-score.test.ts:12:3)')
  })

  test('dorny (jest-junit) lands on the test, even when the justification ends in a frame of a tracked file', async () => {
    const text = await body('evals/low-score.test.ts', lowScore)
    expect(dornyFrame(text, ['evals/low-score.test.ts'])).toEqual(['evals/low-score.test.ts', 12])
  })

  test('without a known location there is no frame, and model text still names no line', async () => {
    const { location: _location, ...noWhere } = lowScore
    const text = await body('evals/low-score.test.ts', noWhere)
    expect(mikepenzLine('evals/low-score.test.ts', text)).toBe(1)
    expect(dornyFrame(text, ['evals/low-score.test.ts'])).toBeUndefined()
  })
})

describe("mikepenz/action-junit-report's view (xml-js, compact)", () => {
  type Attrs = Record<string, string>
  interface Node {
    _attributes: Attrs
    _text?: string
    failure?: Node
    error?: Node
    testcase?: Node[]
    'system-out'?: { _text: string }
  }
  const doc = xmlJs(xml, { compact: true, alwaysArray: ['testcase', 'testsuite'] }) as unknown as {
    testsuites: { testsuite: Node[] }
  }
  const suite = doc.testsuites.testsuite[0] as Node
  const cases = suite.testcase as Node[]

  test('the file is on the suite, where the action looks before guessing from classname; the line is in the frame', () => {
    expect(suite._attributes.file).toBe('evals/qa.test.ts')
    expect(cases.map((c) => c._attributes.line)).toEqual([undefined, undefined, undefined])
    expect(mikepenzLine('evals/qa.test.ts', cases[1]?.failure?._text ?? '')).toBe(12)
    expect(mikepenzLine('evals/qa.test.ts', cases[2]?.error?._text ?? '')).toBe(12)
  })

  test('counts', () => {
    expect(suite._attributes).toMatchObject({ tests: '3', failures: '1', errors: '1' })
  })

  test('name, classname and message are one line', () => {
    for (const c of cases) {
      for (const value of [c._attributes.name, c._attributes.classname]) expect(value).not.toMatch(/[\n\r\t]/)
      const outcome = c.failure ?? c.error
      if (outcome) expect(outcome._attributes.message).not.toMatch(/[\n\r\t]/)
    }
    expect(cases[1]?._attributes.name).toBe('qa > evil ::warning::from-name (tab) ')
  })

  test('each failure body starts with its message; the failing metric or the judge error comes first', () => {
    const failure = cases[1]?.failure as Node
    const error = cases[2]?.error as Node
    expect(failure._text?.split('\n')[0]).toBe(failure._attributes.message)
    expect(failure._attributes.message).toBe('answer_similarity 0.25 (raw 2/5) below pass mark 0.75, judge local')
    expect(error._text?.split('\n')[0]).toBe(error._attributes.message)
    expect(error._attributes.message).toMatch(
      /^answer_similarity: VJ_JUDGE_TIMEOUT: Judge openai:gpt-4\.1-mini: no answer in 30 s; answer_relevance 0\.25/,
    )
    // dorny's java-junit view shows `<type>: <message>`: the code is said once.
    expect(error._attributes.type).toBe('judge-error')
    expect(`${error._attributes.type}: ${error._attributes.message}`.split('VJ_JUDGE_TIMEOUT')).toHaveLength(2)
  })

  test('no code, error, justification or output twice in a case (failure body and system-out together)', () => {
    const body = `${cases[2]?.error?._text}\n${cases[2]?.['system-out']?._text}`
    expect(body.split('VJ_JUDGE_TIMEOUT')).toHaveLength(2)
    expect(body.split('answer_relevance 0.25')).toHaveLength(2)
    const failedAll = `${cases[1]?.failure?._text}\n${cases[1]?.['system-out']?._text ?? ''}`
    expect(failedAll.split('from-justification')).toHaveLength(2)
    expect(failedAll.split('0.25 (raw 2/5)')).toHaveLength(2)
    expect(cases[2]?.error?._text?.split('no answer in 30 s')).toHaveLength(2)
    expect(cases[2]?.error?._text).toContain('retried 3 times')
    for (const c of cases) {
      const all = `${(c.failure ?? c.error)?._text ?? ''}\n${c['system-out']?._text ?? ''}`
      const marker = c === cases[0] ? 'PASSED-OUTPUT' : c === cases[1] ? 'FAILED-OUTPUT' : 'TIMEOUT-OUTPUT'
      expect(all.split(marker)).toHaveLength(2)
    }
  })

  test('system-out has one line per metric, passing cases included', () => {
    expect(cases[0]?.['system-out']?._text.split('\n')[0]).toBe(
      'vitest-judge answer_similarity: 1 (raw 5/5) pass mark 0.75 judge local justification: Same.',
    )
    // A failed case's failing metrics are in its failure body only.
    expect(cases[2]?.['system-out']).toBeUndefined()
    const mixed: ReportCase = {
      ...timedOut,
      scores: { ...timedOut.scores, faithfulness: 1 },
      metrics: { ...timedOut.metrics, faithfulness: { score: 1, kind: 'score', threshold: 0.75, pass: true } },
    }
    const doc2 = xmlJs(renderJunit(report([run('evals/qa.test.ts', [mixed])])), {
      compact: true,
      alwaysArray: ['testcase', 'testsuite'],
    }) as unknown as { testsuites: { testsuite: Node[] } }
    const lines = doc2.testsuites.testsuite[0]?.testcase?.[0]?.['system-out']?._text.split('\n') ?? []
    expect(lines.filter((l) => l.startsWith('vitest-judge '))).toEqual(['vitest-judge faithfulness: 1 pass mark 0.75'])
  })
})

describe("dorny/test-reporter's view (xml2js)", () => {
  test('the first body line in frame form names the test file and line, not a path from the justification', async () => {
    const doc = (await parseStringPromise(xml)) as {
      testsuites: { testsuite: Array<{ testcase: Array<{ failure?: Array<{ _: string }> | string[] }> }> }
    }
    const failure = doc.testsuites.testsuite[0]?.testcase[1]?.failure?.[0]
    const body = typeof failure === 'string' ? failure : (failure?._ ?? '')
    // dorny reads the first line ending in `(<file>:<line>:<col>)` whose file is tracked in git.
    const frames = body
      .split(/\r?\n/)
      .map((l) => l.match(/\((.*):(\d+):(\d+)\)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
    expect(frames.map((m) => m.slice(1))).toEqual([['evals/qa.test.ts', '12', '3']])
  })
})

describe('workflow-command injection', () => {
  test('no line of the report starts with ::, whatever the name, id, justification, output or error held', () => {
    expect(commandLines(xml)).toEqual([])
    const withProps = renderJunit(report([run('evals/qa.test.ts', [passed, failed, timedOut])]), { properties: true })
    expect(commandLines(withProps)).toEqual([])
    // The text is still there, defused.
    expect(xml).toContain(': :warning::from-justification')
    expect(xml).toContain('  : :error::from-output')
  })
})
