import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, test } from 'vitest'
import { aggregateRun } from '../../src/report/aggregate.js'
import { escapeXml, junitTotals, renderJunit, renderJunitSuite, writeJunitSuite } from '../../src/report/junit.js'
import type { JsonReport, ReportCase, ReportRun } from '../../src/report/types.js'

const HOSTILE = [
  ']]>',
  '</testcase></testsuite><testsuite name="x">',
  '\u0000\u001b[31mred\u001b[0m\u0007',
  'lone \ud800 high and \udc00 low, pair 😀 kept',
  'quotes " and \' and & and <tag attr="1">',
  '\ufffe\uffff noncharacters',
  'bidi \u202e reversed',
].join(' | ')

function run(file: string, cases: ReportCase[], extra: Partial<ReportRun> = {}): ReportRun {
  return {
    id: `run-${file}`,
    file,
    cases,
    aggregates: aggregateRun(cases),
    judgeErrors: cases.reduce((s, c) => s + c.judgeErrors, 0),
    cache: { hits: 3, misses: 1 },
    tokens: { input: 100, output: 20 },
    ...extra,
  }
}

function report(runs: ReportRun[]): JsonReport {
  return {
    version: 1,
    invocation: { id: 'inv', startedAt: '2025-01-01T00:00:00.000Z', git: { commit: null, branch: null }, params: {} },
    runs,
    comparison: null,
  }
}

const passing: ReportCase = {
  name: 'capital > france',
  pass: true,
  scores: { answer_similarity: 1 },
  judgeErrors: 0,
  durationMs: 1234,
  metrics: {
    answer_similarity: {
      score: 1,
      raw: 5,
      kind: 'score',
      threshold: 0.75,
      pass: true,
      judge: 'openai:gpt-4.1-mini',
      justification: 'Same meaning.',
    },
  },
  output: 'Paris',
}

const failing: ReportCase = {
  name: `hostile ${HOSTILE}`,
  pass: false,
  scores: { answer_similarity: 0.25, latency: 812 },
  judgeErrors: 0,
  durationMs: 20,
  metrics: {
    answer_similarity: {
      score: 0.25,
      raw: 2,
      kind: 'score',
      threshold: 0.75,
      pass: false,
      judge: 'local',
      justification: HOSTILE,
      trials: [0.25, 0.5, 0],
    },
    latency: { score: 812, kind: 'measurement', greaterIsBetter: false },
  },
  output: `${HOSTILE}\n${'x'.repeat(1024 * 1024)}`,
}

const errored: ReportCase = {
  name: 'judge down',
  pass: false,
  scores: { faithfulness: null },
  judgeErrors: 1,
  metrics: {
    faithfulness: { score: null, kind: 'score', error: { code: 'VJ_JUDGE_HTTP', message: `503 ${HOSTILE}` } },
  },
}

describe('renderJunit', () => {
  const xml = renderJunit(report([run('evals/z.test.ts', [errored]), run('evals/a "qa".test.ts', [passing, failing])]))
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  })

  test('is valid XML whatever the model wrote', () => {
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(xml).not.toContain('CDATA')
    // No raw control characters and no lone surrogates survive.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking they are gone
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/)
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
    expect(xml).toContain('😀')
  })

  test('suites per file, sorted, with counts and times in seconds', () => {
    const doc = parser.parse(xml)
    const root = doc.testsuites
    expect(root['@tests']).toBe('3')
    expect(root['@failures']).toBe('1')
    expect(root['@errors']).toBe('1')
    const suites = root.testsuite
    expect(suites.map((s: Record<string, string>) => s['@name'])).toEqual(['evals/a "qa".test.ts', 'evals/z.test.ts'])
    expect(suites[0]['@tests']).toBe('2')
    expect(suites[0]['@failures']).toBe('1')
    expect(suites[0]['@time']).toBe('1.254')
    const cases = suites[0].testcase
    expect(cases[0]['@classname']).toBe('evals/a "qa".test.ts')
    expect(cases[0]['@name']).toBe('capital > france')
    expect(cases[0]['@time']).toBe('1.234')
  })

  test('metric results as properties only when asked; failures carry score and pass mark; judge errors are <error>', () => {
    const doc = parser.parse(xml)
    const [good, bad] = doc.testsuites.testsuite[0].testcase
    expect(good.properties).toBeUndefined()
    const withProps = parser.parse(
      renderJunit(report([run('evals/a "qa".test.ts', [passing, failing])]), { properties: true }),
    )
    const [goodP, badP] = withProps.testsuites.testsuite[0].testcase
    const props = Object.fromEntries(
      goodP.properties.property.map((p: Record<string, string>) => [p['@name'], p['@value']]),
    )
    expect(props).toMatchObject({
      'vitest-judge.answer_similarity.score': '1',
      'vitest-judge.answer_similarity.raw': '5',
      'vitest-judge.answer_similarity.threshold': '0.75',
      'vitest-judge.answer_similarity.judge': 'openai:gpt-4.1-mini',
      'vitest-judge.answer_similarity.justification': 'Same meaning.',
    })
    expect(good.failure).toBeUndefined()
    expect(bad.failure['@message']).toBe('answer_similarity 0.25 (raw 2/5) below pass mark 0.75, judge local')
    const badProps = Object.fromEntries(
      badP.properties.property.map((p: Record<string, string>) => [p['@name'], p['@value']]),
    )
    // Attribute values round-trip, minus what XML cannot carry.
    expect(badProps['vitest-judge.answer_similarity.justification']).toContain(']]> | </testcase></testsuite>')
    expect(badProps['vitest-judge.answer_similarity.justification']).toContain(
      'quotes " and \' and & and <tag attr="1">',
    )
    expect(badProps['vitest-judge.answer_similarity.trials']).toBe('0.25,0.5,0')
    const down = doc.testsuites.testsuite[1].testcase[0]
    expect(down.error['@type']).toBe('judge-error')
    expect(down.error['@message']).toContain('faithfulness: VJ_JUDGE_HTTP: 503')
  })

  test('very long texts are truncated with a marker', () => {
    expect(xml.length).toBeLessThan(40_000)
    expect(xml).toMatch(/… \[truncated \d+ chars\]/)
  })

  test('is deterministic', () => {
    const again = renderJunit(
      report([run('evals/a "qa".test.ts', [passing, failing]), run('evals/z.test.ts', [errored])]),
    )
    expect(again).toBe(xml)
  })

  test('an empty report is valid', () => {
    const empty = renderJunit(report([]))
    expect(XMLValidator.validate(empty)).toBe(true)
  })

  test('escapeXml', () => {
    expect(escapeXml(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;')
    expect(escapeXml('a\nb\tc', true)).toBe('a&#10;b&#9;c')
    expect(escapeXml('\u0001x\ud800')).toBe('x')
  })
})

describe('writeJunitSuite', () => {
  const judgeErrorsOnly: ReportCase = {
    name: 'two judge errors, no failed metric',
    pass: false,
    scores: {},
    judgeErrors: 2,
  }
  const assertionOnly: ReportCase = {
    name: 'plain assertion failed',
    pass: false,
    scores: { exact_match: 1 },
    judgeErrors: 0,
    error: 'expected 1 to be 2',
    metrics: { exact_match: { score: 1, kind: 'score', threshold: 1, pass: true } },
  }
  const cases = [passing, failing, errored, judgeErrorsOnly, assertionOnly]

  test('streams a suite a case at a time: no piece grows with the number of cases', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...passing, name: `case ${i}` }))
    const pieces: string[] = []
    writeJunitSuite(run('evals/many.test.ts', many), '2025-01-01T00:00:00.000Z', (text) => pieces.push(text))
    expect(pieces.length).toBeGreaterThan(2000)
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2000)
    expect(XMLValidator.validate(`<testsuites>\n${pieces.join('')}\n</testsuites>`)).toBe(true)
  })

  test('junitTotals gives the counts the rendered suite carries', () => {
    const r = run('evals/mixed.test.ts', cases, { durationMs: 4321 })
    const suite = renderJunitSuite(r, '2025-01-01T00:00:00.000Z')
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(suite.xml)
    expect(junitTotals(r)).toEqual({ tests: 5, failures: 2, errors: 2, ms: 4321 })
    expect(doc.testsuite['@failures']).toBe('2')
    expect(doc.testsuite['@errors']).toBe('2')
    const kinds = doc.testsuite.testcase.map((c: Record<string, unknown>) =>
      'failure' in c ? 'failure' : 'error' in c ? 'error' : 'pass',
    )
    expect(kinds).toEqual(['pass', 'failure', 'error', 'error', 'failure'])
  })
})
