/**
 * The store spool: when a shared run store stays away longer than the retry window in the middle
 * of a run, the invocation's remaining writes (its start, its runs with every case, its end) are
 * kept in `<dir>/store-spool/<invocationId>/`, one JSON file per write, each written whole (a
 * temporary file renamed into place). The next run against the store, or `vitest-judge store
 * flush`, writes them and removes them file by file. Writing is idempotent (the invocation is
 * started only when absent, a run replaces the run of the same id, an end is an update), so a
 * flush interrupted and repeated, or an invocation partly written before the outage, never
 * duplicates a row. The files hold what the store's rows hold (text redacted as there), never the
 * store's URL or password.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { StoreError } from '../errors.js'
import { redact } from '../redact.js'
import type { ReportRun } from '../report/types.js'
import { HOST, isAlive } from './rows.js'
import type { NewInvocation, RunStore } from './types.js'

/** The spool folder inside the state folder: `<dir>/store-spool`. */
export function storeSpoolDir(dir: string): string {
  return join(dir, 'store-spool')
}

const HEADER = 'invocation.json'
const END = 'end.json'
const LOCK = 'flush.lock'
const RUN_FILE = /^run-\d{6}-[A-Za-z0-9_-]+\.json$/

/** `invocation.json`: the invocation to start, and the process that spooled it. */
interface SpoolHeader {
  version: 1
  invocation: NewInvocation
  pid: number
  host: string
}

/** `end.json`: how the invocation ended. */
interface SpoolEnd {
  status: 'complete' | 'interrupted'
  endedAt: string
}

/**
 * Writes `value` as JSON to `path` whole: a temporary file in the same folder, flushed to disk, then
 * renamed into place (a crash, even of the machine, leaves the old file or the new one, never half).
 */
function writeWhole(path: string, value: unknown): void {
  const temp = `${path}.tmp-${process.pid}`
  try {
    const fd = openSync(temp, 'w')
    try {
      const data = Buffer.from(redact(JSON.stringify(value)))
      for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

/**
 * The writes of one invocation kept while the store is away. Every method writes synchronously,
 * so runs that end at the same moment never interleave.
 */
export class InvocationSpool {
  /** The invocation's folder, `<dir>/store-spool/<invocationId>`. */
  readonly path: string
  private runs = 0
  private started = false

  constructor(
    dir: string,
    private readonly invocation: NewInvocation,
  ) {
    if (!/^[A-Za-z0-9_-]+$/.test(invocation.id))
      throw new StoreError(`Invocation id ${invocation.id} cannot name a file.`)
    this.path = join(storeSpoolDir(dir), invocation.id)
  }

  /** Runs kept so far. */
  get runCount(): number {
    return this.runs
  }

  /** Keeps the invocation's start (done by the first write). */
  start(): void {
    if (this.started) return
    mkdirSync(this.path, { recursive: true })
    const header: SpoolHeader = { version: 1, invocation: this.invocation, pid: process.pid, host: HOST }
    writeWhole(join(this.path, HEADER), header)
    this.started = true
  }

  /** Keeps one run with its cases. */
  addRun(run: ReportRun): void {
    if (!/^[A-Za-z0-9_-]+$/.test(run.id)) throw new StoreError(`Run id ${run.id} cannot name a file.`)
    this.start()
    writeWhole(join(this.path, `run-${String(this.runs + 1).padStart(6, '0')}-${run.id}.json`), run)
    this.runs++
  }

  /** Keeps how the invocation ended. */
  finish(status: 'complete' | 'interrupted', endedAt: string): void {
    this.start()
    const end: SpoolEnd = { status, endedAt }
    writeWhole(join(this.path, END), end)
  }
}

/** One spooled invocation as a flush finds it. */
export interface SpooledInvocation {
  id: string
  /** Its folder. */
  path: string
  /** Spooled runs not written yet. */
  runs: number
  /** Whether its end is spooled (else its process is still running, or died). */
  ended: boolean
}

/** The invocations in the spool (folders with an `invocation.json`), oldest first by id (ids sort by time). */
export function listStoreSpool(dir: string): SpooledInvocation[] {
  const root = storeSpoolDir(dir)
  if (!existsSync(root)) return []
  const found: SpooledInvocation[] = []
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const path = join(root, entry.name)
    const files = readdirSync(path)
    if (!files.includes(HEADER)) continue
    found.push({
      id: entry.name,
      path,
      runs: files.filter((f) => RUN_FILE.test(f)).length,
      ended: files.includes(END),
    })
  }
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** What a flush wrote and left. */
export interface StoreSpoolFlush {
  /** Invocations written (and removed from the spool), in order. */
  written: { id: string; runs: number; status: 'complete' | 'interrupted' }[]
  /** Invocations left in the spool, and why. */
  left: { id: string; reason: string }[]
  /** The failure that stopped the flush (the store went away again, a damaged file); the rest is kept. */
  error?: Error
}

/**
 * Writes every spooled invocation into `store`, oldest first, removing each file once written; an
 * invocation still being spooled by a live process, or being flushed by another, is left. Stops at
 * the first failure (reported in `error`), keeping what is not written.
 */
export async function flushStoreSpool(dir: string, store: RunStore): Promise<StoreSpoolFlush> {
  const result: StoreSpoolFlush = { written: [], left: [] }
  for (const spooled of listStoreSpool(dir)) {
    const unlock = lock(spooled.path)
    if (typeof unlock === 'string') {
      result.left.push({ id: spooled.id, reason: unlock })
      continue
    }
    try {
      const header = readJson<SpoolHeader>(join(spooled.path, HEADER))
      if (header.version !== 1 || header.invocation?.id !== spooled.id) {
        throw new StoreError(
          `${join(spooled.path, HEADER)} is not a spooled invocation of this vitest-judge version; it was left in place.`,
        )
      }
      const endPath = join(spooled.path, END)
      const ended = existsSync(endPath)
      if (!ended && header.host === HOST && header.pid !== process.pid && isAlive(header.pid)) {
        result.left.push({ id: spooled.id, reason: `still being written by process ${header.pid}` })
        continue // the lock is released in finally
      }
      await store.startInvocation(header.invocation, { ifAbsent: true })
      const runFiles = readdirSync(spooled.path)
        .filter((f) => RUN_FILE.test(f))
        .sort()
      let lastWrite = statSync(join(spooled.path, HEADER)).mtime
      for (const file of runFiles) {
        const path = join(spooled.path, file)
        const run = readJson<ReportRun>(path)
        if (typeof run?.id !== 'string' || typeof run.file !== 'string' || !Array.isArray(run.cases)) {
          throw new StoreError(`${path} is not a spooled run; it was left in place.`)
        }
        const mtime = statSync(path).mtime
        if (mtime > lastWrite) lastWrite = mtime
        await store.saveRun(spooled.id, run)
        unlinkSync(path)
      }
      // A process that died before its end: the invocation ends as interrupted, when last heard of.
      const end: SpoolEnd = ended
        ? readJson<SpoolEnd>(endPath)
        : { status: 'interrupted', endedAt: lastWrite.toISOString() }
      await store.finishInvocation(spooled.id, end.status, end.endedAt)
      result.written.push({ id: spooled.id, runs: runFiles.length, status: end.status })
      if (ended) unlinkSync(endPath)
      unlinkSync(join(spooled.path, HEADER))
    } catch (error) {
      result.error = error instanceof Error ? error : new Error(String(error))
    } finally {
      unlock()
    }
    if (result.error) break
    removeIfEmpty(spooled.path)
  }
  removeIfEmpty(storeSpoolDir(dir))
  return result
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (error) {
    throw new StoreError(`Cannot read the spooled file ${path} (${(error as Error).message}); it was left in place.`, {
      cause: error,
    })
  }
}

/**
 * Takes the flush lock of a spooled invocation (a file created exclusively, naming this process);
 * resolves to its release, or to why it is taken. A lock left by a dead process is taken over.
 */
function lock(path: string): (() => void) | string {
  const file = join(path, LOCK)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, JSON.stringify({ pid: process.pid, host: HOST }))
      closeSync(fd)
      return () => rmSync(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let owner: { pid?: number; host?: string } = {}
      try {
        owner = JSON.parse(readFileSync(file, 'utf8')) as typeof owner
      } catch {
        // Written by a process that died between creating and filling it.
      }
      if (owner.host !== undefined && owner.host !== HOST) return `being flushed on ${owner.host}`
      if (typeof owner.pid === 'number' && isAlive(owner.pid)) return `being flushed by process ${owner.pid}`
      rmSync(file, { force: true })
    }
  }
  return 'being flushed by another process'
}

function removeIfEmpty(path: string): void {
  try {
    // Temporary files of a writer that died are not worth keeping.
    for (const file of readdirSync(path)) if (/\.tmp-\d+$/.test(file)) rmSync(join(path, file), { force: true })
    rmdirSync(path)
  } catch {
    // Not empty (something is left to flush), or already gone.
  }
}
