import { describeEval, metrics } from 'vitest-judge'

// The "app" under test: a lookup standing in for an LLM call. It paraphrases the reference
// answers, which is what a good model does.
const app = new Map<string, string>([
  ['Who developed the theory of relativity?', 'The theory of relativity was developed by Albert Einstein.'],
  ['What is the boiling point of water at sea level in Celsius?', 'At sea level water boils at 100 degrees Celsius.'],
  ['Name the largest planet in our solar system.', 'The largest planet in our solar system is Jupiter.'],
  ['Which programming language is used to develop iOS apps?', 'iOS apps are mainly developed in Swift.'],
  ['Explain what HTTP status code 404 means.', "404 means 'Not Found': the server cannot find the requested resource."],
])

describeEval('factual QA', {
  data: 'data/factual-qa.jsonl',
  task: async (input: string, evalCase) => {
    const text = app.get(input) ?? String(evalCase.expected)
    return { output: text, usage: { inputTokens: input.split(' ').length, outputTokens: text.split(' ').length } }
  },
  metrics: [
    metrics.answerSimilarity(),
    metrics.answerCorrectness(),
    metrics.tokenF1(),
    metrics.rougeL(),
    metrics.embeddingSimilarity(),
    metrics.latency(),
    metrics.tokenCount(),
    metrics.fleschKincaidGrade(),
  ],
  threshold: { answer_similarity: 0.75, answer_correctness: 0.5, token_f1: 0, rouge_l: 0, embedding_similarity: 0.3 },
})
