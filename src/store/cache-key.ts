/** The judge (and app) cache key: its own module, so that computing a key loads no store. */
import { createHash } from 'node:crypto'

/**
 * The cache key of a judge call: SHA-256 (hex) of the canonical JSON of `parts`: object keys sorted
 * recursively, arrays in order, `undefined` properties dropped (in arrays, `undefined` is `null`, as
 * in JSON). Values JSON cannot tell apart (Map, Set, BigInt, cycles) are refused with a TypeError.
 */
export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex')
}

/** The canonical JSON text `cacheKey` hashes. */
export function canonicalJson(value: unknown): string {
  return canonical(value, new Set()) ?? 'null'
}

function canonical(value: unknown, seen: Set<object>): string | undefined {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null'
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
    case 'bigint':
      throw new TypeError('cacheKey: a BigInt has no JSON form; convert it to a string or number first.')
  }
  const object = value as object
  if (object instanceof Map || object instanceof Set) {
    throw new TypeError('cacheKey: a Map or Set has no JSON form; convert it to an object or array first.')
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return canonical(toJSON.call(object), seen)
  if (seen.has(object)) throw new TypeError('cacheKey: the value contains a cycle.')
  seen.add(object)
  let out: string
  if (Array.isArray(object)) {
    out = `[${object.map((item: unknown) => canonical(item, seen) ?? 'null').join(',')}]`
  } else {
    const record = object as Record<string, unknown>
    const fields: string[] = []
    for (const key of Object.keys(record).sort()) {
      const field = canonical(record[key], seen)
      if (field !== undefined) fields.push(`${JSON.stringify(key)}:${field}`)
    }
    out = `{${fields.join(',')}}`
  }
  seen.delete(object)
  return out
}
