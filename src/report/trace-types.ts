/**
 * The trace of one case: what the system under test did (its model calls, tool calls, retrieval and
 * steps), as plain JSON. Recorded in the worker (`src/tracing/`), carried in the case record through
 * `task.meta`, kept by the stores, shown by the reports and the page. Fields may be added, never renamed.
 */

/** What a span is, read from the GenAI semantic conventions, the AI SDK's `ai.*` names, or given by hand. */
export type SpanKind = 'llm' | 'tool' | 'retriever' | 'agent' | 'chain' | 'other'

/** An attribute value as OpenTelemetry allows it (anything else is stringified when recorded). */
export type SpanAttributeValue = string | number | boolean | Array<string | number | boolean | null>

/**
 * One span of a case's trace (SPEC: report.json case `trace`). Whatever the source, the worker
 * normalises the attributes to the OpenTelemetry GenAI semantic conventions when it records a span
 * (an AI SDK `ai.toolCall.name` is also written as `gen_ai.tool.name`, `ai.usage.promptTokens` as
 * `gen_ai.usage.input_tokens`, ...), so every reader (matchers, metrics, reports, the page) reads the
 * GenAI names only, through the pure helpers beside the reports.
 */
export interface TraceSpan {
  /** Unique within its trace (OpenTelemetry's span id when the span came from OpenTelemetry). */
  id: string
  /** The parent span's id; absent for a root span (or when the parent is not in this trace). */
  parentId?: string
  name: string
  kind: SpanKind
  /** Epoch milliseconds (fractions allowed). */
  start: number
  end: number
  status: 'ok' | 'error' | 'unset'
  /** The error's message when `status` is `error` (redacted, hostile text). */
  error?: string
  /** The span's attributes, redacted; hostile text wherever shown. Tool spans carry `gen_ai.tool.name`. */
  attributes: Record<string, SpanAttributeValue>
  /** Where the span came from: an OpenTelemetry span, a `traceClient` wrapper, or `span()` by hand. */
  source?: 'otel' | 'client' | 'manual'
  /** An `llm` or tool span answered by the app cache (its recorded latency, no request made). */
  cached?: boolean
}

/** One case's trace. A case that made no span has none (the field is absent). */
export interface CaseTrace {
  /** Spans in start order. */
  spans: TraceSpan[]
  /** Spans dropped at the per-case cap (by count or by bytes); 0 when none. */
  dropped: number
  /**
   * Tags of the case's trace, sent as MLflow trace tags by the MLflow export (e.g.
   * `mlflow.trace.session` to group a conversation's traces). Absent when none.
   */
  tags?: Record<string, string>
}

/** A tool call in a trajectory: the name, and the arguments when known. */
export interface TrajectoryStep {
  name: string
  arguments?: unknown
}
