/** Runs a fixture project with real Vitest in a child process and returns what a user would see. */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { JsonReport } from '../../src/report/types.js'

/** The project root. */
export const REPO = resolve(import.meta.dirname, '../..')

/** One test as the fixture run saw it. */
export interface FixtureTest {
  file: string
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  errors: string[]
}

/** What a fixture run gave. */
export interface FixtureRun {
  exitCode: number | null
  stdout: string
  stderr: string
  tests: FixtureTest[]
  /** The state folder used (VITEST_JUDGE_DIR). */
  dir: string
  /** The JSON report, when written. */
  report: JsonReport | undefined
}

/** A fresh state folder. */
export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'vj-state-'))
}

const CLEAN_ENV_KEYS = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GEMINI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'VITEST_JUDGE',
  'VITEST_JUDGE_DIR',
  'VITEST_JUDGE_CACHE',
  'VITEST_JUDGE_APP_CACHE',
  'VITEST_JUDGE_BASELINE',
  'VITEST_JUDGE_STORE_URL',
  'VITEST_JUDGE_CACHE_URL',
  'VITEST_JUDGE_STORE_RETRY_MS',
  'GITHUB_STEP_SUMMARY',
  'VITEST',
  'VITEST_MODE',
  'VITEST_POOL_ID',
  'VITEST_WORKER_ID',
  'TEST',
  'NODE_ENV',
  'GITHUB_ACTIONS',
  'GITHUB_WORKSPACE',
  'MLFLOW_TRACKING_URI',
  'MLFLOW_EXPERIMENT_NAME',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_TRACKING_USERNAME',
  'MLFLOW_TRACKING_PASSWORD',
]

/** Runs `fixtures/<name>` (or an absolute root) with the given env on top of a clean one. */
export function runFixture(
  name: string,
  options: { env?: Record<string, string | undefined>; dir?: string; filters?: string[]; timeoutMs?: number } = {},
): Promise<FixtureRun> {
  const root = name.startsWith('/') ? name : join(REPO, 'fixtures', name)
  const dir = options.dir ?? tempStateDir()
  const env: Record<string, string | undefined> = { ...process.env }
  for (const key of CLEAN_ENV_KEYS) delete env[key]
  Object.assign(env, { VITEST_JUDGE_DIR: dir, NO_COLOR: '1', FORCE_COLOR: '0' }, options.env)
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO, 'test/integration/fixture-runner.mjs'), root, ...(options.filters ?? [])],
      { cwd: root, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      const marker = stdout.lastIndexOf('@@FIXTURE-RESULT@@')
      let tests: FixtureTest[] = []
      if (marker !== -1) {
        const line = stdout.slice(marker + '@@FIXTURE-RESULT@@'.length).split('\n')[0] ?? '{}'
        tests = (JSON.parse(line) as { tests: FixtureTest[] }).tests
      }
      const reportPath = join(dir, 'report.json')
      const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as JsonReport) : undefined
      resolvePromise({ exitCode, stdout, stderr, tests, dir, report })
    })
  })
}

/** Finds a test by (a part of) its name; throws with the list when absent. */
export function testNamed(run: FixtureRun, part: string): FixtureTest {
  const found = run.tests.find((t) => t.name.includes(part))
  if (!found)
    throw new Error(`no test named like "${part}" in: ${run.tests.map((t) => t.name).join(', ')}\n${run.stderr}`)
  return found
}
