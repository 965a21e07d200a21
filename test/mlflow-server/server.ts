/**
 * The real MLflow 2.17.2 tracking server of `../shared/mlflow-server/` (next to the repository, or
 * next to the main checkout when this is a git worktree), started per test file. Tests that need
 * it skip with {@link MLFLOW_SKIP_REASON} when it is absent (a clone outside this workspace).
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

const REPO = resolve(import.meta.dirname, '../..')

function candidates(): string[] {
  const list = [resolve(REPO, '../shared/mlflow-server')]
  try {
    // A git worktree lives elsewhere; the shared folder sits beside the main checkout.
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    if (common) list.push(resolve(dirname(common), '../shared/mlflow-server'))
  } catch {
    // Not a git checkout: only the folder beside the repository counts.
  }
  return list
}

/** The folder holding start.sh / stop.sh, or undefined. */
export const MLFLOW_SERVER_DIR: string | undefined = candidates().find((dir) => existsSync(join(dir, 'start.sh')))

/** Why the MLflow tests are skipped, or undefined when they can run. */
export const MLFLOW_SKIP_REASON: string | undefined = MLFLOW_SERVER_DIR
  ? undefined
  : 'skipped: no ../shared/mlflow-server beside the repository (the real MLflow server these tests start)'

/** A running MLflow server. */
export interface MlflowServer {
  url: string
  port: number
  /** Its working folder (mlflow.db, mlartifacts/). */
  dir: string
  pgid: string
  /** The stop script, for a fixture that stops the server itself. */
  stopScript: string
  /** The vendored MLflow source (PYTHONPATH for MLflow's own Python client). */
  vendorDir: string
  stop(): Promise<void>
  /** Starts it again on the same port and folder (same database). */
  restart(): Promise<void>
}

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile('bash', [script, ...args], { env, timeout: 600_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} ${args.join(' ')} failed: ${stderr || error.message}`))
      else resolveRun(stdout.trim())
    })
  })
}

/** The vendored MLflow source folder start.sh unpacks (MLFLOW_VENDOR_DIR, else $TMPDIR/mlflow-2.17.2-server). */
export function vendorDir(): string {
  return process.env.MLFLOW_VENDOR_DIR ?? join(process.env.TMPDIR ?? '/tmp', 'mlflow-2.17.2-server')
}

/** Starts a server on a free port in a fresh folder. */
export async function startMlflowServer(): Promise<MlflowServer> {
  if (!MLFLOW_SERVER_DIR) throw new Error(MLFLOW_SKIP_REASON)
  const start = join(MLFLOW_SERVER_DIR, 'start.sh')
  const stopScript = join(MLFLOW_SERVER_DIR, 'stop.sh')
  const dir = mkdtempSync(join(tmpdir(), 'vj-mlflow-'))
  const port = await freePort()
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const started: string[] = []
  let pending: Promise<unknown> = Promise.resolve()
  const launch = async () => {
    const pgid = await run(start, [String(port), dir], env)
    started.push(pgid)
    return pgid
  }
  const server: MlflowServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    pgid: await launch(),
    stopScript,
    vendorDir: vendorDir(),
    async stop() {
      // A restart still under way (a test that timed out) is waited for, so no server is left behind.
      await pending.catch(() => undefined)
      for (const pgid of started.splice(0)) await run(stopScript, [pgid], env)
    },
    async restart() {
      const next = launch()
      pending = next
      server.pgid = await next
    },
  }
  return server
}
