/**
    token,
    reviewer,
 * The `vitest-judge ui` server: the HTML report's page, live, from the run store. Read-only (the
 * store is opened read-only once per server, on the first request that needs it), loopback unless told otherwise, and it serves exactly
 * two things: the page (`/`, `/?inv=<id>`) and the state the page polls (`/api/state`). Any other
 * path, a path with `..`, a method other than GET/HEAD, or (on loopback) a foreign Host header is
 * refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SelectorError, StoreError, UsageError } from '../errors.js'
import { redact } from '../redact.js'
import { pageAssets } from '../report/html/assets.js'
import { pageCsp } from '../report/html/render-page.js'
import { resolveSelector } from '../store/selectors.js'
import { buildPage, emptyPage } from './html-page.js'
import type { CliIo } from './io.js'
import { State } from './state.js'
import {
  addToDatasetRequest,
  labelsOfInvocation,
  ReviewRequestError,
  resolveReviewer,
  saveLabelRequest,
} from './ui-review.js'

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  /** The state folder. */
  dir: string
  /** A shared store's URL (`--store`); else VITEST_JUDGE_STORE_URL, else `<dir>/runs.db`. */
  store?: string
  /** @default '127.0.0.1' */
  host?: string
  /** 0 for any free port. @default 4177 */
  port?: number
  io: CliIo
  /** The reviewer's name for labels (`--reviewer`); else git's `user.name`, else the OS user. */
  reviewer?: string
}

/** A running server. */
export interface UiServer {
  url: string
  /** The per-server token every write must send in the `X-Vitest-Judge-Token` header (given to the page). */
  token: string
  /** Who the labels given through this server are from. */
  reviewer: string
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/** Whether `host` is a loopback address. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.')
}

function hostnameOf(header: string | undefined): string {
  if (!header) return ''
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1)
  return header.split(':')[0] ?? ''
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...SECURITY_HEADERS,
    ...extra,
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

function plain(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', `${text}\n`)
}

/** The newest complete invocation's id, or null when there is none yet. */
async function latestId(state: State): Promise<string | null> {
  if (!state.hasRuns()) return null
  let id: string | null = null
  try {
    const resolved = await resolveSelector('latest', () => state.runs(), { requireComplete: true })
    if (resolved.kind === 'invocation') id = resolved.id
  } catch (error) {
    if (!(error instanceof SelectorError || error instanceof StoreError)) throw error
  }
  // A PostgreSQL store opened before its tables existed (or while the server was away) reads as
  // empty for good: until there is an invocation, the next poll opens it again.
  if (id === null && state.storeUrl !== null) await state.close()
  return id
}

/** The largest request body a write accepts. */
export const MAX_BODY_BYTES = 64 * 1024

/** The header a write carries the server's token in. */
export const TOKEN_HEADER = 'x-vitest-judge-token'

/**
 * Why a write is refused, or undefined: the token must match, and Host and Origin must name the
 * bound address exactly (a page of another site, or a DNS-rebound name, cannot write).
 */
function writeRefusal(req: IncomingMessage, boundHost: string, token: string): string | undefined {
  const given = req.headers[TOKEN_HEADER]
  if (
    typeof given !== 'string' ||
    given.length !== token.length ||
    !timingSafeEqual(Buffer.from(given), Buffer.from(token))
  ) {
    return "Forbidden: a write needs this server's token (reload the page)."
  }
  const hosts = new Set([boundHost])
  // localhost names the loopback address the server is bound to.
  const port = boundHost.slice(boundHost.lastIndexOf(':') + 1)
  if (boundHost.startsWith('127.0.0.1:') || boundHost.startsWith('[::1]:')) hosts.add(`localhost:${port}`)
  if (!hosts.has(req.headers.host ?? '')) return 'Forbidden host for a write.'
  const origin = req.headers.origin
  if (typeof origin !== 'string' || ![...hosts].some((h) => origin === `http://${h}`)) {
    return 'Forbidden origin for a write: same origin only.'
  }
  const type = req.headers['content-type'] ?? ''
  if (!type.startsWith('application/json')) return 'A write is application/json.'
  return undefined
}

/** The request's JSON body, at most {@link MAX_BODY_BYTES}. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) {
    req.resume()
    throw new ReviewRequestError(413, `A request body is at most ${MAX_BODY_BYTES} bytes.`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new ReviewRequestError(413, `A request body is at most ${MAX_BODY_BYTES} bytes.`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new ReviewRequestError(400, 'The request body is not JSON.')
  }
}

/** The live page with the write token and the reviewer's name in its head (hex token; the name escaped). */
function withToken(html: string, token: string, reviewer: string): string {
  const name = reviewer.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
  const meta = `<meta name="vitest-judge-token" content="${token}"><meta name="vitest-judge-reviewer" content="${name}">`
  return html.replace(/<head>/i, `<head>${meta}`)
}

/** Starts the server; resolves once it listens. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1'
  const loopback = isLoopback(host)
  // A --store that is not a postgres:// URL is a usage error now, not on every request. One store
  // per server: a PostgreSQL store would otherwise be a new pool at every poll of the page.
  const state = new State(options.io, options.dir, options.store)
  const csp = pageCsp(pageAssets(), 'live')
  const token = randomBytes(24).toString('hex')
  const reviewer = resolveReviewer(options.reviewer, options.io.cwd)
  let boundHost = ''
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/'
    const write = req.method === 'POST'
    if (req.method !== 'GET' && req.method !== 'HEAD' && !write) {
      send(res, 405, 'text/plain; charset=utf-8', 'GET, or POST for review only.\n', { Allow: 'GET, HEAD, POST' })
      return
    }
    if (loopback && !isLoopback(hostnameOf(req.headers.host))) {
      plain(res, 403, 'Forbidden host.')
      return
    }
    if (write) {
      const refused = writeRefusal(req, boundHost, token)
      if (refused !== undefined) {
        req.resume()
        plain(res, 403, refused)
        return
      }
    }
    let decoded: string
    try {
      decoded = decodeURIComponent(raw)
    } catch {
      plain(res, 400, 'Bad path.')
      return
    }
    if (decoded.includes('..') || decoded.includes('\\') || decoded.includes('\0')) {
      plain(res, 400, 'Bad path: this server serves its page and its data only.')
      return
    }
    const url = new URL(raw, 'http://ui.invalid')
    try {
      if (write) {
        if (url.pathname !== '/api/labels' && url.pathname !== '/api/dataset') {
          plain(res, 404, 'Not found: writes are POST /api/labels and POST /api/dataset only.')
          return
        }
        const body = await readJsonBody(req)
        const answer =
          url.pathname === '/api/labels'
            ? { label: await saveLabelRequest(state, reviewer, body) }
            : await addToDatasetRequest(state, options.io.cwd, body)
        send(res, 200, 'application/json; charset=utf-8', JSON.stringify(answer))
        return
      }
      if (url.pathname === '/api/labels') {
        const inv = url.searchParams.get('inv') ?? ''
        send(
          res,
          200,
          'application/json; charset=utf-8',
          JSON.stringify({ labels: await labelsOfInvocation(state, inv) }),
        )
        return
      }
      if (url.pathname === '/api/state') {
        send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ latest: await latestId(state) }))
        return
      }
      if (url.pathname !== '/' && url.pathname !== '/index.html') {
        plain(res, 404, 'Not found: this server serves its page (/) and its data (/api/state) only.')
        return
      }
      const inv = url.searchParams.get('inv')
      if (inv !== null && !/^[0-9a-z]{4,40}$/.test(inv)) {
        plain(res, 400, 'Bad invocation id.')
        return
      }
      const id = inv ?? (await latestId(state))
      const html =
        id === null
          ? emptyPage(`No complete invocation in ${state.runsFile} yet: run vitest with the vitest-judge plugin.`)
          : withToken(await buildPage(state, [id], { mode: 'live', follow: inv === null }), token, reviewer)
      send(res, 200, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': csp })
    } catch (error) {
      if (error instanceof ReviewRequestError) {
        plain(res, error.status, error.message)
        return
      }
      const status = error instanceof SelectorError ? 404 : 500
      plain(res, status, redact(error instanceof Error ? error.message : String(error)))
    }
  }
  const server = createServer((req, res) => {
    void handle(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`Port ${options.port ?? 4177} is in use: pass --port N (0 for any free port).`)
          : error,
      )
    })
    server.listen(options.port ?? 4177, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  boundHost = `${shownHost}:${address.port}`
  return {
    url: `http://${shownHost}:${address.port}/`,
    token,
    reviewer,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
      await state.close()
    },
  }
}
