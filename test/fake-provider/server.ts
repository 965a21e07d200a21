/**
 * A loopback fake of the OpenAI, Gemini and Anthropic HTTP APIs, spoken on the real wire formats so that the real SDKs can
 * be pointed at it with a base URL. Every route lives under `/t/<tenant>/` and each tenant has its own faults,
 * counters and request log, so parallel test files never disturb one another. See README.md in this folder.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { agentReply, setAgentPlans } from './agent.js'
import { type ConversationReply, conversationReply } from './conversation.js'
import { chatCompletionStream } from './openai-stream.js'

/** How a chat/generate reply can be broken on purpose. */
export type MalformedMode = 'prose' | 'fenced' | 'score7' | 'missing-field' | 'not-json'

/** A tenant's fault and scoring configuration; `POST /__control/<tenant>` replaces it as a whole. */
export interface FakeTenantConfig {
  /** Every Nth model request (counted since the last configure/reset) answers 429. */
  status429Every?: number
  /** Every Nth model request answers 500. */
  status500Every?: number
  /** Every Nth model request answers 529 (Anthropic's `overloaded_error`; other flavors get it as a plain 529). */
  status529Every?: number
  /** `retry-after` seconds on 429 replies (default 0); when set, also sent on 500, 503 and 529 replies. */
  retryAfterSeconds?: number
  /** Delay before answering, in milliseconds. */
  delayMs?: number
  /** Only every Nth request is delayed (default: every request). */
  delayEvery?: number
  /** Every model request answers 503. */
  down?: boolean
  /** Break chat/generate replies this way. */
  malformed?: MalformedMode
  /** Only the first N chat/generate replies after configuring are malformed (default: all). */
  malformedTimes?: number
  /** Score to give when the output carries no `[[score=N]]` directive. */
  score?: number
}

/** The tagged sections of a grading prompt. */
export type SectionName = 'input' | 'output' | 'reference' | 'context'

/** The sections found in one grading prompt, by tag name (last occurrence of each tag). */
export type GradingSections = Partial<Record<SectionName, string>>

/** A model route the fake serves. */
export type FakeRoute =
  | 'openai.chat'
  | 'openai.embeddings'
  | 'gemini.generateContent'
  | 'gemini.embedContent'
  | 'gemini.batchEmbedContents'
  | 'anthropic.messages'

/** Why a request did not get a healthy reply. */
export type FakeFault =
  | 'down'
  | 'unauthorized'
  | 'rate-limit'
  | 'server-error'
  | 'overloaded'
  | 'bad-request'
  | 'malformed'

/** One model request as the tenant's log keeps it. Credentials are recorded only as present, never by value. */
export interface FakeLogEntry {
  /** 1-based number of this request in the tenant (all model routes). */
  seq: number
  route: FakeRoute
  /** Request path without the query string. */
  path: string
  /** HTTP status sent (0 while the reply is pending or when the client went away first). */
  status: number
  model?: string
  sections: GradingSections
  /** Nonce of the output section's tag. */
  nonce?: string
  headers: {
    authorization?: '[present]'
    /** Set when the Gemini key came as the `x-goog-api-key` header or the `key` query parameter. */
    'x-goog-api-key'?: '[present]'
    /** Set when the Anthropic key came as the `x-api-key` header. */
    'x-api-key'?: '[present]'
    /** The `anthropic-version` header the Anthropic SDK sends. */
    'anthropic-version'?: string
    /** Sent by the openai and Anthropic SDKs: 0 on the first attempt, then 1, 2, ... */
    'x-stainless-retry-count'?: string
  }
  /** OpenAI `response_format.type`, Gemini `generationConfig.responseMimeType`, or Anthropic `tool:<name>` for a forced tool call. */
  responseFormat?: string
  /** Whether a JSON schema came with the request. */
  schema?: boolean
  temperature?: number
  /** Number of texts in an embeddings request. */
  inputs?: number
  /** The score the fake decided on (chat/generate). */
  score?: number
  fault?: FakeFault
  malformed?: MalformedMode
  delayedMs?: number
  /** The client closed the connection before the reply was sent. */
  aborted?: boolean
}

/** What `GET /__control/<tenant>` returns. */
export interface FakeTenantStats {
  /** Model requests received (any status). */
  requests: number
  byRoute: Record<string, number>
  log: FakeLogEntry[]
  config: FakeTenantConfig
}

/** A running fake provider. */
export interface FakeProvider {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  close(): Promise<void>
}

const MALFORMED_MODES: readonly MalformedMode[] = ['prose', 'fenced', 'score7', 'missing-field', 'not-json']
const SECTION_RE = /<(input|output|reference|context)-([0-9a-f]{8})>\n?([\s\S]*?)\n?<\/\1-\2>/g
const DIRECTIVE_RE = /\[\[score=(-?\d+(?:\.\d+)?)\]\]/
const WORD_RE = /[\p{L}\p{N}]+/gu
const TENANT_RE = /^[A-Za-z0-9._~-]{1,100}$/
const DEFAULT_DIMENSIONS = 64
const MAX_BODY_BYTES = 16 * 1024 * 1024

type Flavor = 'openai' | 'gemini' | 'anthropic'
type Json = Record<string, unknown>

interface TenantState {
  /** The tenant's name (its agent plans are kept by name, in agent.ts). */
  name: string
  config: FakeTenantConfig
  requests: number
  /** Drives the "every Nth" faults; restarts on configure so a test's counting starts with its own requests. */
  sinceConfig: number
  malformedServed: number
  byRoute: Record<string, number>
  log: FakeLogEntry[]
}

interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
  /** A body sent as is (a server-sent event stream) instead of `body` as JSON. */
  raw?: { contentType: string; payload: string }
}

/** The fake judge's verdict before it is turned into reply text. */
export interface FakeVerdict {
  score: number
  justification: string
}

class BadRequest extends Error {}

/** Starts the fake provider on 127.0.0.1 (a random free port unless `port` is given). */
export async function startFakeProvider(options: { port?: number } = {}): Promise<FakeProvider> {
  const tenants = new Map<string, TenantState>()
  const sleepers = new Set<() => void>()

  const tenant = (name: string): TenantState => {
    let state = tenants.get(name)
    if (!state) {
      state = newTenant(name)
      tenants.set(name, state)
    }
    return state
  }

  const server = createServer((req, res) => {
    handle(req, res, tenant, sleepers, tenants).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, body: { error: { message: `fake provider crashed: ${String(error)}` } } })
      }
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const wake of sleepers) wake()
      sleepers.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

function newTenant(name: string): TenantState {
  return { name, config: {}, requests: 0, sinceConfig: 0, malformedServed: 0, byRoute: {}, log: [] }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  tenant: (name: string) => TenantState,
  sleepers: Set<() => void>,
  tenants: Map<string, TenantState>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake.invalid')
  const path = url.pathname
  const method = req.method ?? 'GET'

  if (path === '/__health') return send(res, { status: 200, body: { ok: true } })
  if (path.startsWith('/__control/')) {
    const name = decodeURIComponent(path.slice('/__control/'.length))
    return handleControl(req, res, method, name, tenant, tenants)
  }
  // Scripted agent plans (agent.ts): POST /__agent/<tenant> { plans }.
  if (path.startsWith('/__agent/') && method === 'POST') {
    const name = decodeURIComponent(path.slice('/__agent/'.length))
    let parsed: unknown
    try {
      parsed = JSON.parse(await readBody(req))
    } catch {
      return send(res, { status: 400, body: { error: 'agent body is not JSON' } })
    }
    const problem = TENANT_RE.test(name) ? setAgentPlans(name, parsed) : `bad tenant name: ${name}`
    return send(res, problem ? { status: 400, body: { error: problem } } : { status: 200, body: { ok: true } })
  }

  const match = /^\/t\/([^/]+)(\/.*)$/.exec(path)
  const name = match?.[1] !== undefined ? decodeURIComponent(match[1]) : undefined
  const rest = match?.[2] ?? path
  const route = method === 'POST' ? matchRoute(rest) : undefined
  if (!name || !TENANT_RE.test(name) || !route) {
    const flavor: Flavor = /\/v1(beta|alpha)?\/models\//.test(rest)
      ? 'gemini'
      : /\/v1\/messages/.test(rest)
        ? 'anthropic'
        : 'openai'
    const hint =
      'routes: POST /t/<tenant>/v1/chat/completions, /t/<tenant>/v1/embeddings, /t/<tenant>/{v1,v1beta}/models/<model>:{generateContent,embedContent,batchEmbedContents}, /t/<tenant>/v1/messages'
    return send(res, errorReply(flavor, 404, `fake provider: no route for ${method} ${path} (${hint})`))
  }

  const raw = await readBody(req)
  let body: unknown
  let bodyError: string | undefined
  try {
    body = JSON.parse(raw)
  } catch {
    bodyError = 'We could not parse the JSON body of your request.'
  }

  const state = tenant(name)
  state.requests += 1
  state.sinceConfig += 1
  state.byRoute[route.name] = (state.byRoute[route.name] ?? 0) + 1
  const n = state.sinceConfig
  const cfg = state.config
  const entry: FakeLogEntry = {
    seq: state.requests,
    route: route.name,
    path,
    status: 0,
    sections: {},
    headers: describeHeaders(req, url),
  }
  if (route.model !== undefined) entry.model = route.model
  if (isRecord(body)) describeBody(route.name, body, entry)
  state.log.push(entry)

  let gone = false
  res.on('close', () => {
    if (!res.writableFinished) gone = true
  })

  if (cfg.delayMs && cfg.delayMs > 0 && (!cfg.delayEvery || n % cfg.delayEvery === 0)) {
    entry.delayedMs = cfg.delayMs
    await sleep(cfg.delayMs, sleepers, res)
  }
  if (gone || res.destroyed) {
    entry.aborted = true
    return
  }

  const reply = decide(route, body, bodyError, entry, state, n, req, url)
  entry.status = reply.status
  send(res, reply)
}

function decide(
  route: { name: FakeRoute; flavor: Flavor; model?: string },
  body: unknown,
  bodyError: string | undefined,
  entry: FakeLogEntry,
  state: TenantState,
  n: number,
  req: IncomingMessage,
  url: URL,
): Reply {
  const cfg = state.config
  const flavor = route.flavor
  const retryAfter = cfg.retryAfterSeconds
  const retryHeaders = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined

  if (cfg.down) {
    entry.fault = 'down'
    return errorReply(flavor, 503, undefined, retryHeaders)
  }
  if (!hasKey(flavor, req, url)) {
    entry.fault = 'unauthorized'
    return errorReply(flavor, flavor === 'gemini' ? 403 : 401)
  }
  if (cfg.status429Every && n % cfg.status429Every === 0) {
    entry.fault = 'rate-limit'
    return errorReply(flavor, 429, undefined, { 'retry-after': String(retryAfter ?? 0) }, retryAfter ?? 0)
  }
  if (cfg.status500Every && n % cfg.status500Every === 0) {
    entry.fault = 'server-error'
    return errorReply(flavor, 500, undefined, retryHeaders)
  }
  if (cfg.status529Every && n % cfg.status529Every === 0) {
    entry.fault = 'overloaded'
    return errorReply(flavor, 529, undefined, retryHeaders)
  }
  try {
    if (bodyError !== undefined || !isRecord(body))
      throw new BadRequest(bodyError ?? 'The request body must be a JSON object.')
    switch (route.name) {
      case 'openai.chat':
        return openaiChat(body, entry, state)
      case 'openai.embeddings':
        return openaiEmbeddings(body, entry)
      case 'gemini.generateContent':
        return geminiGenerate(body, route.model ?? 'unknown', entry, state)
      case 'gemini.embedContent':
        return geminiEmbed(body, entry)
      case 'gemini.batchEmbedContents':
        return geminiBatchEmbed(body, entry)
      case 'anthropic.messages':
        return anthropicMessages(body, entry, state, req)
    }
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error
    entry.fault = 'bad-request'
    return errorReply(flavor, 400, error.message)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Control API

async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  name: string,
  tenant: (name: string) => TenantState,
  tenants: Map<string, TenantState>,
): Promise<void> {
  if (!TENANT_RE.test(name)) return send(res, { status: 400, body: { error: `bad tenant name: ${name}` } })
  if (method === 'GET') {
    const state = tenant(name)
    const stats: FakeTenantStats = {
      requests: state.requests,
      byRoute: { ...state.byRoute },
      log: state.log,
      config: state.config,
    }
    return send(res, { status: 200, body: stats })
  }
  if (method === 'DELETE') {
    tenants.set(name, newTenant(name))
    return send(res, { status: 200, body: { ok: true } })
  }
  if (method === 'POST') {
    let parsed: unknown
    try {
      const raw = await readBody(req)
      parsed = raw.trim() === '' ? {} : JSON.parse(raw)
    } catch {
      return send(res, { status: 400, body: { error: 'control body is not JSON' } })
    }
    const result = parseConfig(parsed)
    if (typeof result === 'string') return send(res, { status: 400, body: { error: result } })
    const state = tenant(name)
    state.config = result
    state.sinceConfig = 0
    state.malformedServed = 0
    return send(res, { status: 200, body: { ok: true, config: result } })
  }
  return send(res, { status: 405, body: { error: `method ${method} not allowed on /__control/<tenant>` } })
}

/** Validates a control body; returns the config or an error message. */
function parseConfig(value: unknown): FakeTenantConfig | string {
  if (!isRecord(value)) return 'config must be a JSON object'
  const config: FakeTenantConfig = {}
  const everyKeys = ['status429Every', 'status500Every', 'status529Every', 'delayEvery', 'malformedTimes'] as const
  const amountKeys = ['retryAfterSeconds', 'delayMs'] as const
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue
    if ((everyKeys as readonly string[]).includes(key)) {
      const min = key === 'malformedTimes' ? 0 : 1
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return `${key} must be an integer >= ${min}`
      config[key as (typeof everyKeys)[number]] = v
    } else if ((amountKeys as readonly string[]).includes(key)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${key} must be a number >= 0`
      config[key as (typeof amountKeys)[number]] = v
    } else if (key === 'down') {
      if (typeof v !== 'boolean') return 'down must be a boolean'
      config.down = v
    } else if (key === 'malformed') {
      if (!MALFORMED_MODES.includes(v as MalformedMode)) return `malformed must be one of ${MALFORMED_MODES.join(', ')}`
      config.malformed = v as MalformedMode
    } else if (key === 'score') {
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'score must be a number'
      config.score = v
    } else {
      return `unknown config field: ${key}`
    }
  }
  return config
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

function matchRoute(rest: string): { name: FakeRoute; flavor: Flavor; model?: string } | undefined {
  if (rest === '/v1/chat/completions') return { name: 'openai.chat', flavor: 'openai' }
  if (rest === '/v1/embeddings') return { name: 'openai.embeddings', flavor: 'openai' }
  if (rest === '/v1/messages') return { name: 'anthropic.messages', flavor: 'anthropic' }
  const gemini = /^\/(?:v1beta|v1)\/models\/([^/:]+):(generateContent|embedContent|batchEmbedContents)$/.exec(rest)
  if (gemini?.[1] && gemini[2]) {
    return { name: `gemini.${gemini[2]}` as FakeRoute, flavor: 'gemini', model: decodeURIComponent(gemini[1]) }
  }
  return undefined
}

function openaiChat(body: Json, entry: FakeLogEntry, state: TenantState): Reply {
  const model = body.model
  if (typeof model !== 'string' || model === '') throw new BadRequest('you must provide a model parameter')
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.")
  }
  const agent = agentReply(state.name, body, entry.seq)
  if (agent && body.stream === true) throw new BadRequest('the fake agent (agent.ts) does not stream')
  if (agent) return { status: 200, headers: { 'x-request-id': `req_fake_${entry.seq}` }, body: agent }
  const temperature = body.temperature
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    throw new BadRequest("Invalid 'temperature': expected a number between 0 and 2.")
  }
  const texts = messages.map((m) => (isRecord(m) ? messageText(m.content) : ''))
  checkResponseFormat(body.response_format, texts.join('\n'))

  const roles = messages.map((m) => (isRecord(m) && typeof m.role === 'string' ? m.role : ''))
  const conversation = conversationReply(
    texts.map((text, i) => ({ role: roles[i] ?? '', text })),
    state.config,
  )
  const { text } = answer(conversation, entry, state)
  const promptTokens = estimateTokens(texts.join('\n'))
  const completionTokens = estimateTokens(text)
  const count = typeof body.n === 'number' && body.n > 1 ? Math.floor(body.n) : 1
  const reply: Reply = {
    status: 200,
    headers: { 'x-request-id': `req_fake_${entry.seq}` },
    body: {
      id: `chatcmpl-fake${entry.seq}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: Array.from({ length: count }, (_, index) => ({
        index,
        message: { role: 'assistant', content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      })),
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens * count,
        total_tokens: promptTokens + completionTokens * count,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    },
  }
  if (body.stream !== true) return reply
  // Streaming (test/fake-provider/openai-stream.ts): the same completion as server-sent events.
  const options = isRecord(body.stream_options) ? body.stream_options : {}
  const payload = chatCompletionStream(
    reply.body as Parameters<typeof chatCompletionStream>[0],
    options.include_usage === true,
  )
  return { ...reply, raw: { contentType: 'text/event-stream', payload } }
}

/** The checks OpenAI itself makes on `response_format`, so a judge that sends a bad schema fails here too. */
function checkResponseFormat(format: unknown, allText: string): void {
  if (format === undefined || format === null) return
  if (!isRecord(format) || typeof format.type !== 'string') throw new BadRequest("Invalid 'response_format'.")
  if (format.type === 'text') return
  if (format.type === 'json_object') {
    if (!/json/i.test(allText)) {
      throw new BadRequest(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
      )
    }
    return
  }
  if (format.type !== 'json_schema') throw new BadRequest(`Invalid value: '${format.type}' for 'response_format.type'.`)
  const spec = format.json_schema
  if (!isRecord(spec)) throw new BadRequest("Missing required parameter: 'response_format.json_schema'.")
  if (typeof spec.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    throw new BadRequest("Invalid 'response_format.json_schema.name': string does not match pattern ^[a-zA-Z0-9_-]+$.")
  }
  if (spec.strict === true) {
    if (!isRecord(spec.schema))
      throw new BadRequest(`Invalid schema for response_format '${spec.name}': missing schema.`)
    const problem = strictSchemaProblem(spec.schema, [])
    if (problem) throw new BadRequest(`Invalid schema for response_format '${spec.name}': ${problem}`)
  }
}

/** Structured-outputs strict mode: every object closes `additionalProperties` and requires all its properties. */
function strictSchemaProblem(schema: Json, context: string[]): string | undefined {
  const where = `In context=(${context.map((c) => `'${c}'`).join(', ')})`
  if (schema.type === 'object' || isRecord(schema.properties)) {
    if (schema.additionalProperties !== false) {
      return `${where}, 'additionalProperties' is required to be supplied and to be false.`
    }
    const properties = isRecord(schema.properties) ? schema.properties : {}
    const required = Array.isArray(schema.required) ? schema.required : []
    const missing = Object.keys(properties).find((key) => !required.includes(key))
    if (missing !== undefined) {
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`
    }
    for (const [key, sub] of Object.entries(properties)) {
      const problem = isRecord(sub) ? strictSchemaProblem(sub, [...context, 'properties', key]) : undefined
      if (problem) return problem
    }
  }
  if (isRecord(schema.items)) return strictSchemaProblem(schema.items, [...context, 'items'])
  for (const key of ['anyOf', '$defs'] as const) {
    const subs = schema[key]
    const list = Array.isArray(subs) ? subs : isRecord(subs) ? Object.values(subs) : []
    for (const [i, sub] of list.entries()) {
      const problem = isRecord(sub) ? strictSchemaProblem(sub, [...context, key, String(i)]) : undefined
      if (problem) return problem
    }
  }
  return undefined
}

function openaiEmbeddings(body: Json, entry: FakeLogEntry): Reply {
  const model = body.model
  if (typeof model !== 'string' || model === '') throw new BadRequest('you must provide a model parameter')
  const texts = openaiEmbeddingInputs(body.input)
  const dims = dimensionsOf(body.dimensions, "Invalid 'dimensions'")
  const format = body.encoding_format ?? 'float'
  if (format !== 'float' && format !== 'base64') {
    throw new BadRequest(`Invalid value: '${String(format)}'. Supported values are: 'float' and 'base64'.`)
  }
  entry.inputs = texts.length
  const tokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0)
  return {
    status: 200,
    headers: { 'x-request-id': `req_fake_${entry.seq}` },
    body: {
      object: 'list',
      data: texts.map((text, index) => {
        const vector = embedText(text, dims)
        return { object: 'embedding', index, embedding: format === 'base64' ? float32Base64(vector) : vector }
      }),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  }
}

function openaiEmbeddingInputs(input: unknown): string[] {
  const invalid = new BadRequest(
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
  )
  if (typeof input === 'string') {
    if (input === '') throw invalid
    return [input]
  }
  if (!Array.isArray(input) || input.length === 0) throw invalid
  if (input.every((x) => typeof x === 'number')) return [input.join(' ')]
  return input.map((item) => {
    if (typeof item === 'string' && item !== '') return item
    if (Array.isArray(item) && item.length > 0 && item.every((x) => typeof x === 'number')) return item.join(' ')
    throw invalid
  })
}

/**
 * Anthropic Messages API. With a forced tool call (`tool_choice: { type: 'tool', name }`) the verdict is the tool's
 * `input`; `score7` and `missing-field` break that input, while `prose`, `fenced` and `not-json` answer with a
 * text block instead of the tool call (as a model that ignored the tool would).
 */
function anthropicMessages(body: Json, entry: FakeLogEntry, state: TenantState, req: IncomingMessage): Reply {
  if (typeof req.headers['anthropic-version'] !== 'string') {
    throw new BadRequest('anthropic-version: header is required')
  }
  const model = body.model
  if (typeof model !== 'string' || model === '') throw new BadRequest('model: Field required')
  const maxTokens = body.max_tokens
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new BadRequest('max_tokens: Field required (an integer >= 1)')
  }
  if (body.stream === true) throw new BadRequest('stream: true is not supported by the fake provider')
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0)
    throw new BadRequest('messages: at least one message is required')
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || (m.role !== 'user' && m.role !== 'assistant')) {
      throw new BadRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`)
    }
    if (i > 0 && isRecord(messages[i - 1]) && (messages[i - 1] as Json).role === m.role) {
      throw new BadRequest(`messages: roles must alternate between "user" and "assistant" (messages.${i})`)
    }
  }
  if (body.temperature !== undefined) {
    const t = body.temperature
    if (typeof t !== 'number' || t < 0 || t > 1) throw new BadRequest('temperature: Input should be between 0 and 1')
  }
  const tools = body.tools === undefined ? [] : body.tools
  if (!Array.isArray(tools)) throw new BadRequest('tools: Input should be a valid list')
  for (const [i, tool] of tools.entries()) {
    if (!isRecord(tool) || typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) {
      throw new BadRequest(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`)
    }
    if (!isRecord(tool.input_schema) || tool.input_schema.type !== 'object') {
      throw new BadRequest(`tools.${i}.input_schema.type: Input should be 'object'`)
    }
  }
  let forced: string | undefined
  const choice = body.tool_choice
  if (choice !== undefined) {
    if (!isRecord(choice) || typeof choice.type !== 'string')
      throw new BadRequest('tool_choice: Input should be an object')
    if (choice.type === 'tool') {
      const wanted = choice.name
      if (!tools.some((t) => isRecord(t) && t.name === wanted)) {
        throw new BadRequest(`tool_choice.name: tool ${JSON.stringify(wanted)} is not among the given tools`)
      }
      forced = String(wanted)
    }
  }

  const conversation = conversationReply(
    [
      { role: 'system', text: anthropicSystemText(body.system) },
      ...messages.map((m) => ({ role: String((m as Json).role), text: messageText((m as Json).content) })),
    ],
    state.config,
  )
  const { text } = answer(conversation, entry, state)
  const allText = [anthropicSystemText(body.system), ...messages.map((m) => messageText((m as Json).content))].join(
    '\n',
  )
  let content: Json[]
  // A healthy or input-breaking reply to a forced tool call is a tool_use block; the other faults are prose.
  const asTool =
    forced !== undefined &&
    (entry.malformed === undefined || !['prose', 'fenced', 'not-json'].includes(entry.malformed))
  if (asTool) {
    content = [{ type: 'tool_use', id: `toolu_fake${entry.seq}`, name: forced, input: JSON.parse(text) as unknown }]
  } else {
    content = [{ type: 'text', text }]
  }
  const inputTokens = estimateTokens(allText)
  const outputTokens = estimateTokens(text)
  return {
    status: 200,
    headers: { 'request-id': `req_fake_${entry.seq}` },
    body: {
      id: `msg_fake${entry.seq}`,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: asTool ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        service_tier: 'standard',
      },
    },
  }
}

function anthropicSystemText(system: unknown): string {
  if (system === undefined) return ''
  return messageText(system)
}

function geminiGenerate(body: Json, model: string, entry: FakeLogEntry, state: TenantState): Reply {
  const contents = body.contents
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new BadRequest('* GenerateContentRequest.contents: contents is not specified\n')
  }
  const config = isRecord(body.generationConfig) ? body.generationConfig : {}
  const temperature = config.temperature
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    throw new BadRequest('* GenerateContentRequest.generation_config.temperature: must be in [0.0, 2.0]\n')
  }
  const conversation = conversationReply(
    [
      { role: 'system', text: contentText(body.systemInstruction) },
      ...contents.map((c) => ({
        role: isRecord(c) && typeof c.role === 'string' ? c.role : 'user',
        text: contentText(c),
      })),
    ],
    state.config,
  )
  const { text } = answer(conversation, entry, state)
  const allText = [contentText(body.systemInstruction), ...contents.map(contentText)].join('\n')
  const promptTokens = estimateTokens(allText)
  const candidateTokens = estimateTokens(text)
  return {
    status: 200,
    body: {
      candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: promptTokens,
        candidatesTokenCount: candidateTokens,
        totalTokenCount: promptTokens + candidateTokens,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
      },
      modelVersion: model,
      responseId: `fake-${entry.seq}`,
    },
  }
}

function geminiEmbed(body: Json, entry: FakeLogEntry): Reply {
  if (!isRecord(body.content)) throw new BadRequest('* EmbedContentRequest.content: content is not specified\n')
  entry.inputs = 1
  const dims = dimensionsOf(body.outputDimensionality, '* EmbedContentRequest.output_dimensionality')
  return { status: 200, body: { embedding: { values: embedText(contentText(body.content), dims) } } }
}

function geminiBatchEmbed(body: Json, entry: FakeLogEntry): Reply {
  const requests = body.requests
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new BadRequest('* BatchEmbedContentsRequest.requests: requests is not specified\n')
  }
  entry.inputs = requests.length
  const embeddings = requests.map((request, i) => {
    if (!isRecord(request) || !isRecord(request.content)) {
      throw new BadRequest(`* BatchEmbedContentsRequest.requests[${i}].content: content is not specified\n`)
    }
    const dims = dimensionsOf(request.outputDimensionality, `* requests[${i}].output_dimensionality`)
    return { values: embedText(contentText(request.content), dims) }
  })
  return { status: 200, body: { embeddings } }
}

// ---------------------------------------------------------------------------------------------------------------
// Judging

/** Finds the tagged sections; the last occurrence of a tag wins, so few-shot examples before the case are ignored. */
export function parseSections(text: string): { sections: GradingSections; nonce?: string } {
  const sections: GradingSections = {}
  let nonce: string | undefined
  for (const m of text.matchAll(SECTION_RE)) {
    const tag = m[1] as SectionName
    sections[tag] = m[3] ?? ''
    if (tag === 'output') nonce = m[2]
  }
  return nonce === undefined ? { sections } : { sections, nonce }
}

/** The fake judge's verdict: a `[[score=N]]` directive, else the tenant's score, else word-set overlap. */
export function judgeSections(sections: GradingSections, config: FakeTenantConfig = {}): FakeVerdict {
  const output = sections.output
  const directive = output === undefined ? null : DIRECTIVE_RE.exec(output)
  if (directive?.[1] !== undefined) {
    return { score: Number(directive[1]), justification: 'Score set by a directive in the output.' }
  }
  if (config.score !== undefined) return { score: config.score, justification: 'Score set by the tenant config.' }
  if (output === undefined) return { score: 3, justification: 'No output section was found in the prompt.' }
  const against: SectionName | undefined =
    sections.reference !== undefined
      ? 'reference'
      : sections.context !== undefined
        ? 'context'
        : sections.input !== undefined
          ? 'input'
          : undefined
  if (against === undefined) return { score: 3, justification: 'Nothing to compare the output with.' }
  const overlap = jaccard(words(output), words(sections[against] ?? ''))
  return {
    score: 1 + Math.round(4 * overlap),
    justification: `Word overlap between the output and the ${against} is ${overlap.toFixed(2)}.`,
  }
}

/** A simulated user's turn as it is (free text); any verdict through `replyText` (scores, malformed modes). */
function answer(
  conversation: ConversationReply | undefined,
  entry: FakeLogEntry,
  state: TenantState,
): { text: string } {
  if (conversation?.kind === 'user') return { text: conversation.text }
  return replyText(conversation?.verdict ?? judgeSections(entry.sections, state.config), entry, state)
}

function replyText(verdict: FakeVerdict, entry: FakeLogEntry, state: TenantState): { text: string } {
  entry.score = verdict.score
  const healthy = JSON.stringify({ score: verdict.score, justification: verdict.justification })
  const mode = state.config.malformed
  const times = state.config.malformedTimes
  if (mode === undefined || (times !== undefined && state.malformedServed >= times)) return { text: healthy }
  state.malformedServed += 1
  entry.fault = 'malformed'
  entry.malformed = mode
  switch (mode) {
    case 'prose':
      return { text: 'I think it is pretty good, maybe a 4.' }
    case 'fenced':
      return { text: `\`\`\`json\n${healthy}\n\`\`\`` }
    case 'score7':
      return { text: JSON.stringify({ score: 7, justification: 'Far better than the scale allows.' }) }
    case 'missing-field':
      return { text: JSON.stringify({ justification: verdict.justification }) }
    case 'not-json':
      return { text: '{score: 4,' }
  }
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(WORD_RE) ?? [])
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1
  let common = 0
  for (const w of a) if (b.has(w)) common += 1
  return common / (a.size + b.size - common)
}

// ---------------------------------------------------------------------------------------------------------------
// Embeddings

/** A deterministic embedding: hashed bag of words, L2-normalized, so texts sharing words have a high cosine. */
export function embedText(text: string, dims = DEFAULT_DIMENSIONS): number[] {
  const vector = new Array<number>(dims).fill(0)
  for (const word of text.toLowerCase().match(WORD_RE) ?? []) {
    const index = fnv1a(word) % dims
    vector[index] = (vector[index] ?? 0) + 1
  }
  const norm = Math.hypot(...vector)
  if (norm === 0) {
    // An empty text still gets a unit vector, as real providers never return zeros.
    vector[0] = 1
    return vector
  }
  // Rounded through float32 so the float and base64 encodings of one text are the same numbers.
  return vector.map((x) => Math.fround(x / norm))
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

function float32Base64(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4)
  for (const [i, x] of vector.entries()) buffer.writeFloatLE(x, i * 4)
  return buffer.toString('base64')
}

function dimensionsOf(value: unknown, label: string): number {
  if (value === undefined || value === null) return DEFAULT_DIMENSIONS
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 4096) {
    throw new BadRequest(`${label}: must be an integer between 1 and 4096`)
  }
  return value
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function describeBody(route: FakeRoute, body: Json, entry: FakeLogEntry): void {
  if (route === 'openai.chat' || route === 'openai.embeddings') {
    if (typeof body.model === 'string') entry.model = body.model
  }
  if (route === 'openai.chat') {
    if (typeof body.temperature === 'number') entry.temperature = body.temperature
    const format = body.response_format
    if (isRecord(format) && typeof format.type === 'string') {
      entry.responseFormat = format.type
      entry.schema = isRecord(format.json_schema) && isRecord(format.json_schema.schema)
    }
    const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : []
    const lastUser = messages.filter((m) => m.role === 'user').at(-1)
    const all = messages.map((m) => messageText(m.content)).join('\n')
    setSections(entry, lastUser ? messageText(lastUser.content) : '', all)
  }
  if (route === 'anthropic.messages') {
    if (typeof body.model === 'string') entry.model = body.model
    if (typeof body.temperature === 'number') entry.temperature = body.temperature
    const choice = body.tool_choice
    if (isRecord(choice) && choice.type === 'tool' && typeof choice.name === 'string') {
      entry.responseFormat = `tool:${choice.name}`
      const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : []
      entry.schema = tools.some((t) => t.name === choice.name && isRecord(t.input_schema))
    }
    const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : []
    const lastUser = messages.filter((m) => m.role === 'user').at(-1)
    const all = [messageText(body.system), ...messages.map((m) => messageText(m.content))].join('\n')
    setSections(entry, lastUser ? messageText(lastUser.content) : '', all)
  }
  if (route === 'gemini.generateContent') {
    const config = isRecord(body.generationConfig) ? body.generationConfig : {}
    if (typeof config.temperature === 'number') entry.temperature = config.temperature
    if (typeof config.responseMimeType === 'string') entry.responseFormat = config.responseMimeType
    entry.schema = isRecord(config.responseSchema) || isRecord(config.responseJsonSchema)
    const contents = Array.isArray(body.contents) ? body.contents.filter(isRecord) : []
    const lastUser = contents.filter((c) => c.role === undefined || c.role === 'user').at(-1)
    const all = [contentText(body.systemInstruction), ...contents.map(contentText)].join('\n')
    setSections(entry, lastUser ? contentText(lastUser) : '', all)
  }
}

/** Sections come from the last user message; the whole conversation is the fallback when it has none. */
function setSections(entry: FakeLogEntry, lastUser: string, all: string): void {
  let parsed = parseSections(lastUser)
  if (Object.keys(parsed.sections).length === 0) parsed = parseSections(all)
  entry.sections = parsed.sections
  if (parsed.nonce !== undefined) entry.nonce = parsed.nonce
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .filter(isRecord)
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('')
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!isRecord(content) || !Array.isArray(content.parts)) return ''
  return content.parts
    .filter(isRecord)
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('')
}

function describeHeaders(req: IncomingMessage, url: URL): FakeLogEntry['headers'] {
  const headers: FakeLogEntry['headers'] = {}
  if (req.headers.authorization) headers.authorization = '[present]'
  if (req.headers['x-goog-api-key'] || url.searchParams.has('key')) headers['x-goog-api-key'] = '[present]'
  if (req.headers['x-api-key']) headers['x-api-key'] = '[present]'
  const version = req.headers['anthropic-version']
  if (typeof version === 'string') headers['anthropic-version'] = version
  const retry = req.headers['x-stainless-retry-count']
  if (typeof retry === 'string') headers['x-stainless-retry-count'] = retry
  return headers
}

function hasKey(flavor: Flavor, req: IncomingMessage, url: URL): boolean {
  if (flavor === 'openai') return /^Bearer\s+\S+/i.test(req.headers.authorization ?? '')
  // @anthropic-ai/sdk 1.x sends the key as `Authorization: Bearer`; older versions and curl use `x-api-key`.
  if (flavor === 'anthropic') {
    const header = req.headers['x-api-key']
    return (typeof header === 'string' && header !== '') || /^Bearer\s+\S+/i.test(req.headers.authorization ?? '')
  }
  const header = req.headers['x-goog-api-key']
  return (typeof header === 'string' && header !== '') || (url.searchParams.get('key') ?? '') !== ''
}

const OPENAI_ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Bad request.', type: 'invalid_request_error', code: null },
  401: {
    message: "You didn't provide an API key. You need to provide your API key in an Authorization header.",
    type: 'invalid_request_error',
    code: null,
  },
  404: { message: 'Not found.', type: 'invalid_request_error', code: 'unknown_url' },
  429: { message: 'Rate limit reached for requests (fake provider).', type: 'requests', code: 'rate_limit_exceeded' },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  503: { message: 'The server is overloaded or not ready yet.', type: 'server_error', code: null },
}

const ANTHROPIC_ERRORS: Record<number, { message: string; type: string }> = {
  400: { message: 'Bad request.', type: 'invalid_request_error' },
  401: { message: 'x-api-key header or an Authorization bearer token is required', type: 'authentication_error' },
  404: { message: 'Not found.', type: 'not_found_error' },
  429: { message: 'Number of request tokens has exceeded your rate limit (fake provider).', type: 'rate_limit_error' },
  500: { message: 'Internal server error', type: 'api_error' },
  503: { message: 'Service unavailable', type: 'api_error' },
  529: { message: 'Overloaded', type: 'overloaded_error' },
}

const GEMINI_ERRORS: Record<number, { message: string; status: string }> = {
  400: { message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
  403: {
    message:
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    status: 'PERMISSION_DENIED',
  },
  404: { message: 'Not found.', status: 'NOT_FOUND' },
  429: { message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
  500: { message: 'An internal error has occurred. Please retry or report.', status: 'INTERNAL' },
  503: { message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
}

function errorReply(
  flavor: Flavor,
  status: number,
  message?: string,
  headers?: Record<string, string>,
  retryDelaySeconds?: number,
): Reply {
  if (flavor === 'anthropic') {
    const known = ANTHROPIC_ERRORS[status] ?? { message: 'Error.', type: 'api_error' }
    return {
      status,
      ...(headers ? { headers } : {}),
      body: { type: 'error', error: { type: known.type, message: message ?? known.message }, request_id: null },
    }
  }
  if (flavor === 'openai') {
    const known = OPENAI_ERRORS[status] ?? { message: 'Error.', type: 'server_error', code: null }
    return {
      status,
      ...(headers ? { headers } : {}),
      body: { error: { message: message ?? known.message, type: known.type, param: null, code: known.code } },
    }
  }
  const known = GEMINI_ERRORS[status] ?? { message: 'Error.', status: 'UNKNOWN' }
  const error: Json = { code: status, message: message ?? known.message, status: known.status }
  if (retryDelaySeconds !== undefined) {
    error.details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryDelaySeconds}s` }]
  }
  return { status, ...(headers ? { headers } : {}), body: { error } }
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return
  if (reply.raw) {
    res.writeHead(reply.status, { 'content-type': reply.raw.contentType, ...reply.headers })
    res.end(reply.raw.payload)
    return
  }
  const payload = JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  })
  res.end(payload)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > MAX_BODY_BYTES) throw new Error('request body too large')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Sleeps, but wakes early when the client goes away or the server closes. */
function sleep(ms: number, sleepers: Set<() => void>, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const wake = (): void => {
      clearTimeout(timer)
      sleepers.delete(wake)
      res.off('close', wake)
      resolve()
    }
    const timer = setTimeout(wake, ms)
    sleepers.add(wake)
    res.on('close', wake)
  })
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
