/**
 * Case traces logged through MLflow's trace API, read back from the real MLflow 2.17.2 server of
 * ../shared/mlflow-server: through its REST API and through MLflow's own Python client
 * (`MlflowClient().get_trace`, which parses `traces.json` span by span).
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { MlflowClient } from '../../src/export/mlflow/client.js'
import { exportInvocation } from '../../src/export/mlflow/exporter.js'
import { redact } from '../../src/redact.js'
import type { ReportInvocation, ReportRun } from '../../src/report/types.js'
import { type AgentPlan, FAKE_API_KEY, type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { MLFLOW_SKIP_REASON, type MlflowServer, startMlflowServer } from '../mlflow-server/server.js'
import { agentTrace } from '../trace-sample.js'
import { type FixtureRun, runFixture } from './run-fixture.js'

if (MLFLOW_SKIP_REASON) console.warn(`test/integration/mlflow-traces.test.ts: ${MLFLOW_SKIP_REASON}`)

interface KeyValue {
  key: string
  value: string
}
interface TraceInfo {
  request_id: string
  status: string
  timestamp_ms: string
  execution_time_ms: string
  request_metadata: KeyValue[]
  tags: KeyValue[]
}

const SECRET = `sk-${'t'.repeat(30)}`

function invocation(id: string): ReportInvocation {
  return {
    id,
    startedAt: new Date(1_765_000_000_000).toISOString(),
    endedAt: new Date(1_765_000_005_000).toISOString(),
    status: 'complete',
    git: { commit: null, branch: null },
    params: {},
  }
}

function runWithTraces(): ReportRun {
  const failing = agentTrace(1_765_000_001_000, { failLookup: true })
  failing.dropped = 3
  const tagged = agentTrace(1_765_000_002_000)
  tagged.tags = { 'mlflow.trace.session': 'conversation-7', 'bad<name>': 'x' }
  // A secret that reached an attribute never reaches MLflow.
  const first = tagged.spans[1]
  if (first) first.attributes['http.request.header.authorization'] = `Bearer ${SECRET}`
  return {
    id: 'run-traces',
    file: 'evals/agent.eval.ts',
    cases: [
      {
        name: 'agent > finds the tower',
        pass: true,
        scores: {},
        judgeErrors: 0,
        input: 'Where is it?',
        output: 'Paris',
        trace: agentTrace(),
      },
      {
        name: 'agent > lookup fails',
        pass: false,
        scores: {},
        judgeErrors: 0,
        input: 'Q2',
        error: 'failed',
        trace: failing,
      },
      { name: 'agent > tagged', pass: true, scores: {}, judgeErrors: 0, input: 'Q3', output: 'A3', trace: tagged },
      { name: 'no spans', pass: true, scores: {}, judgeErrors: 0, input: 'Q4', output: 'A4' },
    ],
    aggregates: {},
    judgeErrors: 0,
    cache: { hits: 0, misses: 0 },
    tokens: { input: 0, output: 0 },
  }
}

async function api<T>(server: MlflowServer, path: string): Promise<T> {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`)
  const text = await response.text()
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text}`)
  return JSON.parse(text) as T
}

const value = (list: KeyValue[] | undefined, key: string) => list?.find((t) => t.key === key)?.value

describe.skipIf(MLFLOW_SKIP_REASON !== undefined)('case traces in MLflow (real 2.17.2 server)', () => {
  let server: MlflowServer
  let client: MlflowClient
  let experimentId: string
  let childRunId: string
  let traces: TraceInfo[]

  beforeAll(async () => {
    server = await startMlflowServer()
    client = new MlflowClient({
      trackingUri: server.url,
      credentials: { kind: 'none' },
      http: { timeoutMs: 30_000, maxRetries: 2, backoffMs: 200 },
    })
    const run = runWithTraces()
    const result = await exportInvocation(client, 'traces', {
      invocation: invocation('inv-traces-1'),
      files: [run.file],
      loadRun: () => run,
      redact,
    })
    expect(result.traces).toBe(3)
    expect(result.notes.join('\n')).toContain('bad<name>')
    experimentId = result.experimentId
    childRunId = result.childRunIds[run.file] as string
    const found = await api<{ traces?: TraceInfo[] }>(
      server,
      `traces?experiment_ids=${experimentId}&filter=${encodeURIComponent(`run_id = '${childRunId}'`)}&max_results=100`,
    )
    traces = found.traces ?? []
  }, 240_000)

  afterAll(async () => {
    await server?.stop()
  })

  test("each case with spans is one trace linked to its file's child run; a case without spans has none", () => {
    expect(traces).toHaveLength(3)
    const names = traces.map((t) => value(t.tags, 'mlflow.traceName')).sort()
    expect(names).toEqual(['agent > finds the tower', 'agent > lookup fails', 'agent > tagged'])
    for (const t of traces) expect(value(t.request_metadata, 'mlflow.sourceRun')).toBe(childRunId)
  })

  test('status, timing, inputs and outputs, dropped spans and tags (the session tag groups a conversation)', () => {
    const byName = (name: string) => traces.find((t) => value(t.tags, 'mlflow.traceName') === name) as TraceInfo
    const ok = byName('agent > finds the tower')
    expect(ok.status).toBe('OK')
    expect(Number(ok.timestamp_ms)).toBe(1_765_000_000_000)
    expect(Number(ok.execution_time_ms)).toBe(900)
    expect(value(ok.request_metadata, 'mlflow.traceInputs')).toBe('"Where is it?"')
    expect(value(ok.request_metadata, 'mlflow.traceOutputs')).toBe('"Paris"')
    expect(value(ok.tags, 'vitest_judge.invocation_id')).toBe('inv-traces-1')
    expect(JSON.parse(value(ok.tags, 'mlflow.traceSpans') ?? '[]')).toContainEqual({
      name: 'ai.toolCall search',
      type: 'TOOL',
    })
    const failed = byName('agent > lookup fails')
    expect(failed.status).toBe('ERROR')
    expect(value(failed.tags, 'vitest_judge.spans_dropped')).toBe('3')
    const tagged = byName('agent > tagged')
    expect(value(tagged.tags, 'mlflow.trace.session')).toBe('conversation-7')
    expect(value(tagged.tags, 'bad<name>')).toBeUndefined()
  })

  test("MLflow's own client reads the spans: tree, types, inputs, error events; no secret", () => {
    const script = `
import json, sys, mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri(sys.argv[1])
out = []
for rid in sys.argv[2:]:
    t = MlflowClient().get_trace(rid)
    out.append({
        "name": t.info.tags.get("mlflow.traceName"),
        "status": t.info.status.value if hasattr(t.info.status, "value") else str(t.info.status),
        "spans": [{"name": s.name, "type": s.span_type, "parent": s.parent_id, "id": s.span_id,
                   "inputs": s.inputs, "outputs": s.outputs, "status": s.status.status_code.value,
                   "events": [e.name for e in s.events], "attrs": s.attributes} for s in t.data.spans],
    })
print(json.dumps(out))
`
    const result = spawnSync('/usr/bin/python3', ['-c', script, server.url, ...traces.map((t) => t.request_id)], {
      env: { ...process.env, PYTHONPATH: server.vendorDir },
      encoding: 'utf8',
      timeout: 120_000,
    })
    expect(result.status, result.stderr).toBe(0)
    const read = JSON.parse(result.stdout.trim().split('\n').pop() as string) as Array<{
      name: string
      spans: Array<{
        name: string
        type: string
        parent: string | null
        id: string
        inputs: unknown
        outputs: unknown
        status: string
        events: string[]
        attrs: Record<string, unknown>
      }>
    }>
    const ok = read.find((t) => t.name === 'agent > finds the tower')
    if (!ok) throw new Error('trace missing')
    // The case is the root; the app's spans hang below it in their own tree.
    const [root, agent, llm, search] = ok.spans
    expect(root).toMatchObject({
      name: 'agent > finds the tower',
      type: 'CHAIN',
      parent: null,
      inputs: 'Where is it?',
      outputs: 'Paris',
    })
    expect(agent).toMatchObject({ name: 'ai.generateText', type: 'AGENT', parent: root?.id })
    expect(llm).toMatchObject({ type: 'LLM', parent: agent?.id })
    expect(llm?.attrs['gen_ai.request.model']).toBe('gpt-4.1-mini')
    expect(llm?.attrs['gen_ai.usage.input_tokens']).toBe(120)
    expect(llm?.inputs).toEqual([{ role: 'user', content: 'Where is the Eiffel tower?' }])
    expect(search).toMatchObject({ type: 'TOOL', inputs: { query: 'Eiffel tower' }, outputs: { hits: ['Paris'] } })
    const failed = read.find((t) => t.name === 'agent > lookup fails')
    const lookup = failed?.spans.find((s) => s.name === 'ai.toolCall lookup')
    expect(lookup).toMatchObject({ status: 'ERROR', events: ['exception'] })
    expect(result.stdout).not.toContain(SECRET)
    expect(result.stdout).toContain('[redacted]')
  })

  test('an export left half done is redone without leaving its traces twice', async () => {
    const run = runWithTraces()
    const inv = invocation('inv-traces-2')
    // First attempt: the child run and its traces are logged, then the server "goes away" before the parent is finished.
    let calls = 0
    const flaky = new MlflowClient({
      trackingUri: server.url,
      credentials: { kind: 'none' },
      http: { timeoutMs: 30_000, maxRetries: 0, backoffMs: 10 },
      fetch: async (input, init) => {
        const url = String(input)
        if (url.includes('/runs/set-tag') && ++calls === 2) throw new TypeError('fetch failed')
        return fetch(input, init)
      },
    })
    await expect(
      exportInvocation(flaky, 'traces', { invocation: inv, files: [run.file], loadRun: () => run }),
    ).rejects.toThrow()
    const again = await exportInvocation(client, 'traces', { invocation: inv, files: [run.file], loadRun: () => run })
    expect(again.outcome).toBe('logged')
    expect(again.replaced).toBeGreaterThan(0)
    const all = await api<{ traces?: TraceInfo[] }>(
      server,
      `traces?experiment_ids=${again.experimentId}&filter=${encodeURIComponent("tags.`vitest_judge.invocation_id` = 'inv-traces-2'")}&max_results=100`,
    )
    expect(all.traces ?? []).toHaveLength(3)
  }, 120_000)

  describe('end to end: captured by the worker, saved in the store, logged by the reporter', () => {
    let tenant: FakeTenant
    let fixture: FixtureRun
    let found: TraceInfo[]

    beforeAll(async () => {
      tenant = fakeTenant(inject('fakeProviderUrl'))
      const call = (name: string, args: Record<string, unknown>) => ({ name, arguments: args })
      const plans: AgentPlan[] = []
      for (let i = 1; i <= 6; i++) {
        const search = call('search', { query: `q${i}` })
        const lookup = call('lookup', { id: String(i) })
        plans.push({
          when: `[[case:${i}]]`,
          turns: i % 2 === 1 ? [[search], [lookup]] : [[lookup], [search]],
          final: `answer ${i}`,
        })
      }
      await tenant.agent(plans)
      fixture = await runFixture('traces', {
        filters: ['suite.eval.ts'],
        env: {
          OPENAI_API_KEY: FAKE_API_KEY,
          OPENAI_BASE_URL: tenant.openaiBaseURL,
          MLFLOW_TRACKING_URI: server.url,
          MLFLOW_EXPERIMENT_NAME: 'traces-e2e',
        },
      })
      const experiment = await api<{ experiment: { experiment_id: string } }>(
        server,
        `experiments/get-by-name?experiment_name=traces-e2e`,
      )
      const listed = await api<{ traces?: TraceInfo[] }>(
        server,
        `traces?experiment_ids=${experiment.experiment.experiment_id}&max_results=100`,
      )
      found = listed.traces ?? []
    }, 240_000)
    afterAll(() => tenant?.reset())

    test("each agent case's captured trace is in MLflow with its tool calls in order", async () => {
      expect(fixture.stdout + fixture.stderr).toContain('logged to MLflow experiment "traces-e2e"')
      expect(found).toHaveLength(6)
      for (const info of found) {
        const name = value(info.tags, 'mlflow.traceName') ?? ''
        const i = Number(/case-(\d)/.exec(name)?.[1])
        const location = value(info.tags, 'mlflow.artifactLocation') ?? ''
        const data = await (
          await fetch(
            `${server.url}/api/2.0/mlflow-artifacts/artifacts/${location.replace(/^mlflow-artifacts:\/*/, '')}/traces.json`,
          )
        ).json()
        const tools = (data as { spans: Array<{ attributes: Record<string, string> }> }).spans
          .filter((s) => s.attributes['mlflow.spanType'] === '"TOOL"')
          .map((s) => JSON.parse(s.attributes['gen_ai.tool.name'] ?? '""'))
        expect(tools, name).toEqual(i % 2 === 1 ? ['search', 'lookup'] : ['lookup', 'search'])
        expect(info.status).toBe('OK')
      }
    })
  })
})
