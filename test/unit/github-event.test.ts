import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { annotation, escapeCommandData, readEvent, setOutputs } from '../../src/github/actions.js'
import { GitHubClient } from '../../src/github/api.js'
import { type EventTarget, resolveWorkflowRunTarget, targetFromEvent } from '../../src/github/pull-request.js'
import { parseRepo, type RepoRef } from '../../src/github/repo.js'
import { pullRequestEvent, tempDir, workflowRunEvent, writeEvent } from '../fake-github/fixtures.js'
import { ACTIONS_BOT, type FakeGitHub, startFakeGitHub } from '../fake-github/server.js'

const REPO = 'octo-org/hello-world'

describe('parseRepo', () => {
  test('reads owner/name and rejects anything else', () => {
    expect(parseRepo('octo-org/hello-world')).toEqual({
      owner: 'octo-org',
      name: 'hello-world',
      fullName: 'octo-org/hello-world',
    })
    expect(parseRepo(' a/b.c_d ')).toMatchObject({ fullName: 'a/b.c_d' })
    for (const bad of [undefined, '', 'nope', 'a/b/c', '../x', 'a/..', '-a/b', 'a b/c'])
      expect(parseRepo(bad)).toBeUndefined()
  })
})

describe('targetFromEvent', () => {
  const event = (name: string, payload: Record<string, unknown> | null) => ({ name, payload })

  test('pull_request and pull_request_target: the number, and whether the head is a fork', () => {
    expect(targetFromEvent(event('pull_request', pullRequestEvent({ repo: REPO, number: 12 })), undefined)).toEqual({
      kind: 'pr',
      number: 12,
      fromFork: false,
    })
    const fork = pullRequestEvent({ repo: REPO, number: 13, headRepo: 'contributor/hello-world' })
    expect(targetFromEvent(event('pull_request_target', fork), undefined)).toEqual({
      kind: 'pr',
      number: 13,
      fromFork: true,
    })
  })

  test('a deleted fork (head.repo null) counts as a fork', () => {
    const payload = pullRequestEvent({ repo: REPO, number: 14 })
    const pr = payload.pull_request as { head: Record<string, unknown> }
    pr.head.repo = null
    expect(targetFromEvent(event('pull_request', payload), undefined)).toMatchObject({ fromFork: true })
  })

  test('--pr wins outside workflow_run', () => {
    expect(targetFromEvent(event('push', { ref: 'refs/heads/main' }), 5)).toEqual({
      kind: 'pr',
      number: 5,
      fromFork: false,
    })
    expect(targetFromEvent(event('', null), 5)).toEqual({ kind: 'pr', number: 5, fromFork: false })
  })

  test('issue_comment: only on a pull request', () => {
    const onPr = { issue: { number: 3, pull_request: { url: 'x' } }, comment: { body: '/eval' } }
    expect(targetFromEvent(event('issue_comment', onPr), undefined)).toEqual({ kind: 'pr', number: 3, fromFork: false })
    expect(targetFromEvent(event('issue_comment', { issue: { number: 4 } }), undefined)).toMatchObject({ kind: 'skip' })
  })

  test('push and schedule are skipped; no event at all is unknown', () => {
    expect(targetFromEvent(event('push', { ref: 'refs/heads/main' }), undefined)).toEqual({
      kind: 'skip',
      reason: 'the push event is not about a pull request',
    })
    expect(targetFromEvent(event('', null), undefined)).toEqual({ kind: 'unknown' })
  })

  test('workflow_run of a same-repository pull request: the listed number', () => {
    const payload = workflowRunEvent({
      repo: REPO,
      headSha: 'f'.repeat(40),
      headBranch: 'feature',
      pullRequests: [{ number: 21, headSha: 'f'.repeat(40) }],
    })
    expect(targetFromEvent(event('workflow_run', payload), undefined)).toEqual({
      kind: 'pr',
      number: 21,
      fromFork: false,
    })
  })

  test('workflow_run of a fork pull request: to be looked up (GitHub lists no pull request)', () => {
    const payload = workflowRunEvent({
      repo: REPO,
      headSha: 'e'.repeat(40),
      headBranch: 'main',
      headRepo: 'contributor/hello-world',
    })
    expect(targetFromEvent(event('workflow_run', payload), undefined)).toEqual({
      kind: 'workflow-run',
      headSha: 'e'.repeat(40),
      headOwner: 'contributor',
      headBranch: 'main',
      fromFork: true,
      claimed: undefined,
    })
    expect(targetFromEvent(event('workflow_run', payload), 9)).toMatchObject({ kind: 'workflow-run', claimed: 9 })
  })

  test('workflow_run of a push is skipped', () => {
    const payload = workflowRunEvent({ repo: REPO, headSha: 'e'.repeat(40), headBranch: 'main', runEvent: 'push' })
    expect(targetFromEvent(event('workflow_run', payload), undefined)).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/push event, not a pull request/),
    })
  })
})

describe('resolveWorkflowRunTarget against the fake GitHub API', () => {
  const TOKEN = 'ghs_commenterToken000001'
  const HEAD = '1234567'.padEnd(40, '0')
  let github: FakeGitHub
  let repo: RepoRef
  let client: GitHubClient
  const target = (claimed?: number): Extract<EventTarget, { kind: 'workflow-run' }> => ({
    kind: 'workflow-run',
    headSha: HEAD,
    headOwner: 'contributor',
    headBranch: 'main',
    fromFork: true,
    claimed,
  })

  beforeAll(async () => {
    github = await startFakeGitHub()
    github.addToken(TOKEN, { user: ACTIONS_BOT, installation: true })
    github.addPull(REPO, { number: 30, headRef: 'main', headRepo: 'someone-else/hello-world', headSha: 'd'.repeat(40) })
    github.addPull(REPO, { number: 31, headRef: 'main', headRepo: 'contributor/hello-world', headSha: HEAD })
    github.addPull(REPO, { number: 32, headRef: 'other', headRepo: 'contributor/hello-world', headSha: 'c'.repeat(40) })
    repo = parseRepo(REPO) as RepoRef
    client = new GitHubClient({ token: TOKEN, apiUrl: github.url, retryDelayMs: 0 })
  })
  afterAll(() => github?.close())

  test('finds the open pull request by owner:branch and head commit', async () => {
    expect(await resolveWorkflowRunTarget(client, repo, target())).toEqual({ kind: 'pr', number: 31, fromFork: true })
    expect(github.requestsOf('GET', /\/pulls$/).at(-1)?.query).toMatchObject({
      state: 'open',
      head: 'contributor:main',
    })
  })

  test('a claimed number is checked against the head commit', async () => {
    expect(await resolveWorkflowRunTarget(client, repo, target(31))).toEqual({ kind: 'pr', number: 31, fromFork: true })
    expect(await resolveWorkflowRunTarget(client, repo, target(32))).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/#32 is at ccccccc, not at the run's head 1234567/),
    })
    expect(await resolveWorkflowRunTarget(client, repo, target(999))).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/#999 does not exist/),
    })
  })

  test('a head that moved on: skipped', async () => {
    const moved = { ...target(), headSha: '9'.repeat(40) }
    expect(await resolveWorkflowRunTarget(client, repo, moved)).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/no open pull request has the run's head 9999999/),
    })
  })
})

describe('Actions runner protocols', () => {
  test('annotations are workflow commands in Actions and plain lines elsewhere', () => {
    expect(annotation({ GITHUB_ACTIONS: 'true' }, 'notice', '50% done\nnext')).toBe(
      '::notice title=vitest-judge::50%25 done%0Anext\n',
    )
    expect(annotation({}, 'warning', 'careful')).toBe('vitest-judge: careful\n')
    expect(escapeCommandData('a\r\nb%')).toBe('a%0D%0Ab%25')
  })

  test('outputs use the heredoc form with a delimiter no value contains', () => {
    const file = join(tempDir(), 'output')
    writeFileSync(file, '')
    setOutputs({ GITHUB_OUTPUT: file }, { found: 'true', path: '/tmp/a b/report.json', tricky: 'x\ny' })
    const text = readFileSync(file, 'utf8')
    const entries = [...text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]])
    expect(entries).toEqual([
      ['found', 'true'],
      ['path', '/tmp/a b/report.json'],
      ['tricky', 'x\ny'],
    ])
    setOutputs({}, { ignored: 'yes' })
  })

  test('readEvent reads the payload, and tolerates a missing or broken file', () => {
    const path = writeEvent(pullRequestEvent({ repo: REPO, number: 1 }))
    expect(readEvent({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path }).payload).toMatchObject({
      number: 1,
    })
    expect(readEvent({ GITHUB_EVENT_PATH: join(tempDir(), 'missing.json') })).toEqual({ name: '', payload: null })
    const broken = join(tempDir(), 'broken.json')
    writeFileSync(broken, '[1, 2')
    expect(readEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: broken })).toEqual({ name: 'push', payload: null })
  })
})
