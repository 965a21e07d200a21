/** The stored form of an app cache entry's value: JSON with every string in it redacted. */
import { redact } from '../redact.js'

/**
 * The stored text of a value: every string in it redacted (a key-shaped token in model output never
 * reaches the store), as JSON. Redacting string by string keeps the JSON valid.
 */
export function storedAppValue(key: string, value: unknown): string {
  const json = JSON.stringify(redactStrings(value))
  if (json === undefined) throw new TypeError(`Cannot record ${typeof value} under ${key}: the value must be JSON.`)
  return json
}

function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redact(value)
  if (value === null || typeof value !== 'object') return value
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return redactStrings((value as { toJSON: () => unknown }).toJSON())
  }
  if (Array.isArray(value)) return value.map(redactStrings)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = redactStrings(v)
  return out
}
