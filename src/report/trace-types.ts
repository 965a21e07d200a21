/**
 * The trace of one case: what the system under test did (its model calls, tool calls, retrieval and
 * steps), as plain JSON. Recorded in the worker (`src/tracing/`), carried in the case record through
 * `task.meta`, kept by the stores, shown by the reports and the page. Fields may be added, never renamed.
 */

/** What a span is, read from the GenAI semantic conventions, the AI SDK's `ai.*` names, or given by hand. */
export type SpanKind = 'llm' | 'tool' | 'retriever' | 'agent' | 'chain' | 'other'

/** An attribute value as OpenTelemetry allows it (anything else is stringified when recorded). */
export type SpanAttributeValue = string | number | boolean | Array<string | number | boolean | null>

/** One span of a case's trace. */
export interface TraceSpan {
  /** Unique within its trace (OpenTelemetry's span id when the span came from OpenTelemetry). */
  id: string
  /** The parent span's id; absent for a root span (or when the parent is not in this trace). */
  parentId?: string
  name: string
  kind: SpanKind
  /** Milliseconds since the trace's `startedAt` (fractions allowed). */
  startMs: number
  endMs: number
  status: 'ok' | 'error' | 'unset'
  /** The error's message when `status` is `error` (redacted, hostile text). */
  error?: string
  /** Where the span came from: an OpenTelemetry span, a `traceClient` wrapper, or `span()` by hand. */
  source: 'otel' | 'client' | 'manual'
  /** The span's attributes, redacted; hostile text wherever shown. */
  attributes: Record<string, SpanAttributeValue>
  /** `llm` spans: the model asked (`gen_ai.request.model`, else `ai.model.id`). */
  model?: string
  /** `llm` spans: the provider (`gen_ai.system` / `gen_ai.provider.name`, else `ai.model.provider`). */
  provider?: string
  /** `llm` spans: tokens (`gen_ai.usage.*`, else `ai.usage.*`). */
  usage?: { input: number; output: number }
  /** `tool` spans: the tool's name, arguments and result (parsed JSON when they were JSON text). */
  tool?: { name: string; arguments?: unknown; result?: unknown }
  /** `llm` spans answered by the app cache (recorded latency, no request made). */
  cached?: boolean
}

/** One case's trace. A case that made no span has none (the field is absent). */
export interface CaseTrace {
  /** Epoch milliseconds of the trace's start (its first span's start). */
  startedAt: number
  /** Spans in start order. */
  spans: TraceSpan[]
  /** Spans dropped at the per-case cap (by count or by bytes); absent when none. */
  dropped?: number
}

/** A tool call in a trajectory: the name, and the arguments when known. */
export interface TrajectoryStep {
  name: string
  arguments?: unknown
}
