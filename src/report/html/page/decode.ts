/**
 * Runs are stored gzipped and base64-encoded (render-page.ts `encodeRun`): inflated here with the
 * browser's DecompressionStream, without any request. The stream is read chunk by chunk and decoded
 * once: about twice as fast as Response.text() on 15 MB of cases (bench/html-report.mjs).
 */
import type { ReportRun } from '../../types.js'

const utf8 = new TextDecoder()

function base64Bytes(text: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64
  if (typeof fromBase64 === 'function') return fromBase64(text)
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** One encoded run, inflated and parsed. */
export async function decodeRun(text: string): Promise<ReportRun> {
  const inflate = new DecompressionStream('gzip')
  const writer = inflate.writable.getWriter()
  writer.write(base64Bytes(text) as Uint8Array<ArrayBuffer>).catch(() => {})
  writer.close().catch(() => {})
  const reader = inflate.readable.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    length += value.length
  }
  const all = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.length
  }
  return JSON.parse(utf8.decode(all)) as ReportRun
}
