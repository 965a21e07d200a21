/**
 * The `vitest-judge ui` server: the HTML report's page, live, from the run store. Read-only (the
 * store is opened read-only once per server, on the first request that needs it), loopback unless told otherwise, and it serves exactly
 * two things: the page (`/`, `/?inv=<id>`) and the state the page polls (`/api/state`). Any other
 * path, a path with `..`, a method other than GET/HEAD, or (on loopback) a foreign Host header is
 * refused.
 */
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
}

/** A running server. */
export interface UiServer {
  url: string
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

/** Starts the server; resolves once it listens. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1'
  const loopback = isLoopback(host)
  // A --store that is not a postgres:// URL is a usage error now, not on every request. One store
  // per server: a PostgreSQL store would otherwise be a new pool at every poll of the page.
  const state = new State(options.io, options.dir, options.store)
  const csp = pageCsp(pageAssets(), 'live')
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/'
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'Read-only: GET only.\n', { Allow: 'GET, HEAD' })
      return
    }
    if (loopback && !isLoopback(hostnameOf(req.headers.host))) {
      plain(res, 403, 'Forbidden host.')
      return
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
          : await buildPage(state, [id], { mode: 'live', follow: inv === null })
      send(res, 200, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': csp })
    } catch (error) {
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
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
      await state.close()
    },
  }
}
