/** Test-side helpers for the fake provider: one tenant per test file (or per test) keeps faults and counters apart. */
import { randomUUID } from 'node:crypto'
import type { AgentPlan } from './agent.js'
import type { FakeTenantConfig, FakeTenantStats } from './server.js'

export type { AgentPlan, AgentTurn } from './agent.js'

export type { FakeLogEntry, FakeTenantConfig, FakeTenantStats, MalformedMode } from './server.js'

/** Any non-empty key works; the fake only records that one was sent. */
export const FAKE_API_KEY = 'sk-fake-provider-key'

/** A tenant of a running fake provider, with the base URLs to hand to the real SDKs. */
export interface FakeTenant {
  readonly name: string
  /** For `new OpenAI({ baseURL, apiKey })`: `<url>/t/<name>/v1`. */
  readonly openaiBaseURL: string
  /** For `new GoogleGenAI({ apiKey, httpOptions: { baseUrl } })`: `<url>/t/<name>`; the SDK appends the version. */
  readonly geminiBaseUrl: string
  /** For `new Anthropic({ baseURL, apiKey })` (or `ANTHROPIC_BASE_URL`): `<url>/t/<name>`; the SDK appends `/v1/messages`. */
  readonly anthropicBaseURL: string
  /** A key to give the SDKs. */
  readonly apiKey: string
  /** Replaces the tenant's fault configuration (and restarts its "every Nth" and malformed counters). */
  configure(config: FakeTenantConfig): Promise<void>
  /** Request counts and the request log. */
  stats(): Promise<FakeTenantStats>
  /** Clears config, counters and log. */
  reset(): Promise<void>
  /** Sets the tenant's scripted agent plans (agent.ts): chat requests offering tools are answered from them. */
  agent(plans: AgentPlan[]): Promise<void>
}

/** Returns a handle on tenant `name` (default: a fresh random name) of the fake provider at `url`. */
export function fakeTenant(url: string, name: string = `t-${randomUUID().slice(0, 8)}`): FakeTenant {
  if (!/^[A-Za-z0-9._~-]{1,100}$/.test(name)) throw new Error(`bad fake provider tenant name: ${name}`)
  const base = url.replace(/\/+$/, '')
  const control = `${base}/__control/${name}`

  const call = async (method: string, body?: unknown): Promise<Response> => {
    const res = await fetch(control, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
    if (!res.ok) throw new Error(`fake provider ${method} ${control}: ${res.status} ${await res.text()}`)
    return res
  }

  return {
    name,
    openaiBaseURL: `${base}/t/${name}/v1`,
    geminiBaseUrl: `${base}/t/${name}`,
    anthropicBaseURL: `${base}/t/${name}`,
    apiKey: FAKE_API_KEY,
    configure: async (config) => {
      await (await call('POST', config)).arrayBuffer()
    },
    stats: async () => (await (await call('GET')).json()) as FakeTenantStats,
    reset: async () => {
      await (await call('DELETE')).arrayBuffer()
    },
    agent: async (plans) => {
      const res = await fetch(`${base}/__agent/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ plans }),
      })
      if (!res.ok) throw new Error(`fake provider agent plans: ${res.status} ${await res.text()}`)
    },
  }
}
