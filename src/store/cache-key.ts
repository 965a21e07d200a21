/** The judge (and app) cache key: its own module, so that computing a key loads no store. */
import { createHash, type Hash, hash } from 'node:crypto'

/**
 * The cache key of a judge call: SHA-256 (hex) of the canonical JSON of `parts`: object keys sorted
 * recursively, arrays in order, `undefined` properties dropped (in arrays, `undefined` is `null`, as
 * in JSON). Values JSON cannot tell apart (Map, Set, BigInt, cycles) are refused with a TypeError.
 */
export function cacheKey(parts: unknown): string {
  return hash('sha256', canonicalJson(parts), 'hex')
}

/** What a grade's cache key is made of: the key is `cacheKey({ v: 1, kind: 'grade', ...parts })`. */
export interface GradeKeyParts {
  /** The judge's cache identity. */
  judge: unknown
  prompt: { system: string; user: string }
  /** The verdict schema. */
  schema: unknown
  metric: string
  metricVersion?: string | undefined
  trial: number
}

// Hash states after a grade key's text up to its case's own part, by judge, metric and version, system prompt and head.
const gradePrefixes = new Map<string, Map<string, Map<string, Hash>>>()
const PREFIX_MEMO_MAX = 64

function memoIn<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    if (map.size >= PREFIX_MEMO_MAX) map.clear()
    value = make()
    map.set(key, value)
  }
  return value
}

/**
 * The cache key of a grade: the same key as `cacheKey({ v: 1, kind: 'grade', ...parts })`, made
 * without escaping and hashing again, for every case, the text all prompts of a rubric begin with.
 * `head` is that text (`PROMPT_HEAD` of a built prompt): the SHA-256 state after the key's text up to
 * the end of `head` is kept, and only the rest of the key is hashed. Without a head (or anything the
 * shortcut does not cover) the whole key is hashed.
 */
export function gradeCacheKey(parts: GradeKeyParts, head?: string): string {
  const { judge, prompt, schema, metric, metricVersion, trial } = parts
  const judgeText = head === undefined ? undefined : canonical(judge, new Set())
  if (
    head === undefined ||
    judgeText === undefined ||
    typeof metric !== 'string' ||
    (metricVersion !== undefined && typeof metricVersion !== 'string') ||
    !plainPrompt(prompt) ||
    // Escaping the head and the rest apart gives the escaped whole only when the head ends outside a surrogate pair.
    head.length === 0 ||
    head.charCodeAt(head.length - 1) >= 0x80 ||
    !prompt.user.startsWith(head)
  ) {
    return cacheKey({ v: 1, kind: 'grade', judge, prompt, schema, metric, metricVersion, trial })
  }
  // A JSON array: no two (judge, metric, version) share a memo key, whatever characters they hold.
  const byJudge = memoIn(gradePrefixes, JSON.stringify([judgeText, metric, metricVersion ?? null]), () => new Map())
  const bySystem = memoIn(byJudge, prompt.system, () => new Map<string, Hash>())
  const prefix = memoIn(bySystem, head, () =>
    createHash('sha256').update(
      `{"judge":${judgeText},"kind":"grade","metric":${JSON.stringify(metric)},` +
        (metricVersion === undefined ? '' : `"metricVersion":${JSON.stringify(metricVersion)},`) +
        `"prompt":{"system":${JSON.stringify(prompt.system)},"user":${JSON.stringify(head).slice(0, -1)}`,
    ),
  )
  const schemaText = canonical(schema, new Set())
  const trialText = canonical(trial, new Set())
  return prefix
    .copy()
    .update(JSON.stringify(prompt.user.slice(head.length)).slice(1))
    .update(
      `}${schemaText === undefined ? '' : `,"schema":${schemaText}`}${trialText === undefined ? '' : `,"trial":${trialText}`},"v":1}`,
    )
    .digest('hex')
}

// A prompt whose canonical text is {"system":...,"user":...}: two own string fields, nothing else.
function plainPrompt(prompt: unknown): prompt is { system: string; user: string } {
  if (prompt === null || typeof prompt !== 'object' || Array.isArray(prompt)) return false
  const record = prompt as Record<string, unknown>
  if (typeof record.system !== 'string' || typeof record.user !== 'string' || typeof record.toJSON === 'function')
    return false
  const keys = Object.keys(record)
  return keys.length === 2 && Object.hasOwn(record, 'system') && Object.hasOwn(record, 'user')
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
