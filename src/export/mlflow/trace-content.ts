/**
 * One case's trace as MLflow 2.x stores a trace: a `TraceInfo` row (started with `POST
 * /api/2.0/mlflow/traces`, ended with `PATCH /api/2.0/mlflow/traces/{request_id}`) and the span
 * data `traces.json` in the trace's artifact location (the server's `mlflow.artifactLocation` tag).
 * The shapes follow MLflow 2.17.2's own exporter (`mlflow/tracing/processor/mlflow.py`,
 * `mlflow/entities/span.py` `Span.to_dict`, `mlflow/tracking/client.py`
 * `_upload_trace_spans_as_tag`), so MLflow's Traces view and `mlflow.get_trace` read them. Pure
 * functions over the report's types; the exporter sends them.
 */
import { createHash } from 'node:crypto'
import type { CaseTrace, SpanKind, TraceSpan } from '../../report/trace-types.js'
import type { ReportCase, ReportInvocation, ReportRun } from '../../report/types.js'

/** The span data file MLflow reads from a trace's artifact location. */
export const TRACE_DATA_FILE = 'traces.json'

/** Keys MLflow gives a meaning to (`mlflow/tracing/constant.py`). */
export const MLFLOW_TRACE_KEY = {
  schemaVersion: 'mlflow.trace_schema.version',
  sourceRun: 'mlflow.sourceRun',
  inputs: 'mlflow.traceInputs',
  outputs: 'mlflow.traceOutputs',
  traceName: 'mlflow.traceName',
  traceSpans: 'mlflow.traceSpans',
  artifactLocation: 'mlflow.artifactLocation',
  requestId: 'mlflow.traceRequestId',
  spanType: 'mlflow.spanType',
  spanInputs: 'mlflow.spanInputs',
  spanOutputs: 'mlflow.spanOutputs',
  /** Groups the traces of one conversation (MLflow's session tag). */
  session: 'mlflow.trace.session',
} as const

/** vitest-judge's own tags on a trace. */
export const TRACE_TAG = {
  invocationId: 'vitest_judge.invocation_id',
  runId: 'vitest_judge.run_id',
  file: 'vitest_judge.file',
  case: 'vitest_judge.case',
  caseId: 'vitest_judge.case_id',
  pass: 'vitest_judge.pass',
  dropped: 'vitest_judge.spans_dropped',
} as const

/** MLflow's trace schema version these files follow. */
const TRACE_SCHEMA_VERSION = '2'
/** What every MLflow backend keeps of a request-metadata value or tag (longer ones are cut). */
const MAX_SHORT_VALUE = 250
/** MLflow's trace tag value limit (`MAX_TRACE_TAG_VAL_LENGTH`). */
const MAX_TAG_VALUE = 8000
/** MLflow's tag-name rule (`mlflow/utils/validation.py` `_validate_tag_name`, path-like names). */
const TAG_NAME = /^[/\w.\- ]{1,250}$/

/** Our span kinds as MLflow's span types (`mlflow.entities.SpanType`). */
const SPAN_TYPE: Record<SpanKind, string> = {
  llm: 'LLM',
  tool: 'TOOL',
  retriever: 'RETRIEVER',
  agent: 'AGENT',
  chain: 'CHAIN',
  other: 'UNKNOWN',
}

/** One span as `Span.to_dict()` writes it. */
export interface MlflowSpanDict {
  name: string
  context: { span_id: string; trace_id: string }
  parent_id: string | null
  /** Epoch nanoseconds. */
  start_time: number
  end_time: number
  status_code: 'OK' | 'ERROR' | 'UNSET'
  status_message: string
  /** Every value JSON-encoded, as MLflow's span attribute registry stores them. */
  attributes: Record<string, string>
  events: Array<{ name: string; timestamp: number; attributes: Record<string, string> }>
}

/** `traces.json`: `TraceData.to_dict()`. */
export interface MlflowTraceData {
  spans: MlflowSpanDict[]
  request: string | null
  response: string | null
}

/** What the exporter sends for one case. */
export interface MlflowTraceContent {
  /** Start of the trace (epoch ms, integer). */
  timestampMs: number
  /** End of the trace (epoch ms, integer). */
  endMs: number
  status: 'OK' | 'ERROR'
  requestMetadata: Record<string, string>
  tags: Record<string, string>
  /** Tags given for the case that MLflow would refuse (bad names): left out, said in a note. */
  skippedTags: string[]
  /** The span data, once the server has named the trace (its request id). */
  data: (requestId: string) => MlflowTraceData
}

/** Extra trace tags for a case (the exporter's `traceTags` option). */
export type TraceTagsFor = (run: ReportRun, testCase: ReportCase) => Record<string, string> | undefined

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`
}

/** A 16-hex-digit span id for `id` (OpenTelemetry's own ids are kept as they are). */
export function mlflowSpanId(id: string): string {
  if (/^[0-9a-f]{16}$/i.test(id)) return `0x${id.toLowerCase()}`
  return `0x${createHash('sha256').update(id).digest('hex').slice(0, 16)}`
}

function traceIdFor(requestId: string): string {
  const hex = requestId.replace(/^tr-/, '')
  if (/^[0-9a-f]{32}$/i.test(hex)) return `0x${hex.toLowerCase()}`
  return `0x${createHash('sha256').update(requestId).digest('hex').slice(0, 32)}`
}

/** Epoch ms (fractions allowed) as epoch ns, an integer. */
function nanos(ms: number): number {
  return Math.round(ms * 1000) * 1000
}

/** A JSON text as the value it holds, any other text as itself (so MLflow shows structure). */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const text = value.trim()
  if (!(text.startsWith('{') || text.startsWith('['))) return value
  try {
    return JSON.parse(text)
  } catch {
    return value
  }
}

function firstAttr(span: TraceSpan, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = span.attributes[key]
    if (value !== undefined) return parsed(value)
  }
  return undefined
}

/** The span's inputs and outputs, for MLflow's span view (from the GenAI attribute names). */
function spanIo(span: TraceSpan): { inputs: unknown; outputs: unknown } {
  if (span.kind === 'tool') {
    return {
      inputs: firstAttr(span, ['gen_ai.tool.call.arguments']),
      outputs: firstAttr(span, ['gen_ai.tool.call.result']),
    }
  }
  return {
    inputs: firstAttr(span, ['gen_ai.input.messages', 'gen_ai.prompt', 'input.value']),
    outputs: firstAttr(span, ['gen_ai.output.messages', 'gen_ai.completion', 'output.value']),
  }
}

function statusCode(status: TraceSpan['status']): MlflowSpanDict['status_code'] {
  return status === 'error' ? 'ERROR' : status === 'ok' ? 'OK' : 'UNSET'
}

/** The synthetic root span's id: one per case, never an id of the case's own spans. */
const ROOT_ID = '\u0000vitest-judge-case-root'

/**
 * The MLflow trace of one case, or undefined when the case made no span. The case becomes the
 * trace's root span (its input and output as the trace's request and response), holding the
 * case's own root spans, so MLflow's view shows one tree per case whatever the app made.
 */
export function caseTraceContent(
  invocation: ReportInvocation,
  run: ReportRun,
  testCase: ReportCase,
  sourceRunId: string,
  extraTags: Record<string, string> = {},
): MlflowTraceContent | undefined {
  const trace: CaseTrace | undefined = testCase.trace
  if (!trace || trace.spans.length === 0) return undefined
  const spans = trace.spans
  let start = Number.POSITIVE_INFINITY
  let end = Number.NEGATIVE_INFINITY
  let failed = false
  for (const span of spans) {
    if (span.start < start) start = span.start
    if (span.end > end) end = span.end
    if (span.status === 'error') failed = true
  }
  if (!Number.isFinite(start)) start = Date.now()
  if (!Number.isFinite(end) || end < start) end = start
  const status: 'OK' | 'ERROR' = failed || !testCase.pass ? 'ERROR' : 'OK'
  const request = testCase.input !== undefined ? JSON.stringify(testCase.input) : null
  const response = testCase.output !== undefined ? JSON.stringify(testCase.output) : null

  const tags: Record<string, string> = {
    [MLFLOW_TRACE_KEY.traceName]: cut(testCase.name, MAX_SHORT_VALUE),
    [TRACE_TAG.invocationId]: invocation.id,
    [TRACE_TAG.runId]: run.id,
    [TRACE_TAG.file]: cut(run.file, MAX_SHORT_VALUE),
    [TRACE_TAG.case]: cut(testCase.name, MAX_TAG_VALUE),
    [TRACE_TAG.pass]: String(testCase.pass),
  }
  if (testCase.id !== undefined) tags[TRACE_TAG.caseId] = cut(testCase.id, MAX_SHORT_VALUE)
  if (trace.dropped > 0) tags[TRACE_TAG.dropped] = String(trace.dropped)
  tags[MLFLOW_TRACE_KEY.traceSpans] = spansTag(spans)
  const skippedTags: string[] = []
  for (const [key, value] of Object.entries({ ...trace.tags, ...extraTags })) {
    if (typeof value !== 'string' || !TAG_NAME.test(key) || key === MLFLOW_TRACE_KEY.artifactLocation) {
      skippedTags.push(key)
      continue
    }
    tags[key] = cut(value, MAX_TAG_VALUE)
  }

  const requestMetadata: Record<string, string> = {
    [MLFLOW_TRACE_KEY.schemaVersion]: TRACE_SCHEMA_VERSION,
    [MLFLOW_TRACE_KEY.sourceRun]: sourceRunId,
    [MLFLOW_TRACE_KEY.inputs]: cut(request ?? '', MAX_SHORT_VALUE),
    [MLFLOW_TRACE_KEY.outputs]: cut(response ?? '', MAX_SHORT_VALUE),
  }

  const data = (requestId: string): MlflowTraceData => {
    const traceId = traceIdFor(requestId)
    const requestAttr = JSON.stringify(requestId)
    const known = new Set(spans.map((span) => span.id))
    const rootId = mlflowSpanId(ROOT_ID)
    const out: MlflowSpanDict[] = [
      {
        name: testCase.name,
        context: { span_id: rootId, trace_id: traceId },
        parent_id: null,
        start_time: nanos(start),
        end_time: nanos(end),
        status_code: status,
        status_message: status === 'ERROR' ? (testCase.error ?? '') : '',
        attributes: {
          [MLFLOW_TRACE_KEY.requestId]: requestAttr,
          [MLFLOW_TRACE_KEY.spanType]: JSON.stringify('CHAIN'),
          [MLFLOW_TRACE_KEY.spanInputs]: JSON.stringify(testCase.input ?? null),
          [MLFLOW_TRACE_KEY.spanOutputs]: JSON.stringify(testCase.output ?? null),
        },
        events: [],
      },
    ]
    for (const span of spans) {
      const { inputs, outputs } = spanIo(span)
      const attributes: Record<string, string> = {}
      for (const [key, value] of Object.entries(span.attributes)) attributes[key] = JSON.stringify(value)
      // MLflow's own keys last: a span attribute cannot pose as the trace's id or type.
      attributes[MLFLOW_TRACE_KEY.requestId] = requestAttr
      attributes[MLFLOW_TRACE_KEY.spanType] = JSON.stringify(SPAN_TYPE[span.kind] ?? 'UNKNOWN')
      if (inputs !== undefined) attributes[MLFLOW_TRACE_KEY.spanInputs] = JSON.stringify(inputs)
      if (outputs !== undefined) attributes[MLFLOW_TRACE_KEY.spanOutputs] = JSON.stringify(outputs)
      const parent = span.parentId !== undefined && known.has(span.parentId) ? span.parentId : undefined
      out.push({
        name: span.name,
        context: { span_id: mlflowSpanId(span.id), trace_id: traceId },
        parent_id: parent !== undefined ? mlflowSpanId(parent) : rootId,
        start_time: nanos(span.start),
        end_time: nanos(Math.max(span.end, span.start)),
        status_code: statusCode(span.status),
        status_message: span.error ?? '',
        attributes,
        // MLflow records an exception as an event; its span view shows it.
        events:
          span.status === 'error' && span.error !== undefined
            ? [
                {
                  name: 'exception',
                  timestamp: nanos(span.end),
                  attributes: { 'exception.message': span.error, 'exception.type': 'Error' },
                },
              ]
            : [],
      })
    }
    return { spans: out, request, response }
  }

  return {
    timestampMs: Math.floor(start),
    endMs: Math.ceil(end),
    status,
    requestMetadata,
    tags,
    skippedTags,
    data,
  }
}

/** The `mlflow.traceSpans` tag MLflow's client sets: names and types, cut to MLflow's tag limit. */
function spansTag(spans: readonly TraceSpan[]): string {
  const listed: Array<{ name: string; type: string }> = []
  let size = 2
  for (const span of spans) {
    const entry = { name: cut(span.name, 200), type: SPAN_TYPE[span.kind] ?? 'UNKNOWN' }
    const length = JSON.stringify(entry).length + 1
    if (size + length > MAX_TAG_VALUE) break
    listed.push(entry)
    size += length
  }
  return JSON.stringify(listed)
}
