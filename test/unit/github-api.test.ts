import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { GitHubApiError, GitHubClient, parseLinkHeader } from '../../src/github/api.js'
import { ACTIONS_BOT, type FakeGitHub, startFakeGitHub } from '../fake-github/server.js'

const TOKEN = 'ghs_fakeInstallationToken0001'
const REPO = 'octo-org/hello-world'

describe('parseLinkHeader', () => {
  test('reads GitHub Link headers by relation', () => {
    const header =
      '<https://api.github.com/repositories/1296269/issues/1347/comments?per_page=100&page=2>; rel="next", ' +
      '<https://api.github.com/repositories/1296269/issues/1347/comments?per_page=100&page=3>; rel="last"'
    expect(parseLinkHeader(header)).toEqual({
      next: 'https://api.github.com/repositories/1296269/issues/1347/comments?per_page=100&page=2',
      last: 'https://api.github.com/repositories/1296269/issues/1347/comments?per_page=100&page=3',
    })
  })

  test('tolerates no header, junk and several relations in one parameter', () => {
    expect(parseLinkHeader(null)).toEqual({})
    expect(parseLinkHeader('garbage, <>; nope')).toEqual({})
    expect(parseLinkHeader('<https://x.test/a?page=2>; rel="next last"')).toEqual({
      next: 'https://x.test/a?page=2',
      last: 'https://x.test/a?page=2',
    })
  })
})

describe('GitHubClient against the fake GitHub API', () => {
  let github: FakeGitHub
  const client = () => new GitHubClient({ token: TOKEN, apiUrl: github.url, retryDelayMs: 0 })

  beforeAll(async () => {
    github = await startFakeGitHub()
    github.addToken(TOKEN, { user: ACTIONS_BOT, installation: true })
    github.addPull(REPO, { number: 7 })
    for (let i = 1; i <= 150; i++) github.addComment(REPO, 7, { login: 'someone', id: 9, type: 'User' }, `comment ${i}`)
  })
  afterAll(() => github?.close())

  test('sends the token as a bearer, the API version and a user agent', async () => {
    const seen: Headers[] = []
    const spy: typeof fetch = (input, init) => {
      seen.push(new Headers(init?.headers))
      return fetch(input, init)
    }
    await new GitHubClient({ token: TOKEN, apiUrl: `${github.url}/`, fetch: spy }).request(
      'GET',
      `/repos/${REPO}/pulls/7`,
    )
    expect(seen[0]?.get('authorization')).toBe(`Bearer ${TOKEN}`)
    expect(seen[0]?.get('x-github-api-version')).toBe('2022-11-28')
    expect(seen[0]?.get('accept')).toBe('application/vnd.github+json')
    expect(seen[0]?.get('user-agent')).toBe('vitest-judge')
  })

  test('paginates through Link headers, including their /repositories/<id> form', async () => {
    const before = github.requests.length
    const bodies: string[] = []
    for await (const item of client().paginate(`/repos/${REPO}/issues/7/comments`)) {
      bodies.push((item as { body: string }).body)
    }
    expect(bodies).toHaveLength(150)
    expect(bodies[0]).toBe('comment 1')
    expect(bodies[149]).toBe('comment 150')
    const pages = github.requests.slice(before)
    expect(pages.map((r) => [r.path, r.query.page ?? '1', r.query.per_page])).toEqual([
      [`/repos/${REPO}/issues/7/comments`, '1', '100'],
      [expect.stringMatching(/^\/repositories\/\d+\/issues\/7\/comments$/), '2', '100'],
    ])
  })

  test('stops after maxPages', async () => {
    const items: unknown[] = []
    for await (const item of client().paginate(`/repos/${REPO}/issues/7/comments`, { maxPages: 1 })) items.push(item)
    expect(items).toHaveLength(100)
  })

  test('retries a GET after a 502 and a secondary rate limit', async () => {
    github.faults.push(
      { method: 'GET', path: /\/pulls\/7$/, status: 502 },
      {
        method: 'GET',
        path: /\/pulls\/7$/,
        status: 403,
        headers: { 'retry-after': '0' },
        body: { message: 'You have exceeded a secondary rate limit.' },
      },
    )
    const before = github.requests.length
    const { data } = await client().request('GET', `/repos/${REPO}/pulls/7`)
    expect((data as { number: number }).number).toBe(7)
    expect(github.requests.slice(before).map((r) => r.status)).toEqual([502, 403, 200])
  })

  test('never retries a POST that failed with a server error: it may have landed', async () => {
    github.faults.push({ method: 'POST', status: 502 })
    const before = github.requests.length
    const error = await client()
      .request('POST', `/repos/${REPO}/issues/7/comments`, { body: { body: 'x' } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GitHubApiError)
    expect((error as GitHubApiError).status).toBe(502)
    expect(github.requests.length - before).toBe(1)
  })

  test('gives up after the retries with the status and GitHub message', async () => {
    github.faults.push({ method: 'GET', status: 503, times: 3, body: { message: 'Service Unavailable' } })
    const error = (await client()
      .request('GET', `/repos/${REPO}/pulls/7`)
      .catch((e: unknown) => e)) as GitHubApiError
    expect(error.status).toBe(503)
    expect(error.message).toBe(`GitHub API GET /repos/${REPO}/pulls/7 answered 503 (Service Unavailable)`)
  })

  test('a plain 403 is a permission, not a rate limit, and is not retried', async () => {
    const error = (await new GitHubClient({ token: TOKEN, apiUrl: github.url, retryDelayMs: 0 })
      .request('GET', '/user')
      .catch((e: unknown) => e)) as GitHubApiError
    expect(error.status).toBe(403)
    expect(error.rateLimited).toBe(false)
    expect(error.githubMessage).toBe('Resource not accessible by integration')
  })

  test('refuses to follow a Link to another origin (the token would go with it)', async () => {
    const error = await client()
      .request('GET', 'https://evil.example/steal')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GitHubApiError)
    expect(String(error)).toMatch(/refusing to follow a link off http:\/\/127\.0\.0\.1/)
  })

  test('a connection refused names the API URL, not the token', async () => {
    const closed = await startFakeGitHub()
    await closed.close()
    const error = await new GitHubClient({ token: TOKEN, apiUrl: closed.url, retries: 0 })
      .request('GET', '/user')
      .catch((e: unknown) => e)
    expect(String(error)).toContain(`failed: cannot reach ${closed.url} (ECONNREFUSED)`)
    expect(String(error)).not.toContain(TOKEN)
  })

  test('rejects an API URL that is not http(s)', () => {
    expect(() => new GitHubClient({ apiUrl: 'ftp://x' })).toThrow(/must be an http\(s\) URL/)
    expect(() => new GitHubClient({ apiUrl: 'not a url' })).toThrow(/is not a URL/)
    expect(new GitHubClient({ apiUrl: '' }).apiUrl).toBe('https://api.github.com')
    expect(new GitHubClient({ apiUrl: 'https://ghe.example/api/v3/' }).apiUrl).toBe('https://ghe.example/api/v3')
  })
})
