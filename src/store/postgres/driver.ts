/**
 * The `pg` driver, loaded only when a PostgreSQL URL is configured, and one pool per process and
 * URL (the run store and the judge cache of one process share it).
 */
import type { Pool, PoolClient } from 'pg'
import { StoreError } from '../../errors.js'
import type { PgLocation } from './url.js'

type PgModule = typeof import('pg')
let loaded: Promise<PgModule> | undefined

async function loadPg(): Promise<PgModule> {
  loaded ??= import('pg').then(
    (module) => ((module as unknown as { default?: PgModule }).default ?? module) as PgModule,
    (error: unknown) => {
      loaded = undefined
      throw new StoreError(
        'A postgres:// store or cache URL is configured, and the `pg` driver is not installed: run `npm install -D pg`.',
        { cause: error },
      )
    },
  )
  return loaded
}

interface SharedPool {
  pool: Pool
  users: number
}

const pools = new Map<string, SharedPool>()

/** Connections per process and URL. */
const POOL_SIZE = 4

/** The process's pool for `location`, created on first use; release it with {@link releasePool}. */
export async function acquirePool(location: PgLocation): Promise<Pool> {
  const shared = pools.get(location.connectionString)
  if (shared) {
    shared.users++
    return shared.pool
  }
  const pg = await loadPg()
  const again = pools.get(location.connectionString)
  if (again) {
    again.users++
    return again.pool
  }
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: POOL_SIZE,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    types: {
      // int8 (bigint) as a number: ids and counts stay far below 2^53.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
  })
  // An idle connection that the server drops (a restart) must not crash the process.
  pool.on('error', () => {})
  pools.set(location.connectionString, { pool, users: 1 })
  return pool
}

/** Releases a use of the pool; the last one ends it. */
export async function releasePool(location: PgLocation): Promise<void> {
  const shared = pools.get(location.connectionString)
  if (!shared) return
  shared.users--
  if (shared.users > 0) return
  pools.delete(location.connectionString)
  await shared.pool.end()
}

/** Runs `fn` in a transaction on one connection of `pool`. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // A connection dropped between two statements (a server restart) is reported by the next
  // statement, which the caller retries; without a listener the event would crash the process.
  const ignore = () => {}
  client.on('error', ignore)
  let broken = false
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    // A dropped connection is destroyed, not handed back to the pool.
    broken = isConnectionError(error)
    if (!broken) await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.off('error', ignore)
    client.release(broken ? true : undefined)
  }
}

/** The message of a driver error, for our own. */
export function describePgError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describePgError(error.errors[0])
  const e = error as { message?: string; code?: string }
  return e?.message ? `${e.message}${e.code && !e.message.includes(e.code) ? ` (${e.code})` : ''}` : String(error)
}

/** Whether a driver error means the server could not be reached or the connection was lost. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError)
  const e = error as { code?: string; message?: string }
  const code = e?.code ?? ''
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(code)) return true
  if (/^(08|57P0)/.test(code)) return true
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(e?.message ?? '')
}
