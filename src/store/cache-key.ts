/** The judge (and app) cache key: its own module, so that computing a key loads no store. */
import { hash } from 'node:crypto'

/**
 * The cache key of a judge call: SHA-256 (hex) of the canonical JSON of `parts`: object keys sorted
 * recursively, arrays in order, `undefined` properties dropped (in arrays, `undefined` is `null`, as
 * in JSON). Values JSON cannot tell apart (Map, Set, BigInt, cycles) are refused with a TypeError.
 */
export function cacheKey(parts: unknown): string {
  return hash('sha256', canonicalJson(parts), 'hex')
}

/** The canonical JSON text `cacheKey` hashes. */
export function canonicalJson(value: unknown): string {
  return canonical(value, new Set()) ?? 'null'
}

// Canonical texts of deeply frozen objects (the verdict schema in every grade key): they cannot change.
const frozenTexts = new WeakMap<object, string>()

function deeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  if (!Object.isFrozen(value)) return false
  return Object.values(value).every(deeplyFrozen)
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
  const frozen = Object.isFrozen(object)
  if (frozen) {
    const text = frozenTexts.get(object)
    if (text !== undefined) return text
  }
  if (object instanceof Map || object instanceof Set) {
    throw new TypeError('cacheKey: a Map or Set has no JSON form; convert it to an object or array first.')
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return canonical(toJSON.call(object), seen)
  if (seen.has(object)) throw new TypeError('cacheKey: the value contains a cycle.')
  seen.add(object)
  let out: string
  if (Array.isArray(object)) {
    out = '['
    for (let i = 0; i < object.length; i++) out += `${i === 0 ? '' : ','}${canonical(object[i], seen) ?? 'null'}`
    out += ']'
  } else {
    const record = object as Record<string, unknown>
    const keys = Object.keys(record)
    if (keys.length > 1) keys.sort()
    out = '{'
    let first = true
    for (const key of keys) {
      const field = canonical(record[key], seen)
      if (field === undefined) continue
      out += `${first ? '' : ','}${JSON.stringify(key)}:${field}`
      first = false
    }
    out += '}'
  }
  seen.delete(object)
  if (frozen && deeplyFrozen(object)) frozenTexts.set(object, out)
  return out
}
