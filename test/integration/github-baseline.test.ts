import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { assertBuilt, readOutputs, runCli } from '../fake-github/cli.js'
import { makeReport, tempDir, writeEvent } from '../fake-github/fixtures.js'
import { ACTIONS_BOT, type FakeGitHub, startFakeGitHub } from '../fake-github/server.js'

const REPO = 'octo-org/baselines'
const TOKEN = 'ghs_BaselineReader000000000000000000001'

describe('vitest-judge github-baseline (the CLI as a process)', () => {
  let github: FakeGitHub
  let dir: string

  async function baseline(args: string[], env: Record<string, string> = {}) {
    const output = join(tempDir('vj-output-'), 'output')
    writeFileSync(output, '')
    const run = await runCli(['github-baseline', ...args], {
      cwd: dir,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: REPO,
        GITHUB_OUTPUT: output,
        ...env,
      },
    })
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
    return { ...run, outputs: readOutputs(output) }
  }

  beforeAll(async () => {
    assertBuilt()
    github = await startFakeGitHub()
    github.addToken(TOKEN, { user: ACTIONS_BOT, installation: true })
    github.addArtifact(REPO, { name: 'vitest-judge-report', runId: 11, headBranch: 'main' })
    github.addArtifact(REPO, { name: 'vitest-judge-report', runId: 12, headBranch: 'trunk' })
    github.addArtifact(REPO, { name: 'vitest-judge-report', runId: 13, headBranch: 'feature' })
    dir = tempDir()
    mkdirSync(join(dir, 'downloaded', 'a'), { recursive: true })
    writeFileSync(join(dir, 'downloaded', 'a', 'report.json'), JSON.stringify(makeReport('main-run', 1)))
    writeFileSync(join(dir, 'downloaded', 'summary.md'), '# not json')
    writeFileSync(join(dir, 'not-a-report.json'), JSON.stringify({ hello: 'world' }))
    mkdirSync(join(dir, 'empty'))
  })
  afterAll(() => github?.close())

  test('an artifact name: the run id of the newest one on the default branch of the event', async () => {
    const run = await baseline(['vitest-judge-report'], {
      GITHUB_TOKEN: TOKEN,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: writeEvent({ repository: { full_name: REPO, default_branch: 'trunk' } }),
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe('12\n')
    expect(run.outputs).toMatchObject({ found: 'true', source: 'artifact', 'run-id': '12' })
    expect(run.stderr).toMatch(/baseline artifact "vitest-judge-report" \(id \d+\) from run 12 on trunk/)
  })

  test('--branch picks another branch; none there is a notice and exit 0', async () => {
    expect((await baseline(['vitest-judge-report', '--branch', 'main'], { GITHUB_TOKEN: TOKEN })).stdout).toBe('11\n')
    const none = await baseline(['vitest-judge-report', '--branch', 'release'], { GITHUB_TOKEN: TOKEN })
    expect(none.code).toBe(0)
    expect(none.stdout).toMatch(
      /^::notice title=vitest-judge::No baseline: no unexpired artifact "vitest-judge-report" from a run on release/,
    )
    expect(none.outputs).toEqual({ found: 'false', source: 'none' })
  })

  test('an artifact without a token, or with a token that may not read artifacts: exit 2 naming actions: read', async () => {
    const noToken = await baseline(['vitest-judge-report'])
    expect(noToken.code).toBe(2)
    expect(noToken.stderr).toMatch(/needs a token: set GITHUB_TOKEN .*actions: read/)
    github.faults.push({
      path: /actions\/artifacts$/,
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    })
    const forbidden = await baseline(['vitest-judge-report'], { GITHUB_TOKEN: TOKEN })
    expect(forbidden.code).toBe(2)
    expect(forbidden.stderr).toMatch(
      /answered 403 \(Resource not accessible by integration\)\. The token needs `permissions: actions: read`/,
    )
  })

  test('a folder: the report in it, printed alone on stdout, other files passed over', async () => {
    const run = await baseline(['downloaded'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe(`${join(dir, 'downloaded', 'a', 'report.json')}\n`)
    expect(run.outputs).toEqual({ found: 'true', source: 'path', path: join(dir, 'downloaded', 'a', 'report.json') })
  })

  test('nothing usable: a notice and exit 0; a named file that is no report: exit 2', async () => {
    const empty = await baseline(['empty'])
    expect(empty.code).toBe(0)
    expect(empty.stdout).toMatch(/::notice title=vitest-judge::No baseline: no JSON report in empty\./)
    const missing = await baseline(['./baseline/report.json'])
    expect(missing.code).toBe(0)
    expect(missing.stdout).toMatch(/No baseline: nothing at baseline\/report\.json\./)
    const bad = await baseline(['not-a-report.json'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/not-a-report\.json is not a version 1 vitest-judge report/)
  })

  test('usage errors', async () => {
    expect((await baseline([])).code).toBe(2)
    expect((await baseline(['a', 'b'])).stderr).toMatch(/Unexpected argument "b"/)
    expect((await baseline(['downloaded', '--branch', 'main'])).stderr).toMatch(
      /--branch and --repo go with an artifact name/,
    )
    expect((await baseline(['vitest-judge-report', '--repo', 'nope'], { GITHUB_TOKEN: TOKEN })).stderr).toMatch(
      /"nope" is not OWNER\/NAME/,
    )
    const help = await runCli(['github-baseline', '--help'])
    expect(help.stdout).toMatch(/^Usage: vitest-judge github-baseline <PATH \| ARTIFACT>/)
  })
})
