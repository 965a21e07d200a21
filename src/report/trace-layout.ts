/**
 * How a case's trace is laid out for reading, as pure functions over plain data (`trace-types.ts`),
 * used by the page's span view and Compare: the span tree in reading order with each span's depth
 * and its bar on the case's time axis (a waterfall), the badges that say at a glance what a span is
 * (kind, tool, model, tokens, error, cached), the span's attributes and messages as text, and two
 * trajectories aligned for side-by-side reading. Everything returned is text or numbers: the page
 * shows it as text, never as markup.
 */
import type { CaseTrace, SpanAttributeValue, TraceSpan, TrajectoryStep } from './trace-types.js'

/** One row of the waterfall. */
export interface WaterfallRow {
  span: TraceSpan
  /** Index of the span in `trace.spans` (a stable key). */
  index: number
  /** 0 for a root span; a span whose parent is not in the trace is a root. */
  depth: number
  /** Whether spans hang below this one. */
  hasChildren: boolean
  /** Start of the bar as a share of the trace's duration (0..1). */
  offset: number
  /** Width of the bar as a share of the trace's duration (0..1, at least {@link MIN_BAR}). */
  width: number
  /** `end - start` in ms (0 for a span that ends before it starts). */
  durationMs: number
}

/** The waterfall of a trace. */
export interface Waterfall {
  rows: WaterfallRow[]
  /** The earliest start (epoch ms). */
  startMs: number
  /** From the earliest start to the latest end, in ms. */
  totalMs: number
  /** Spans not laid out (beyond `maxRows`). */
  hidden: number
}

/** The narrowest bar, as a share of the axis, so an instant span still shows. */
export const MIN_BAR = 0.004
/** Deeper spans are drawn at this depth (a runaway recursion stays readable). */
export const MAX_DEPTH = 24

/**
 * The span tree of `trace` in reading order (depth first, children by start time), each span with
 * its depth and its bar. A parent cycle or a missing parent never hides a span: such spans are laid
 * out as roots. At most `maxRows` rows (the rest are counted in `hidden`).
 */
export function waterfall(trace: CaseTrace | undefined, maxRows = Number.POSITIVE_INFINITY): Waterfall {
  const spans = trace?.spans ?? []
  if (spans.length === 0) return { rows: [], startMs: 0, totalMs: 0, hidden: 0 }
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  const byId = new Map<string, number>()
  spans.forEach((span, i) => {
    if (span.start < first) first = span.start
    if (Math.max(span.end, span.start) > last) last = Math.max(span.end, span.start)
    if (!byId.has(span.id)) byId.set(span.id, i)
  })
  const total = Math.max(0, last - first)
  const children = new Map<number, number[]>()
  const roots: number[] = []
  spans.forEach((span, i) => {
    const parent = span.parentId !== undefined ? byId.get(span.parentId) : undefined
    if (parent === undefined || parent === i) roots.push(i)
    else {
      const list = children.get(parent)
      if (list) list.push(i)
      else children.set(parent, [i])
    }
  })
  const byStart = (a: number, b: number) => (spans[a] as TraceSpan).start - (spans[b] as TraceSpan).start || a - b
  roots.sort(byStart)
  for (const list of children.values()) list.sort(byStart)

  const rows: WaterfallRow[] = []
  const placed = new Uint8Array(spans.length)
  const visit = (start: number) => {
    // An explicit stack: a deep chain of spans cannot overflow the call stack.
    const stack: Array<[number, number]> = [[start, 0]]
    while (stack.length > 0) {
      const [i, depth] = stack.pop() as [number, number]
      if (placed[i]) continue
      placed[i] = 1
      const span = spans[i] as TraceSpan
      const kids = children.get(i) ?? []
      const duration = Math.max(0, span.end - span.start)
      const offset = total > 0 ? (span.start - first) / total : 0
      rows.push({
        span,
        index: i,
        depth: Math.min(depth, MAX_DEPTH),
        hasChildren: kids.length > 0,
        offset: clamp(offset, 0, 1 - MIN_BAR),
        width: clamp(total > 0 ? duration / total : 1, MIN_BAR, 1 - clamp(offset, 0, 1 - MIN_BAR)),
        durationMs: duration,
      })
      for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k] as number, depth + 1])
    }
  }
  for (const root of roots) visit(root)
  // Spans caught in a parent cycle were reached from no root: laid out as roots.
  for (let i = 0; i < spans.length; i++) if (!placed[i]) visit(i)
  const hidden = Math.max(0, rows.length - maxRows)
  return { rows: hidden > 0 ? rows.slice(0, maxRows) : rows, startMs: first, totalMs: total, hidden }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high))
}

/** A badge of a span row. */
export interface SpanBadge {
  /** What it says (`class` on the page: `badge-<type>`). */
  type: 'kind' | 'tool' | 'model' | 'tokens' | 'error' | 'cached' | 'source'
  text: string
}

function attr(span: TraceSpan, key: string): SpanAttributeValue | undefined {
  return span.attributes[key]
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** The model a span called (`gen_ai.response.model`, else `gen_ai.request.model`). */
export function spanModel(span: TraceSpan): string | undefined {
  const model = attr(span, 'gen_ai.response.model') ?? attr(span, 'gen_ai.request.model')
  return typeof model === 'string' && model !== '' ? model : undefined
}

/** Input and output tokens a span reports (`gen_ai.usage.*`), when it reports any. */
export function spanTokens(span: TraceSpan): { input: number; output: number } | undefined {
  const input = num(attr(span, 'gen_ai.usage.input_tokens'))
  const output = num(attr(span, 'gen_ai.usage.output_tokens'))
  if (input === undefined && output === undefined) return undefined
  return { input: input ?? 0, output: output ?? 0 }
}

/** What a span row shows beside its name: kind, tool, model, tokens, error, cached. */
export function spanBadges(span: TraceSpan): SpanBadge[] {
  const badges: SpanBadge[] = [{ type: 'kind', text: span.kind }]
  const tool = attr(span, 'gen_ai.tool.name')
  if (span.kind === 'tool' && typeof tool === 'string' && tool !== span.name) badges.push({ type: 'tool', text: tool })
  const model = spanModel(span)
  if (model !== undefined) badges.push({ type: 'model', text: model })
  const tokens = spanTokens(span)
  if (tokens !== undefined) badges.push({ type: 'tokens', text: `${tokens.input} → ${tokens.output} tok` })
  if (span.status === 'error') badges.push({ type: 'error', text: 'error' })
  if (span.cached) badges.push({ type: 'cached', text: 'cached' })
  return badges
}

/** `1.2 s`, `340 ms`, `0.4 ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return ''
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 10) return `${Math.round(ms)} ms`
  return `${ms.toFixed(1)} ms`
}

/** Attribute keys that hold messages or payloads: shown as their own blocks, pretty printed. */
const MESSAGE_KEYS = [
  'gen_ai.system_instructions',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
] as const

/** One block of the span detail: a label and its text. */
export interface DetailBlock {
  label: string
  text: string
}

/** A JSON text pretty printed (anything else as it is). */
function pretty(value: SpanAttributeValue): string {
  if (typeof value !== 'string') return JSON.stringify(value)
  const text = value.trim()
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      return value
    }
  }
  return value
}

/**
 * What a click on a span shows, as text blocks: its facts (kind, status, timing, source), the error,
 * the messages and tool payloads pretty printed, then every other attribute as `key: value` lines
 * (sorted). Values longer than `maxChars` are cut and say so.
 */
export function spanDetail(span: TraceSpan, traceStartMs = span.start, maxChars = 20_000): DetailBlock[] {
  const cut = (text: string) =>
    text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)`
  const facts = [
    `kind: ${span.kind}`,
    `status: ${span.status}`,
    `start: +${formatDuration(span.start - traceStartMs)}`,
    `duration: ${formatDuration(Math.max(0, span.end - span.start))}`,
  ]
  if (span.source) facts.push(`source: ${span.source}`)
  if (span.cached) facts.push('cached: answered by the app cache')
  const blocks: DetailBlock[] = [{ label: span.name, text: facts.join('\n') }]
  if (span.error !== undefined) blocks.push({ label: 'error', text: cut(span.error) })
  for (const key of MESSAGE_KEYS) {
    const value = span.attributes[key]
    if (value !== undefined) blocks.push({ label: key, text: cut(pretty(value)) })
  }
  const rest = Object.keys(span.attributes)
    .filter((key) => !(MESSAGE_KEYS as readonly string[]).includes(key))
    .sort()
  if (rest.length > 0) {
    const lines = rest.map((key) => {
      const value = span.attributes[key] as SpanAttributeValue
      return `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`
    })
    blocks.push({ label: 'attributes', text: cut(lines.join('\n')) })
  }
  return blocks
}

/** One row of two trajectories side by side. */
export interface TrajectoryRow {
  /** `same` on both sides, only in the baseline (`removed`), only in the head (`added`). */
  op: 'same' | 'removed' | 'added'
  base?: TrajectoryStep
  head?: TrajectoryStep
}

/**
 * The baseline's and the head's tool calls aligned by name (a longest common subsequence), so a
 * step added, dropped or moved reads as such. Long trajectories (over `maxSteps` a side) are laid
 * out row by row without alignment.
 */
export function alignTrajectories(
  base: readonly TrajectoryStep[],
  head: readonly TrajectoryStep[],
  maxSteps = 400,
): TrajectoryRow[] {
  if (base.length > maxSteps || head.length > maxSteps) {
    const rows: TrajectoryRow[] = []
    for (let i = 0; i < Math.max(base.length, head.length); i++) {
      const b = base[i]
      const h = head[i]
      if (b && h && b.name === h.name) rows.push({ op: 'same', base: b, head: h })
      else {
        if (b) rows.push({ op: 'removed', base: b })
        if (h) rows.push({ op: 'added', head: h })
      }
    }
    return rows
  }
  const n = base.length
  const m = head.length
  // lcs[i][j]: the longest common run of base[i..] and head[j..].
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint16Array
    const below = lcs[i + 1] as Uint16Array
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        (base[i] as TrajectoryStep).name === (head[j] as TrajectoryStep).name
          ? (below[j + 1] as number) + 1
          : Math.max(below[j] as number, row[j + 1] as number)
    }
  }
  const rows: TrajectoryRow[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    const b = base[i]
    const h = head[j]
    if (b && h && b.name === h.name) {
      rows.push({ op: 'same', base: b, head: h })
      i++
      j++
    } else if (h && (!b || at(lcs, i, j + 1) >= at(lcs, i + 1, j))) {
      rows.push({ op: 'added', head: h })
      j++
    } else if (b) {
      rows.push({ op: 'removed', base: b })
      i++
    }
  }
  return rows
}

function at(table: Uint16Array[], i: number, j: number): number {
  return (table[i] as Uint16Array)[j] as number
}

/** A step's arguments as one short line of text (empty when it has none). */
export function stepArguments(step: TrajectoryStep | undefined, max = 120): string {
  if (step?.arguments === undefined) return ''
  const text = typeof step.arguments === 'string' ? step.arguments : JSON.stringify(step.arguments)
  if (text === undefined) return ''
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** Attributes a trajectory is read from (`trace.ts` `toolCalls`). */
const TRAJECTORY_KEYS = ['gen_ai.tool.name', 'gen_ai.tool.call.arguments'] as const

/**
 * The part of a trace its trajectory is read from, for the page's other invocations (Compare shows
 * their trajectory, not their spans): tool spans with their name and arguments, or, when there are
 * none, the model calls' output messages (the calls they asked for). Undefined without spans.
 */
export function trajectoryTrace(trace: CaseTrace | undefined): CaseTrace | undefined {
  if (!trace || trace.spans.length === 0) return undefined
  const tools = trace.spans.filter((span) => span.kind === 'tool')
  const keep = tools.length > 0 ? tools : trace.spans.filter((span) => span.kind === 'llm')
  const keys: readonly string[] = tools.length > 0 ? TRAJECTORY_KEYS : ['gen_ai.output.messages']
  return {
    spans: keep.map((span) => {
      const attributes: TraceSpan['attributes'] = {}
      for (const key of keys) {
        const value = span.attributes[key]
        if (value !== undefined) attributes[key] = value
      }
      return {
        id: span.id,
        name: span.name,
        kind: span.kind,
        start: span.start,
        end: span.end,
        status: span.status,
        attributes,
      }
    }),
    dropped: trace.dropped,
  }
}
