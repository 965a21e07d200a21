// The loader half of record-modules.mjs (runs on Node's loader thread).
import { appendFileSync } from 'node:fs'

let file
const WATCHED = /\/node_modules\/(openai|@google\/genai)\//

export function initialize(data) {
  file = data.file
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  if (file && WATCHED.test(result.url)) appendFileSync(file, `${process.pid} ${result.url}\n`)
  return result
}
