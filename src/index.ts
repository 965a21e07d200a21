/**
 * vitest-judge: the API for test files.
 *
 * ```ts
 * import { describeEval, metrics, defineMetric } from 'vitest-judge'
 * ```
 */

// Traces of the system under test (docs/guide/traces.md); the app cache (docs/guide/app-cache.md).
export type {
  AppCacheMode,
  CacheMode,
  GateOptions,
  ReportsOptions,
  TracesOptions,
  VitestJudgeOptions,
} from './config.js'
export * from './errors.js'
export type { AnthropicJudgeOptions } from './judges/anthropic-judge.js'
export { anthropic } from './judges/anthropic-judge.js'
export type { GeminiJudgeOptions } from './judges/gemini-judge.js'
export { gemini } from './judges/gemini-judge.js'
export { local } from './judges/local-judge.js'
export type { OpenAIJudgeOptions } from './judges/openai-judge.js'
export { openai } from './judges/openai-judge.js'
export type { GradingExample, RubricSpec } from './judges/prompt.js'
export { buildGradingPrompt } from './judges/prompt.js'
export type { JudgeProvider, LlmJudgeOptions } from './judges/provider.js'
export { registerJudge } from './judges/resolve-judge.js'
export type {
  CompletionReply,
  CompletionRequest,
  GradeRequest,
  GradingPrompt,
  Judge,
  JudgeFields,
  Usage,
  Verdict,
} from './judges/types.js'
export type { JudgeMatchers, TraceMatchers } from './matcher-types.js'
export type { CodeMetricOptions, CodeMetricResult } from './metrics/code-metric.js'
export type { EmbeddingSimilarityOptions, ExactMatchOptions } from './metrics/computed-metrics.js'
export type { DefineMetricOptions, JudgedMetricDefinition, MetricExample } from './metrics/define-metric.js'
export { defineMetric } from './metrics/define-metric.js'
export { metrics } from './metrics/index.js'
export type { PreferenceOptions } from './metrics/preference.js'
export type { PresetOptions } from './metrics/presets.js'
export type { ContextMetricOptions } from './metrics/rag-context.js'
export type { JudgedMetricOptions } from './metrics/rubric-metric.js'
export type { JsonOutputOptions, SafeParseSchemaLike, StandardSchemaLike } from './metrics/structured-output.js'
export type { ToolCallAccuracyOptions } from './metrics/tool-calls.js'
export type { AppCostOptions, TaskCompletionOptions } from './metrics/trace-metrics.js'
export type { Metric, MetricContext, MetricInput, MetricValue, ToolCall } from './metrics/types.js'
export type {
  AppCacheCallParams,
  AppCacheMiddleware,
  AppCacheMiddlewareOptions,
  AppCacheModelLike,
  AppCacheSpecificationVersion,
} from './replay/ai-sdk.js'
export { appCacheMiddleware, cachedModel } from './replay/ai-sdk.js'
export type { ReplayToolOptions } from './replay/replay-tool.js'
export { replayTool } from './replay/replay-tool.js'
// Conversations (describeConversation, conversation rows, transcripts).
export type { ConversationInfo, ReportTurn } from './report/conversation-types.js'
export type { TraceSummary, TrajectoryMatch, TrajectoryMatchOptions, TrajectoryMode } from './report/trace.js'
export { summary as traceSummary, toolCalls as traceToolCalls } from './report/trace.js'
export type { CaseTrace, SpanAttributeValue, SpanKind, TraceSpan, TrajectoryStep } from './report/trace-types.js'
export type * from './report/types.js'
export type {
  ConversationCase,
  ConversationData,
  ConversationScenario,
  ConversationTurn,
  TurnRole,
} from './runtime/conversation-data.js'
export type { EvalCase, EvalData } from './runtime/dataset.js'
export type {
  ChatContext,
  ChatMessage,
  ChatResult,
  DescribeConversationOptions,
} from './runtime/describe-conversation.js'
export { describeConversation, STOP_MARKER } from './runtime/describe-conversation.js'
export type { DescribeEvalOptions, TaskContext, TaskResult } from './runtime/describe-eval.js'
export { describeEval } from './runtime/describe-eval.js'
export type {
  JudgeMatcherOptions,
  ToBeFaithfulToOptions,
  ToBePreferredOverOptions,
  ToBeRelevantToOptions,
  ToBeSimilarToOptions,
  ToScoreOptions,
} from './runtime/matchers.js'
export type { TraceLimits } from './runtime/trace-matchers.js'
export type { VariantTestContext } from './runtime/use-variant.js'
export { useVariant } from './runtime/use-variant.js'
export type { VariantsOption, VariantValue } from './runtime/variants.js'
export type { ModelCallInterceptor, ModelCallRequest, SpanAttributesInput } from './tracing/public.js'
export { getTrace, span, spanProcessor, traceClient } from './tracing/public.js'
