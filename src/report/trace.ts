/**
 * What a trace says, as pure functions over plain data (`trace-types.ts`), shared by the matchers,
 * the metrics, the reports (console, markdown, JUnit) and the page: the tool calls in order, the
 * summary (steps, model calls, tokens, failed spans, duration), trajectory matching, and short
 * renderings. They read the GenAI semantic-convention names only (the worker normalised the rest).
 */
import { type Pricing, priceOf, usdOf } from '../judges/pricing.js'
import { withFields } from '../with-fields.js'
import type { CaseTrace, TraceSpan, TrajectoryStep } from './trace-types.js'

/** The figures of one trace. */
export interface TraceSummary {
  /** Model calls plus tool calls: each is one step of the app. */
  steps: number
  /** Model calls (`llm` spans not inside another `llm` span). */
  modelCalls: number
  /** Tool calls (see `toolCalls`). */
  toolCalls: number
  /** Tokens of the model calls (`gen_ai.usage.*` of `llm` spans only: an outer span's totals are not counted twice). */
  tokens: { input: number; output: number; total: number }
  /** Spans with status `error`. */
  failedSpans: number
  /** From the first span's start to the last span's end, in ms; 0 without spans. */
  durationMs: number
  /** Spans dropped at the per-case cap. */
  dropped: number
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

function parse(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/**
 * The model calls of a trace: its `llm` spans, except those inside another `llm` span (the same call
 * seen twice, e.g. a `traceClient` span around an SDK's own instrumentation span): the outer one counts.
 */
export function modelCallSpans(trace: CaseTrace | undefined): TraceSpan[] {
  if (!trace) return []
  const byId = new Map(trace.spans.map((s) => [s.id, s]))
  return trace.spans.filter((s) => {
    if (s.kind !== 'llm') return false
    let parent = s.parentId !== undefined ? byId.get(s.parentId) : undefined
    for (let depth = 0; parent && depth < 1000; depth++) {
      if (parent.kind === 'llm') return false
      parent = parent.parentId !== undefined ? byId.get(parent.parentId) : undefined
    }
    return true
  })
}

/** The tool calls a model asked for in an `llm` span (`gen_ai.output.messages` parts of type `tool_call`). */
function requestedToolCalls(span: TraceSpan): TrajectoryStep[] {
  const messages = parse(span.attributes['gen_ai.output.messages'])
  if (!Array.isArray(messages)) return []
  const out: TrajectoryStep[] = []
  for (const message of messages) {
    const parts = (message as { parts?: unknown } | null)?.parts
    if (!Array.isArray(parts)) continue
    for (const part of parts as Array<Record<string, unknown>>) {
      if (part?.type !== 'tool_call' || typeof part.name !== 'string') continue
      out.push(
        part.arguments === undefined ? { name: part.name } : { name: part.name, arguments: parse(part.arguments) },
      )
    }
  }
  return out
}

/**
 * The tool calls of a trace, in start order: its tool spans (`gen_ai.tool.name`, arguments from
 * `gen_ai.tool.call.arguments`). A trace without tool spans (an SDK client wrapped with
 * `traceClient`, the app running the tools itself) gives the calls its model calls asked for.
 */
export function toolCalls(trace: CaseTrace | undefined): TrajectoryStep[] {
  if (!trace) return []
  const spans = trace.spans
  const tools = spans.filter((s) => s.kind === 'tool')
  if (tools.length > 0) {
    return tools.map((s) => {
      const name = s.attributes['gen_ai.tool.name']
      const args = s.attributes['gen_ai.tool.call.arguments']
      const step: TrajectoryStep = { name: typeof name === 'string' ? name : s.name }
      if (args !== undefined) step.arguments = parse(args)
      return step
    })
  }
  return modelCallSpans(trace).flatMap(requestedToolCalls)
}

/** Steps, model calls, tokens, failed spans and duration of a trace. */
export function summary(trace: CaseTrace | undefined): TraceSummary {
  const out: TraceSummary = {
    steps: 0,
    modelCalls: 0,
    toolCalls: 0,
    tokens: { input: 0, output: 0, total: 0 },
    failedSpans: 0,
    durationMs: 0,
    dropped: trace?.dropped ?? 0,
  }
  if (!trace || trace.spans.length === 0) return out
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const s of trace.spans) {
    if (s.start < first) first = s.start
    if (s.end > last) last = s.end
    if (s.status === 'error') out.failedSpans++
  }
  for (const s of modelCallSpans(trace)) {
    out.modelCalls++
    out.tokens.input += num(s.attributes['gen_ai.usage.input_tokens'])
    out.tokens.output += num(s.attributes['gen_ai.usage.output_tokens'])
  }
  out.tokens.total = out.tokens.input + out.tokens.output
  out.toolCalls = toolCalls(trace).length
  out.steps = out.modelCalls + out.toolCalls
  out.durationMs = Math.max(0, last - first)
  return out
}

/** Trajectory matching modes (as LangChain's agentevals and promptfoo name them). */
export type TrajectoryMode = 'strict' | 'unordered' | 'subset' | 'superset'

/** Options of trajectory matching. */
export interface TrajectoryMatchOptions {
  /**
   * `strict`: the same calls in the same order; `unordered`: the same calls in any order; `subset`:
   * every actual call is among the expected ones (nothing unexpected); `superset`: every expected
   * call was made (extra calls fine). @default 'strict'
   */
  mode?: TrajectoryMode
  /**
   * Compare arguments where an expected step gives them (a partial deep match: every expected
   * argument present and equal, extra arguments fine); `false` compares names only. @default true
   */
  args?: boolean
}

/** The result of matching a trajectory. */
export interface TrajectoryMatch {
  pass: boolean
  mode: TrajectoryMode
  expected: TrajectoryStep[]
  actual: TrajectoryStep[]
  /** Why it failed, in one sentence. */
  reason?: string
}

/** Partial deep match: every key of `expected` is in `actual` and matches (arrays element by element). */
export function partialMatch(expected: unknown, actual: unknown): boolean {
  if (Object.is(expected, actual)) return true
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => partialMatch(e, actual[i]))
    )
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
    return Object.entries(expected).every(
      ([k, v]) => Object.hasOwn(actual, k) && partialMatch(v, (actual as Record<string, unknown>)[k]),
    )
  }
  return false
}

/** Normalises expected steps: a name, or `{ name, arguments }` (a JSON string of arguments is parsed). */
export function toSteps(expected: ReadonlyArray<string | TrajectoryStep>): TrajectoryStep[] {
  return expected.map((e) => {
    if (typeof e === 'string') return { name: e }
    return e.arguments === undefined ? { name: e.name } : { name: e.name, arguments: parse(e.arguments) }
  })
}

function stepMatches(expected: TrajectoryStep, actual: TrajectoryStep, args: boolean): boolean {
  if (expected.name !== actual.name) return false
  if (!args || expected.arguments === undefined) return true
  return partialMatch(expected.arguments, actual.arguments)
}

/** Whether every step of `wanted` can be paired with a distinct step of `pool` (bipartite matching). */
function covers(
  wanted: TrajectoryStep[],
  pool: TrajectoryStep[],
  matches: (w: TrajectoryStep, p: TrajectoryStep) => boolean,
): number {
  const owner = new Array<number>(pool.length).fill(-1)
  const tryAssign = (w: number, seen: boolean[]): boolean => {
    for (let p = 0; p < pool.length; p++) {
      if (seen[p] || !matches(wanted[w] as TrajectoryStep, pool[p] as TrajectoryStep)) continue
      seen[p] = true
      if (owner[p] === -1 || tryAssign(owner[p] as number, seen)) {
        owner[p] = w
        return true
      }
    }
    return false
  }
  let matched = 0
  for (let w = 0; w < wanted.length; w++) if (tryAssign(w, new Array<boolean>(pool.length).fill(false))) matched++
  return matched
}

/** Matches the actual tool calls against the expected trajectory. */
export function matchTrajectory(
  actual: readonly TrajectoryStep[],
  expectedInput: ReadonlyArray<string | TrajectoryStep>,
  options: TrajectoryMatchOptions = {},
): TrajectoryMatch {
  const mode = options.mode ?? 'strict'
  const args = options.args ?? true
  const expected = toSteps(expectedInput)
  const got = [...actual]
  const base = { mode, expected, actual: got }
  const m = (e: TrajectoryStep, a: TrajectoryStep) => stepMatches(e, a, args)
  if (mode === 'strict') {
    if (expected.length !== got.length)
      return withFields(base, { pass: false, reason: `expected ${expected.length} tool calls, got ${got.length}` })
    const i = expected.findIndex((e, k) => !m(e, got[k] as TrajectoryStep))
    if (i >= 0) return withFields(base, { pass: false, reason: `call ${i + 1} differs` })
    return withFields(base, { pass: true })
  }
  if (mode === 'unordered') {
    if (expected.length !== got.length)
      return withFields(base, { pass: false, reason: `expected ${expected.length} tool calls, got ${got.length}` })
    const n = covers(expected, got, m)
    return n === expected.length
      ? withFields(base, { pass: true })
      : withFields(base, { pass: false, reason: `${expected.length - n} expected calls not made` })
  }
  if (mode === 'superset') {
    const n = covers(expected, got, m)
    return n === expected.length
      ? withFields(base, { pass: true })
      : withFields(base, { pass: false, reason: `${expected.length - n} expected calls not made` })
  }
  // subset: every actual call is one of the expected ones
  const n = covers(got, expected, (a, e) => m(e, a))
  return n === got.length
    ? withFields(base, { pass: true })
    : withFields(base, { pass: false, reason: `${got.length - n} calls not in the expected trajectory` })
}

/** `search -> lookup`; `(none)` for no call. */
export function renderTrajectory(steps: readonly TrajectoryStep[]): string {
  return steps.length === 0 ? '(none)' : steps.map((s) => s.name).join(' -> ')
}

function argsText(step: TrajectoryStep): string {
  if (step.arguments === undefined) return ''
  const text = typeof step.arguments === 'string' ? step.arguments : JSON.stringify(step.arguments)
  return text === undefined ? '' : text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** Expected and actual calls side by side, one row per position, for failure messages. */
export function sideBySide(expected: readonly TrajectoryStep[], actual: readonly TrajectoryStep[]): string {
  // One row per call: a name or argument holding a line break cannot start a line of its own.
  const row = (s: TrajectoryStep) =>
    `${s.name}${s.arguments !== undefined ? ` ${argsText(s)}` : ''}`.replace(/\s+/g, ' ')
  const left = expected.map(row)
  const right = actual.map(row)
  const width = Math.max(8, ...left.map((l) => l.length))
  const rows = [`  ${'expected'.padEnd(width)} | actual`]
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    rows.push(`  ${(left[i] ?? '-').padEnd(width)} | ${right[i] ?? '-'}`)
  }
  return rows.join('\n')
}

/** The JUnit `system-out` line: `trace: search -> lookup (2 model calls, 812 tokens)`. */
export function traceLine(trace: CaseTrace | undefined): string | undefined {
  if (!trace || (trace.spans.length === 0 && trace.dropped === 0)) return undefined
  const s = summary(trace)
  const parts = [`${s.modelCalls} model call${s.modelCalls === 1 ? '' : 's'}`, `${s.tokens.total} tokens`]
  if (s.failedSpans > 0) parts.push(`${s.failedSpans} failed span${s.failedSpans === 1 ? '' : 's'}`)
  if (s.dropped > 0) parts.push(`${s.dropped} spans dropped`)
  return `trace: ${renderTrajectory(toolCalls(trace))} (${parts.join(', ')})`
}

/**
 * A compact rendering of a trace for a judge (`taskCompletion`): one line per span, indented by
 * depth, with kind, name, tool arguments and results or the model's text, each cut short, and the
 * whole bounded to `maxChars` (the spans that do not fit are counted, not shown).
 */
export function compactTrace(trace: CaseTrace | undefined, maxChars = 4000): string {
  if (!trace || trace.spans.length === 0) return '(no spans)'
  const depth = new Map<string, number>()
  const lines: string[] = []
  let used = 0
  let left = 0
  const short = (v: unknown, n: number) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v)
    if (text === undefined) return ''
    const one = text.replace(/\s+/g, ' ')
    return one.length > n ? `${one.slice(0, n - 1)}…` : one
  }
  for (const s of trace.spans) {
    const d = s.parentId !== undefined ? (depth.get(s.parentId) ?? -1) + 1 : 0
    depth.set(s.id, d)
    let line = `${'  '.repeat(Math.min(d, 6))}[${s.kind}] ${short(s.name, 80)}`
    if (s.kind === 'tool') {
      const a = s.attributes['gen_ai.tool.call.arguments']
      const r = s.attributes['gen_ai.tool.call.result']
      if (a !== undefined) line += ` args=${short(a, 160)}`
      if (r !== undefined) line += ` result=${short(r, 200)}`
    } else if (s.kind === 'llm') {
      const calls = requestedToolCalls(s)
      if (calls.length > 0) line += ` -> calls ${calls.map((c) => c.name).join(', ')}`
      else {
        const out = parse(s.attributes['gen_ai.output.messages'])
        const text = Array.isArray(out)
          ? out
              .flatMap((m) => ((m as { parts?: Array<{ content?: unknown }> }).parts ?? []).map((p) => p.content))
              .filter((c) => typeof c === 'string')
              .join(' ')
          : ''
        if (text) line += ` -> ${short(text, 200)}`
      }
    }
    if (s.status === 'error') line += ` ERROR ${short(s.error ?? '', 160)}`
    if (used + line.length + 1 > maxChars) {
      left++
      continue
    }
    lines.push(line)
    used += line.length + 1
  }
  if (left > 0) lines.push(`(${left} more spans not shown)`)
  if (trace.dropped > 0) lines.push(`(${trace.dropped} spans dropped at the cap)`)
  return lines.join('\n')
}

/** What an app's model calls cost. `usd` is null ("unknown", never 0) when a model has no price. */
export interface AppCost {
  /** USD of the model calls made (a call the app cache answered, `cached`, cost nothing this run). */
  usd: number | null
  /** USD the app cache's replayed (`cached`) calls would have cost; null when one has no price. */
  savedUsd?: number | null
  /** `provider:model` of the model calls without a known price (add them to the `pricing` option). */
  unpriced: string[]
}

function providerOf(span: TraceSpan): string | undefined {
  const raw = span.attributes['gen_ai.provider.name'] ?? span.attributes['gen_ai.system']
  if (typeof raw !== 'string') return undefined
  const base = raw.split('.')[0]?.toLowerCase() ?? ''
  if (base === 'gcp' || base === 'google' || base === 'gemini' || base === 'vertex_ai') return 'gemini'
  return base
}

/** Prices the `llm` spans of a trace with the judge price table and the `pricing` option (by `provider:model`, then model). */
export function appCost(trace: CaseTrace | undefined, pricing: Pricing = {}): AppCost {
  let usd: number | null = 0
  let savedUsd: number | null = 0
  let replayed = false
  const unpriced = new Set<string>()
  for (const s of modelCallSpans(trace)) {
    const tokens = {
      input: num(s.attributes['gen_ai.usage.input_tokens']),
      output: num(s.attributes['gen_ai.usage.output_tokens']),
    }
    if (tokens.input + tokens.output === 0) continue
    const provider = providerOf(s)
    const models = [s.attributes['gen_ai.request.model'], s.attributes['gen_ai.response.model']].filter(
      (m): m is string => typeof m === 'string' && m !== '',
    )
    let price = null
    for (const model of models) {
      price = priceOf(provider ? `${provider}:${model}` : model, pricing) ?? pricing[model] ?? null
      if (price) break
    }
    if (s.cached) {
      // Replayed by the app cache: no request was made, its cost is saved, not spent (issue 27).
      replayed = true
      if (!price) savedUsd = null
      else if (savedUsd !== null) savedUsd += usdOf(tokens, price)
      continue
    }
    if (!price) {
      unpriced.add(`${provider ?? '?'}:${models[0] ?? '?'}`)
      usd = null
      continue
    }
    if (usd !== null) usd += usdOf(tokens, price)
  }
  return { usd, unpriced: [...unpriced].sort(), ...(replayed ? { savedUsd } : {}) }
}
