/** The `metrics` namespace users import: `metrics.answerSimilarity()`, `metrics.exactMatch()`, ... */
import {
  ariGrade,
  bleu,
  embeddingSimilarity,
  exactMatch,
  fleschKincaidGrade,
  latency,
  levenshtein,
  rougeL,
  tokenCount,
  tokenF1,
} from './computed-metrics.js'
import { answerCorrectness, answerRelevance, answerSimilarity, faithfulness, relevance } from './judged-metrics.js'

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
} as const
