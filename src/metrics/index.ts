/** The `metrics` namespace users import: `metrics.answerSimilarity()`, `metrics.exactMatch()`, ... */
import {
  ariGrade,
  bleu,
  embeddingSimilarity,
  exactMatch,
  fleschKincaidGrade,
  latency,
  levenshtein,
  rouge1,
  rouge2,
  rougeL,
  rougeLsum,
  tokenCount,
  tokenF1,
} from './computed-metrics.js'
import {
  conversationCompleteness,
  goalAchieved,
  knowledgeRetention,
  roleAdherence,
  userFrustration,
} from './conversation-metrics.js'
import {
  answerCorrectness,
  answerRelevance,
  answerSimilarity,
  faithfulness,
  relevance,
  toxicity,
} from './judged-metrics.js'
import { preference } from './preference.js'
import { questionAnswering, text, textSummarization } from './presets.js'
import { contextPrecision, contextRecall } from './rag-context.js'
import { jsonValid, matchesSchema } from './structured-output.js'
import { toolCallAccuracy } from './tool-calls.js'
import { appCostUsd, appTokens, stepCount, taskCompletion, trajectoryMatch } from './trace-metrics.js'

/** Built-in metric factories. */
export const metrics = {
  answerSimilarity,
  answerCorrectness,
  answerRelevance,
  relevance,
  faithfulness,
  exactMatch,
  levenshtein,
  tokenF1,
  rougeL,
  bleu,
  fleschKincaidGrade,
  ariGrade,
  latency,
  tokenCount,
  embeddingSimilarity,
  toxicity,
  rouge1,
  rouge2,
  rougeLsum,
  jsonValid,
  matchesSchema,
  contextPrecision,
  contextRecall,
  toolCallAccuracy,
  preference,
  // Conversations (describeConversation `metrics`): each reads the whole transcript.
  conversationCompleteness,
  knowledgeRetention,
  roleAdherence,
  userFrustration,
  goalAchieved,
  // What the app did (its trace): docs/guide/traces.md.
  trajectoryMatch,
  taskCompletion,
  stepCount,
  appTokens,
  appCostUsd,
  /** Metric sets after MLflow's `model_type` defaults: `[...metrics.presets.questionAnswering(), mine]`. */
  presets: { questionAnswering, textSummarization, text },
} as const
