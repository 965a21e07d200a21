import { describeEval, metrics } from 'vitest-judge'

// Stored answers that a person graded 1-5 (the `grades` column). The run reports how well the judge
// agrees with them (quadratic-weighted kappa with its interval, Spearman, exact and within-one
// agreement, the confusion matrix, the worst disagreements). Add `gate: { minAgreement:
// { answer_similarity: 0.6 } }` to the plugin options to fail the run when the judge drifts from
// your people. Twelve cases give a wide interval: label 50 or more before trusting the number.
describeEval('judge vs human labels', {
  data: 'data/labelled-answers.jsonl',
  humanLabels: 'grades',
  task: (_input, evalCase) => String(evalCase.output),
  metrics: [metrics.answerSimilarity()],
  threshold: 0,
})
