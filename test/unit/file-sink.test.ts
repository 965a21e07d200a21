import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileSink, writeSink, writeStreamed } from '../../src/reporter/file-sink.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vj-sink-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('FileSink', () => {
  it('writes exactly the text put, in order, across many buffer fills and with multi-byte characters', () => {
    const file = join(tempDir(), 'out.txt')
    const parts: string[] = []
    // Multi-byte text (2, 3 and 4 bytes in UTF-8) lands on every offset of the buffer's end.
    for (let i = 0; i < 40_000; i++) parts.push(i % 7 === 0 ? `é€😀${i}` : `case ${i}, `)
    parts.push('x'.repeat(300_000)) // larger than the buffer: written on its own
    parts.push('', 'end')
    writeSink(file, (sink) => {
      for (const part of parts) sink.put(part)
    })
    expect(readFileSync(file, 'utf8')).toBe(parts.join(''))
  })

  it('copies a file between texts, and two sinks open at once keep their own text', () => {
    const dir = tempDir()
    const piece = join(dir, 'piece.txt')
    writeFileSync(piece, `${'ü'.repeat(200_000)}|piece`)
    const a = FileSink.open(join(dir, 'a.txt'))
    const b = FileSink.open(join(dir, 'b.txt'))
    a.put('before ')
    b.put('other ')
    a.copy(piece)
    b.put('text')
    a.put(' after')
    a.close()
    b.close()
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe(`before ${'ü'.repeat(200_000)}|piece after`)
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('other text')
    // Closing twice lends the buffer once: the next two sinks open together write their own text.
    a.close()
    const c1 = FileSink.open(join(dir, 'c1.txt'))
    const c2 = FileSink.open(join(dir, 'c2.txt'))
    c1.put('first')
    c2.put('second')
    c1.close()
    c2.close()
    expect(readFileSync(join(dir, 'c1.txt'), 'utf8')).toBe('first')
    expect(readFileSync(join(dir, 'c2.txt'), 'utf8')).toBe('second')
    // A sink opened after both were closed starts empty.
    writeSink(join(dir, 'c.txt'), (sink) => sink.put('c'))
    expect(readFileSync(join(dir, 'c.txt'), 'utf8')).toBe('c')
  })

  it('leaves no file when the writing fails, and no temporary file beside a streamed one', () => {
    const dir = tempDir()
    const file = join(dir, 'failed.txt')
    expect(() =>
      writeSink(file, (sink) => {
        sink.put('partial')
        throw new Error('renderer failed')
      }),
    ).toThrow('renderer failed')
    expect(() => readFileSync(file)).toThrow(/ENOENT/)
    writeStreamed(join(dir, 'sub', 'report.txt'), (sink) => sink.put('whole'))
    expect(readFileSync(join(dir, 'sub', 'report.txt'), 'utf8')).toBe('whole')
  })
})
