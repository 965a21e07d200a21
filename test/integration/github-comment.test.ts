import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MARKDOWN_MARKER } from '../../src/report/markdown.js'
import { assertBuilt, type CliRun, readOutputs, runCli } from '../fake-github/cli.js'
import {
  compared,
  makeReport,
  pullRequestEvent,
  tempDir,
  workflowRunEvent,
  writeEvent,
} from '../fake-github/fixtures.js'
import { ACTIONS_BOT, type FakeGitHub, startFakeGitHub } from '../fake-github/server.js'

const REPO = 'octo-org/hello-world'
const BOT_TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a'
const READ_ONLY = 'ghs_ReadOnly2c6912E7710c838347Ae178B4a'
const PAT = 'ghp_PersonalAccessToken7710c838347Ae178'
const TOKENS = [BOT_TOKEN, READ_ONLY, PAT]

describe('vitest-judge github-comment (the CLI as a process, against a fake GitHub API)', () => {
  let github: FakeGitHub
  let dir: string
  const runs: CliRun[] = []

  /** Runs the CLI in a job-like environment: the pull request event, GITHUB_OUTPUT, the API URL. */
  async function comment(args: string[], env: Record<string, string> = {}) {
    const output = join(tempDir('vj-output-'), 'output')
    writeFileSync(output, '')
    const run = await runCli(['github-comment', ...args], {
      cwd: dir,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: REPO,
        GITHUB_OUTPUT: output,
        ...env,
      },
    })
    runs.push(run)
    return { ...run, outputs: readOutputs(output) }
  }

  const prEnv = (number: number, token = BOT_TOKEN, headRepo = REPO) => ({
    GITHUB_TOKEN: token,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: writeEvent(pullRequestEvent({ repo: REPO, number, headRepo })),
  })

  const botComments = (number: number) => github.comments(REPO, number).filter((c) => c.user.type === 'Bot')

  beforeAll(async () => {
    assertBuilt()
    github = await startFakeGitHub()
    github.addToken(BOT_TOKEN, { user: ACTIONS_BOT, installation: true })
    github.addToken(READ_ONLY, { user: ACTIONS_BOT, installation: true, readOnly: true })
    github.addToken(PAT, { user: { login: 'ci-robot', id: 4242, type: 'User' } })
    dir = tempDir()
    const base = makeReport('base', [1, 1, 1, 1, 1, 1], { startedAt: '2025-01-01T00:00:00Z' })
    const head = makeReport('head', [0.25, 0.25, 0.25, 0.25, 0.25, 0.25], { startedAt: '2025-01-02T00:00:00Z' })
    writeFileSync(join(dir, 'report.json'), JSON.stringify(head))
    writeFileSync(join(dir, 'compared.json'), JSON.stringify(compared(base, head)))
    writeFileSync(join(dir, 'summary.md'), `${MARKDOWN_MARKER}\n## ✅ vitest-judge: first\n`)
    writeFileSync(join(dir, 'summary-2.md'), `${MARKDOWN_MARKER}\n## ✅ vitest-judge: second\n`)
  })
  afterAll(async () => {
    await github?.close()
    // Whatever happened, no token reached standard output or standard error.
    for (const run of runs) for (const token of TOKENS) expect(`${run.stdout}${run.stderr}`).not.toContain(token)
  })

  test('the first run creates one comment; the second updates that same comment; a third with the same body leaves it', async () => {
    github.addPull(REPO, { number: 1 })
    github.addComment(REPO, 1, { login: 'octocat', id: 1, type: 'User' }, 'Looks good')
    const first = await comment(['--body-file', 'summary.md'], prEnv(1))
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(
      /^Created the vitest-judge comment on octo-org\/hello-world#1: https:\/\/github\.com\//m,
    )
    expect(first.outputs).toMatchObject({ 'comment-action': 'created', pr: '1' })
    const id = first.outputs['comment-id']
    expect(botComments(1).map((c) => String(c.id))).toEqual([id])

    const second = await comment(['--body-file', 'summary-2.md'], prEnv(1))
    expect(second.code, second.stderr).toBe(0)
    expect(second.outputs).toMatchObject({ 'comment-action': 'updated', 'comment-id': id })
    expect(botComments(1)).toHaveLength(1)
    expect(botComments(1)[0]?.body).toBe(`${MARKDOWN_MARKER}\n## ✅ vitest-judge: second\n`)

    const patches = github.requestsOf('PATCH').length
    const third = await comment(['--body-file', 'summary-2.md'], prEnv(1))
    expect(third.outputs['comment-action']).toBe('unchanged')
    expect(github.requestsOf('PATCH').length).toBe(patches)
    expect(github.comments(REPO, 1)).toHaveLength(2)
  })

  test('finds its comment among 150 across two pages and updates it in place', async () => {
    github.addPull(REPO, { number: 2 })
    for (let i = 1; i <= 120; i++) github.addComment(REPO, 2, { login: 'octocat', id: 1, type: 'User' }, `review ${i}`)
    const ours = github.addComment(REPO, 2, ACTIONS_BOT, `${MARKDOWN_MARKER}\nold summary`)
    for (let i = 1; i <= 29; i++) github.addComment(REPO, 2, { login: 'octocat', id: 1, type: 'User' }, `more ${i}`)
    const before = github.requests.length
    const run = await comment(['--report', 'compared.json'], prEnv(2))
    expect(run.code, run.stderr).toBe(0)
    expect(run.outputs).toMatchObject({ 'comment-action': 'updated', 'comment-id': String(ours.id) })
    expect(github.comments(REPO, 2)).toHaveLength(150)
    expect(ours.body).toMatch(/^<!-- vitest-judge -->\n## ❌ vitest-judge: 1 file · 6 cases/)
    const log = github.requests.slice(before)
    expect(log.map((r) => `${r.method} ${r.path.replace(/\d{4,}/g, 'N')}`)).toEqual([
      `GET /repos/${REPO}/issues/2/comments`,
      'GET /repositories/N/issues/2/comments',
      `PATCH /repos/${REPO}/issues/comments/N`,
    ])
    expect(log.every((r) => r.auth === 'github-actions[bot]')).toBe(true)
  })

  test('a fork pull request with a read-only token: a notice, no comment, exit 0', async () => {
    github.addPull(REPO, { number: 3, headRepo: 'contributor/hello-world' })
    const run = await comment(['--body-file', 'summary.md'], prEnv(3, READ_ONLY, 'contributor/hello-world'))
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^::notice title=vitest-judge::No pull request comment: the token cannot comment on pull request #3 \(403 Resource not accessible by integration\)\. This is expected for a pull request from a fork/m,
    )
    expect(run.stdout).toContain('workflow_run')
    expect(run.outputs['comment-action']).toBe('skipped')
    expect(github.comments(REPO, 3)).toHaveLength(0)
  })

  test('a same-repository pull request with a read-only token: a warning naming the permission, exit 0', async () => {
    github.addPull(REPO, { number: 4 })
    const run = await comment(['--body-file', 'summary.md'], prEnv(4, READ_ONLY))
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^::warning title=vitest-judge::No pull request comment: .*permissions: pull-requests: write/m,
    )
  })

  test('no token: exit 2 with what to set, and no request', async () => {
    const before = github.requests.length
    const { GITHUB_TOKEN: _token, ...env } = prEnv(5)
    const run = await comment(['--body-file', 'summary.md'], env)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^vitest-judge: No GitHub token: set GITHUB_TOKEN .*pull-requests: write/m)
    expect(github.requests.length).toBe(before)
  })

  test('GH_TOKEN works too; a rejected token is exit 2 with a hint', async () => {
    github.addPull(REPO, { number: 6 })
    const { GITHUB_TOKEN: _token, ...env } = prEnv(6)
    const ok = await comment(['--body-file', 'summary.md'], { ...env, GH_TOKEN: BOT_TOKEN })
    expect(ok.outputs['comment-action']).toBe('created')
    const bad = await comment(['--body-file', 'summary.md'], {
      ...env,
      GH_TOKEN: 'ghs_revokedToken000000000000000000000',
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/answered 401 \(Bad credentials\)\. The token was rejected/)
    expect(bad.stderr).not.toContain('ghs_revokedToken000000000000000000000')
  })

  test('not a pull request event: a notice and exit 0; no event and no --pr: exit 2', async () => {
    const push = await comment(['--body-file', 'summary.md'], {
      GITHUB_TOKEN: BOT_TOKEN,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: writeEvent({ ref: 'refs/heads/main', repository: { full_name: REPO } }),
    })
    expect(push.code).toBe(0)
    expect(push.stdout).toContain(
      '::notice title=vitest-judge::No pull request comment: the push event is not about a pull request.',
    )
    const none = await comment(['--body-file', 'summary.md'], { GITHUB_TOKEN: BOT_TOKEN })
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/No pull request: pass --pr N/)
  })

  test('outside Actions with --repo and --pr and a personal token: the comment is found by login', async () => {
    github.addPull(REPO, { number: 7 })
    github.addComment(REPO, 7, ACTIONS_BOT, `${MARKDOWN_MARKER}\nwritten by the job token`)
    const run = await runCli(['github-comment', '--body-file', 'summary.md', '--repo', REPO, '--pr', '#7'], {
      cwd: dir,
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: PAT },
    })
    runs.push(run)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^Created the vitest-judge comment on octo-org\/hello-world#7/m)
    expect(github.comments(REPO, 7).map((c) => c.user.login)).toEqual(['github-actions[bot]', 'ci-robot'])
  })

  test('a custom marker keeps a second sticky comment apart', async () => {
    github.addPull(REPO, { number: 8 })
    await comment(['--body-file', 'summary.md'], prEnv(8))
    const other = await comment(['--body-file', 'summary.md', '--marker', '<!-- vitest-judge:gemini -->'], prEnv(8))
    expect(other.outputs['comment-action']).toBe('created')
    await comment(['--body-file', 'summary-2.md', '--marker', '<!-- vitest-judge:gemini -->'], prEnv(8))
    expect(botComments(8).map((c) => c.body.split('\n')[0])).toEqual([MARKDOWN_MARKER, '<!-- vitest-judge:gemini -->'])
    expect(botComments(8)[1]?.body).toContain('second')
    const bad = await comment(['--body-file', 'summary.md', '--marker', 'visible'], prEnv(8))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--marker: the marker must be a one-line HTML comment/)
  })

  test('a body too long for GitHub is cut, not refused', async () => {
    github.addPull(REPO, { number: 9 })
    writeFileSync(join(dir, 'huge.md'), `## big\n${'| row | with | cells |\n'.repeat(5000)}`)
    const run = await comment(['--body-file', 'huge.md'], prEnv(9))
    expect(run.code, run.stderr).toBe(0)
    const body = botComments(9)[0]?.body ?? ''
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(body.startsWith(`${MARKDOWN_MARKER}\n## big`)).toBe(true)
    expect(body).toMatch(/cut to fit a GitHub comment/)
  })

  test('GitHub down: retried, then exit 2 with the status and what to do', async () => {
    github.addPull(REPO, { number: 10 })
    github.faults.push({
      method: 'GET',
      path: /issues\/10\/comments$/,
      status: 502,
      times: 3,
      body: { message: 'Bad Gateway' },
    })
    const run = await comment(['--body-file', 'summary.md'], prEnv(10))
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /GitHub API GET \/repos\/octo-org\/hello-world\/issues\/10\/comments answered 502 \(Bad Gateway\)\. GitHub is failing/,
    )
    expect(github.requestsOf('GET', /issues\/10\/comments$/)).toHaveLength(3)
  })

  test('a token echoed back in an API error is redacted', async () => {
    github.addPull(REPO, { number: 11 })
    github.faults.push({
      method: 'GET',
      path: /issues\/11\/comments$/,
      status: 404,
      body: { message: `no access for ${BOT_TOKEN}` },
    })
    const run = await comment(['--body-file', 'summary.md'], prEnv(11))
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('no access for [redacted]')
  })

  test('--dry-run calls no API and prints the target and the body; --body-out writes it', async () => {
    const before = github.requests.length
    const run = await comment(['--report', 'compared.json', '--max-drop', '0.1', '--dry-run'], prEnv(12))
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^Dry run: would post or update the comment marked <!-- vitest-judge --> in octo-org\/hello-world on pull request #12\./,
    )
    expect(run.stdout).toContain('**Gate failures**')
    expect(run.outputs['comment-action']).toBe('dry-run')
    const out = await comment(
      [
        '--report',
        'report.json',
        '--note',
        'No baseline yet: run on main first.',
        '--dry-run',
        '--body-out',
        'out/summary.md',
      ],
      {},
    )
    expect(out.code, out.stderr).toBe(0)
    expect(out.stdout).not.toContain('## ')
    const written = readFileSync(join(dir, 'out', 'summary.md'), 'utf8')
    expect(written).toMatch(/^<!-- vitest-judge -->\n## ⚠️ vitest-judge: 1 file · 6 cases · 6 failed/)
    expect(written).toContain('> No baseline yet: run on main first.')
    expect(github.requests.length).toBe(before)
  })

  test('usage errors: both bodies, a missing report, --note with a body file', async () => {
    expect((await comment(['--report', 'report.json', '--body-file', 'summary.md'], prEnv(1))).stderr).toMatch(
      /either --report or --body-file/,
    )
    const missing = await comment(['--report', 'nope.json'], prEnv(1))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/Cannot read the JSON report nope\.json \(no such file\)/)
    expect((await comment(['--body-file', 'summary.md', '--note', 'x'], prEnv(1))).code).toBe(2)
  })

  describe('from a workflow_run commenter (fork pull requests)', () => {
    const HEAD = 'fe11ed0'.padEnd(40, '0')
    const runEnv = (extra: Partial<Parameters<typeof workflowRunEvent>[0]> = {}) => ({
      GITHUB_TOKEN: BOT_TOKEN,
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_EVENT_PATH: writeEvent(
        workflowRunEvent({
          repo: REPO,
          headSha: HEAD,
          headBranch: 'main',
          headRepo: 'contributor/hello-world',
          ...extra,
        }),
      ),
    })

    beforeAll(() => {
      github.addPull(REPO, { number: 40, headRef: 'main', headRepo: 'contributor/hello-world', headSha: HEAD })
      github.addPull(REPO, {
        number: 41,
        headRef: 'other',
        headRepo: 'contributor/hello-world',
        headSha: 'b'.repeat(40),
      })
    })

    test("finds the fork's pull request by the run's head and comments with the write token", async () => {
      const run = await comment(['--report', 'compared.json', '--max-drop', '0.1'], runEnv())
      expect(run.code, run.stderr).toBe(0)
      expect(run.outputs).toMatchObject({ 'comment-action': 'created', pr: '40' })
      const body = botComments(40)[0]?.body ?? ''
      expect(body).toContain(
        'answer_similarity mean 1.000 -> 0.250 (-0.750, one-sided p=0.016, Tarone-Holm-adjusted p=0.016 over 1 test) dropped more than gate.maxDrop 0.1',
      )
      expect(body).toContain('❌ regressed')
    })

    test('a number handed over by the fork is checked: another pull request is refused', async () => {
      const run = await comment(['--report', 'compared.json', '--pr', '41'], runEnv())
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(
        /::notice title=vitest-judge::No pull request comment: pull request #41 is at bbbbbbb, not at the run's head fe11ed0/,
      )
      expect(github.comments(REPO, 41)).toHaveLength(0)
    })

    test('a run that was not for a pull request is skipped', async () => {
      const run = await comment(['--report', 'compared.json'], runEnv({ runEvent: 'push' }))
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/No pull request comment: the triggering run was for a push event/)
    })
  })
})
