import { describe, expect, test } from 'vitest'

const context =
  'MLflow is an open-source platform for the machine learning lifecycle. MLflow Tracking records parameters, metrics and artifacts of runs.'

describe('matchers', () => {
  test('a paraphrase is similar to the reference', async () => {
    await expect('Paris is the capital city of France.').toBeSimilarTo('The capital of France is Paris.')
  })

  test('an unrelated answer is not similar', async () => {
    await expect('Bananas are rich in potassium.').not.toBeSimilarTo('The capital of France is Paris.')
  })

  test('the answer addresses the question', async () => {
    await expect('MLflow Tracking records the parameters and metrics of runs.').toBeRelevantTo(
      'What does MLflow Tracking record?',
      { minScore: 0.5 },
    )
  })

  test('the answer is grounded in the retrieved context', async () => {
    await expect('MLflow Tracking records parameters, metrics and artifacts.').toBeFaithfulTo(context)
  })
})
