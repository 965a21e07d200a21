/** Turns values given to matchers and tasks into the texts a judge reads. */

/** A string as is; `{ output }` objects by their output; anything else as JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined || value === null) return ''
  if (typeof value === 'object' && 'output' in value && typeof (value as { output: unknown }).output === 'string') {
    return (value as { output: string }).output
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value, null, 2) ?? String(value)
}
