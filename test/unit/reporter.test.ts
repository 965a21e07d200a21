import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { TestModule, Vitest } from 'vitest/node'
import type { VitestJudgeOptions } from '../../src/config.js'
import { resolveOptions } from '../../src/config.js'
import type { CaseMeta } from '../../src/report/case-meta.js'
import type { JsonReport } from '../../src/report/types.js'
import { canReleaseCaseMeta } from '../../src/reporter/case-meta-release.js'
import { JudgeReporter } from '../../src/reporter/judge-reporter.js'
import { PluginReporter } from '../../src/reporter/plugin-reporter.js'
import { openRunStore } from '../../src/store/open.js'

// The reporter is driven here with finished modules shaped like Vitest's TestModule (as it reads
// them), so that its output files can be checked byte for byte; the integration tests run it in Vitest.

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

function caseMeta(file: string, i: number): CaseMeta {
  const score = (i % 5) / 4
  return {
    v: 1,
    id: `${file}-${i}`,
    input: `Question ${i}: "quoted", <tagged> & \u00e9\u00e8 \ud83d\ude00`,
    output: `Answer ${i}\nsecond line\twith tab`,
    expected: `Reference ${i}`,
    metrics: {
      answer_similarity: {
        score,
        raw: 1 + (i % 5),
        kind: 'score',
        threshold: 0.5,
        pass: score >= 0.5,
        judge: 'local',
        justification: `Overlap ${score}.`,
      },
      latency: { score: 100 + i, kind: 'measurement', pass: null, greaterIsBetter: false },
    },
    judgeErrors: 0,
    cache: { hits: 0, misses: 1 },
    judgeTokens: { input: 0, output: 0 },
  }
}

interface FakeCase {
  meta: Record<string, unknown>
}

function fakeModule(root: string, file: string, count: number): { module: TestModule; cases: FakeCase[] } {
  const cases: FakeCase[] = []
  const tests = Array.from({ length: count }, (_, i) => {
    const meta: Record<string, unknown> = { vitestJudge: caseMeta(file, i) }
    cases.push({ meta })
    const pass = (meta.vitestJudge as CaseMeta).metrics.answer_similarity?.pass === true
    const result = pass
      ? { state: 'passed' }
      : { state: 'failed', errors: [{ message: 'answer_similarity below 0.5' }] }
    return {
      fullName: `${file} > case ${i}`,
      result: () => result,
      diagnostic: () => ({ duration: 5 }),
      meta: () => meta,
    }
  })
  const module = {
    moduleId: join(root, file),
    children: { allTests: () => tests[Symbol.iterator]() },
    diagnostic: () => ({ duration: 50 }),
  }
  return { module: module as unknown as TestModule, cases }
}

async function runReporter(
  options: { reporters?: unknown[]; files?: Array<[string, number]>; reports?: VitestJudgeOptions['reports'] } = {},
) {
  const root = mkdtempSync(join(tmpdir(), 'vj-reporter-'))
  roots.push(root)
  const dir = join(root, '.vitest-judge')
  const logged: string[] = []
  const vitest = {
    config: { root, reporters: options.reporters ?? [['default', {}]] },
    logger: { log: (t: string) => logged.push(t), error: (t: string) => logged.push(t) },
  } as unknown as Vitest
  const reporter = new JudgeReporter({ dir, baseline: false, reports: options.reports })
  await reporter.onInit(vitest)
  await reporter.onTestRunStart()
  const made = (
    options.files ?? [
      ['evals/b.eval.ts', 30],
      ['evals/a.eval.ts', 20],
    ]
  ).map(([file, n]) => fakeModule(root, file, n))
  for (const { module } of made) await reporter.onTestModuleEnd(module)
  await reporter.onTestRunEnd(
    made.map((m) => m.module),
    [],
    'passed',
  )
  return { root, dir, cases: made.flatMap((m) => m.cases), logged }
}

describe('JudgeReporter', () => {
  test('report.json is the report as JSON.stringify indents it, every case in file order', async () => {
    const { dir } = await runReporter()
    const text = readFileSync(join(dir, 'report.json'), 'utf8')
    const report = JSON.parse(text) as JsonReport
    expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`)
    expect(report.runs.map((r) => [r.file, r.cases.length])).toEqual([
      ['evals/a.eval.ts', 20],
      ['evals/b.eval.ts', 30],
    ])
    expect(report.runs[0]?.cases[3]).toMatchObject({
      name: 'evals/a.eval.ts > case 3',
      input: 'Question 3: "quoted", <tagged> & \u00e9\u00e8 \ud83d\ude00',
      output: 'Answer 3\nsecond line\twith tab',
      scores: { answer_similarity: 0.75, latency: 103 },
    })
    // The spool the pieces went through is gone.
    expect(readdirSync(dir).filter((f) => f.startsWith('.spool-'))).toEqual([])
  })

  test('junit.xml holds every case with the counts', async () => {
    const { dir } = await runReporter()
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8')
    expect(XMLValidator.validate(xml)).toBe(true)
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (n) => n === 'testsuite' || n === 'testcase',
    }).parse(xml)
    expect(doc.testsuites['@tests']).toBe('50')
    // Scores 0 and 0.25 (i % 5 of 0 and 1) fail: 8 of 20 and 12 of 30.
    expect(doc.testsuites['@failures']).toBe('20')
    expect(doc.testsuites.testsuite.map((s: Record<string, unknown>) => (s.testcase as unknown[]).length)).toEqual([
      20, 30,
    ])
  })

  test("with Vitest's own console reporters only, the case records leave task.meta once saved", async () => {
    const { cases } = await runReporter({
      reporters: [
        ['default', {}],
        ['junit', {}],
      ],
    })
    expect(cases.every((c) => (c.meta.vitestJudge as { v?: number }).v === undefined)).toBe(true)
  })

  test('with the JSON and JUnit reports off, the records are released as soon as the run is saved', async () => {
    const { cases, dir } = await runReporter({ reports: { json: false, junit: false } })
    expect(cases.every((c) => (c.meta.vitestJudge as { v?: number }).v === undefined)).toBe(true)
    expect(readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.xml'))).toEqual([])
  })

  test('a reporter that may read task.meta (json, blob, custom) keeps the records whole', async () => {
    for (const reporters of [
      [
        ['default', {}],
        ['json', {}],
      ],
      [['blob', {}]],
      [['./my-reporter.ts', {}]],
      [{ onTestRunEnd() {} }],
    ]) {
      const { cases } = await runReporter({ reporters })
      const meta = cases[0]?.meta.vitestJudge as CaseMeta
      expect(meta.output, JSON.stringify(reporters)).toBe('Answer 0\nsecond line\twith tab')
      expect(meta.metrics.answer_similarity?.justification).toBe('Overlap 0.')
    }
  })
})

describe('when a finished file is recorded', () => {
  const recorded = (cases: FakeCase[]) => cases.every((c) => (c.meta.vitestJudge as { v?: number }).v === undefined)

  async function started() {
    const root = mkdtempSync(join(tmpdir(), 'vj-reporter-'))
    roots.push(root)
    const vitest = {
      config: { root, reporters: [['default', {}]] },
      logger: { log: () => {}, error: () => {} },
    } as unknown as Vitest
    const reporter = new JudgeReporter({ dir: join(root, '.vitest-judge'), baseline: false })
    await reporter.onInit(vitest)
    await reporter.onTestRunStart()
    return { root, reporter }
  }

  // The records leave task.meta once the file's run is saved: that is when it was recorded.
  test('soon after it ends when no other file is starting, and not while the next file is collected', async () => {
    const { root, reporter } = await started()
    const a = fakeModule(root, 'evals/a.eval.ts', 20)
    reporter.onTestModuleEnd(a.module)
    await vi.waitFor(() => expect(recorded(a.cases)).toBe(true), { timeout: 3000, interval: 20 })

    // The next file's worker imports and collects it, waiting on the main process: the file that
    // ended meanwhile is recorded once the next one's tests start, not on the timer.
    const c = fakeModule(root, 'evals/c.eval.ts', 20)
    reporter.onTestModuleQueued(c.module)
    const b = fakeModule(root, 'evals/b.eval.ts', 20)
    reporter.onTestModuleEnd(b.module)
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(recorded(b.cases)).toBe(false)
    reporter.onTestModuleStart(c.module)
    await vi.waitFor(() => expect(recorded(b.cases)).toBe(true), { timeout: 3000, interval: 20 })

    reporter.onTestModuleEnd(c.module)
    await reporter.onTestRunEnd([a.module, b.module, c.module], [], 'passed')
    expect(recorded(c.cases)).toBe(true)
  })

  test("a test's result read as it arrived is the one recorded", async () => {
    const { root, reporter } = await started()
    const a = fakeModule(root, 'evals/a.eval.ts', 3)
    const tests = Array.from(a.module.children.allTests()).map((t, i) =>
      Object.assign(t, { id: `t${i}`, module: a.module }),
    )
    for (const t of tests) reporter.onTestCaseResult(t)
    // Read early, the records stay what they were when the results arrived.
    const second = a.cases[1] as FakeCase
    second.meta.vitestJudge = { v: 1, changed: true }
    reporter.onTestModuleEnd(a.module)
    await reporter.onTestRunEnd([a.module], [], 'passed')
    const report = JSON.parse(readFileSync(join(root, '.vitest-judge', 'report.json'), 'utf8')) as JsonReport
    expect(report.runs[0]?.cases.map((c) => c.output)).toEqual([
      'Answer 0\nsecond line\twith tab',
      'Answer 1\nsecond line\twith tab',
      'Answer 2\nsecond line\twith tab',
    ])
  })
})

describe('an answer that holds what looks like a key', () => {
  test('is redacted in every report, and report.json stays JSON (the value ends before a backslash)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vj-reporter-'))
    roots.push(root)
    const dir = join(root, '.vitest-judge')
    const vitest = {
      config: { root, reporters: [['default', {}]] },
      logger: { log: () => {}, error: () => {} },
    } as unknown as Vitest
    const reporter = new JudgeReporter({ dir, baseline: false })
    await reporter.onInit(vitest)
    await reporter.onTestRunStart()
    const a = fakeModule(root, 'evals/a.eval.ts', 5)
    // In the JSON text of report.json this answer reads `?key=abc123\"`: a redacted value that took
    // the backslash along left the quote unescaped.
    ;(a.cases[2]?.meta.vitestJudge as CaseMeta).output = 'see https://x.test/v1?key=abc123" and ?key=def456\\'
    await reporter.onTestModuleEnd(a.module)
    await reporter.onTestRunEnd([a.module], [], 'passed')
    const text = readFileSync(join(dir, 'report.json'), 'utf8')
    const report = JSON.parse(text) as JsonReport
    expect(report.runs[0]?.cases[2]?.output).toBe('see https://x.test/v1?key=[redacted]" and ?key=[redacted]\\')
    expect(text).not.toContain('abc123')
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).not.toContain('abc123')
  })
})

describe('canReleaseCaseMeta', () => {
  const self = {}
  test('only the built-in reporters that never read meta, and this reporter', () => {
    expect(canReleaseCaseMeta([['default', {}], self, ['vitest-judge/reporter', {}], 'dot'], self)).toBe(true)
    expect(canReleaseCaseMeta([['json', {}]], self)).toBe(false)
    expect(canReleaseCaseMeta([['html', {}]], self)).toBe(false)
    expect(canReleaseCaseMeta([{}], self)).toBe(false)
  })
  test("the plugin's reporter (which loads this one when the first file runs) counts as this reporter", () => {
    const added = new PluginReporter(resolveOptions({}, { root: process.cwd() }))
    expect(canReleaseCaseMeta(['default', added], new JudgeReporter({}))).toBe(true)
    expect(canReleaseCaseMeta(['default', added, {}], new JudgeReporter({}))).toBe(false)
  })
})

describe("the plugin's reporter, while the first worker starts, transforms the setup file and then loads its work", () => {
  // Shaped like the Vitest fields the warm-up reads; the transform itself is Vite's (integration runs use it).
  function vitestWith(
    root: string,
    projects: { environment?: string; browser?: boolean; setupFiles: string[] }[],
    transformMs = 0,
  ) {
    const asked: string[] = []
    const environments = (name: string) => ({
      transformRequest: async (url: string) => {
        asked.push(`${name} ${url}`)
        await new Promise((resolve) => setTimeout(resolve, transformMs))
        if (name === 'ssr' && url.includes('failing')) throw new Error('no')
        return null
      },
    })
    const vitest = {
      logger: { log() {}, warn() {}, error() {} },
      config: { root, ui: false, reporters: [] },
      projects: projects.map((p) => ({
        config: {
          environment: p.environment ?? 'node',
          browser: { enabled: p.browser ?? false },
          setupFiles: p.setupFiles,
        },
        vite: { environments: { ssr: environments('ssr'), client: environments('client') } },
      })),
    }
    return { vitest: vitest as unknown as Vitest, asked }
  }

  async function started(setup: string, projects: Parameters<typeof vitestWith>[1]) {
    const root = mkdtempSync(join(tmpdir(), 'vj-plugin-reporter-'))
    roots.push(root)
    const { vitest, asked } = vitestWith(root, projects)
    const reporter = new PluginReporter(resolveOptions({ judge: 'local', dir: join(root, 'state') }, { root }), setup)
    await reporter.onInit(vitest)
    reporter.onTestRunStart()
    expect(asked).toEqual([])
    // The invocation is recorded as started once the reporter's work is loaded: before any file ran.
    await vi.waitFor(() => expect(readdirSync(join(root, 'state'))).toContain('runs.db'), { timeout: 5000 })
    await reporter.onTestRunEnd([], [], 'passed')
    return asked
  }

  test('in the environment each project fetches it from, only where it is listed, not in browser mode', async () => {
    const setup = '/p/node_modules/vitest-judge/dist/setup-file.js'
    const asked = await started(setup, [
      { setupFiles: [setup, '/p/own-setup.ts'] },
      { environment: 'jsdom', setupFiles: [setup] },
      { environment: 'happy-dom', setupFiles: [setup] },
      { browser: true, setupFiles: [setup] },
      { setupFiles: ['/p/own-setup.ts'] },
    ])
    expect(asked).toEqual([`ssr ${setup}`, `client ${setup}`, `client ${setup}`])
  })

  test('a run that ends before the setup file is transformed (no file to run) is recorded once, complete', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vj-plugin-reporter-'))
    roots.push(root)
    const setup = '/p/setup-file.js'
    const { vitest, asked } = vitestWith(root, [{ setupFiles: [setup] }], 50)
    const dir = join(root, 'state')
    const reporter = new PluginReporter(resolveOptions({ judge: 'local', dir }, { root }), setup)
    await reporter.onInit(vitest)
    reporter.onTestRunStart()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(asked).toEqual([`ssr ${setup}`])
    await reporter.onTestRunEnd([], [], 'passed')
    await new Promise((resolve) => setTimeout(resolve, 150))
    const store = await openRunStore({ dir, readonly: true })
    try {
      expect((await store.listInvocations({ limit: 10 })).map((i) => i.status)).toEqual(['complete'])
    } finally {
      await store.close()
    }
  })

  test('a Windows path as Vitest lists it (forward slashes); a failed transform is left to the worker', async () => {
    const asked = await started('C:\\p\\failing\\setup-file.js', [{ setupFiles: ['C:/p/failing/setup-file.js'] }])
    expect(asked).toEqual(['ssr C:/p/failing/setup-file.js'])
  })
})
