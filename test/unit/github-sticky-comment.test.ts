import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { GitHubApiError, GitHubClient } from '../../src/github/api.js'
import { parseRepo, type RepoRef } from '../../src/github/repo.js'
import {
  COMMENT_LIMIT,
  findStickyComment,
  type IssueComment,
  isStickyComment,
  markerProblem,
  prepareCommentBody,
  toIssueComment,
  tokenAuthor,
  upsertStickyComment,
} from '../../src/github/sticky-comment.js'
import { MARKDOWN_MARKER } from '../../src/report/markdown.js'
import { ACTIONS_BOT, type FakeGitHub, type FakeUser, startFakeGitHub } from '../fake-github/server.js'

const HUMAN: FakeUser = { login: 'octocat', id: 583231, type: 'User' }
const OTHER_BOT: FakeUser = { login: 'renovate[bot]', id: 29139614, type: 'Bot' }
const PAT_USER: FakeUser = { login: 'ci-robot', id: 4242, type: 'User' }

function comment(id: number, body: string, login: string, type: string): IssueComment {
  return { id, body, htmlUrl: '', userLogin: login, userType: type }
}

describe('prepareCommentBody', () => {
  test('keeps a body that starts with the marker', () => {
    expect(prepareCommentBody(`${MARKDOWN_MARKER}\n## ok\n`)).toBe(`${MARKDOWN_MARKER}\n## ok\n`)
  })

  test('puts the marker on the first line of a body without it, and normalizes line endings', () => {
    expect(prepareCommentBody('\n\n## hello\r\nworld\r\n')).toBe(`${MARKDOWN_MARKER}\n## hello\nworld\n`)
  })

  test('a custom marker replaces the default one the renderer wrote', () => {
    const marker = '<!-- vitest-judge:gpt-4.1 -->'
    expect(prepareCommentBody(`${MARKDOWN_MARKER}\n## ok\n`, marker)).toBe(`${marker}\n## ok\n`)
  })

  test('cuts a body over 65,536 characters at a line end and says so', () => {
    const long = `${MARKDOWN_MARKER}\n${'| a | b |\n'.repeat(10_000)}`
    const body = prepareCommentBody(long)
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(body.startsWith(MARKDOWN_MARKER)).toBe(true)
    expect(body).toMatch(/\| a \| b \|\n\n_… cut to fit a GitHub comment/)
  })
})

describe('markerProblem', () => {
  test('accepts one-line HTML comments only', () => {
    expect(markerProblem(MARKDOWN_MARKER)).toBeNull()
    expect(markerProblem('<!-- vitest-judge:shard-a -->')).toBeNull()
    expect(markerProblem('vitest-judge')).toMatch(/one-line HTML comment/)
    expect(markerProblem('<!-- a\nb -->')).toMatch(/one-line HTML comment/)
    expect(markerProblem('<!-- a --> visible <!-- b -->')).toMatch(/close its HTML comment early/)
    expect(markerProblem(`<!-- ${'x'.repeat(300)} -->`)).toMatch(/at most 200/)
  })
})

describe('finding the sticky comment', () => {
  const list = [
    comment(1, `> ${MARKDOWN_MARKER}\n> quoted by a human`, 'octocat', 'User'),
    comment(2, `${MARKDOWN_MARKER}\nwritten by a human`, 'octocat', 'User'),
    comment(3, `${MARKDOWN_MARKER}\nwritten by another bot`, 'renovate[bot]', 'Bot'),
    comment(4, `  ${MARKDOWN_MARKER}\nours`, 'github-actions[bot]', 'Bot'),
    comment(5, `${MARKDOWN_MARKER}\na later duplicate`, 'github-actions[bot]', 'Bot'),
  ]

  test('with a known login: the first comment of that login that starts with the marker', () => {
    expect(findStickyComment(list, MARKDOWN_MARKER, { login: 'github-actions[bot]' })?.id).toBe(4)
    expect(findStickyComment(list, MARKDOWN_MARKER, { login: 'octocat' })?.id).toBe(2)
  })

  test("with the job's token (login unknown): the first bot comment that starts with the marker", () => {
    expect(findStickyComment(list, MARKDOWN_MARKER, { bot: true })?.id).toBe(3)
  })

  test('a marker quoted inside a comment does not count, nor another marker', () => {
    expect(isStickyComment(list[0] as IssueComment, MARKDOWN_MARKER, { login: 'octocat' })).toBe(false)
    expect(findStickyComment(list, '<!-- vitest-judge:other -->', { bot: true })).toBeUndefined()
  })

  test('toIssueComment reads the API shape and rejects junk', () => {
    expect(
      toIssueComment({
        id: 1,
        body: 'x',
        html_url: 'https://github.com/o/r/pull/1#issuecomment-1',
        user: { login: 'github-actions[bot]', type: 'Bot' },
      }),
    ).toEqual({
      id: 1,
      body: 'x',
      htmlUrl: 'https://github.com/o/r/pull/1#issuecomment-1',
      userLogin: 'github-actions[bot]',
      userType: 'Bot',
    })
    expect(toIssueComment({ id: 2, body: 'ghost', user: null })).toMatchObject({ userLogin: null, userType: null })
    expect(toIssueComment({ body: 'no id' })).toBeUndefined()
    expect(toIssueComment('nope')).toBeUndefined()
  })
})

describe('upsertStickyComment against the fake GitHub API', () => {
  const BOT_TOKEN = 'ghs_botToken000000000001'
  const PAT = 'ghp_personalAccessToken0001'
  const FULL = 'octo-org/sticky'
  let github: FakeGitHub
  let repo: RepoRef
  const client = (token = BOT_TOKEN) => new GitHubClient({ token, apiUrl: github.url, retryDelayMs: 0 })

  beforeAll(async () => {
    github = await startFakeGitHub()
    github.addToken(BOT_TOKEN, { user: ACTIONS_BOT, installation: true })
    github.addToken(PAT, { user: PAT_USER })
    repo = parseRepo(FULL) as RepoRef
  })
  afterAll(() => github?.close())

  test('creates the comment, then updates that same comment, then leaves it alone when nothing changed', async () => {
    github.addPull(FULL, { number: 1 })
    github.addComment(FULL, 1, HUMAN, 'LGTM')
    const target = { repo, number: 1, marker: MARKDOWN_MARKER, author: { bot: true as const } }
    const first = await upsertStickyComment(client(), { ...target, body: `${MARKDOWN_MARKER}\nfirst` })
    expect(first.action).toBe('created')
    const second = await upsertStickyComment(client(), { ...target, body: `${MARKDOWN_MARKER}\nsecond` })
    expect(second).toMatchObject({ action: 'updated', comment: { id: first.comment.id } })
    const third = await upsertStickyComment(client(), { ...target, body: `${MARKDOWN_MARKER}\nsecond` })
    expect(third.action).toBe('unchanged')
    const comments = github.comments(FULL, 1)
    expect(comments.map((c) => c.body)).toEqual(['LGTM', `${MARKDOWN_MARKER}\nsecond`])
    expect(comments[1]?.user.login).toBe('github-actions[bot]')
  })

  test("finds the sticky comment on the second page of 150, passing over others' marked comments", async () => {
    github.addPull(FULL, { number: 2 })
    for (let i = 1; i <= 140; i++) github.addComment(FULL, 2, HUMAN, `chatter ${i}`)
    github.addComment(FULL, 2, OTHER_BOT, `${MARKDOWN_MARKER}\nnot ours`)
    const ours = github.addComment(FULL, 2, ACTIONS_BOT, `${MARKDOWN_MARKER}\nold`)
    for (let i = 1; i <= 8; i++) github.addComment(FULL, 2, HUMAN, `more ${i}`)
    const before = github.requests.length
    const result = await upsertStickyComment(client(PAT), {
      repo,
      number: 2,
      body: `${MARKDOWN_MARKER}\nnew`,
      marker: MARKDOWN_MARKER,
      author: { login: 'github-actions[bot]' },
    })
    expect(result).toMatchObject({ action: 'updated', comment: { id: ours.id }, scanned: 142 })
    expect(github.comments(FULL, 2)).toHaveLength(150)
    expect(github.requests.slice(before).map((r) => `${r.method} ${r.query.page ?? ''}`)).toEqual([
      'GET ',
      'GET 2',
      'PATCH ',
    ])
  })

  test('a read-only token gets a 403 GitHubApiError on the write', async () => {
    const READ_ONLY = 'ghs_readOnlyForkToken0001'
    github.addToken(READ_ONLY, { user: ACTIONS_BOT, installation: true, readOnly: true })
    github.addPull(FULL, { number: 3 })
    const error = await upsertStickyComment(client(READ_ONLY), {
      repo,
      number: 3,
      body: `${MARKDOWN_MARKER}\nx`,
      marker: MARKDOWN_MARKER,
      author: { bot: true },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GitHubApiError)
    expect((error as GitHubApiError).status).toBe(403)
    expect(github.comments(FULL, 3)).toHaveLength(0)
  })

  test("tokenAuthor: the job's token is a bot without asking, a personal token is its login", async () => {
    const before = github.requests.length
    expect(await tokenAuthor(client(), BOT_TOKEN)).toEqual({ bot: true })
    expect(github.requests.length).toBe(before)
    expect(await tokenAuthor(client(PAT), PAT)).toEqual({ login: 'ci-robot' })
    const app = 'v1.installationTokenOfAnApp'
    github.addToken(app, { user: OTHER_BOT, installation: true })
    expect(await tokenAuthor(client(app), app)).toEqual({ bot: true })
    const bad = await tokenAuthor(client('ghp_revoked0000000'), 'ghp_revoked0000000').catch((e: unknown) => e)
    expect((bad as GitHubApiError).status).toBe(401)
  })
})
