import { describeEval, metrics } from 'vitest-judge'

// Scores answers a small model gave earlier (the `output` column), some of them wrong. The pass
// mark is low on purpose: this suite tracks the trend in the run history rather than gating.
describeEval('small model answers', {
  data: 'data/small-model-answers.jsonl',
  task: (_input, evalCase) => String(evalCase.output),
  metrics: [metrics.answerSimilarity(), metrics.tokenF1(), metrics.bleu()],
  threshold: { answer_similarity: 0, token_f1: 0, bleu: 0 },
})
