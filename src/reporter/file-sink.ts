/**
 * Writing a report file piece by piece: text is encoded straight into a 256 KiB buffer, written
 * with `writeSync` when full, and files are copied through the same buffer, so that a report of
 * any number of cases is never held as one string or buffer. Large strings and buffers would each
 * stay in memory until a full garbage collection, which made the main process grow with the run;
 * gathering the text as strings and joining them made as much garbage again as the report's size.
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

/** Size of a sink's buffer, in bytes. */
const BUFFER_BYTES = 256 * 1024
/** UTF-8 bytes one UTF-16 code unit can take at most. */
const MAX_UTF8_PER_UNIT = 3

/** The buffer of the last closed sink, lent to the next (sinks are written synchronously, rarely two at once). */
let spare: Buffer | undefined

/** A sink over an open file descriptor; `close` flushes and closes it. */
export class FileSink {
  private readonly buffer: Buffer
  private used = 0
  private released = false

  /** @param fd a file descriptor open for writing; the sink closes it. */
  constructor(private readonly fd: number) {
    this.buffer = spare ?? Buffer.allocUnsafe(BUFFER_BYTES)
    spare = undefined
  }

  /** Opens (truncates) `path` for writing. */
  static open(path: string): FileSink {
    return new FileSink(openSync(path, 'w'))
  }

  /** Appends text. */
  put(text: string): void {
    const most = text.length * MAX_UTF8_PER_UNIT
    if (this.used + most > this.buffer.length) {
      this.flush()
      if (most > this.buffer.length) {
        writeSync(this.fd, text)
        return
      }
    }
    this.used += this.buffer.write(text, this.used)
  }

  /** Appends the whole content of `file`. */
  copy(file: string): void {
    this.flush()
    const from = openSync(file, 'r')
    try {
      let n = readSync(from, this.buffer, 0, this.buffer.length, null)
      while (n > 0) {
        writeSync(this.fd, this.buffer, 0, n)
        n = readSync(from, this.buffer, 0, this.buffer.length, null)
      }
    } finally {
      closeSync(from)
    }
  }

  /** Writes what was gathered. */
  flush(): void {
    let at = 0
    while (at < this.used) at += writeSync(this.fd, this.buffer, at, this.used - at)
    this.used = 0
  }

  /** Flushes and closes the file. */
  close(): void {
    try {
      this.flush()
    } finally {
      this.release()
    }
  }

  /** Closes the file without writing what is still gathered (after a failure). */
  abandon(): void {
    this.used = 0
    this.release()
  }

  private release(): void {
    // Once only: a second close must not lend the buffer again while another sink writes into it.
    if (this.released) return
    this.released = true
    spare = this.buffer
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
