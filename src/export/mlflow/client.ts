/**
 * A small client for MLflow's REST API (`/api/2.0/mlflow/...` and the artifact proxy
 * `/api/2.0/mlflow-artifacts/artifacts/...`) over plain `fetch`. Requests that meet a retryable
 * status (408, 409, 429, 5xx), a timeout or a network error are retried by the shared policy
 * (`http-retry.ts`: backoff with jitter, `retry-after`); anything else that is not a 2xx is an
 * {@link MlflowError} naming the server. Credentials go in the Authorization header
 * only and are registered with `redact`, so no message can carry them.
 */
import type { MlflowCredentials, MlflowHttpSettings } from '../../config.js'
import { MlflowError } from '../../errors.js'
import { HttpStatusFailure, isRetryableStatus, parseRetryAfter, withRetries } from '../../http-retry.js'
import { redact, registerSecret } from '../../redact.js'
import { excerpt } from '../../report/text.js'

/** What the client needs. */
export interface MlflowClientOptions {
  /** Tracking server base URL (checked by `checkTrackingUri`). */
  trackingUri: string
  credentials: MlflowCredentials
  http: MlflowHttpSettings
  /** For tests: a stand-in for the global `fetch`. */
  fetch?: typeof fetch
}

/** One key/value as MLflow's entities take them. */
export interface MlflowKeyValue {
  key: string
  value: string
}

/** A metric as `log-batch` takes it. */
export interface MlflowMetricEntity {
  key: string
  value: number
  timestamp: number
  step: number
}

/** The part of a run's info vitest-judge reads. */
export interface MlflowRunInfo {
  run_id: string
  experiment_id: string
  status?: string
  artifact_uri?: string
  lifecycle_stage?: string
}

/** A run as `runs/get` and `runs/search` return it. */
export interface MlflowRun {
  info: MlflowRunInfo
  data?: {
    metrics?: Array<{ key: string; value: number; step?: number; timestamp?: number }>
    params?: MlflowKeyValue[]
    tags?: MlflowKeyValue[]
  }
}

/**
 * The artifact proxy path of a run's artifact, or undefined when the run's artifacts live where
 * the REST API cannot write (the server was started without `--serve-artifacts` / with a
 * client-side artifact store).
 */
export function artifactPath(artifactUri: string | undefined, file: string): string | undefined {
  if (!artifactUri) return undefined
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?(\/.*)?$/.exec(artifactUri)
  if (!match) return undefined
  const base = (match[1] ?? '').replace(/^\/+|\/+$/g, '')
  return base ? `${base}/${file}` : file
}

/** The MLflow REST client. */
export class MlflowClient {
  /** The server's address, for messages. */
  readonly server: string
  private readonly base: string
  private readonly authorization: string | undefined
  private readonly http: MlflowHttpSettings
  private readonly fetchFn: typeof fetch

  constructor(options: MlflowClientOptions) {
    this.base = options.trackingUri.replace(/\/+$/, '')
    this.server = this.base
    this.http = options.http
    this.fetchFn = options.fetch ?? fetch
    const creds = options.credentials
    if (creds.kind === 'token') {
      registerSecret(creds.token)
      this.authorization = `Bearer ${creds.token}`
    } else if (creds.kind === 'basic') {
      registerSecret(creds.password)
      const encoded = Buffer.from(`${creds.username}:${creds.password}`).toString('base64')
      registerSecret(encoded)
      this.authorization = `Basic ${encoded}`
    }
  }

  /**
   * Calls `/api/2.0/mlflow/<endpoint>`; GET bodies become the query string (an array value repeats
   * its key, as MLflow reads repeated fields).
   */
  async call<T>(method: 'GET' | 'POST' | 'PATCH', endpoint: string, body: Record<string, unknown> = {}): Promise<T> {
    let url = `${this.base}/api/2.0/mlflow/${endpoint}`
    let payload: string | undefined
    if (method === 'GET') {
      const query = new URLSearchParams()
      for (const [key, value] of Object.entries(body)) {
        if (Array.isArray(value)) for (const item of value) query.append(key, String(item))
        else if (value !== undefined) query.set(key, String(value))
      }
      const text = query.toString()
      if (text) url += `?${text}`
    } else payload = JSON.stringify(body)
    const response = await this.send(endpoint, url, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(payload !== undefined ? { body: payload } : {}),
    })
    const text = await response.text()
    if (text.trim() === '') return {} as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new MlflowError(this.server, `${endpoint} answered with something that is not JSON: ${excerpt(text, 160)}`)
    }
  }

  /** Uploads one artifact through the server's artifact proxy (`mlflow-artifacts:` locations). */
  async putArtifact(path: string, content: string | Uint8Array, contentType: string): Promise<void> {
    const encoded = path
      .split('/')
      .filter((part) => part !== '')
      .map(encodeURIComponent)
      .join('/')
    const url = `${this.base}/api/2.0/mlflow-artifacts/artifacts/${encoded}`
    const response = await this.send('artifact upload', url, {
      method: 'PUT',
      headers: { 'Content-Type': contentType },
      body: content,
    })
    await response.arrayBuffer()
  }

  /** One request with retries (the shared policy, `http-retry.ts`); resolves to a 2xx response. */
  private async send(what: string, url: string, init: RequestInit): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) }
    if (this.authorization) headers.Authorization = this.authorization
    try {
      const { value } = await withRetries(
        async () => {
          const response = await this.fetchFn(url, {
            ...init,
            headers,
            signal: AbortSignal.timeout(this.http.timeoutMs),
          })
          if (response.ok) return response
          throw new HttpStatusFailure(response.status, response.headers, await response.text().catch(() => ''))
        },
        (error) =>
          error instanceof HttpStatusFailure
            ? {
                retryable: isRetryableStatus(error.status),
                status: error.status,
                ...optional('retryAfterMs', parseRetryAfter(error.headers)),
                message: error.message,
              }
            : { retryable: true, message: String(error) },
        { maxRetries: this.http.maxRetries, baseDelayMs: this.http.backoffMs },
      )
      return value
    } catch (error) {
      const tries = (error as { attempts?: number }).attempts ?? 1
      const detail = error instanceof HttpStatusFailure ? errorDetail(error.body) : undefined
      if (error instanceof HttpStatusFailure && (error as { retryStop?: unknown }).retryStop === undefined)
        throw this.refusal(what, error.status, detail ?? {})
      const problem =
        error instanceof HttpStatusFailure
          ? `HTTP ${error.status}${detail?.message ? ` (${detail.message})` : ''}`
          : networkProblem(error, this.http.timeoutMs)
      throw new MlflowError(this.server, `${what} failed after ${tries} attempt${tries === 1 ? '' : 's'}: ${problem}.`)
    }
  }

  private refusal(what: string, status: number, detail: { code?: string; message?: string }): MlflowError {
    const hint =
      status === 401 || status === 403
        ? ': check MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD'
        : ''
    const told = detail.message ? `: ${detail.code ? `${detail.code} ` : ''}${detail.message}` : ''
    return new MlflowError(this.server, `${what} was refused with HTTP ${status}${told}${hint}.`, {
      status,
      ...(detail.code !== undefined ? { mlflowCode: detail.code } : {}),
    })
  }
}

/** MLflow's `{ error_code, message }` of an error body, scrubbed and shortened. */
function errorDetail(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown }
    const out: { code?: string; message?: string } = {}
    if (typeof body.error_code === 'string') out.code = body.error_code
    if (typeof body.message === 'string') out.message = excerpt(redact(body.message), 300)
    return out
  } catch {
    return text.trim() ? { message: excerpt(redact(text), 200) } : {}
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

function networkProblem(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown }).name
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  const message = error instanceof Error ? error.message : String(error)
  return redact(code ? `${code} (${message})` : message)
}
