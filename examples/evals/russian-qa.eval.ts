import { describeEval, metrics } from 'vitest-judge'

// Non-English text: the same questions in Russian, answered with the references themselves.
describeEval('factual QA (ru)', {
  data: 'data/factual-qa.ru.jsonl',
  task: (_input, evalCase) => String(evalCase.expected),
  metrics: [metrics.answerSimilarity(), metrics.exactMatch(), metrics.levenshtein()],
})
