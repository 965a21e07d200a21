/**
 * Opening vitest-judge's SQLite files: ownership check, pragmas, migrations, write transactions.
 * Shared by the run store (main process, CLI) and the judge cache (every test worker).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { StoreError } from '../errors.js'

/** A better-sqlite3 connection. */
export type Database = BetterSqlite3.Database

/** Which of our files a database is. */
export type DatabaseKind = 'runs' | 'cache'

/** How to open one of our files. */
export interface DatabaseSpec {
  kind: DatabaseKind
  /** SQL per schema version: `migrations[i]` takes the file from version `i` to `i + 1`. */
  migrations: string[]
  /** Open read-only: never creates, migrates or writes. */
  readonly?: boolean
}

/**
 * `PRAGMA application_id` of each kind of file ('VJRu' and 'VJCa' in ASCII), so that a file that
 * is not ours, or the other one of ours, is recognised before anything is written to it.
 */
export const APPLICATION_IDS: Readonly<Record<DatabaseKind, number>> = { runs: 0x564a5275, cache: 0x564a4361 }

/** How long a connection waits for another writer before SQLITE_BUSY (ms). */
export const BUSY_TIMEOUT_MS = 10_000

const BEGIN_ATTEMPTS = 4
const MOVE_HINT =
  'vitest-judge never overwrites a file it does not own: move it away or delete it, ' +
  'or point VITEST_JUDGE_DIR (option `dir`) at another folder.'

/**
 * Opens (creating when needed) one of vitest-judge's SQLite files, checks that it is ours, sets WAL,
 * `busy_timeout`, `synchronous=NORMAL` and `foreign_keys`, and brings its schema up to date.
 * Throws a `StoreError` naming the file for a foreign, corrupt or newer file; such a file is left untouched.
 */
export function openDatabase(file: string, spec: DatabaseSpec): Database {
  const readonly = spec.readonly === true
  if (existsSync(file)) {
    if (statSync(file).isDirectory())
      throw new StoreError(`${file} is a directory, not a ${spec.kind} database. ${MOVE_HINT}`)
  } else if (readonly) {
    throw new StoreError(
      `No ${spec.kind} database at ${file}: nothing was recorded there yet. Run vitest first, or check VITEST_JUDGE_DIR (option \`dir\`).`,
    )
  } else {
    try {
      mkdirSync(dirname(file), { recursive: true })
    } catch (error) {
      throw new StoreError(
        `Cannot create the folder of ${file} (${describe(error)}). Point VITEST_JUDGE_DIR (option \`dir\`) at a writable folder.`,
        { cause: error },
      )
    }
  }

  let db: Database
  try {
    db = new BetterSqlite3(file, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS, ...nativeBinding() })
  } catch (error) {
    throw new StoreError(
      `Cannot open ${file} (${describe(error)}). Check its permissions, or point VITEST_JUDGE_DIR (option \`dir\`) elsewhere.`,
      { cause: error },
    )
  }
  try {
    // Ownership is checked before any pragma that writes (journal_mode=WAL rewrites the header).
    checkOwnership(db, file, spec.kind)
    if (!readonly) {
      retryBusy(() => db.pragma('journal_mode = WAL'))
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = ON')
    // better-sqlite3 builds SQLite with a 16 MiB page cache per connection, which fills as runs are
    // saved and read: the main process's memory would grow with the cases of a run. 2 MiB is
    // SQLite's own default; the OS file cache serves the rest.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`)
    // A worker's connection starts with an empty page cache, and a warm rerun reads a page or more
    // per case: mapped, a read costs no system call (1,000 lookups on a fresh connection: 6 ms instead
    // of 8 to 17). Only the cache: the main process reads runs back, and mapped pages count in its memory.
    if (spec.kind === 'cache') db.pragma(`mmap_size = ${CACHE_MMAP_BYTES}`)
    migrate(db, file, spec)
    return db
  } catch (error) {
    db.close()
    if (error instanceof StoreError) throw error
    if (isNotADatabase(error)) throw notOurs(file, spec.kind, 'is not a SQLite database, or is corrupt', error)
    throw new StoreError(`Cannot use ${file} (${describe(error)}).`, { cause: error })
  }
}

let addonPath: string | null | undefined

/**
 * The path of better-sqlite3's compiled addon where its install builds it. Without it, the first
 * connection of each process has the `bindings` package search about a dozen places and read a
 * stack trace (2 to 7 ms, in every test worker); not found there (another build layout), that search.
 */
export function nativeBinding(): { nativeBinding?: string } {
  if (addonPath === undefined) {
    try {
      const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'))
      const built = join(root, 'build', 'Release', 'better_sqlite3.node')
      addonPath = existsSync(built) ? built : null
    } catch {
      addonPath = null
    }
  }
  return addonPath === null ? {} : { nativeBinding: addonPath }
}

/** Page cache of each connection, in KiB. */
const PAGE_CACHE_KIB = 2000

/** How much of `cache.db` a connection maps at most (address space, not memory: pages load as read). */
const CACHE_MMAP_BYTES = 256 * 1024 * 1024

/**
 * Runs `fn` (synchronous) in a `BEGIN IMMEDIATE` transaction: commits when it returns, rolls back
 * and rethrows when it throws. Inside an open transaction, `fn` simply joins it.
 */
export function withImmediate<T>(db: Database, fn: () => T): T {
  if (db.inTransaction) return fn()
  retryBusy(() => db.exec('BEGIN IMMEDIATE'))
  try {
    const result = fn()
    if (result instanceof Promise) throw new TypeError('withImmediate: the function must be synchronous.')
    db.exec('COMMIT')
    return result
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}

/** Whether an error is SQLite's SQLITE_BUSY (or one of its extended codes). */
export function isBusy(error: unknown): boolean {
  return sqliteCode(error).startsWith('SQLITE_BUSY')
}

function checkOwnership(db: Database, file: string, kind: DatabaseKind): void {
  // One snapshot for all reads: another process may create the schema between two of them.
  const appId = inReadTransaction(db, () => {
    const id = db.pragma('application_id', { simple: true })
    return id === 0 && isEmpty(db) ? 'new' : id
  })
  if (appId === 'new' || appId === APPLICATION_IDS[kind]) return
  const other: DatabaseKind = kind === 'runs' ? 'cache' : 'runs'
  if (appId === APPLICATION_IDS[other]) {
    throw new StoreError(`${file} is vitest-judge's ${other} database, not its ${kind} database. ${MOVE_HINT}`)
  }
  throw notOurs(file, kind, 'belongs to another application (it holds tables vitest-judge did not create)')
}

function inReadTransaction<T>(db: Database, fn: () => T): T {
  if (db.inTransaction) return fn()
  db.exec('BEGIN')
  try {
    return fn()
  } finally {
    if (db.inTransaction) db.exec('COMMIT')
  }
}

function isEmpty(db: Database): boolean {
  const objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number
  return objects === 0 && db.pragma('user_version', { simple: true }) === 0
}

function migrate(db: Database, file: string, spec: DatabaseSpec): void {
  const target = spec.migrations.length
  const current = userVersion(db)
  if (current > target) throw newerThanCode(file, spec.kind, current, target)
  if (current === target) return
  if (spec.readonly) {
    throw new StoreError(
      `${file} has schema version ${current} and this vitest-judge needs ${target}; it cannot upgrade a file opened read-only. ` +
        'Run vitest (or any vitest-judge command that writes) once to upgrade it.',
    )
  }
  withImmediate(db, () => {
    // Another process may have initialised or upgraded the file while this one waited for the lock.
    checkOwnership(db, file, spec.kind)
    const locked = userVersion(db)
    if (locked > target) throw newerThanCode(file, spec.kind, locked, target)
    if (locked === target) return
    for (let version = locked; version < target; version++) {
      try {
        db.exec(spec.migrations[version] ?? '')
      } catch (error) {
        throw new StoreError(
          `Upgrading ${file} to schema version ${version + 1} failed (${describe(error)}); the file was left at version ${locked}. ` +
            'Report this as a vitest-judge bug; moving the file away starts a fresh one.',
          { cause: error },
        )
      }
    }
    db.pragma(`user_version = ${target}`)
    db.pragma(`application_id = ${APPLICATION_IDS[spec.kind]}`)
  })
}

function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

function newerThanCode(file: string, kind: DatabaseKind, found: number, known: number): StoreError {
  return new StoreError(
    `${file} has ${kind} schema version ${found}, written by a newer vitest-judge (this one knows up to ${known}). ` +
      'Upgrade vitest-judge, or point VITEST_JUDGE_DIR (option `dir`) at another folder.',
  )
}

function notOurs(file: string, kind: DatabaseKind, why: string, cause?: unknown): StoreError {
  return new StoreError(`${file} ${why}, so it cannot be used as vitest-judge's ${kind} database. ${MOVE_HINT}`, {
    cause,
  })
}

function isNotADatabase(error: unknown): boolean {
  const code = sqliteCode(error)
  return code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')
}

function sqliteCode(error: unknown): string {
  if (error instanceof BetterSqlite3.SqliteError) return error.code
  return ''
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

// busy_timeout already waits up to BUSY_TIMEOUT_MS; this covers the rare SQLITE_BUSY that SQLite
// returns without calling the busy handler (e.g. while another connection recovers the WAL). Not the
// HTTP retry policy (http-retry.ts): better-sqlite3 calls are synchronous, so the wait is too.
function retryBusy<T>(fn: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return fn()
    } catch (error) {
      if (!isBusy(error) || attempt >= BEGIN_ATTEMPTS) throw error
      sleep(25 * 2 ** attempt + Math.random() * 25)
    }
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4))
function sleep(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms)
}
