/**
 * GitHub annotations from the reporter: workflow commands escaped per the runner's rules, on the
 * test's file and line, gate failures on the eval file, bounded to what GitHub keeps; and the text
 * helpers that keep data off the start of a log line.
 */
import { describe, expect, test } from 'vitest'
import { memoryIo, redactingIo } from '../../src/cli/io.js'
import type { GateFailure } from '../../src/report/compare.js'
import {
  escapeCommandProperty,
  formatWorkflowCommand,
  renderGithubAnnotations,
} from '../../src/report/github-annotations.js'
import { defuseCommands, singleLine } from '../../src/report/text.js'
import type { ReportCase, ReportRun } from '../../src/report/types.js'

/** Unescapes a command the way the runner does (properties: %3A %2C too). */
function parseCommand(line: string): { command: string; props: Record<string, string>; message: string } {
  const match = line.match(/^::(\w+)(?: ([^:]*))?::(.*)$/)
  if (!match) throw new Error(`not a command: ${line}`)
  const unescapeValue = (s: string) =>
    s.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
  const props: Record<string, string> = {}
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=')
    props[pair.slice(0, at)] = unescapeValue(pair.slice(at + 1))
  }
  return { command: match[1] ?? '', props, message: unescapeValue(match[3] ?? '') }
}

const failed = (name: string, extra: Partial<ReportCase> = {}): ReportCase => ({
  name,
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
      justification: 'Off topic.\n::warning::from-justification 100%',
    },
  },
  output: 'Bananas\r\n::error::from-output',
  ...extra,
})

function run(file: string, cases: ReportCase[]): ReportRun {
  return {
    id: 'r',
    file,
    cases,
    aggregates: {},
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
  }
}

const gate: GateFailure = {
  file: 'evals/qa.eval.ts',
  metric: 'answer_similarity',
  kind: 'regression',
  baseMean: 0.9,
  headMean: 0.5,
  delta: -0.4,
  pValue: 0.001,
  pAdjusted: 0.002,
  threshold: 0.1,
  message: 'evals/qa.eval.ts: answer_similarity mean 0.900 -> 0.500 (-0.400), p=0.001',
}

describe('renderGithubAnnotations', () => {
  const text = renderGithubAnnotations(
    { runs: [run('evals/qa.eval.ts', [failed('qa > evil\n::warning::x, a:b'), { ...failed('ok'), pass: true }])] },
    [gate],
    { pathPrefix: 'packages/app/' },
  )
  const lines = text.trimEnd().split('\n')

  test('one command per gate failure and failed case; every line is one of ours', () => {
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line).toMatch(/^::error /)
  })

  test('the gate failure points at the eval file', () => {
    const cmd = parseCommand(lines[0] ?? '')
    expect(cmd.props).toEqual({ file: 'packages/app/evals/qa.eval.ts', title: 'vitest-judge gate: answer_similarity' })
    expect(cmd.message).toBe(gate.message)
  })

  test("a failed case lands on the test's line, with the scores; data round-trips through the escaping", () => {
    const cmd = parseCommand(lines[1] ?? '')
    expect(cmd.props).toEqual({
      file: 'packages/app/evals/qa.eval.ts',
      line: '12',
      col: '3',
      title: 'vitest-judge: qa > evil ::warning::x, a:b',
    })
    expect(cmd.message).toBe(
      'answer_similarity 0.25 (raw 2/5) below pass mark 0.75, judge local\n' +
        'justification: Off topic. ::warning::from-justification 100%\noutput: Bananas ::error::from-output',
    )
  })

  test('past maxErrors one notice counts the rest; cases a run summary only counts are counted', () => {
    const many = Array.from({ length: 12 }, (_, i) => failed(`case ${i}`))
    const out = renderGithubAnnotations({ runs: [run('a.eval.ts', many)] }, [], { maxErrors: 10 })
    const commands = out.trimEnd().split('\n')
    expect(commands.filter((l) => l.startsWith('::error '))).toHaveLength(10)
    expect(parseCommand(commands[10] ?? '').message).toMatch(/^2 more failures not annotated/)
    // The reporter hands run summaries: the first failed cases whole, the others counted.
    const { cases: _cases, ...rest } = run('b.eval.ts', [])
    const summary = { ...rest, caseCount: 40, failedCount: 30, failedCases: many.slice(0, 3), kinds: {} }
    const fromSummary = renderGithubAnnotations({ runs: [summary] }, [])
      .trimEnd()
      .split('\n')
    expect(fromSummary.filter((l) => l.startsWith('::error '))).toHaveLength(3)
    expect(parseCommand(fromSummary[3] ?? '').message).toMatch(/^27 more failures not annotated/)
  })

  test('nothing failed: nothing printed', () => {
    expect(renderGithubAnnotations({ runs: [run('a.eval.ts', [{ ...failed('x'), pass: true }])] }, [])).toBe('')
  })

  test('a judge error comes before the failed metrics', () => {
    const c = failed('t', {
      scores: { answer_similarity: 0.25, faithfulness: null },
      metrics: {
        ...failed('t').metrics,
        faithfulness: { score: null, kind: 'score', error: { code: 'VJ_JUDGE_HTTP', message: 'Judge x: 503' } },
      },
    })
    const cmd = parseCommand(renderGithubAnnotations({ runs: [run('a.eval.ts', [c])] }, []).trimEnd())
    expect(cmd.message.split('\n')[0]).toBe('faithfulness: VJ_JUDGE_HTTP: Judge x: 503')
  })
})

describe('workflow-command escaping', () => {
  test('properties escape % CR LF : and ,', () => {
    expect(escapeCommandProperty('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac%3Ad%2Ce')
  })

  test('a message cannot start a new command or carry control characters', () => {
    const line = formatWorkflowCommand({ command: 'notice', message: 'x\n::error::y\u001b[31m\u0007' })
    expect(line).toBe('::notice::x%0A::error::y')
    expect(line.split('\n')).toHaveLength(1)
  })

  test('singleLine and defuseCommands', () => {
    expect(singleLine('a\nb\r\n\tc\u2028d  e')).toBe('a b c d  e')
    expect(defuseCommands('ok\n  ::warning::x\r::error::y\n:::z\na::b')).toBe(
      'ok\n  : :warning::x\r: :error::y\n: ::z\na::b',
    )
  })

  test('the CLI quotes data on standard error without starting a command; its own commands stay on standard output', () => {
    const io = memoryIo()
    const safe = redactingIo(io)
    safe.stderr('vitest-judge: no run "x\n::warning::y"\n')
    safe.stdout('::notice title=vitest-judge::ok\n')
    expect(io.err()).toBe('vitest-judge: no run "x\n: :warning::y"\n')
    expect(io.out()).toBe('::notice title=vitest-judge::ok\n')
  })
})
