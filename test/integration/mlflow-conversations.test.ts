/**
 * Conversations logged to the real MLflow 2.17.2 tracking server: the conversation metrics with the
 * file's run, the transcript in its evaluation table.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { MLFLOW_SKIP_REASON, type MlflowServer, startMlflowServer } from '../mlflow-server/server.js'
import { type FixtureRun, runFixture } from './run-fixture.js'

interface Trace {
  request_id: string
  status?: string
  tags?: Array<{ key: string; value: string }>
  request_metadata?: Array<{ key: string; value: string }>
}

interface Run {
  info: { run_id: string; artifact_uri: string }
  data: { metrics?: Array<{ key: string; value: number }>; tags?: Array<{ key: string; value: string }> }
}

async function api<T>(server: MlflowServer, method: 'GET' | 'POST', endpoint: string, body: object): Promise<T> {
  const query = method === 'GET' ? `?${new URLSearchParams(body as Record<string, string>)}` : ''
  const response = await fetch(`${server.url}/api/2.0/mlflow/${endpoint}${query}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${endpoint}: HTTP ${response.status} ${text}`)
  return JSON.parse(text) as T
}

describe.skipIf(MLFLOW_SKIP_REASON !== undefined)('conversations in MLflow 2.17.2', { timeout: 300_000 }, () => {
  let server: MlflowServer
  let run: FixtureRun
  let child: Run
  const experiment = `vj-conv-${randomBytes(4).toString('hex')}`

  beforeAll(async () => {
    server = await startMlflowServer()
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    run = await runFixture('conversations', {
      env: {
        OPENAI_API_KEY: FAKE_API_KEY,
        OPENAI_BASE_URL: tenant.openaiBaseURL,
        VITEST_JUDGE: 'openai:fake-judge',
        MLFLOW_TRACKING_URI: server.url,
        MLFLOW_EXPERIMENT_NAME: experiment,
      },
    })
    const got = await api<{ experiment: { experiment_id: string } }>(server, 'GET', 'experiments/get-by-name', {
      experiment_name: experiment,
    })
    const { runs } = await api<{ runs: Run[] }>(server, 'POST', 'runs/search', {
      experiment_ids: [got.experiment.experiment_id],
    })
    const found = runs.find((r) =>
      r.data.tags?.some((t) => t.key === 'vitest_judge.file' && t.value === 'conversations.eval.ts'),
    )
    if (!found) throw new Error(`no run for conversations.eval.ts:\n${run.stdout}\n${run.stderr}`)
    child = found
  }, 600_000)

  afterAll(async () => {
    await server?.stop()
  })

  test('the conversation metrics are logged with the file’s run, on the judge’s 1-5 scale', () => {
    const metric = (key: string) => child.data.metrics?.find((m) => m.key === key)?.value
    const cases = run.report?.runs.flatMap((r) => r.cases) ?? []
    const raws = cases.map((c) => c.metrics?.knowledge_retention?.raw).filter((r): r is number => typeof r === 'number')
    expect(raws.length).toBe(4)
    expect(metric('knowledge_retention/v1/mean')).toBeCloseTo(raws.reduce((a, b) => a + b, 0) / raws.length, 9)
    for (const key of [
      'conversation_completeness/v1/mean',
      'role_adherence/v1/mean',
      'user_frustration/v1/mean',
      'goal_achieved/v1/mean',
      'answer_relevance/v1/mean',
      'answer_relevance_worst/v1/mean',
    ]) {
      expect(metric(key), key).toBeTypeOf('number')
    }
  })

  test('the evaluation table holds each conversation’s transcript', async () => {
    const base = child.info.artifact_uri.replace(/^mlflow-artifacts:\/*/, '')
    const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${base}/eval_results_table.json`)
    expect(response.status).toBe(200)
    const table = (await response.json()) as { columns: string[]; data: unknown[][] }
    const column = table.columns.indexOf('conversation')
    const caseColumn = table.columns.indexOf('case')
    const row = table.data.find((r) => r[caseColumn] === 'forgetful > order-status')
    expect(row?.[column]).toBe(
      'Turn 1, user:\nHi, my order number is A4417. Where is it?\n\nTurn 1, assistant:\nYour order A4417 has shipped.\n\n' +
        'Turn 2, user:\nWhen will it arrive?\n\nTurn 2, assistant:\nCould you tell me your order number?',
    )
  })

  test('each turn is a trace, a conversation’s traces grouped by the mlflow.trace.session tag (read back)', async () => {
    const got = await api<{ experiment: { experiment_id: string } }>(server, 'GET', 'experiments/get-by-name', {
      experiment_name: experiment,
    })
    const { traces = [] } = await api<{ traces?: Trace[] }>(server, 'GET', 'traces', {
      experiment_ids: got.experiment.experiment_id,
      filter: `run_id = '${child.info.run_id}'`,
      max_results: '500',
    })
    const tagOf = (t: Trace, key: string) => t.tags?.find((x) => x.key === key)?.value
    const sessions = new Map<string, Trace[]>()
    for (const t of traces) {
      const session = tagOf(t, 'mlflow.trace.session')
      if (session === undefined) continue
      sessions.set(session, [...(sessions.get(session) ?? []), t])
    }
    const forgetful = [...sessions.values()].find((list) =>
      list.some((t) => tagOf(t, 'vitest_judge.case') === 'forgetful > order-status'),
    )
    expect(forgetful?.map((t) => tagOf(t, 'vitest_judge.turn')).sort()).toEqual(['1', '2'])
    const meta = (t: Trace, key: string) => t.request_metadata?.find((x) => x.key === key)?.value
    const second = forgetful?.find((t) => tagOf(t, 'vitest_judge.turn') === '2') as Trace
    expect(meta(second, 'mlflow.traceInputs')).toBe(JSON.stringify('When will it arrive?'))
    expect(meta(second, 'mlflow.traceOutputs')).toBe(JSON.stringify('Could you tell me your order number?'))
    expect(tagOf(second, 'mlflow.traceName')).toBe('forgetful > order-status · turn 2')
    // A traced turn holds the spans its chat call made, under the turn's root span.
    const support = [...sessions.values()].find((list) =>
      list.some((t) => tagOf(t, 'vitest_judge.case') === 'support > order-status'),
    )
    const byTurn = [...(support ?? [])].sort(
      (x, y) => Number(tagOf(x, 'vitest_judge.turn')) - Number(tagOf(y, 'vitest_judge.turn')),
    )
    expect(byTurn.map((t) => JSON.parse(tagOf(t, 'mlflow.traceSpans') ?? '[]'))).toEqual([
      [
        { name: 'turn 1', type: 'CHAIN' },
        { name: 'lookup_order', type: 'TOOL' },
      ],
      [
        { name: 'turn 2', type: 'CHAIN' },
        { name: 'lookup_order', type: 'TOOL' },
      ],
    ])
    // Seven conversations: 2 + 1 turns (support), 2 + 1 (forgetful), 2 + 3 (booking), 3 (the throwing one).
    expect(sessions.size).toBe(7)
    expect(traces).toHaveLength(14)
    const broken = [...sessions.values()].find((list) =>
      list.some((t) => tagOf(t, 'vitest_judge.case') === 'throws > breaks-in-turn-3'),
    )
    const third = broken?.find((t) => tagOf(t, 'vitest_judge.turn') === '3')
    expect(third?.status).toBe('ERROR')
  })
})
