/**
 * A loopback fake of the few GitHub REST endpoints vitest-judge calls, answering in the shapes GitHub
 * documents (issue comments, pull requests, Actions artifacts, the authenticated user), with `Link`
 * pagination, token checks (401 without a token or with an unknown one, 403 for a read-only token on
 * writes, 403 on `GET /user` for installation tokens), fault injection and a request log. Tests
 * drive its state directly (it runs in the test process); the CLI reaches it through
 * `GITHUB_API_URL`. See README.md in this folder.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An account, as GitHub shows it in `user` fields. */
export interface FakeUser {
  login: string
  id: number
  type: 'User' | 'Bot'
}

/** What a token may do. */
export interface FakeTokenGrant {
  user: FakeUser
  /** Writes (POST, PATCH) answer 403 "Resource not accessible by integration", as for a fork PR's GITHUB_TOKEN. */
  readOnly?: boolean
  /** An installation token (GITHUB_TOKEN): `GET /user` answers 403. */
  installation?: boolean
}

/** An issue comment as stored. */
export interface FakeComment {
  id: number
  body: string
  user: FakeUser
  createdAt: string
  updatedAt: string
}

/** A pull request as stored (only what the endpoints show). */
export interface FakePull {
  number: number
  state: 'open' | 'closed'
  headSha: string
  headRef: string
  /** `owner/name` of the head repository (a fork's for a fork PR). */
  headRepo: string
}

/** An Actions artifact as stored. */
export interface FakeArtifact {
  id: number
  name: string
  createdAt: string
  expired: boolean
  runId: number
  headBranch: string
  headSha: string
  /** Repository id of the run's head; a fork's id for a fork PR's run. */
  headRepositoryId: number
}

/** A repository and its issues, pulls and artifacts. */
export interface FakeRepo {
  owner: string
  name: string
  id: number
  /** Issue (and pull request) number -> comments, oldest first. */
  comments: Map<number, FakeComment[]>
  pulls: FakePull[]
  /** Newest last (served newest first). */
  artifacts: FakeArtifact[]
}

/** One request as the log keeps it: the token by its user's login, never by value. */
export interface FakeRequest {
  seq: number
  method: string
  /** Path without the query string. */
  path: string
  query: Record<string, string>
  status: number
  /** `none`, `unknown`, or the login of the token's user. */
  auth: string
  /** Parsed JSON body of a write. */
  body?: unknown
}

/** A canned failure: the next `times` requests matching `method` and `path` get `status`. */
export interface FakeFault {
  method?: string
  path?: RegExp
  status: number
  times?: number
  headers?: Record<string, string>
  body?: unknown
}

const DOCS = 'https://docs.github.com/rest'

function userJson(user: FakeUser, origin: string): Record<string, unknown> {
  return {
    login: user.login,
    id: user.id,
    node_id: Buffer.from(`04:User${user.id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: `${origin}/users/${encodeURIComponent(user.login)}`,
    html_url: `https://github.com/${user.type === 'Bot' ? `apps/${user.login.replace(/\[bot\]$/, '')}` : user.login}`,
    type: user.type,
    site_admin: false,
  }
}

/** The account of the job's GITHUB_TOKEN. */
export const ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }

/** A running fake GitHub API. */
export class FakeGitHub {
  /** `http://127.0.0.1:<port>`, no trailing slash: what GITHUB_API_URL should be. */
  url = ''
  /** Every request, in order. */
  readonly requests: FakeRequest[] = []
  /** Pending canned failures, consumed first match first. */
  readonly faults: FakeFault[] = []
  private readonly tokens = new Map<string, FakeTokenGrant>()
  private readonly repos = new Map<string, FakeRepo>()
  private nextId = 1_000_000
  private seq = 0
  private clock = Date.parse('2025-01-01T00:00:00Z')
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      this.send(res, 500, { message: `fake-github: ${String(error)}` })
    })
  })

  /** Starts listening on 127.0.0.1 (random port unless given). */
  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Grants `token`. */
  addToken(token: string, grant: FakeTokenGrant): void {
    this.tokens.set(token, grant)
  }

  /** Creates (or returns) the repository `owner/name`. */
  repo(fullName: string): FakeRepo {
    const found = this.repos.get(fullName.toLowerCase())
    if (found) return found
    const [owner = '', name = ''] = fullName.split('/')
    const repo: FakeRepo = {
      owner,
      name,
      id: 1_296_269 + this.repos.size,
      comments: new Map(),
      pulls: [],
      artifacts: [],
    }
    this.repos.set(fullName.toLowerCase(), repo)
    return repo
  }

  /** Opens pull request `number` (its conversation starts empty). */
  addPull(fullName: string, pull: Partial<FakePull> & { number: number }): FakePull {
    const repo = this.repo(fullName)
    const stored: FakePull = {
      state: 'open',
      headSha: `${pull.number}`.padStart(40, 'a'),
      headRef: `feature-${pull.number}`,
      headRepo: fullName,
      ...pull,
    }
    repo.pulls.push(stored)
    if (!repo.comments.has(pull.number)) repo.comments.set(pull.number, [])
    return stored
  }

  /** Adds a comment to issue/PR `number` as `user`; returns it. */
  addComment(fullName: string, number: number, user: FakeUser, body: string): FakeComment {
    const repo = this.repo(fullName)
    const list = repo.comments.get(number) ?? []
    repo.comments.set(number, list)
    const at = this.tick()
    const comment: FakeComment = { id: this.nextId++, body, user, createdAt: at, updatedAt: at }
    list.push(comment)
    return comment
  }

  /** The comments of issue/PR `number`, oldest first. */
  comments(fullName: string, number: number): FakeComment[] {
    return this.repo(fullName).comments.get(number) ?? []
  }

  /** Records an artifact uploaded by a run. */
  addArtifact(fullName: string, artifact: Partial<FakeArtifact> & { name: string; runId: number }): FakeArtifact {
    const repo = this.repo(fullName)
    const stored: FakeArtifact = {
      id: this.nextId++,
      createdAt: this.tick(),
      expired: false,
      headBranch: 'main',
      headSha: `${artifact.runId}`.padStart(40, 'b'),
      headRepositoryId: repo.id,
      ...artifact,
    }
    repo.artifacts.push(stored)
    return stored
  }

  /** Requests matching `method` (and `path`, when given). */
  requestsOf(method: string, path?: RegExp): FakeRequest[] {
    return this.requests.filter((r) => r.method === method && (path === undefined || path.test(r.path)))
  }

  private tick(): string {
    this.clock += 60_000
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-github-request-id': `FAKE:${this.seq}`,
      ...headers,
    })
    res.end(text)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const method = req.method ?? 'GET'
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const rawBody = Buffer.concat(chunks).toString('utf8')
    let body: unknown
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody)
      } catch {
        body = undefined
      }
    }
    const entry: FakeRequest = {
      seq: ++this.seq,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      auth: 'none',
      ...(body === undefined ? {} : { body }),
    }
    this.requests.push(entry)
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      entry.status = status
      this.send(res, status, payload, headers)
    }
    const error = (status: number, message: string, doc = '') =>
      reply(status, { message, documentation_url: `${DOCS}${doc}`, status: String(status) })

    const auth = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (auth === undefined) return error(401, 'Requires authentication')
    const grant = this.tokens.get(auth)
    entry.auth = grant ? grant.user.login : 'unknown'
    if (!grant) return error(401, 'Bad credentials')

    const faultIndex = this.faults.findIndex(
      (f) => (f.method === undefined || f.method === method) && (f.path === undefined || f.path.test(url.pathname)),
    )
    const fault = this.faults[faultIndex]
    if (fault) {
      if (fault.times === undefined || fault.times <= 1) this.faults.splice(faultIndex, 1)
      else fault.times--
      return reply(fault.status, fault.body ?? { message: 'Server Error' }, fault.headers)
    }

    if (method !== 'GET' && grant.readOnly) {
      return error(403, 'Resource not accessible by integration', '/issues/comments#create-an-issue-comment')
    }

    // GitHub's Link headers use the /repositories/<id>/ form of the same routes.
    const path = url.pathname.replace(/^\/repositories\/(\d+)(?=\/)/, (whole, id: string) => {
      const repo = this.findRepo(undefined, undefined, id)
      return repo ? `/repos/${repo.owner}/${repo.name}` : whole
    })
    let match: RegExpExecArray | null
    if (method === 'GET' && path === '/user') {
      if (grant.installation) return error(403, 'Resource not accessible by integration', '/users/users')
      return reply(200, userJson(grant.user, this.url))
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path)
    if (match) {
      const repo = this.findRepo(match[1], match[2], undefined)
      const number = Number(match[3])
      const list = repo?.comments.get(number)
      if (!repo || !list) return error(404, 'Not Found', '/issues/comments#list-issue-comments')
      if (method === 'GET') return this.page(url, repo, list, (c) => this.commentJson(repo, number, c), reply)
      if (method === 'POST') {
        const text = (body as { body?: unknown } | undefined)?.body
        if (typeof text !== 'string' || text === '') return this.invalid(reply, 'body', 'missing_field')
        if (text.length > 65_536)
          return this.invalid(reply, 'body', 'custom', 'body is too long (maximum is 65536 characters)')
        const comment = this.addComment(`${repo.owner}/${repo.name}`, number, grant.user, text)
        return reply(201, this.commentJson(repo, number, comment), {
          location: `${this.url}/repos/${repo.owner}/${repo.name}/issues/comments/${comment.id}`,
        })
      }
      return error(404, 'Not Found')
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path)
    if (match) {
      const repo = this.findRepo(match[1], match[2], undefined)
      const id = Number(match[3])
      for (const [number, list] of repo?.comments ?? []) {
        const comment = list.find((c) => c.id === id)
        if (!comment || !repo) continue
        if (method === 'GET') return reply(200, this.commentJson(repo, number, comment))
        if (method === 'PATCH') {
          const text = (body as { body?: unknown } | undefined)?.body
          if (typeof text !== 'string' || text === '') return this.invalid(reply, 'body', 'missing_field')
          if (text.length > 65_536)
            return this.invalid(reply, 'body', 'custom', 'body is too long (maximum is 65536 characters)')
          comment.body = text
          comment.updatedAt = this.tick()
          return reply(200, this.commentJson(repo, number, comment))
        }
      }
      return error(404, 'Not Found', '/issues/comments#update-an-issue-comment')
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(path)
    if (match && method === 'GET') {
      const repo = this.findRepo(match[1], match[2], undefined)
      if (!repo) return error(404, 'Not Found', '/pulls/pulls')
      if (match[3] !== undefined) {
        const pull = repo.pulls.find((p) => p.number === Number(match?.[3]))
        return pull ? reply(200, this.pullJson(repo, pull)) : error(404, 'Not Found', '/pulls/pulls#get-a-pull-request')
      }
      const state = url.searchParams.get('state') ?? 'open'
      const head = url.searchParams.get('head')
      const pulls = repo.pulls.filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (head === null || `${p.headRepo.split('/')[0]}:${p.headRef}`.toLowerCase() === head.toLowerCase()),
      )
      return this.page(url, repo, [...pulls].reverse(), (p) => this.pullJson(repo, p), reply)
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts$/.exec(path)
    if (match && method === 'GET') {
      const repo = this.findRepo(match[1], match[2], undefined)
      if (!repo) return error(404, 'Not Found', '/actions/artifacts#list-artifacts-for-a-repository')
      const name = url.searchParams.get('name')
      const artifacts = [...repo.artifacts].reverse().filter((a) => name === null || a.name === name)
      return this.page(
        url,
        repo,
        artifacts,
        (a) => this.artifactJson(repo, a),
        reply,
        (items, total) => ({
          total_count: total,
          artifacts: items,
        }),
      )
    }
    return error(404, 'Not Found')
  }

  private findRepo(owner: string | undefined, name: string | undefined, id: string | undefined): FakeRepo | undefined {
    if (id !== undefined) return [...this.repos.values()].find((r) => r.id === Number(id))
    return this.repos.get(`${owner}/${name}`.toLowerCase())
  }

  private invalid(reply: (s: number, b: unknown) => void, field: string, code: string, message?: string): void {
    reply(422, {
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', code, field, ...(message ? { message } : {}) }],
      documentation_url: `${DOCS}/issues/comments`,
      status: '422',
    })
  }

  /** One page of `items` with GitHub's `Link` header (`/repositories/<id>/...` form, as GitHub writes it). */
  private page<T>(
    url: URL,
    repo: FakeRepo,
    items: readonly T[],
    toJson: (item: T) => unknown,
    reply: (status: number, body: unknown, headers?: Record<string, string>) => void,
    wrap: (items: unknown[], total: number) => unknown = (page) => page,
  ): void {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30))
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const slice = items.slice((page - 1) * perPage, page * perPage).map(toJson)
    const linkPath = url.pathname.replace(/^\/repos\/[^/]+\/[^/]+/, `/repositories/${repo.id}`)
    const link = (p: number, rel: string) => {
      const target = new URL(`${this.url}${linkPath}`)
      for (const [key, value] of url.searchParams) target.searchParams.set(key, value)
      target.searchParams.set('page', String(p))
      return `<${target.toString()}>; rel="${rel}"`
    }
    const links: string[] = []
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    reply(200, wrap(slice, items.length), links.length > 0 ? { link: links.join(', ') } : {})
  }

  private commentJson(repo: FakeRepo, number: number, c: FakeComment): Record<string, unknown> {
    const api = `${this.url}/repos/${repo.owner}/${repo.name}`
    return {
      url: `${api}/issues/comments/${c.id}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${number}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${number}`,
      id: c.id,
      node_id: Buffer.from(`012:IssueComment${c.id}`).toString('base64'),
      user: userJson(c.user, this.url),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
      body: c.body,
      reactions: { url: `${api}/issues/comments/${c.id}/reactions`, total_count: 0, '+1': 0, '-1': 0 },
      performed_via_github_app: null,
    }
  }

  private pullJson(repo: FakeRepo, p: FakePull): Record<string, unknown> {
    const [headOwner = ''] = p.headRepo.split('/')
    return {
      url: `${this.url}/repos/${repo.owner}/${repo.name}/pulls/${p.number}`,
      id: 10_000 + p.number,
      html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${p.number}`,
      number: p.number,
      state: p.state,
      title: `Pull request ${p.number}`,
      head: {
        label: `${headOwner}:${p.headRef}`,
        ref: p.headRef,
        sha: p.headSha,
        repo: { full_name: p.headRepo, fork: p.headRepo !== `${repo.owner}/${repo.name}` },
      },
      base: {
        label: `${repo.owner}:main`,
        ref: 'main',
        sha: 'c'.repeat(40),
        repo: { full_name: `${repo.owner}/${repo.name}` },
      },
    }
  }

  private artifactJson(repo: FakeRepo, a: FakeArtifact): Record<string, unknown> {
    const api = `${this.url}/repos/${repo.owner}/${repo.name}/actions/artifacts/${a.id}`
    return {
      id: a.id,
      node_id: Buffer.from(`08:Artifact${a.id}`).toString('base64'),
      name: a.name,
      size_in_bytes: 4096,
      url: api,
      archive_download_url: `${api}/zip`,
      expired: a.expired,
      digest: `sha256:${'d'.repeat(64)}`,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      expires_at: new Date(Date.parse(a.createdAt) + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      workflow_run: {
        id: a.runId,
        repository_id: repo.id,
        head_repository_id: a.headRepositoryId,
        head_branch: a.headBranch,
        head_sha: a.headSha,
      },
    }
  }
}

/** Starts a fake GitHub API on a random loopback port. */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  return new FakeGitHub().listen()
}
