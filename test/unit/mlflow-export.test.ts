/**
 * The MLflow exporter's pure parts (metric names and scales, the eval table, run content) and its
 * REST client's retries against a loopback HTTP server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { afterEach, describe, expect, test } from 'vitest'
import { MlflowError } from '../../src/errors.js'
import { MlflowClient } from '../../src/export/mlflow/client.js'
import { evalResultsTable, loggedArtifactsTag } from '../../src/export/mlflow/eval-table.js'
import { artifactPath } from '../../src/export/mlflow/exporter.js'
import { MetricCollector, mlflowEvaluateMetrics, mlflowKey } from '../../src/export/mlflow/metric-names.js'
import { fileRunContent } from '../../src/export/mlflow/run-content.js'
import type { CaseMetricResult, ReportCase, ReportInvocation, ReportRun } from '../../src/report/types.js'

function judged(raw: number, justification = `raw ${raw}`): CaseMetricResult {
  return { score: (raw - 1) / 4, raw, kind: 'score', judge: 'openai:gpt-4.1-mini', version: 'v1', justification }
}

function scored(score: number, kind: 'score' | 'measurement' = 'score'): CaseMetricResult {
  return { score, kind, version: 'v1' }
}

function testCase(
  name: string,
  metrics: Record<string, CaseMetricResult>,
  extra: Partial<ReportCase> = {},
): ReportCase {
  const scores: Record<string, number | null> = {}
  for (const [key, m] of Object.entries(metrics)) scores[key] = m.score
  return { name, pass: true, scores, judgeErrors: 0, metrics, ...extra }
}

function run(cases: ReportCase[]): ReportRun {
  return {
    id: 'run-1',
    file: 'evals/qa.eval.ts',
    cases,
    aggregates: {},
    judgeErrors: 0,
    cache: { hits: 1, misses: 2 },
    tokens: { input: 10, output: 5 },
  }
}

const byKey = (metrics: Array<{ key: string; value: number }>) =>
  Object.fromEntries(metrics.map((m) => [m.key, m.value]))

describe('metrics as mlflow.evaluate names and scales them', () => {
  test('a judged metric on the raw 1-5 scale: mean, population variance and numpy p90', () => {
    const collector = new MetricCollector()
    collector.addRun(run([2, 4, 5, 5].map((raw, i) => testCase(`c${i}`, { answer_similarity: judged(raw) }))))
    const metrics = byKey(mlflowEvaluateMetrics(collector.result()))
    expect(metrics).toEqual({
      'answer_similarity/v1/mean': 4,
      'answer_similarity/v1/variance': 1.5,
      // numpy.percentile([2, 4, 5, 5], 90) = 5
      'answer_similarity/v1/p90': 5,
    })
  })

  test('heuristic metrics take MLflow names; exact_match is one value; toxicity adds ratio; latency is per row only', () => {
    const collector = new MetricCollector()
    const values = [
      {
        exact_match: 1,
        rouge_l: 0.5,
        flesch_kincaid_grade: 8,
        ari_grade: 10,
        toxicity: 0.9,
        latency: 120,
        token_count: 9,
      },
      {
        exact_match: 0,
        rouge_l: 1,
        flesch_kincaid_grade: 6,
        ari_grade: 12,
        toxicity: 0.1,
        latency: 80,
        token_count: 11,
      },
    ]
    collector.addRun(
      run(
        values.map((v, i) =>
          testCase(
            `c${i}`,
            Object.fromEntries(
              Object.entries(v).map(([k, value]) => [k, scored(value, k.includes('grade') ? 'measurement' : 'score')]),
            ),
          ),
        ),
      ),
    )
    const metrics = byKey(mlflowEvaluateMetrics(collector.result()))
    expect(Object.keys(metrics).sort()).toEqual(
      [
        'exact_match/v1',
        'rougeL/v1/mean',
        'rougeL/v1/variance',
        'rougeL/v1/p90',
        'flesch_kincaid_grade_level/v1/mean',
        'flesch_kincaid_grade_level/v1/variance',
        'flesch_kincaid_grade_level/v1/p90',
        'ari_grade_level/v1/mean',
        'ari_grade_level/v1/variance',
        'ari_grade_level/v1/p90',
        'toxicity/v1/mean',
        'toxicity/v1/variance',
        'toxicity/v1/p90',
        'toxicity/v1/ratio',
      ].sort(),
    )
    expect(metrics['exact_match/v1']).toBe(0.5)
    expect(metrics['toxicity/v1/ratio']).toBe(0.5)
    expect(metrics['rougeL/v1/p90']).toBeCloseTo(0.95, 12)
  })

  test("a judged toxicity is logged on MLflow's 0..1 scale, its ratio counting raw grades of 3 and up", () => {
    const collector = new MetricCollector()
    const toxic = (raw: number): CaseMetricResult => ({ ...judged(raw), greaterIsBetter: false })
    const cases = [1, 1, 3, 5].map((raw, i) => testCase(`c${i}`, { toxicity: toxic(raw) }))
    collector.addRun(run(cases))
    const metrics = byKey(mlflowEvaluateMetrics(collector.result()))
    expect(metrics['toxicity/v1/mean']).toBeCloseTo((0 + 0 + 0.5 + 1) / 4, 12)
    expect(metrics['toxicity/v1/ratio']).toBe(0.5)
    const table = evalResultsTable(run(cases))
    expect(table.data.map((row) => row[table.columns.indexOf('toxicity/v1/score')])).toEqual([0, 0, 0.5, 1])
  })

  test('a metric used twice in a test counts each call; a judge error is left out', () => {
    const collector = new MetricCollector()
    const errored: CaseMetricResult = { score: null, raw: null, kind: 'score', version: 'v1' }
    collector.addRun(
      run([
        testCase('a', { answer_similarity: judged(5), 'answer_similarity#2': judged(3) }),
        testCase('b', { answer_similarity: errored }),
      ]),
    )
    expect(byKey(mlflowEvaluateMetrics(collector.result()))['answer_similarity/v1/mean']).toBe(4)
  })

  test('a metric version other than v1 is kept in the name; keys are cleaned to what MLflow accepts', () => {
    const collector = new MetricCollector()
    collector.addRun(run([testCase('a', { professionalism: { ...judged(4), version: 'v2' } })]))
    expect(Object.keys(byKey(mlflowEvaluateMetrics(collector.result())))).toContain('professionalism/v2/mean')
    expect(mlflowKey('tempé (°C)#1')).toBe('tempé __C__1')
    expect(mlflowKey('x'.repeat(300))).toHaveLength(250)
  })
})

describe('eval_results_table.json', () => {
  test("pandas' split layout: inputs, ground_truth, outputs, then MLflow's metric columns, then the case", () => {
    const table = evalResultsTable(
      run([
        testCase(
          'qa > paris',
          {
            answer_similarity: judged(4, 'close'),
            'answer_similarity#2': judged(2),
            latency: scored(12, 'measurement'),
          },
          { input: 'Capital of France?', expected: 'Paris.', output: 'Paris', id: 'paris' },
        ),
        testCase('qa > no input', { exact_match: scored(1) }, { pass: false, error: 'boom' }),
      ]),
    )
    expect(table.columns).toEqual([
      'inputs',
      'ground_truth',
      'outputs',
      'answer_similarity/v1/score',
      'answer_similarity/v1/justification',
      'answer_similarity#2/v1/score',
      'answer_similarity#2/v1/justification',
      'latency',
      'exact_match/v1/score',
      'case',
      'pass',
      'id',
      'error',
    ])
    expect(table.data).toEqual([
      ['Capital of France?', 'Paris.', 'Paris', 4, 'close', 2, 'raw 2', 12, null, 'qa > paris', true, 'paris', null],
      [null, null, null, null, null, null, null, null, 1, 'qa > no input', false, null, 'boom'],
    ])
  })

  test('the loggedArtifacts tag is what load_table searches for', () => {
    const tag = loggedArtifactsTag(['eval_results_table.json'])
    expect(tag).toBe('[{"path": "eval_results_table.json", "type": "table"}]')
    // load_table's filter: LIKE '%"path"%:%"eval_results_table.json",%"type"%:%"table"%'
    const like = /"path".*:.*"eval_results_table\.json",.*"type".*:.*"table"/
    expect(tag).toMatch(like)
  })
})

describe('run content', () => {
  const invocation: ReportInvocation = {
    id: 'inv-1',
    startedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:01:00.000Z',
    status: 'interrupted',
    git: { commit: 'abc123', branch: 'main' },
    params: { model: 'gpt-x', 'weird key!': 1 },
    experiment: 'evals',
    ci: { provider: 'github', runId: '42', ref: 'refs/pull/7/merge' },
  }

  test("a child run: MLflow's standard tags, params, the file's times and an interrupted run as KILLED", () => {
    const content = fileRunContent(invocation, {
      ...run([testCase('a', { answer_similarity: judged(5) })]),
      durationMs: 1500,
      datasetDigest: 'sha256:feed',
    } as ReportRun)
    expect(content.tags).toMatchObject({
      'mlflow.source.git.commit': 'abc123',
      'mlflow.source.git.branch': 'main',
      'mlflow.source.type': 'JOB',
      'mlflow.source.name': 'evals/qa.eval.ts',
      'vitest_judge.invocation_id': 'inv-1',
      'vitest_judge.run_id': 'run-1',
      'vitest_judge.level': 'file',
      'vitest_judge.ci.provider': 'github',
    })
    expect(content.params).toEqual({
      model: 'gpt-x',
      'weird key_': '1',
      'vitest_judge.judge': 'openai:gpt-4.1-mini',
      'vitest_judge.metrics': 'answer_similarity/v1',
      'vitest_judge.dataset_digest': 'sha256:feed',
    })
    expect(content.startTime).toBe(Date.parse('2026-12-01T10:00:00.000Z'))
    expect(content.endTime).toBe(content.startTime + 1500)
    expect(content.status).toBe('KILLED')
    expect(byKey(content.metrics)).toMatchObject({ 'vitest_judge/cases': 1, 'vitest_judge/cache_misses': 2 })
  })

  test('judge cost is logged when every run priced its calls, never as a partial sum', () => {
    const cost = (usd: number | null) => ({
      usd,
      savedUsd: 0,
      calls: 2,
      cachedCalls: 0,
      byJudge: {},
      pricesAsOf: '2025-10-01',
    })
    const priced = fileRunContent(invocation, {
      ...run([testCase('a', { answer_similarity: judged(5) })]),
      cost: cost(0.0125),
    })
    expect(byKey(priced.metrics)['vitest_judge/judge_cost_usd']).toBe(0.0125)
    const unpriced = fileRunContent(invocation, {
      ...run([testCase('a', { answer_similarity: judged(5) })]),
      cost: cost(null),
    })
    expect(byKey(unpriced.metrics)).not.toHaveProperty('vitest_judge/judge_cost_usd')
    const none = fileRunContent(invocation, run([testCase('a', { answer_similarity: judged(5) })]))
    expect(byKey(none.metrics)).not.toHaveProperty('vitest_judge/judge_cost_usd')
  })

  test("a describeEval variant's run is a child run tagged with its variant and its own params", () => {
    const content = fileRunContent(invocation, {
      ...run([testCase('a', { answer_similarity: judged(4) })]),
      file: 'evals/qa.eval.ts [gpt-4o]',
      variant: 'gpt-4o',
      params: { model: 'gpt-4o', temperature: 0 },
    })
    expect(content.runName).toBe('evals/qa.eval.ts [gpt-4o]')
    expect(content.tags).toMatchObject({
      'vitest_judge.level': 'variant',
      'vitest_judge.variant': 'gpt-4o',
      'vitest_judge.file': 'evals/qa.eval.ts [gpt-4o]',
      'mlflow.source.name': 'evals/qa.eval.ts',
    })
    expect(content.params).toMatchObject({ model: 'gpt-4o', temperature: '0' })
  })

  test('artifact proxy paths come from mlflow-artifacts: locations only', () => {
    expect(artifactPath('mlflow-artifacts:/1/abc/artifacts', 'junit.xml')).toBe('1/abc/artifacts/junit.xml')
    expect(artifactPath('mlflow-artifacts://host:5000/1/abc/artifacts', 'x.json')).toBe('1/abc/artifacts/x.json')
    expect(artifactPath('s3://bucket/1/abc/artifacts', 'x.json')).toBeUndefined()
    expect(artifactPath('/var/mlruns/1/abc/artifacts', 'x.json')).toBeUndefined()
  })
})

describe('REST client retries', () => {
  let server: Server | undefined
  afterEach(
    () =>
      new Promise<void>((done) => {
        server?.closeAllConnections()
        if (server) server.close(() => done())
        else done()
      }),
  )

  function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    server = createServer(handler)
    return new Promise((resolveUrl) =>
      server?.listen(0, '127.0.0.1', () => {
        const address = server?.address()
        resolveUrl(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
      }),
    )
  }

  const http = { timeoutMs: 2000, maxRetries: 3, backoffMs: 5 }

  test('retries 503 and 429 with backoff, then succeeds; sends the bearer token', async () => {
    const seen: Array<string | undefined> = []
    const url = await serve((req, res) => {
      seen.push(req.headers.authorization)
      if (seen.length === 1) res.writeHead(503).end('busy')
      else if (seen.length === 2) res.writeHead(429, { 'Retry-After': '0' }).end('{}')
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"experiment_id":"7"}')
    })
    const client = new MlflowClient({ trackingUri: url, credentials: { kind: 'token', token: 'tok-123456789' }, http })
    await expect(client.call('POST', 'experiments/create', { name: 'x' })).resolves.toEqual({ experiment_id: '7' })
    expect(seen).toEqual(['Bearer tok-123456789', 'Bearer tok-123456789', 'Bearer tok-123456789'])
  })

  test('gives up after the retries with an MlflowError naming the server and the last problem', async () => {
    let calls = 0
    const url = await serve((_req, res) => {
      calls++
      res.writeHead(502).end('{"error_code":"BAD_GATEWAY","message":"upstream down"}')
    })
    const client = new MlflowClient({ trackingUri: url, credentials: { kind: 'none' }, http })
    const error = (await client
      .call('GET', 'experiments/get-by-name', { experiment_name: 'x' })
      .catch((e) => e)) as MlflowError
    expect(error).toBeInstanceOf(MlflowError)
    expect(error.code).toBe('VJ_MLFLOW')
    expect(error.message).toBe(
      `MLflow server ${url}: experiments/get-by-name failed after 4 attempts: HTTP 502 (upstream down).`,
    )
    expect(calls).toBe(4)
  })

  test('a 4xx is not retried and carries MLflow error_code', async () => {
    let calls = 0
    const url = await serve((_req, res) => {
      calls++
      res.writeHead(404).end('{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no experiment"}')
    })
    const client = new MlflowClient({ trackingUri: url, credentials: { kind: 'none' }, http })
    const error = await client.call('GET', 'experiments/get-by-name').catch((e) => e)
    expect(error).toMatchObject({ status: 404, mlflowCode: 'RESOURCE_DOES_NOT_EXIST' })
    expect(calls).toBe(1)
  })

  test('a server that does not answer in time, and one that is not there, are retried then reported', async () => {
    const url = await serve(() => {
      // never answers
    })
    const slow = new MlflowClient({
      trackingUri: url,
      credentials: { kind: 'none' },
      http: { ...http, timeoutMs: 50, maxRetries: 1 },
    })
    await expect(slow.call('POST', 'runs/create')).rejects.toThrow(/failed after 2 attempts: no answer within 50 ms/)
    server?.closeAllConnections()
    await new Promise<void>((done) => server?.close(() => done()))
    server = undefined
    const gone = new MlflowClient({
      trackingUri: url,
      credentials: { kind: 'none' },
      http: { ...http, maxRetries: 1 },
    })
    await expect(gone.call('POST', 'runs/create')).rejects.toThrow(
      `MLflow server ${url}: runs/create failed after 2 attempts: ECONNREFUSED`,
    )
  })
})
