import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { type FixtureRun, REPO, runFixture, tempStateDir } from './run-fixture.js'

function cli(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), ...args, '--dir', dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('the gate on a slower app and on a real drop, end to end', () => {
  let dir: string
  let slower: FixtureRun
  let slowerGated: FixtureRun
  let wrong: FixtureRun
  beforeAll(async () => {
    dir = tempStateDir()
    const good = await runFixture('gate-measurements', { dir, env: { VITEST_JUDGE_BASELINE: 'false' } })
    expect(good.exitCode).toBe(0)
    expect(cli(dir, 'tag', 'latest', 'baseline').code).toBe(0)
    const env = { VITEST_JUDGE_BASELINE: 'tag:baseline' }
    slower = await runFixture('gate-measurements', { dir, env: { ...env, GATE_SLOW: '1' } })
    slowerGated = await runFixture('gate-measurements', {
      dir,
      env: { ...env, GATE_SLOW: '1', GATE_MEASUREMENTS: 'latency=0.5' },
    })
    wrong = await runFixture('gate-measurements', { dir, env: { ...env, GATE_WRONG: '1' } })
  })

  test('a slower app with unchanged answers passes a score gate; the latency rise is shown, not gated', () => {
    expect(slower.exitCode).toBe(0)
    const latency = slower.report?.comparison?.runs[0]?.metrics.find((m) => m.metric === 'latency')
    expect(latency).toMatchObject({ kind: 'measurement', pAdjusted: null, status: 'regressed' })
    expect(latency?.delta).toBeGreaterThan(50)
    expect(slower.stdout).not.toContain('✗ gate')
  })

  test('the same with gate.measurements.latency = 0.5 fails, naming the limit and both p-values', () => {
    expect(slowerGated.tests.every((t) => t.state === 'passed')).toBe(true)
    expect(slowerGated.exitCode).toBe(1)
    expect(slowerGated.stdout).toMatch(
      /✗ gate answers\.eval\.ts: latency mean [0-9.]+ -> [0-9.]+ \(\+[0-9.]+, \+\d+%, one-sided p<0\.001, Tarone-Holm-adjusted p<0\.001 over 1 test\) rose more than gate\.measurements\.latency 0\.5 \(50% of the baseline mean\)/,
    )
    expect(slowerGated.report?.comparison?.correction).toEqual({
      method: 'holm',
      tests: 1,
      excluded: 1,
      sided: 'one-sided',
      procedure: 'tarone-holm',
    })
  })

  test('a real score drop fails with file, metric, delta, raw and adjusted p', () => {
    expect(wrong.tests.every((t) => t.state === 'passed')).toBe(true)
    expect(wrong.exitCode).toBe(1)
    expect(wrong.stdout).toMatch(
      /✗ gate answers\.eval\.ts: token_f1 mean 1\.000 -> 0\.[0-9]{3} \(-0\.[0-9]{3}, one-sided p<0\.001, Tarone-Holm-adjusted p<0\.001 over 1 test\) dropped more than gate\.maxDrop 0\.05 at alpha 0\.05/,
    )
    expect(wrong.stdout).toContain('one-sided Tarone-Holm over')
    const f1 = wrong.report?.comparison?.runs[0]?.metrics.find((m) => m.metric === 'token_f1')
    expect(f1?.pAdjusted).toBeLessThan(0.001)
  })

  test('the CLI gates measurements only when --measurements names them', () => {
    const head = slower.report?.invocation.id ?? ''
    const base = ['--base', 'tag:baseline', '--head', head, '--fail-on-regression']
    expect(cli(dir, 'compare', ...base).code).toBe(0)
    const gated = cli(dir, 'compare', ...base, '--measurements', 'latency=0.5')
    expect(gated.code).toBe(1)
    expect(gated.stderr).toMatch(/answers\.eval\.ts: latency mean .* rose more than gate\.measurements\.latency 0\.5/)
    expect(cli(dir, 'compare', ...base, '--measurements', 'latency=100').code).toBe(0)
    const bad = cli(dir, 'compare', ...base, '--measurements', 'latency')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('metric=fraction')
  })
})
