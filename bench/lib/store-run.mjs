// The run the store benches save and read back: `cases` cases of one file, two metrics each (a
// judged score with its justification, and a latency), texts of a realistic length.

/** A run of `cases` cases with a fresh id from `newId`. */
export function storeBenchRun(newId, cases) {
  return {
    id: newId(),
    file: 'evals/big.test.ts',
    status: 'complete',
    cases: Array.from({ length: cases }, (_, i) => ({
      name: `suite > case ${i}`,
      pass: i % 4 !== 0,
      scores: { answer_similarity: 0.75, latency: 100 + (i % 50) },
      judgeErrors: 0,
      metrics: {
        answer_similarity: {
          score: 0.75,
          raw: 4,
          kind: 'score',
          threshold: 0.75,
          pass: true,
          justification: 'The answer states the same fact as the reference, with a little less detail.',
          judge: 'openai:gpt-4.1-mini',
        },
        latency: { score: 100 + (i % 50), kind: 'measurement' },
      },
      input: `What is fact number ${i}?`,
      output: `Fact number ${i} is that the sky is blue on a clear day.`,
      expected: `The sky is blue (${i}).`,
      durationMs: 12,
      latencyMs: 100 + (i % 50),
      tokens: { input: 20, output: 30 },
    })),
    aggregates: {
      answer_similarity: {
        n: cases,
        mean: 0.75,
        variance: 0,
        p90: 0.75,
        min: 0.75,
        max: 0.75,
        median: 0.75,
        pass_rate: 1,
      },
    },
    judgeErrors: 0,
    cache: { hits: 0, misses: cases },
    tokens: { input: 0, output: 0 },
  }
}
