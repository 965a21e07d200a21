/**
 * `vitest-judge compare A B C ...` as a process, on three real invocations of one fixture recorded
 * with different `params.model` (plus a fourth that ran another file only).
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { CompareManyReport } from '../../src/cli/commands/compare-many.js'
import { REPO, runFixture, tempStateDir } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')

let dir: string
const ids: Record<string, string> = {}

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }
  delete env.VITEST_JUDGE_DIR
  const result = spawnSync(process.execPath, [CLI, '--dir', dir, ...args], {
    cwd: REPO,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

beforeAll(async () => {
  dir = tempStateDir()
  for (const model of ['ref-model', 'vague-model', 'copy-model']) {
    const run = await runFixture('compare-many', { dir, env: { FIXTURE_MODEL: model }, filters: ['qa.eval.ts'] })
    ids[model] = run.report?.invocation.id ?? ''
  }
  const other = await runFixture('compare-many', {
    dir,
    env: { FIXTURE_MODEL: 'ref-model' },
    filters: ['other.eval.ts'],
  })
  ids.other = other.report?.invocation.id ?? ''
}, 240_000)

describe('compare A B C', () => {
  test('text: one matrix, columns labelled by params.model; the worse model significantly worse, the equal ones tied', () => {
    const { code, stdout, stderr } = cli([
      'compare',
      ids['ref-model'] ?? '',
      ids['vague-model'] ?? '',
      ids['copy-model'] ?? '',
      '--by',
      'params.model',
    ])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('3 invocations side by side')
    expect(stdout).toMatch(/variants\s+qa\.eval\.ts · 3 columns · 8 cases/)
    expect(stdout).toMatch(/\s+ref-model\s+vague-model\s+copy-model/)
    expect(stdout).toMatch(/exact_match\s+1\.000 \[1\.000, 1\.000\]\s+0\.000 \[0\.000, 0\.000\] ▼\s+1\.000/)
    // 8 of 8 cases worse: exact p = 2/256, Holm over 3 pairs: 3 x 2/256 = 0.023.
    expect(stdout).toContain(
      'exact_match: tie between ref-model, copy-model (no significant difference at alpha 0.05, Holm); worse than ref-model: vague-model (p_adj 0.023)',
    )
  })

  test('json: the matrix with pairs and adjusted p-values; --cases lists the most divergent cases with outputs', () => {
    const { code, stdout } = cli([
      'compare',
      ids['ref-model'] ?? '',
      ids['vague-model'] ?? '',
      ids['copy-model'] ?? '',
      '--by',
      'params.model',
      '--format',
      'json',
      '--cases',
    ])
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as CompareManyReport
    expect(report.columns.map((c) => [c.label, c.invocationId])).toEqual([
      ['ref-model', ids['ref-model']],
      ['vague-model', ids['vague-model']],
      ['copy-model', ids['copy-model']],
    ])
    const matrix = report.variants[0]
    expect(report.variants).toHaveLength(1)
    const exact = matrix?.metrics.find((m) => m.metric === 'exact_match')
    expect(exact?.verdict).toBe('tie')
    expect(exact?.leaders).toEqual([0, 2])
    expect(exact?.worse).toEqual([1])
    expect(exact?.pairs.find((p) => p.a === 0 && p.b === 1)?.pAdjusted).toBeCloseTo(6 / 256, 10)
    expect(matrix?.divergentCases).toHaveLength(5)
    expect(matrix?.divergentCases[0]?.scores).toEqual([1, 0, 1])
    expect(matrix?.divergentCases[0]?.outputs[1]).toMatch(/^No idea about: /)
  })

  test('markdown, labelled by invocation without --by; two selectors work too', () => {
    const { code, stdout } = cli(['compare', ids['ref-model'] ?? '', ids['vague-model'] ?? '', '--format', 'markdown'])
    expect(code).toBe(0)
    expect(stdout).toContain('## vitest-judge: 2 invocations side by side')
    expect(stdout).toContain('| metric |')
    expect(stdout).toMatch(/- ★ exact_match: best .+, better than .+ \(p_adj 0\.008\)/)
  })

  test('the --base/--head form still compares two runs', () => {
    const { code, stdout } = cli(['compare', '--base', ids['ref-model'] ?? '', '--head', ids['vague-model'] ?? ''])
    expect(code).toBe(0)
    expect(stdout).toMatch(/regressed/)
  })

  test.each([
    [['compare', 'latest'], /compare needs at least two selectors/],
    [['compare', 'ID:ref-model', 'ID:other'], /share no test file/],
    [['compare', 'ID:ref-model', 'ID:copy-model', '--by', 'model'], /--by takes params\.NAME/],
    [
      ['compare', 'ID:ref-model', 'ID:copy-model', '--by', 'params.prompt'],
      /has no param "prompt" \(its params: model\)/,
    ],
    [['compare', 'ID:ref-model', 'ID:copy-model', '--base', 'latest'], /--base belongs to the two-run form/],
    [['compare', '--head', 'latest', '--cases'], /--cases belongs to the side-by-side form/],
    [['compare', 'ID:ref-model', 'nope-no-such'], /nope-no-such/],
  ])('%j: exit 2 with a message saying what to fix', (args, message) => {
    const { code, stdout, stderr } = cli(args.map((a) => (a.startsWith('ID:') ? (ids[a.slice(3)] ?? a) : a)))
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(message)
  })
})
