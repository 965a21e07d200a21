/**
 * Text helpers shared by the renderers: making model-written text safe to print, short excerpts,
 * and number formatting. Model output is untrusted: it may hold escape sequences, invalid code
 * units or megabytes of text.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point
const ANSI_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g

// C0 controls except \t \n \r, DEL and C1 controls, bidi overrides and isolates (they reorder what
// a reader sees), lone surrogates and the noncharacters U+FFFE/U+FFFF.
const UNSAFE_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

// Any character that UNSAFE_CHARS or ANSI_SEQUENCE could match (surrogates included, paired or not).
const MAYBE_UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]/

/**
 * Removes terminal escape sequences, control characters (keeping `\t`, `\n`, `\r`), bidi
 * overrides, lone surrogates and U+FFFE/U+FFFF from untrusted text.
 */
export function stripUnsafe(text: string): string {
  // Most text is clean: one cheap scan instead of two replacing ones.
  if (!MAYBE_UNSAFE.test(text)) return text
  return text.replace(ANSI_SEQUENCE, '').replace(UNSAFE_CHARS, '')
}

/**
 * Cuts `text` to at most `max` UTF-16 units, never inside a surrogate pair, ending with `marker`
 * (a string, or a function of how many units were cut).
 */
export function truncate(text: string, max: number, marker: string | ((cut: number) => string) = ' …'): string {
  if (text.length <= max) return text
  const tail = typeof marker === 'string' ? marker : marker(text.length - max)
  let cut = Math.max(0, max - tail.length)
  const last = text.charCodeAt(cut - 1)
  if (last >= 0xd800 && last <= 0xdbff) cut--
  return `${text.slice(0, cut)}${typeof marker === 'string' ? marker : marker(text.length - cut)}`
}

/** One line of at most `max` characters: unsafe characters removed, whitespace runs collapsed. */
export function excerpt(text: string | undefined | null, max = 160): string {
  if (!text) return ''
  // Bound the regex work on huge outputs; what is past this point is never shown anyway.
  const limit = max * 4 + 64
  const cut = text.length > limit
  const line = stripUnsafe(cut ? text.slice(0, limit) : text)
    .replace(/\s+/g, ' ')
    .trim()
  if (!cut) return truncate(line, max)
  let end = Math.min(line.length, Math.max(0, max - 2))
  const last = line.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${line.slice(0, end)} …`
}

/** Strips the `#2`, `#3`... suffix a metric gets when one test uses the same matcher twice. */
export function metricBaseName(key: string): string {
  return key.replace(/#\d+$/, '')
}

/** A value in a short fixed-ish width: 3 decimals for scores, fewer for large measurements. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`
  if (abs >= 100) return value.toFixed(1)
  return value.toFixed(3)
}

/** A signed delta: `+0.125`, `-0.750`. */
export function formatDelta(delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return '-'
  const text = formatValue(Math.abs(delta))
  if (Math.abs(delta) < 5e-4 && Math.abs(delta) < 100) return `±${text}`
  return `${delta < 0 ? '-' : '+'}${text}`
}

/** A p-value: `0.031`, `<0.001`, or `-` when there is none. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '-'
  return p < 0.001 ? '<0.001' : p.toFixed(3)
}

/** A share as a percentage with one decimal: `95.0%`. */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '-'
  return `${(share * 100).toFixed(1)}%`
}

/** A count in a short form: `950`, `12.3k`, `4.50M`. */
export function formatCount(count: number): string {
  if (count >= 1e6) return `${(count / 1e6).toFixed(2)}M`
  if (count >= 1e4) return `${(count / 1e3).toFixed(1)}k`
  return String(count)
}

/** `1 file`, `2 files`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

// Characters that end a line for a terminal, a log viewer or the Actions runner, and the tab.
const LINE_BREAKING = /[\t\n\v\f\r\u0085\u2028\u2029]+/g

/**
 * `text` on one line: unsafe characters removed and every run of line breaks and tabs made one
 * space (other spaces are kept, so names stay as they were written).
 */
export function singleLine(text: string): string {
  return stripUnsafe(text).replace(LINE_BREAKING, ' ')
}

// A line whose first non-blank characters are `::` (the Actions runner trims leading blanks).
const COMMAND_LINE = /^([^\S\n\r\u2028\u2029]*):(?=:)/gm

/**
 * Multi-line untrusted text made inert for the GitHub Actions runner, which reads any log line
 * starting with `::` (after blanks) as a workflow command: such a line gets `: :` instead.
 */
export function defuseCommands(text: string): string {
  return text.replace(COMMAND_LINE, '$1: ')
}
