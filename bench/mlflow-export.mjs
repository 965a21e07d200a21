// Prints figures of the MLflow exporter against the real MLflow 2.17.2 server of
// ../shared/mlflow-server (skipped with a message when absent): the time and requests to log a
// 1000-case invocation, the time of the second (idempotent) export, and what a server that is down
// adds to the end of a run with the default retries. Bundles src/export/mlflow with esbuild, so it
// needs no build. Usage: node bench/mlflow-export.mjs
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const FILES = 4
const CASES_PER_FILE = 250
const repo = resolve(fileURLToPath(new URL('..', import.meta.url)))

function serverDir() {
  const list = [resolve(repo, '../shared/mlflow-server')]
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    list.push(resolve(dirname(common), '../shared/mlflow-server'))
  } catch {}
  return list.find((dir) => existsSync(join(dir, 'start.sh')))
}

const shared = serverDir()
if (!shared) {
  console.log('mlflow-export: skipped (no ../shared/mlflow-server beside the repository)')
  process.exit(0)
}

const port = await new Promise((done) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => done(p))
  })
})
const work = mkdtempSync(join(tmpdir(), 'vj-mlflow-bench-'))
const pgid = execFileSync('bash', [join(shared, 'start.sh'), String(port), join(work, 'server')], {
  encoding: 'utf8',
}).trim()
try {
  const outfile = join(work, 'mlflow.mjs')
  await build({
    entryPoints: [join(repo, 'src/export/mlflow/index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  })
  const { MlflowClient, exportInvocation } = await import(pathToFileURL(outfile).href)
  const url = `http://127.0.0.1:${port}`
  let requests = 0
  const countingFetch = (...args) => {
    requests++
    return fetch(...args)
  }
  const client = new MlflowClient({
    trackingUri: url,
    credentials: { kind: 'none' },
    http: { timeoutMs: 10_000, maxRetries: 3, backoffMs: 500 },
    fetch: countingFetch,
  })
  const source = syntheticSource()
  let t = performance.now()
  const first = await exportInvocation(client, 'bench', source)
  const firstMs = performance.now() - t
  const firstRequests = requests
  requests = 0
  t = performance.now()
  const second = await exportInvocation(client, 'bench', source)
  const secondMs = performance.now() - t
  console.log(
    `mlflow-export: ${FILES} files x ${CASES_PER_FILE} cases logged in ${firstMs.toFixed(0)} ms ` +
      `(${firstRequests} requests, ${(firstMs / (FILES * CASES_PER_FILE)).toFixed(2)} ms per case; outcome ${first.outcome})`,
  )
  console.log(
    `mlflow-export: second export ${secondMs.toFixed(0)} ms (${requests} requests, outcome ${second.outcome}); ` +
      `ratio first/second ${(firstMs / secondMs).toFixed(1)}x`,
  )
  execFileSync('bash', [join(shared, 'stop.sh'), pgid])
  const down = new MlflowClient({
    trackingUri: url,
    credentials: { kind: 'none' },
    http: { timeoutMs: 10_000, maxRetries: 3, backoffMs: 500 },
  })
  t = performance.now()
  const error = await exportInvocation(down, 'bench', source).catch((e) => e)
  console.log(
    `mlflow-export: a stopped server costs ${(performance.now() - t).toFixed(0)} ms with the default retries ` +
      `(3 retries, 0.5 s doubling backoff): ${String(error?.message).slice(0, 120)}`,
  )
} finally {
  execFileSync('bash', [join(shared, 'stop.sh'), pgid])
  rmSync(work, { recursive: true, force: true })
}

function syntheticSource() {
  const invocation = {
    id: `bench-${Date.now()}`,
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    status: 'complete',
    git: { commit: 'abc', branch: 'main' },
    params: { model: 'bench' },
    experiment: 'bench',
  }
  const runs = new Map()
  for (let f = 0; f < FILES; f++) {
    const file = `evals/file-${f}.eval.ts`
    const cases = []
    for (let c = 0; c < CASES_PER_FILE; c++) {
      const raw = 1 + ((c * 7 + f) % 5)
      const metrics = {
        answer_similarity: {
          score: (raw - 1) / 4,
          raw,
          kind: 'score',
          version: 'v1',
          judge: 'openai:x',
          justification: `Because ${c}.`,
        },
        exact_match: { score: c % 2, kind: 'score', version: 'v1' },
        rouge_l: { score: (c % 10) / 10, kind: 'score', version: 'v1' },
        latency: { score: 100 + c, kind: 'measurement', version: 'v1' },
      }
      const scores = Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, m.score]))
      cases.push({
        name: `case ${c}`,
        pass: true,
        scores,
        metrics,
        judgeErrors: 0,
        input: `question ${c}`,
        output: `answer ${c}`,
        expected: `truth ${c}`,
      })
    }
    runs.set(file, {
      id: `run-${f}`,
      file,
      cases,
      aggregates: {},
      judgeErrors: 0,
      cache: { hits: 0, misses: 0 },
      tokens: { input: 0, output: 0 },
    })
  }
  return { invocation, files: [...runs.keys()], loadRun: (file) => runs.get(file) }
}
