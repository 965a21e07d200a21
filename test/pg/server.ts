/**
 * A real PostgreSQL server for the tests: Debian's `postgresql` binaries (installed by `npm run setup`),
 * a throw-away cluster in a temporary folder on a free loopback port, trust authentication. As root
 * the server runs as the `postgres` user the package creates (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/** A running test server. */
export interface PgServer {
  port: number
  /** A URL of database `db` (default `postgres`), as user `vj`. */
  url(db?: string, schema?: string): string
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>
  /** Stops the server (fast shutdown: connections are dropped). */
  stop(): void
  /** Starts it again on the same port and data. */
  start(): void
  /** Stops it and deletes its data. */
  dispose(): void
}

function binDir(): string {
  const roots = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse() : []
  for (const version of roots) {
    const dir = join('/usr/lib/postgresql', version, 'bin')
    if (existsSync(join(dir, 'initdb'))) return dir
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' })
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..')
  throw new Error(
    'PostgreSQL is not installed: the PostgreSQL tests need its server binaries. Run `npm run setup`, or `apt-get install -y postgresql`.',
  )
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

/** Starts a fresh server; `dispose()` it after the tests. */
export async function startPostgres(): Promise<PgServer> {
  const bin = binDir()
  const root = userInfo().uid === 0
  const work = mkdtempSync(join(tmpdir(), 'vj-pg-'))
  const data = join(work, 'data')
  const port = await freePort()
  if (root) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()
    chownSync(work, Number(ids), Number(gid))
  }
  const run = (tool: string, args: string[]) => {
    const command = root ? 'runuser' : join(bin, tool)
    const argv = root ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: work })
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr || result.stdout}`)
  }
  run('initdb', ['-D', data, '-U', 'vj', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'])
  const options = `-p ${port} -k ${work} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-w', '-t', '60', '-l', join(work, 'log'), 'start'])
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
  start()
  const url = (db = 'postgres', schema?: string) =>
    `postgres://vj@127.0.0.1:${port}/${db}${schema === undefined ? '' : `?schema=${schema}`}`
  return {
    port,
    url,
    async createDatabase(name: string) {
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: url() })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name}"`)
      } finally {
        await client.end()
      }
      return url(name)
    },
    stop,
    start,
    dispose() {
      try {
        stop()
      } catch {
        // Already stopped.
      }
      rmSync(work, { recursive: true, force: true })
    },
  }
}
