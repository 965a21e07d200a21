import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLValidator } from 'fast-xml-parser'
import { beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, REPO, runFixture, tempStateDir } from './run-fixture.js'

function cli(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), ...args, '--dir', dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('baseline comparison and the quality gate, end to end', () => {
  let tenant: FakeTenant
  let dir: string
  let env: Record<string, string>
  let good: FixtureRun
  let dropped: FixtureRun
  let oneCase: FixtureRun
  beforeAll(async () => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
    dir = tempStateDir()
    env = {
      OPENAI_API_KEY: FAKE_API_KEY,
      OPENAI_BASE_URL: tenant.openaiBaseURL,
      VITEST_JUDGE: 'openai:fake-judge',
      VITEST_JUDGE_BASELINE: 'tag:baseline',
    }
    good = await runFixture('gate', { dir, env: { ...env, VITEST_JUDGE_BASELINE: 'false' } })
    expect(cli(dir, 'tag', 'latest', 'baseline').code).toBe(0)
    dropped = await runFixture('gate', { dir, env: { ...env, GATE_DROP: 'qa:all' } })
    oneCase = await runFixture('gate', { dir, env: { ...env, GATE_DROP: 'qa:one' } })
  })

  test('the good run passes and records both files', () => {
    expect(good.exitCode).toBe(0)
    expect(good.report?.runs.map((r) => [r.file, r.cases.length])).toEqual([
      ['qa.eval.ts', 20],
      ['tone.eval.ts', 6],
    ])
  })

  test('every case of one file dropping from 5 to 2 fails the gate with a message naming file, metric and delta', () => {
    // The cases themselves still pass (0.25 >= minScore 0.25): only the gate fails the process.
    expect(dropped.tests.every((t) => t.state === 'passed')).toBe(true)
    expect(dropped.exitCode).toBe(1)
    expect(dropped.stdout).toMatch(/qa\.eval\.ts: answer_similarity mean 1\.000 -> 0\.250 \(-0\.750/)
    const qa = dropped.report?.comparison?.runs.find((r) => r.file === 'qa.eval.ts')
    const metric = qa?.metrics.find((m) => m.metric === 'answer_similarity')
    expect(metric).toMatchObject({ delta: -0.75, significant: true, status: 'regressed', test: 'paired' })
    const tone = dropped.report?.comparison?.runs.find((r) => r.file === 'tone.eval.ts')
    expect(tone?.metrics[0]?.status).toBe('unchanged')
  })

  test('the markdown summary shows the -0.75 delta marked significant', () => {
    const markdown = readFileSync(join(dir, 'summary.md'), 'utf8')
    // summary.md is rewritten by every run: read the dropped run's copy from its report instead when needed.
    expect(markdown).toContain('<!-- vitest-judge -->')
    const dropMarkdown = cli(
      dir,
      'compare',
      '--base',
      'tag:baseline',
      '--head',
      dropped.report?.invocation.id ?? '',
      '--format',
      'markdown',
    )
    expect(dropMarkdown.code).toBe(0)
    expect(dropMarkdown.stdout).toMatch(
      /`answer_similarity` \| 1\.000 \| 0\.250[^|]*\| -0\.750 \| [0-9.<]+, one-sided adj\. \*\*[0-9.<]+\*\* \(paired\)/,
    )
    expect(dropMarkdown.stdout).toContain("adjusted by Tarone's procedure with Holm's step-down over")
    expect(dropMarkdown.stdout).toContain('regressed')
  })

  test('one case of twenty dropping passes the gate', () => {
    expect(oneCase.exitCode).toBe(0)
    const qa = oneCase.report?.comparison?.runs.find((r) => r.file === 'qa.eval.ts')
    expect(qa?.metrics[0]).toMatchObject({ significant: false, status: 'unchanged' })
    expect(qa?.metrics[0]?.delta).toBeCloseTo(-0.75 / 20, 10)
  })

  test('the CLI gives the same verdicts with the right exit codes', () => {
    const gate = ['--base', 'tag:baseline', '--fail-on-regression', '--max-drop', '0.1']
    const drop = cli(dir, 'compare', '--head', dropped.report?.invocation.id ?? '', ...gate)
    expect(drop.code).toBe(1)
    expect(drop.stderr).toMatch(/qa\.eval\.ts: answer_similarity/)
    expect(cli(dir, 'compare', '--head', oneCase.report?.invocation.id ?? '', ...gate).code).toBe(0)
    expect(cli(dir, 'compare', '--head', 'tag:nope', ...gate).code).toBe(2)
  })

  test('JUnit of the runs is valid XML with one testsuite per file', () => {
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8')
    expect(XMLValidator.validate(xml)).toBe(true)
    expect(xml.match(/<testsuite /g)).toHaveLength(2)
    expect(xml.match(/<testcase /g)).toHaveLength(26)
  })
})

test('two shards merge into one report with all files', async () => {
  const tenant = fakeTenant(inject('fakeProviderUrl'))
  const env = { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' }
  const [one, two] = await Promise.all([
    runFixture('gate', { env: { ...env, FIXTURE_SHARD: '1/2' } }),
    runFixture('gate', { env: { ...env, FIXTURE_SHARD: '2/2' } }),
  ])
  expect(one.report?.runs).toHaveLength(1)
  expect(two.report?.runs).toHaveLength(1)
  const out = join(tempStateDir(), 'merged.json')
  const merged = cli(one.dir, 'merge', join(one.dir, 'report.json'), join(two.dir, 'report.json'), '--out', out)
  expect(merged.code).toBe(0)
  const report = JSON.parse(readFileSync(out, 'utf8'))
  expect(report.version).toBe(1)
  expect(report.runs.map((r: { file: string }) => r.file)).toEqual(['qa.eval.ts', 'tone.eval.ts'])
  expect(report.runs.reduce((n: number, r: { cases: unknown[] }) => n + r.cases.length, 0)).toBe(26)
})
