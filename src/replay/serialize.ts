/**
 * Plain JSON forms of what an app call returns or is asked: a `Date` and a `Uint8Array` (file parts,
 * images) are tagged so that a replay gives back the same types. Used for the stored value and for
 * the request fields the key covers.
 */

const DATE = '$vjDate'
const BYTES = '$vjBytes'

/** The JSON-safe form of `value` (Dates and byte arrays tagged, functions and symbols dropped). */
export function toStorable(value: unknown): unknown {
  if (value === null || value === undefined) return value
  if (value instanceof Date) return { [DATE]: Number.isNaN(value.getTime()) ? null : value.toISOString() }
  if (value instanceof Uint8Array) return { [BYTES]: Buffer.from(value).toString('base64') }
  if (value instanceof ArrayBuffer) return { [BYTES]: Buffer.from(new Uint8Array(value)).toString('base64') }
  if (value instanceof URL) return value.href
  if (typeof value === 'function' || typeof value === 'symbol') return undefined
  if (typeof value === 'bigint') return value.toString()
  if (typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => toStorable(item) ?? null)
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) {
    const stored = toStorable(field)
    if (stored !== undefined) out[key] = stored
  }
  return out
}

/** The value `toStorable` was given (tagged Dates and byte arrays revived). */
export function fromStorable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(fromStorable)
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  if (keys.length === 1) {
    if (keys[0] === DATE) return typeof record[DATE] === 'string' ? new Date(record[DATE]) : new Date(Number.NaN)
    if (keys[0] === BYTES && typeof record[BYTES] === 'string') {
      return new Uint8Array(Buffer.from(record[BYTES], 'base64'))
    }
  }
  const out: Record<string, unknown> = {}
  for (const key of keys) out[key] = fromStorable(record[key])
  return out
}
