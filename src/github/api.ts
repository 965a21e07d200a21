/**
 * A small GitHub REST client on the global `fetch` (Node 20): bearer token, API version header,
 * retries for rate limits and server errors, and pagination through `Link` headers. No Octokit: the
 * CLI needs four endpoints. The token is never part of a message; callers register it with
 * `registerSecret` so that `redact` removes it from anything printed. Retries follow the shared
 * policy (`http-retry.ts`).
 */
import {
  type ClassifiedFailure,
  HttpStatusFailure,
  isRetryableStatus,
  parseRetryAfter,
  withRetries,
} from '../http-retry.js'

/** The public GitHub API. GitHub Enterprise Server sets `GITHUB_API_URL` to its own `/api/v3`. */
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com'

/** Options of {@link GitHubClient}. */
export interface GitHubClientOptions {
  /** Token sent as `Authorization: Bearer`; requests go without one when absent. */
  token?: string | undefined
  /**
   * Base URL of the REST API, without a trailing slash.
   * @default 'https://api.github.com'
   */
  apiUrl?: string | undefined
  /**
   * Retries after a rate limit (429, or 403 with `x-ratelimit-remaining: 0` or `retry-after`), a
   * retryable status (408, 409, 5xx: `http-retry.ts`) or a dropped connection. POST is only retried after a rate limit, which
   * means GitHub did not act on it: a POST that failed otherwise may have landed.
   * @default 2
   */
  retries?: number
  /**
   * First retry delay in milliseconds, doubled at each retry with jitter, at most 8 s (`retry-after` wins when set).
   * @default 1000
   */
  retryDelayMs?: number
  /**
   * Longest `retry-after` honoured, in milliseconds; a longer wait fails the request instead.
   * @default 60000
   */
  maxRetryAfterMs?: number
  /**
   * Time limit of one request, in milliseconds.
   * @default 30000
   */
  timeoutMs?: number
  /** `fetch` to use (tests); the global one by default. */
  fetch?: typeof fetch
}

/** A successful response, with its JSON body parsed (`null` for an empty body). */
export interface GitHubResponse {
  status: number
  data: unknown
  headers: Headers
}

/** A request GitHub refused or could not serve, after retries. */
export class GitHubApiError extends Error {
  /** HTTP status, or 0 when there was no response (network error, timeout). */
  readonly status: number
  /** `GET`, `POST`, ... */
  readonly method: string
  /** The path requested (no origin, no query). */
  readonly path: string
  /** GitHub's own `message`, when it sent one. */
  readonly githubMessage: string | undefined
  /** Whether the refusal was a rate limit rather than a permission. */
  readonly rateLimited: boolean

  constructor(init: {
    status: number
    method: string
    path: string
    githubMessage?: string | undefined
    rateLimited?: boolean
    detail?: string
  }) {
    const what = `GitHub API ${init.method} ${init.path}`
    const why =
      init.status === 0
        ? `failed: ${init.detail ?? 'no response'}`
        : `answered ${init.status}${init.githubMessage ? ` (${init.githubMessage})` : ''}`
    super(`${what} ${why}`)
    this.name = 'GitHubApiError'
    this.status = init.status
    this.method = init.method
    this.path = init.path
    this.githubMessage = init.githubMessage
    this.rateLimited = init.rateLimited === true
  }
}

/** The URLs of a `Link` header by relation (`next`, `last`, ...). */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {}
  if (!header) return links
  for (const part of header.split(',')) {
    const match = /<([^>]*)>((?:\s*;\s*[^;]+)*)/.exec(part.trim())
    if (!match) continue
    const url = match[1] ?? ''
    for (const param of (match[2] ?? '').split(';')) {
      const rel = /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(param)
      if (!rel) continue
      for (const name of (rel[1] ?? '').split(/\s+/)) if (name) links[name] = url
    }
  }
  return links
}

function githubMessageOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const message = (data as { message?: unknown }).message
  return typeof message === 'string' ? message.slice(0, 300) : undefined
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/**
 * GitHub's failures for the shared retry policy: a rate limit is always retried (GitHub did not act
 * on the request), with its own wait; any other retryable status or a dropped connection only when
 * the request may be repeated (a POST that failed otherwise may have landed).
 */
function classifyGitHubFailure(error: unknown, idempotent: boolean): ClassifiedFailure {
  if (!(error instanceof HttpStatusFailure)) return { retryable: idempotent, message: String(error) }
  const rateLimited = isRateLimit(error.status, error.headers)
  const retryAfterMs = rateLimited ? rateLimitWait(error.headers, Date.now()) : parseRetryAfter(error.headers)
  return {
    retryable: rateLimited || (idempotent && isRetryableStatus(error.status)),
    status: error.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    message: error.message,
  }
}

/** Whether a response is one of GitHub's rate limits (primary: 403/429 with no requests left; secondary: retry-after). */
function isRateLimit(status: number, headers: Headers): boolean {
  if (status === 429) return true
  if (status !== 403) return false
  return headers.get('x-ratelimit-remaining') === '0' || headers.get('retry-after') !== null
}

/** Milliseconds to wait before retrying a rate-limited response, from `retry-after` or `x-ratelimit-reset`. */
function rateLimitWait(headers: Headers, now: number): number | undefined {
  const after = parseRetryAfter(headers, now)
  if (after !== undefined) return after
  const reset = headers.get('x-ratelimit-reset')
  if (reset !== null && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - now)
  return undefined
}

/** A GitHub REST API client for the few calls the CLI makes. */
export class GitHubClient {
  /** Base URL of the API, no trailing slash. */
  readonly apiUrl: string
  private readonly token: string | undefined
  private readonly origin: string
  private readonly retries: number
  private readonly retryDelayMs: number
  private readonly maxRetryAfterMs: number
  private readonly timeoutMs: number
  private readonly fetchImpl: typeof fetch

  constructor(options: GitHubClientOptions = {}) {
    const raw = (options.apiUrl ?? '').trim() || DEFAULT_GITHUB_API_URL
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new TypeError(`GITHUB_API_URL "${raw}" is not a URL (e.g. https://api.github.com).`)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError(`GITHUB_API_URL "${raw}" must be an http(s) URL.`)
    }
    this.apiUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, '')
    this.origin = url.origin
    this.token = options.token
    this.retries = options.retries ?? 2
    this.retryDelayMs = options.retryDelayMs ?? 1000
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.fetchImpl = options.fetch ?? fetch
  }

  /**
   * Sends one request. `target` is a path under the API URL (`/repos/o/r/...`) or an absolute URL
   * on the API's origin (a `Link` target); `query` values are appended. Resolves with the parsed
   * response for 2xx; throws {@link GitHubApiError} otherwise, after the retries.
   */
  async request(
    method: string,
    target: string,
    options: { query?: Record<string, string | number>; body?: unknown } = {},
  ): Promise<GitHubResponse> {
    const url = this.resolve(target)
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value))
    const path = url.pathname
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'vitest-judge',
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    const idempotent = method !== 'POST'

    const policy = { maxRetries: this.retries, baseDelayMs: this.retryDelayMs, maxRetryAfterMs: this.maxRetryAfterMs }
    try {
      const { value } = await withRetries(
        async () => {
          const response = await this.fetchImpl(url, {
            method,
            headers,
            ...(body === undefined ? {} : { body }),
            redirect: 'error',
            signal: AbortSignal.timeout(this.timeoutMs),
          })
          const text = await response.text()
          if (!response.ok) throw new HttpStatusFailure(response.status, response.headers, text)
          return { status: response.status, data: parseBody(text), headers: response.headers }
        },
        (error) => classifyGitHubFailure(error, idempotent),
        policy,
      )
      return value
    } catch (error) {
      if (error instanceof HttpStatusFailure) {
        throw new GitHubApiError({
          status: error.status,
          method,
          path,
          githubMessage: githubMessageOf(parseBody(error.body)),
          rateLimited: isRateLimit(error.status, error.headers),
        })
      }
      throw new GitHubApiError({ status: 0, method, path, detail: networkDetail(error, this.apiUrl) })
    }
  }

  /**
   * Yields the items of a paginated list, page after page, following `Link: rel="next"` (only on
   * the API's own origin). `itemsOf` picks the array out of a page (the page itself by default).
   * Stops after `maxPages` pages.
   */
  async *paginate(
    path: string,
    options: { query?: Record<string, string | number>; itemsOf?: (page: unknown) => unknown; maxPages?: number } = {},
  ): AsyncGenerator<unknown> {
    const itemsOf = options.itemsOf ?? ((page: unknown) => page)
    const maxPages = options.maxPages ?? 100
    let next: string | undefined = path
    let query: Record<string, string | number> | undefined = { per_page: 100, ...(options.query ?? {}) }
    for (let page = 0; next !== undefined && page < maxPages; page++) {
      const response = await this.request('GET', next, query ? { query } : {})
      const items = itemsOf(response.data)
      if (!Array.isArray(items)) {
        throw new GitHubApiError({ status: response.status, method: 'GET', path, detail: 'not a list' })
      }
      yield* items
      next = parseLinkHeader(response.headers.get('link')).next
      // The next link carries the whole query already.
      query = undefined
    }
  }

  private resolve(target: string): URL {
    if (/^https?:\/\//i.test(target)) {
      const url = new URL(target)
      // A Link header must not send the token to another host.
      if (url.origin !== this.origin) {
        throw new GitHubApiError({
          status: 0,
          method: 'GET',
          path: url.pathname,
          detail: `refusing to follow a link off ${this.origin}`,
        })
      }
      return url
    }
    return new URL(`${this.apiUrl}${target.startsWith('/') ? '' : '/'}${target}`)
  }
}

function networkDetail(error: unknown, apiUrl: string): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer from ${apiUrl} in time`
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  const reason = typeof cause?.message === 'string' && cause.message !== '' ? cause.message : undefined
  const message = error instanceof Error ? error.message : String(error)
  return `cannot reach ${apiUrl} (${code ?? reason ?? message})`
}
