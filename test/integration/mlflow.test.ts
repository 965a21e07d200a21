/**
 * MLflow logging against the real MLflow 2.17.2 tracking server of ../shared/mlflow-server: Vitest
 * runs of fixtures/mlflow and the CLI as processes, checked through MLflow's REST API and, where
 * it helps, MLflow's own Python client (`load_table`).
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer, request, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import type { JsonReport, ReportRun } from '../../src/report/types.js'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { MLFLOW_SKIP_REASON, type MlflowServer, startMlflowServer } from '../mlflow-server/server.js'
import { REPO, runFixture } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')
const TOKEN = `mlflow-token-${randomBytes(12).toString('hex')}`

if (MLFLOW_SKIP_REASON) console.warn(`test/integration/mlflow.test.ts: ${MLFLOW_SKIP_REASON}`)

interface Run {
  info: {
    run_id: string
    run_name?: string
    status: string
    artifact_uri: string
    start_time?: number
    end_time?: number
  }
  data: {
    metrics?: Array<{ key: string; value: number }>
    params?: Array<{ key: string; value: string }>
    tags?: Array<{ key: string; value: string }>
  }
}

async function api<T>(server: MlflowServer, method: 'GET' | 'POST', endpoint: string, body?: object): Promise<T> {
  const query = method === 'GET' && body ? `?${new URLSearchParams(body as Record<string, string>)}` : ''
  const response = await fetch(`${server.url}/api/2.0/mlflow/${endpoint}${query}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${endpoint}: HTTP ${response.status} ${text}`)
  return JSON.parse(text) as T
}

async function experimentId(server: MlflowServer, name: string): Promise<string> {
  const got = await api<{ experiment: { experiment_id: string } }>(server, 'GET', 'experiments/get-by-name', {
    experiment_name: name,
  })
  return got.experiment.experiment_id
}

async function runsOf(server: MlflowServer, experiment: string): Promise<Run[]> {
  const id = await experimentId(server, experiment)
  const found = await api<{ runs?: Run[] }>(server, 'POST', 'runs/search', { experiment_ids: [id], max_results: 1000 })
  return found.runs ?? []
}

const tag = (run: Run, key: string) => run.data.tags?.find((t) => t.key === key)?.value
const param = (run: Run, key: string) => run.data.params?.find((p) => p.key === key)?.value
const metric = (run: Run, key: string) => run.data.metrics?.find((m) => m.key === key)?.value
const metricKeys = (run: Run) => (run.data.metrics ?? []).map((m) => m.key).sort()

function split(runs: Run[]): { parent: Run; children: Run[] } {
  const parents = runs.filter((r) => tag(r, 'vitest_judge.level') === 'invocation')
  expect(parents).toHaveLength(1)
  const parent = parents[0] as Run
  return { parent, children: runs.filter((r) => tag(r, 'mlflow.parentRunId') === parent.info.run_id) }
}

async function artifact(server: MlflowServer, run: Run, file: string): Promise<string> {
  const base = run.info.artifact_uri.replace(/^mlflow-artifacts:\/*/, '')
  const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${base}/${file}`)
  expect(response.status, `artifact ${file}`).toBe(200)
  return response.text()
}

/** numpy's mean, var (population) and percentile(90) with linear interpolation. */
function numpy(values: number[]): { mean: number; variance: number; p90: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length
  const sorted = [...values].sort((a, b) => a - b)
  const h = (sorted.length - 1) * 0.9
  const lo = Math.floor(h)
  const p90 =
    (sorted[lo] as number) +
    (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] as number) - (sorted[lo] as number))
  return { mean, variance, p90 }
}

/** Raw 1-5 values of a judged metric over a run's cases (`#2` calls counted too). */
function rawValues(run: ReportRun, name: string): number[] {
  const values: number[] = []
  for (const c of run.cases) {
    for (const [key, result] of Object.entries(c.metrics ?? {})) {
      if (key.replace(/#\d+$/, '') === name && typeof result.raw === 'number') values.push(result.raw)
    }
  }
  return values
}

function scoreValues(run: ReportRun, name: string): number[] {
  return run.cases.map((c) => c.scores[name]).filter((v): v is number => typeof v === 'number')
}

interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** The CLI as a process, without blocking this process (a loopback server here answers it). */
function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolveCli, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolveCli({ code, stdout, stderr }))
  })
}

function listen(server: Server): Promise<string> {
  return new Promise((resolveUrl) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolveUrl(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
    }),
  )
}

function hasPandas(vendor: string): boolean {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import pandas, mlflow'], {
    env: { ...process.env, PYTHONPATH: vendor },
    stdio: 'ignore',
  })
  return probe.status === 0
}

// Busy CI machines: a fixture run and a server restart can take minutes.
describe.skipIf(MLFLOW_SKIP_REASON !== undefined)(
  `MLflow ${MLFLOW_SKIP_REASON ?? 'tracking server 2.17.2'}`,
  { timeout: 300_000 },
  () => {
    let server: MlflowServer
    const experiment = `vj-${randomBytes(4).toString('hex')}`
    let report: JsonReport
    let stateDir: string
    let runOutput: string

    beforeAll(async () => {
      server = await startMlflowServer()
      const run = await runFixture('mlflow', {
        env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_NAME: experiment, MLFLOW_TRACKING_TOKEN: TOKEN },
      })
      expect(
        run.tests.filter((t) => t.state !== 'passed'),
        run.stdout + run.stderr,
      ).toEqual([])
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.report).toBeDefined()
      report = run.report as JsonReport
      stateDir = run.dir
      runOutput = run.stdout + run.stderr
    }, 600_000)

    afterAll(async () => {
      await server?.stop()
    })

    test('one parent run per invocation, one nested child run per test file, tags and params', async () => {
      expect(runOutput).toContain(`logged to MLflow experiment "${experiment}": ${server.url}/#/experiments/`)
      expect(runOutput).not.toContain(TOKEN)
      const { parent, children } = split(await runsOf(server, experiment))
      expect(children.map((c) => tag(c, 'vitest_judge.file')).sort()).toEqual(['matchers.test.ts', 'qa.eval.ts'])
      expect(children.map((c) => c.info.run_name).sort()).toEqual(['matchers.test.ts', 'qa.eval.ts'])
      for (const run of [parent, ...children]) {
        expect(run.info.status).toBe('FINISHED')
        expect(tag(run, 'vitest_judge.invocation_id')).toBe(report.invocation.id)
        expect(tag(run, 'vitest_judge.logged')).toBe('complete')
        expect(tag(run, 'mlflow.runName')).toBe(run.info.run_name)
        expect(tag(run, 'mlflow.source.git.commit')).toBe(report.invocation.git.commit ?? undefined)
        expect(tag(run, 'mlflow.source.git.branch')).toBe(report.invocation.git.branch ?? undefined)
        expect(param(run, 'model')).toBe('fake-model-1')
        expect(param(run, 'prompt_version')).toBe('3')
        expect(param(run, 'streaming')).toBe('false')
        expect(param(run, 'vitest_judge.judge')).toBe('local')
      }
      const qa = children.find((c) => tag(c, 'vitest_judge.file') === 'qa.eval.ts') as Run
      const qaRun = report.runs.find((r) => r.file === 'qa.eval.ts') as ReportRun
      expect(tag(qa, 'vitest_judge.run_id')).toBe(qaRun.id)
      expect(param(qa, 'vitest_judge.metrics')).toBe(
        'answer_similarity/v1, exact_match/v1, flesch_kincaid_grade/v1, latency/v1, rouge_l/v1, token_count/v1',
      )
      expect(param(parent, 'vitest_judge.experiment')).toBe('mlflow-fixture')
      expect(parent.info.start_time).toBe(Date.parse(report.invocation.startedAt))
    })

    test("metrics are named and scaled as mlflow.evaluate logs them, plus vitest-judge's own", async () => {
      const { parent, children } = split(await runsOf(server, experiment))
      const qa = children.find((c) => tag(c, 'vitest_judge.file') === 'qa.eval.ts') as Run
      const qaRun = report.runs.find((r) => r.file === 'qa.eval.ts') as ReportRun
      const keys = metricKeys(qa)
      for (const name of ['answer_similarity/v1', 'rougeL/v1', 'flesch_kincaid_grade_level/v1']) {
        for (const agg of ['mean', 'variance', 'p90']) expect(keys).toContain(`${name}/${agg}`)
      }
      expect(keys).toContain('exact_match/v1')
      // MLflow logs latency and token_count per row only.
      expect(keys.filter((k) => /^(latency|token_count)\b/.test(k))).toEqual([])

      const raw = rawValues(qaRun, 'answer_similarity')
      expect(raw).toHaveLength(3)
      const judged = numpy(raw)
      expect(metric(qa, 'answer_similarity/v1/mean')).toBeCloseTo(judged.mean, 10)
      expect(metric(qa, 'answer_similarity/v1/variance')).toBeCloseTo(judged.variance, 10)
      expect(metric(qa, 'answer_similarity/v1/p90')).toBeCloseTo(judged.p90, 10)
      expect(metric(qa, 'answer_similarity/v1/mean')).toBeGreaterThanOrEqual(1)
      expect(metric(qa, 'answer_similarity/v1/mean')).toBeLessThanOrEqual(5)
      expect(metric(qa, 'exact_match/v1')).toBeCloseTo(2 / 3, 10)
      expect(metric(qa, 'rougeL/v1/mean')).toBeCloseTo(numpy(scoreValues(qaRun, 'rouge_l')).mean, 10)
      expect(metric(qa, 'flesch_kincaid_grade_level/v1/p90')).toBeCloseTo(
        numpy(scoreValues(qaRun, 'flesch_kincaid_grade')).p90,
        10,
      )
      // vitest-judge's normalized aggregates, as in report.json.
      for (const [name, agg] of Object.entries(qaRun.aggregates)) {
        expect(metric(qa, `vitest_judge/${name}/mean`)).toBeCloseTo(agg.mean, 10)
        expect(metric(qa, `vitest_judge/${name}/pass_rate`)).toBeCloseTo(agg.pass_rate, 10)
        expect(metric(qa, `vitest_judge/${name}/n`)).toBe(agg.n)
      }
      expect(metric(qa, 'vitest_judge/cases')).toBe(3)
      expect(metric(qa, 'vitest_judge/passed')).toBe(3)

      // The parent aggregates every case of the invocation; the matcher used twice counts twice.
      const matchersRun = report.runs.find((r) => r.file === 'matchers.test.ts') as ReportRun
      const all = numpy([...raw, ...rawValues(matchersRun, 'answer_similarity')])
      expect(rawValues(matchersRun, 'answer_similarity')).toHaveLength(2)
      expect(metric(parent, 'answer_similarity/v1/mean')).toBeCloseTo(all.mean, 10)
      expect(metric(parent, 'answer_similarity/v1/variance')).toBeCloseTo(all.variance, 10)
      expect(metric(parent, 'vitest_judge/files')).toBe(2)
      expect(metric(parent, 'vitest_judge/cases')).toBe(qaRun.cases.length + matchersRun.cases.length)
    })

    test('eval_results_table.json holds one row per case in MLflow table format, with junit.xml and summary.md', async () => {
      const { parent, children } = split(await runsOf(server, experiment))
      const qa = children.find((c) => tag(c, 'vitest_judge.file') === 'qa.eval.ts') as Run
      const qaRun = report.runs.find((r) => r.file === 'qa.eval.ts') as ReportRun
      const table = JSON.parse(await artifact(server, qa, 'eval_results_table.json')) as {
        columns: string[]
        data: unknown[][]
      }
      expect(table.columns.slice(0, 3)).toEqual(['inputs', 'ground_truth', 'outputs'])
      for (const column of [
        'answer_similarity/v1/score',
        'answer_similarity/v1/justification',
        'exact_match/v1/score',
        'rougeL/v1/score',
        'flesch_kincaid_grade_level/v1/score',
        'latency',
        'token_count',
      ]) {
        expect(table.columns).toContain(column)
      }
      expect(table.data).toHaveLength(qaRun.cases.length)
      const row = (id: string) => {
        const values = table.data.find((r) => r[table.columns.indexOf('id')] === id) as unknown[]
        return Object.fromEntries(table.columns.map((c, i) => [c, values[i]]))
      }
      const boiling = qaRun.cases.find((c) => c.id === 'boiling')
      expect(row('boiling')).toMatchObject({
        inputs: boiling?.input,
        ground_truth: boiling?.expected,
        outputs: 'Water boils at 100 degrees.',
        'answer_similarity/v1/score': boiling?.metrics?.answer_similarity?.raw,
        'answer_similarity/v1/justification': boiling?.metrics?.answer_similarity?.justification,
        'exact_match/v1/score': 0,
        token_count: 13,
        pass: true,
      })
      expect(tag(qa, 'mlflow.loggedArtifacts')).toBe('[{"path": "eval_results_table.json", "type": "table"}]')
      expect(await artifact(server, qa, 'junit.xml')).toContain('<testsuite name="qa.eval.ts"')
      expect(await artifact(server, parent, 'junit.xml')).toContain('<testsuite name="matchers.test.ts"')
      expect(await artifact(server, parent, 'summary.md')).toContain('qa.eval.ts')
    })

    test("MLflow's own Python client reads the runs and load_table reads the table", async (context) => {
      if (!hasPandas(server.vendorDir)) {
        context.skip('skipped: Debian python3-pandas is not installed (.ci/run installs it)')
        return
      }
      const script = `
import json, sys, mlflow
mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment(sys.argv[2])
runs = mlflow.search_runs(filter_string="tags.\`vitest_judge.level\` = 'file'", output_format="list")
table = mlflow.load_table("eval_results_table.json", extra_columns=["run_id"])
print(json.dumps({
  "runs": sorted(r.data.tags["vitest_judge.file"] for r in runs),
  "mean": {r.data.tags["vitest_judge.file"]: r.data.metrics.get("answer_similarity/v1/mean") for r in runs},
  "rows": len(table), "columns": list(table.columns),
  "outputs": sorted(table["outputs"].dropna().tolist()),
}))
`
      const result = spawnSync('/usr/bin/python3', ['-c', script, server.url, experiment], {
        env: { ...process.env, PYTHONPATH: server.vendorDir },
        encoding: 'utf8',
      })
      expect(result.status, result.stderr).toBe(0)
      const seen = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as {
        runs: string[]
        mean: Record<string, number>
        rows: number
        columns: string[]
        outputs: string[]
      }
      expect(seen.runs).toEqual(['matchers.test.ts', 'qa.eval.ts'])
      const qaRun = report.runs.find((r) => r.file === 'qa.eval.ts') as ReportRun
      expect(seen.mean['qa.eval.ts']).toBeCloseTo(numpy(rawValues(qaRun, 'answer_similarity')).mean, 10)
      const cases = report.runs.reduce((n, r) => n + r.cases.length, 0)
      expect(seen.rows).toBe(cases)
      expect(seen.columns).toEqual(
        expect.arrayContaining(['inputs', 'outputs', 'answer_similarity/v1/score', 'run_id']),
      )
      expect(seen.outputs).toContain('Water boils at 100 degrees.')
    })

    test('export --mlflow logs past invocations once: a second export creates nothing', async () => {
      const other = `${experiment}-export`
      const env = { VITEST_JUDGE_DIR: stateDir, MLFLOW_TRACKING_TOKEN: TOKEN }
      const first = await cli(['export', '--mlflow', server.url, '--experiment', other], env)
      expect(first.code, first.stderr).toBe(0)
      expect(first.stdout).toContain(`Logged invocation ${report.invocation.id} to MLflow ${server.url}`)
      const before = await runsOf(server, other)
      expect(before).toHaveLength(3)
      const second = await cli(['export', '--mlflow', 'latest'], {
        ...env,
        MLFLOW_TRACKING_URI: server.url,
        MLFLOW_EXPERIMENT_NAME: other,
      })
      expect(second.code, second.stderr).toBe(0)
      expect(second.stdout).toContain(`Invocation ${report.invocation.id} is already in MLflow`)
      const after = await runsOf(server, other)
      expect(after.map((r) => r.info.run_id).sort()).toEqual(before.map((r) => r.info.run_id).sort())
      for (const out of [first, second]) expect(out.stdout + out.stderr).not.toContain(TOKEN)
    })

    test('a half-logged invocation (the server went away mid-export) is replaced by the next export', async () => {
      const other = `${experiment}-cut`
      // A proxy that lets the first 12 requests through, then answers 503 to everything.
      let passed = 0
      const proxy = createServer((req, res) => {
        if (passed++ >= 12) {
          res.writeHead(503).end('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"down"}')
          return
        }
        const upstream = request(
          `${server.url}${req.url}`,
          { method: req.method, headers: { ...req.headers, host: `127.0.0.1:${server.port}` } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers)
            up.pipe(res)
          },
        )
        req.pipe(upstream)
      })
      const proxyUrl = await listen(proxy)
      try {
        const env = {
          VITEST_JUDGE_DIR: stateDir,
          MLFLOW_EXPERIMENT_NAME: other,
          MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1',
          MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.01',
        }
        const cut = await cli(['export', '--mlflow', proxyUrl], env)
        expect(cut.code).toBe(2)
        expect(cut.stderr).toContain(`MLflow server ${proxyUrl}`)
        expect(cut.stderr).toMatch(/failed after 2 attempts: HTTP 503/)
        const half = await runsOf(server, other)
        expect(half.length).toBeGreaterThan(0)
        expect(half.filter((r) => tag(r, 'vitest_judge.logged') === 'complete').length).toBeLessThan(half.length)

        const done = await cli(['export', '--mlflow', server.url], env)
        expect(done.code, done.stderr).toBe(0)
        expect(done.stdout).toContain('half-logged run(s)')
        const runs = await runsOf(server, other)
        const { children } = split(runs)
        expect(runs).toHaveLength(3)
        expect(children).toHaveLength(2)
        for (const run of runs) expect(tag(run, 'vitest_judge.logged')).toBe('complete')
      } finally {
        proxy.close()
      }
    })

    test('a refused token is never printed', async () => {
      const secretPassword = `pw-${randomBytes(12).toString('hex')}`
      // A server that echoes the credentials it got in its error, as a careless proxy might.
      const echo = createServer((req, res) => {
        res.writeHead(401, { 'Content-Type': 'application/json' })
        res.end(
          JSON.stringify({ error_code: 'UNAUTHENTICATED', message: `bad credentials: ${req.headers.authorization}` }),
        )
      })
      const url = await listen(echo)
      try {
        const bearer = await cli(['export', '--mlflow', url, 'latest'], {
          VITEST_JUDGE_DIR: stateDir,
          MLFLOW_TRACKING_TOKEN: TOKEN,
        })
        expect(bearer.code).toBe(2)
        expect(bearer.stderr).toContain('HTTP 401')
        expect(bearer.stderr).toContain('MLFLOW_TRACKING_TOKEN')
        expect(bearer.stdout + bearer.stderr).not.toContain(TOKEN)
        const basic = await cli(['export', '--mlflow', url, 'latest'], {
          VITEST_JUDGE_DIR: stateDir,
          MLFLOW_TRACKING_USERNAME: 'ci-bot',
          MLFLOW_TRACKING_PASSWORD: secretPassword,
        })
        expect(basic.code).toBe(2)
        const printed = basic.stdout + basic.stderr
        expect(printed).not.toContain(secretPassword)
        expect(printed).not.toContain(Buffer.from(`ci-bot:${secretPassword}`).toString('base64'))
      } finally {
        echo.close()
      }
    })

    test('each describeEval variant is a child run with its variant tag and params', async () => {
      const other = `${experiment}-variants`
      const tenant = fakeTenant(inject('fakeProviderUrl'))
      const run = await runFixture('variants', {
        env: {
          OPENAI_API_KEY: FAKE_API_KEY,
          OPENAI_BASE_URL: tenant.openaiBaseURL,
          VITEST_JUDGE: 'openai:fake-judge',
          MLFLOW_TRACKING_URI: server.url,
          MLFLOW_EXPERIMENT_NAME: other,
        },
      })
      expect(run.exitCode).toBe(1) // the `vague` variant fails its cases, as in variants.test.ts
      const { parent, children } = split(await runsOf(server, other))
      expect(param(parent, 'suite')).toBe('qa')
      const variants = children.filter((c) => tag(c, 'vitest_judge.level') === 'variant')
      expect(variants.map((c) => tag(c, 'vitest_judge.variant')).sort()).toEqual([
        'copy',
        'reference',
        'second-judge',
        'vague',
      ])
      const vague = variants.find((c) => tag(c, 'vitest_judge.variant') === 'vague') as Run
      expect(vague.info.run_name).toBe('models.eval.ts [vague]')
      expect(tag(vague, 'mlflow.source.name')).toBe('models.eval.ts')
      expect(param(vague, 'model')).toBe('vague-model')
      expect(param(vague, 'temperature')).toBe('1')
      expect(metric(vague, 'answer_similarity/v1/mean')).toBe(2)
      const reference = variants.find((c) => tag(c, 'vitest_judge.variant') === 'reference') as Run
      expect(param(reference, 'model')).toBe('ref-model')
      expect(metric(reference, 'answer_similarity/v1/mean')).toBeGreaterThan(2)
    })

    // Last: it stops the server (and starts it again on the same port and database).
    test('the Vitest run still passes, one warning names the server, and a later export completes the history', async () => {
      const experiment = `vj-stopped-${randomBytes(4).toString('hex')}`
      const run = await runFixture('mlflow', {
        env: {
          MLFLOW_TRACKING_URI: server.url,
          MLFLOW_EXPERIMENT_NAME: experiment,
          MLFLOW_TRACKING_TOKEN: TOKEN,
          MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
          MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.05',
          MLFLOW_FIXTURE_STOP: server.stopScript,
          MLFLOW_FIXTURE_STOP_PGID: server.pgid,
        },
      })
      expect(run.tests.filter((t) => t.state !== 'passed')).toEqual([])
      expect(run.exitCode, run.stderr).toBe(0)
      const output = run.stdout + run.stderr
      const warnings = output.split('\n').filter((line) => line.includes('not logged to MLflow'))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`MLflow server ${server.url}`)
      expect(warnings[0]).toContain('failed after 3 attempts')
      expect(warnings[0]).toContain(`run \`vitest-judge export --mlflow ${server.url}\` later`)
      expect(output).not.toContain(TOKEN)
      expect(run.report?.runs).toHaveLength(2)

      await server.restart()
      const exported = await cli(['export', '--mlflow'], {
        VITEST_JUDGE_DIR: run.dir,
        MLFLOW_TRACKING_URI: server.url,
        MLFLOW_EXPERIMENT_NAME: experiment,
      })
      expect(exported.code, exported.stderr).toBe(0)
      expect(exported.stdout).toContain(`Logged invocation ${run.report?.invocation.id}`)
      const runs = await runsOf(server, experiment)
      const { parent, children } = split(runs)
      expect(tag(parent, 'vitest_judge.invocation_id')).toBe(run.report?.invocation.id)
      expect(children.map((c) => tag(c, 'vitest_judge.file')).sort()).toEqual(['matchers.test.ts', 'qa.eval.ts'])
    })
  },
)
