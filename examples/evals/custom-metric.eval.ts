import { readFileSync } from 'node:fs'
import { describe } from 'vitest'
import { type DefineMetricOptions, defineMetric, describeEval } from 'vitest-judge'

// A custom rubric metric (MLflow's make_genai_metric) needs an LLM judge, so this suite runs only
// when one is configured: VITEST_JUDGE=openai:gpt-4.1-mini with OPENAI_API_KEY, for example.
const spec = JSON.parse(
  readFileSync(new URL('../data/professionalism-metric.json', import.meta.url), 'utf8'),
) as DefineMetricOptions
const professionalism = defineMetric(spec)

describe.skipIf(!process.env.VITEST_JUDGE || process.env.VITEST_JUDGE === 'local')('with an LLM judge', () => {
  describeEval('professional tone', {
    data: [
      { input: 'What is MLflow?', id: 'formal' },
      { input: 'What is Spark?', id: 'casual' },
    ],
    task: (input: string) =>
      input.includes('MLflow')
        ? 'MLflow is an open-source platform for managing the machine learning lifecycle.'
        : 'Spark? Oh it is super cool, basically makes big data go brrr!',
    metrics: [professionalism],
    threshold: 0.5,
  })
})
