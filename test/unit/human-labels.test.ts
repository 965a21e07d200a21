import { describe, expect, it } from 'vitest'
import { DatasetError } from '../../src/errors.js'
import { humanLabelsOf } from '../../src/runtime/human-labels.js'

describe('human labels of a case', () => {
  const judged = ['answer_similarity', 'faithfulness']

  it('reads the `human` field, or the column named by humanLabels, as an object, JSON text or one grade', () => {
    expect(humanLabelsOf({ input: 'q', human: { answer_similarity: 4 } }, undefined, judged)).toEqual({
      answer_similarity: 4,
    })
    expect(humanLabelsOf({ input: 'q', g: '{"faithfulness": 2}' }, 'g', judged)).toEqual({ faithfulness: 2 })
    expect(humanLabelsOf({ input: 'q', g: '3' }, 'g', judged)).toEqual({ answer_similarity: 3, faithfulness: 3 })
    expect(humanLabelsOf({ input: 'q', g: 5 }, 'g', judged)).toEqual({ answer_similarity: 5, faithfulness: 5 })
    expect(humanLabelsOf({ input: 'q' }, 'g', judged)).toBeUndefined()
    expect(humanLabelsOf({ input: 'q', g: '' }, 'g', judged)).toBeUndefined()
  })

  it.each([
    [{ answer_similarity: 6 }, 'whole number from 1 to 5'],
    [{ answer_similarity: 3.5 }, 'whole number from 1 to 5'],
    ['{not json', 'not JSON'],
    [[4], '{ metric: grade }'],
    ['seven', 'whole number from 1 to 5'],
  ])('refuses %j with a DatasetError saying what a grade is', (value, says) => {
    let error: unknown
    try {
      humanLabelsOf({ input: 'q', human: value }, undefined, judged)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DatasetError)
    expect((error as Error).message).toContain(says)
  })

  it('names the file and line of the case when it knows them', () => {
    let error: unknown
    try {
      humanLabelsOf({ input: 'q', human: { answer_similarity: 9 } }, undefined, judged, () => ({
        file: 'evals/qa.jsonl',
        line: 12,
        label: 'line 12',
      }))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DatasetError)
    expect((error as DatasetError).code).toBe('VJ_DATASET')
    expect((error as Error).message).toMatch(/^evals\/qa\.jsonl:12: line 12: the human grade of answer_similarity/)
    expect((error as DatasetError).line).toBe(12)
  })
})
