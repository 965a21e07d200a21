/** Tool-call accuracy: the calls the task made against the case's `expectedToolCalls`. No judge. */
import { ConfigError, MissingFieldError } from '../errors.js'
import type { Metric, MetricInput, MetricValue, ToolCall } from './types.js'

/** Options of `toolCallAccuracy`. */
export interface ToolCallAccuracyOptions {
  /** `'any'`: calls may come in any order; `'exact'`: the n-th call must match the n-th expected call. @default 'any' */
  order?: 'any' | 'exact'
  /**
   * `'exact'`: arguments must be deeply equal; `'subset'`: every expected argument must be present and
   * equal (extra arguments are fine; nested objects compared the same way); `'ignore'`: names only.
   * @default 'exact'
   */
  arguments?: 'exact' | 'subset' | 'ignore'
}

type Args = Record<string, unknown>

function argumentsOf(call: ToolCall, side: string): Args {
  const raw = call.arguments
  if (raw === undefined || raw === null) return {}
  if (typeof raw === 'string') {
    if (raw.trim() === '') return {}
    try {
      const parsed: unknown = JSON.parse(raw)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Args
    } catch {
      // reported below
    }
    throw new ConfigError(
      `${side} tool call "${call.name}" has arguments that are not a JSON object: ${raw.slice(0, 80)}`,
    )
  }
  return raw
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k as never], b[k as never]))
}

function isSubset(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
    return Object.entries(expected).every(([k, v]) => Object.hasOwn(actual, k) && isSubset(v, (actual as Args)[k]))
  }
  return deepEqual(expected, actual)
}

/** Keys whose values differ (missing on either side counts), for the justification. */
function differingKeys(expected: Args, actual: Args, mode: 'exact' | 'subset'): string[] {
  const keys =
    mode === 'subset' ? Object.keys(expected) : [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
  return keys.filter((k) =>
    mode === 'subset'
      ? !Object.hasOwn(actual, k) || !isSubset(expected[k], actual[k])
      : !deepEqual(expected[k], actual[k]),
  )
}

interface Normalized {
  name: string
  args: Args
}

function argsMatch(expected: Args, actual: Args, mode: 'exact' | 'subset' | 'ignore'): boolean {
  if (mode === 'ignore') return true
  return mode === 'subset' ? isSubset(expected, actual) : deepEqual(expected, actual)
}

function list(names: string[]): string {
  const shown = names.slice(0, 6).join(', ')
  return names.length > 6 ? `${shown}, …` : shown
}

/**
 * Compares the tool calls the task returned (`{ output, toolCalls }`) with the case's
 * `expectedToolCalls`. A call matches an expected one when the names are equal and the arguments
 * agree (see `arguments`). With `order: 'any'` each expected call takes the first unused matching
 * call; with `'exact'` the n-th call is compared with the n-th expected call. The score is
 * `matched / max(expected calls, calls made)`, so a missing, an extra and a different call each
 * cost the same; 1 when none was expected and none was made. The justification names the missing,
 * extra and different calls (for a different call: the argument keys that differ).
 */
export function toolCallAccuracy(options: ToolCallAccuracyOptions = {}): Metric {
  const order = options.order ?? 'any'
  const mode = options.arguments ?? 'exact'
  if (order !== 'any' && order !== 'exact') {
    throw new ConfigError(`toolCallAccuracy({ order }) must be 'any' or 'exact', got ${String(order)}.`)
  }
  if (mode !== 'exact' && mode !== 'subset' && mode !== 'ignore') {
    throw new ConfigError(`toolCallAccuracy({ arguments }) must be 'exact', 'subset' or 'ignore', got ${String(mode)}.`)
  }
  return {
    name: 'tool_call_accuracy',
    kind: 'score',
    greaterIsBetter: true,
    requires: [],
    version: 'v1',
    judged: false,
    async score(input: MetricInput): Promise<MetricValue> {
      if (input.expectedToolCalls === undefined) {
        throw new MissingFieldError(
          'tool_call_accuracy',
          'expectedToolCalls',
          'give the case an `expectedToolCalls` array of { name, arguments? }.',
        )
      }
      const expected: Normalized[] = input.expectedToolCalls.map((c) => ({
        name: c.name,
        args: argumentsOf(c, 'an expected'),
      }))
      const actual: Normalized[] = (input.toolCalls ?? []).map((c) => ({ name: c.name, args: argumentsOf(c, 'a') }))
      const total = Math.max(expected.length, actual.length)
      if (total === 0) return { score: 1, justification: 'No tool call expected and none made.' }

      const used = new Set<number>()
      const missing: Normalized[] = []
      const different: string[] = []
      let matched = 0
      if (order === 'exact') {
        expected.forEach((call, i) => {
          const made = actual[i]
          if (!made) missing.push(call)
          else if (made.name !== call.name) different.push(`#${i + 1} ${made.name} instead of ${call.name}`)
          else if (!argsMatch(call.args, made.args, mode)) {
            different.push(
              `#${i + 1} ${call.name} (${list(differingKeys(call.args, made.args, mode as 'exact' | 'subset'))})`,
            )
          } else matched++
          used.add(i)
        })
      } else {
        for (const call of expected) {
          const index = actual.findIndex(
            (made, i) => !used.has(i) && made.name === call.name && argsMatch(call.args, made.args, mode),
          )
          if (index >= 0) {
            used.add(index)
            matched++
            continue
          }
          missing.push(call)
        }
        // A missing call with a same-named unused call made is "different" rather than missing + extra.
        for (const call of [...missing]) {
          const index = actual.findIndex((made, i) => !used.has(i) && made.name === call.name)
          if (index < 0) continue
          used.add(index)
          missing.splice(missing.indexOf(call), 1)
          const made = actual[index]!
          different.push(`${call.name} (${list(differingKeys(call.args, made.args, mode as 'exact' | 'subset'))})`)
        }
      }
      const extra = actual.filter((_, i) => !used.has(i))
      const parts: string[] = [`${matched} of ${total} call${total === 1 ? '' : 's'} match`]
      if (missing.length > 0) parts.push(`missing: ${list(missing.map((c) => c.name))}`)
      if (extra.length > 0) parts.push(`extra: ${list(extra.map((c) => c.name))}`)
      if (different.length > 0) parts.push(`different: ${list(different)}`)
      return { score: matched / total, justification: `${parts.join('; ')}.` }
    },
  }
}
