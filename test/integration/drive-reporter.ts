/**
 * Invocations written by the real reporter from finished modules shaped like Vitest's (as in
 * test/unit/reporter.test.ts), so that the HTML tests control every case's text, including
 * hostile outputs, without a judge.
 */
import { join } from 'node:path'
import type { TestModule, Vitest } from 'vitest/node'
import type { VitestJudgeOptions } from '../../src/config.js'
import type { CaseMeta } from '../../src/report/case-meta.js'
import type { JudgeCallTally } from '../../src/report/types.js'
import { JudgeReporter } from '../../src/reporter/judge-reporter.js'

/** Text a model could answer with, to be shown as text and never run. */
export const HOSTILE = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<a href="javascript:window.__pwned = \'link\'">click</a>',
  '</script><script>window.__pwned = "break"</script>',
  '<style>body{display:none}</style><link rel=stylesheet href="http://127.0.0.1:9/x.css">',
  'bidi \u202eevil\u202c and \u2066isolate\u2069 end',
]

/** One case's record: the score cycles with `i + shift`, so that a shift changes scores. */
export function caseMeta(file: string, i: number, shift: number, output?: string): CaseMeta {
  const score = ((i + shift) % 5) / 4
  return {
    v: 1,
    id: `${file}-${i}`,
    input: `Question ${i} about topic-${i}`,
    output:
      output ?? `Answer ${i} variant ${shift}: the quick brown fox ${shift % 2 ? 'jumps over' : 'walks past'} the dog`,
    expected: `Reference ${i}`,
    // Every twelfth case has a retrieval context (two chunks), kept with the case.
    ...(i % 12 === 11 ? { context: [`Passage A for ${i}`, `Passage B for ${i}`] } : {}),
    metrics: {
      answer_similarity: {
        score,
        raw: 1 + ((i + shift) % 5),
        kind: 'score',
        threshold: 0.5,
        pass: score >= 0.5,
        judge: 'local',
        justification: `Overlap ${score} for case ${i}.`,
        ...(i % 7 === 0 ? { trials: [score, Math.max(0, score - 0.25), Math.min(1, score + 0.25)] } : {}),
      },
      latency: { score: 100 + i + shift * 10, kind: 'measurement', pass: null, greaterIsBetter: false },
      ...(i % 11 === 3
        ? {
            faithfulness: {
              score: null,
              kind: 'score' as const,
              error: { code: 'VJ_JUDGE_HTTP', message: 'HTTP 500' },
            },
          }
        : {}),
    },
    judgeErrors: i % 11 === 3 ? 1 : 0,
    cache: { hits: i % 2, misses: 1 },
    judgeTokens: { input: 10, output: 3 },
    tokens: { input: 5, output: 6 },
    latencyMs: 12 + i,
  }
}

function fakeModule(
  root: string,
  file: string,
  count: number,
  shift: number,
  outputs: Map<number, string>,
  judgeCalls?: InvocationSpec['judgeCalls'],
) {
  const tests = Array.from({ length: count }, (_, i) => {
    const calls = judgeCalls?.(file, i)
    const meta = {
      vitestJudge: { ...caseMeta(file, i, shift, outputs.get(i)), ...(calls ? { judgeCalls: calls } : {}) },
    }
    const pass = meta.vitestJudge.metrics.answer_similarity?.pass === true && meta.vitestJudge.judgeErrors === 0
    const result = pass
      ? { state: 'passed' }
      : { state: 'failed', errors: [{ message: 'answer_similarity below 0.5' }] }
    return { fullName: `case ${i}`, result: () => result, diagnostic: () => ({ duration: 5 }), meta: () => meta }
  })
  const module = {
    moduleId: join(root, file),
    children: { allTests: () => tests[Symbol.iterator]() },
    diagnostic: () => ({ duration: 50 }),
  }
  return module as unknown as TestModule
}

/** Options of {@link writeInvocation}. */
export interface InvocationSpec {
  files: Array<[file: string, cases: number]>
  shift?: number
  /** Case index -> output, in every file. */
  outputs?: Map<number, string>
  /** The judge calls a case made (none by default), as the worker records them. */
  judgeCalls?: (file: string, i: number) => Record<string, JudgeCallTally> | undefined
  options?: VitestJudgeOptions
}

/** Runs the reporter over one invocation in `root` (state folder `<root>/.vitest-judge`). */
export async function writeInvocation(root: string, spec: InvocationSpec): Promise<string[]> {
  const logged: string[] = []
  const vitest = {
    config: { root, reporters: [['default', {}]] },
    logger: {
      log: (t: string) => logged.push(t),
      warn: (t: string) => logged.push(t),
      error: (t: string) => logged.push(t),
    },
  } as unknown as Vitest
  const reporter = new JudgeReporter({
    dir: join(root, '.vitest-judge'),
    experiment: 'html-test',
    params: { model: `model-${spec.shift ?? 0}` },
    ...spec.options,
  })
  reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const modules = spec.files.map(([file, n]) =>
    fakeModule(root, file, n, spec.shift ?? 0, spec.outputs ?? new Map(), spec.judgeCalls),
  )
  // As Vitest does: each module end is awaited.
  for (const module of modules) await reporter.onTestModuleEnd(module)
  await reporter.onTestRunEnd(modules, [], 'passed')
  return logged
}
