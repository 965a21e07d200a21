/**
 * Writing a report file piece by piece: text is gathered into chunks of about 64 KiB and written
 * with `writeSync`, and files are copied through one 64 KiB buffer, so that a report of any number
 * of cases is never held as one string or buffer. Large strings and buffers would each stay in
 * memory until a full garbage collection, which made the main process grow with the run.
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

/** About how much text is gathered before a write, in characters (below V8's large-object size). */
const CHUNK = 64 * 1024

/** A sink over an open file descriptor; `close` flushes and closes it. */
export class FileSink {
  private parts: string[] = []
  private size = 0
  private buffer: Buffer | undefined

  /** @param fd a file descriptor open for writing; the sink closes it. */
  constructor(private readonly fd: number) {}

  /** Opens (truncates) `path` for writing. */
  static open(path: string): FileSink {
    return new FileSink(openSync(path, 'w'))
  }

  /** Appends text. */
  put(text: string): void {
    if (text.length === 0) return
    this.parts.push(text)
    this.size += text.length
    if (this.size >= CHUNK) this.flush()
  }

  /** Appends the whole content of `file`. */
  copy(file: string): void {
    this.flush()
    this.buffer ??= Buffer.allocUnsafe(CHUNK)
    const from = openSync(file, 'r')
    try {
      let n = readSync(from, this.buffer, 0, CHUNK, null)
      while (n > 0) {
        writeSync(this.fd, this.buffer, 0, n)
        n = readSync(from, this.buffer, 0, CHUNK, null)
      }
    } finally {
      closeSync(from)
    }
  }

  /** Writes what was gathered. */
  flush(): void {
    if (this.size === 0) return
    const text = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('')
    this.parts = []
    this.size = 0
    writeSync(this.fd, text)
  }

  /** Flushes and closes the file. */
  close(): void {
    try {
      this.flush()
    } finally {
      closeSync(this.fd)
    }
  }

  /** Closes the file without writing what is still gathered (after a failure). */
  abandon(): void {
    this.parts = []
    this.size = 0
    closeSync(this.fd)
  }
}

/** Writes `file` through a {@link FileSink}; a failure leaves no partial file. */
export function writeSink(file: string, emit: (sink: FileSink) => void): void {
  const sink = FileSink.open(file)
  try {
    emit(sink)
  } catch (error) {
    sink.abandon()
    rmSync(file, { force: true })
    throw error
  }
  sink.close()
}

/** Writes `path` through a temporary file, renamed into place when complete. */
export function writeStreamed(path: string, emit: (sink: FileSink) => void): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeSink(tmp, emit)
  renameSync(tmp, path)
}
