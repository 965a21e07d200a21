import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { StoreError } from '../../src/errors.js'
import { APPLICATION_IDS, type Database, openDatabase, withImmediate } from '../../src/store/database.js'

let dir: string
const open: Database[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vj-store-db-'))
})

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close()
  rmSync(dir, { recursive: true, force: true })
})

function track(db: Database): Database {
  open.push(db)
  return db
}

function openRuns(file: string, migrations: string[], readonly = false): Database {
  return track(openDatabase(file, { kind: 'runs', migrations, readonly }))
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('openDatabase', () => {
  test('creates the folder, sets the pragmas and marks the file as ours', () => {
    const file = join(dir, 'nested', 'deeper', 'runs.db')
    const db = openRuns(file, ['CREATE TABLE a (x)'])
    expect(existsSync(file)).toBe(true)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10_000)
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_IDS.runs)
    expect(db.pragma('user_version', { simple: true })).toBe(1)
  })

  test('applies each migration once, and only the new ones on upgrade', () => {
    const file = join(dir, 'runs.db')
    const v2 = ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']
    openRuns(file, v2).close()
    // A second application of CREATE TABLE would throw.
    openRuns(file, v2).close()
    const db = openRuns(file, [...v2, 'ALTER TABLE a ADD COLUMN z'])
    expect(db.pragma('user_version', { simple: true })).toBe(3)
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('a')
    expect(columns).toEqual(['x', 'z'])
  })

  test('a failing migration is an error, and leaves the file at its previous version', () => {
    const file = join(dir, 'runs.db')
    openRuns(file, ['CREATE TABLE a (x)']).close()
    const error = caught(() => openRuns(file, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)', 'THIS IS NOT SQL']))
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toContain(file)
    expect((error as StoreError).message).toMatch(/version 3 failed/)
    const raw = new BetterSqlite3(file)
    expect(raw.pragma('user_version', { simple: true })).toBe(1)
    expect(raw.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'b'").pluck().get()).toBe(0)
    raw.close()
  })

  test('a file written by a newer version is refused with advice to upgrade', () => {
    const file = join(dir, 'runs.db')
    openRuns(file, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)']).close()
    const error = caught(() => openRuns(file, ['CREATE TABLE a (x)']))
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toContain(file)
    expect((error as StoreError).message).toMatch(/newer vitest-judge.*Upgrade vitest-judge/s)
  })

  test("another application's SQLite file is refused, named, and left untouched", () => {
    const file = join(dir, 'runs.db')
    const foreign = new BetterSqlite3(file)
    foreign.exec('CREATE TABLE foo (bar TEXT); INSERT INTO foo VALUES (1)')
    foreign.pragma('application_id = 1234')
    foreign.close()
    const before = readFileSync(file)
    const error = caught(() => openRuns(file, ['CREATE TABLE a (x)']))
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toContain(file)
    expect((error as StoreError).message).toMatch(/another application/)
    expect((error as StoreError).message).toMatch(/move it away or delete it/)
    expect((error as StoreError).message).toContain('VITEST_JUDGE_DIR')
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(existsSync(`${file}-wal`)).toBe(false)
  })

  test('a SQLite file with tables but no application id is refused too', () => {
    const file = join(dir, 'runs.db')
    const foreign = new BetterSqlite3(file)
    foreign.exec('CREATE TABLE foo (bar TEXT)')
    foreign.close()
    const before = readFileSync(file)
    expect(() => openRuns(file, ['CREATE TABLE a (x)'])).toThrow(StoreError)
    expect(readFileSync(file).equals(before)).toBe(true)
  })

  test.each([
    ['random bytes', () => randomBytes(8192)],
    ['text', () => Buffer.from('name,score\nalpha,1\nbeta,0.5\n'.repeat(50))],
  ])('a non-SQLite file (%s) is refused, named, and left untouched', (_label, content) => {
    const file = join(dir, 'cache.db')
    const bytes = content()
    writeFileSync(file, bytes)
    const error = caught(() => track(openDatabase(file, { kind: 'cache', migrations: ['CREATE TABLE a (x)'] })))
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toContain(file)
    expect((error as StoreError).message).toMatch(/not a SQLite database/)
    expect((error as StoreError).message).toMatch(/delete it/)
    expect(readFileSync(file).equals(bytes)).toBe(true)
  })

  test('the runs file is not accepted as the cache file', () => {
    const file = join(dir, 'runs.db')
    openRuns(file, ['CREATE TABLE a (x)']).close()
    const error = caught(() => track(openDatabase(file, { kind: 'cache', migrations: ['CREATE TABLE a (x)'] })))
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(/runs database, not its cache database/)
  })

  test('read-only: a missing file is an error, an existing one opens without writing', () => {
    const file = join(dir, 'runs.db')
    expect(() => openRuns(file, ['CREATE TABLE a (x)'], true)).toThrow(/No runs database/)
    expect(existsSync(file)).toBe(false)
    openRuns(file, ['CREATE TABLE a (x)']).close()
    const db = openRuns(file, ['CREATE TABLE a (x)'], true)
    expect(() => db.exec('INSERT INTO a VALUES (1)')).toThrow(/readonly/)
    expect(() => openRuns(file, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'], true)).toThrow(/read-only/)
  })
})

describe('withImmediate', () => {
  test('commits what the function wrote, and rolls back when it throws', () => {
    const db = openRuns(join(dir, 'runs.db'), ['CREATE TABLE a (x)'])
    expect(withImmediate(db, () => db.prepare('INSERT INTO a VALUES (1)').run().changes)).toBe(1)
    expect(() =>
      withImmediate(db, () => {
        db.prepare('INSERT INTO a VALUES (2)').run()
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(db.inTransaction).toBe(false)
    expect(db.prepare('SELECT x FROM a').pluck().all()).toEqual([1])
  })

  test('refuses an async function, rolling back', () => {
    const db = openRuns(join(dir, 'runs.db'), ['CREATE TABLE a (x)'])
    expect(() => withImmediate(db, async () => db.prepare('INSERT INTO a VALUES (1)').run())).toThrow(/synchronous/)
    expect(db.inTransaction).toBe(false)
    expect(db.prepare('SELECT count(*) FROM a').pluck().get()).toBe(0)
  })

  test('joins an open transaction', () => {
    const db = openRuns(join(dir, 'runs.db'), ['CREATE TABLE a (x)'])
    withImmediate(db, () => {
      withImmediate(db, () => db.prepare('INSERT INTO a VALUES (1)').run())
      expect(db.inTransaction).toBe(true)
    })
    expect(db.prepare('SELECT count(*) FROM a').pluck().get()).toBe(1)
  })
})
