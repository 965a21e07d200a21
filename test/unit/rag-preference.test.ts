import { describe, expect, inject, test } from 'vitest'
import { JudgeError, MissingFieldError } from '../../src/errors.js'
import { local } from '../../src/judges/local-judge.js'
import { openai } from '../../src/judges/openai-judge.js'
import { sectionNonce } from '../../src/judges/prompt.js'
import { preference } from '../../src/metrics/preference.js'
import { contextPrecision, contextRecall } from '../../src/metrics/rag-context.js'
import { fakeTenant } from '../fake-provider/client.js'
import { directContext, scriptedJudge } from './metric-context.js'

const question = 'Where is France and what is its capital?'
const reference = 'France is in Western Europe. Its capital is Paris.'
const chunks = ['Paris is the capital of France.', 'France is known for its wines.', 'France lies in Western Europe.']

describe('contextPrecision (RAGAS)', () => {
  test('sum of Precision@k * v_k over the useful chunks; grades 4-5 count as useful', async () => {
    // v = [1, 0, 1]: (1/1 + 2/3) / 2 = 5/6
    const judge = scriptedJudge([5, 2, 4])
    const value = await contextPrecision().score(
      { output: 'answer', input: question, expected: reference, context: chunks.join('\n'), contextChunks: chunks },
      directContext(judge),
    )
    expect(value.score).toBeCloseTo(5 / 6, 12)
    expect(value.justification).toBe('Useful chunks at rank 1, 3 of 3 (judge grades 5, 2, 4).')
    // One request per chunk, the chunk in the output section, question and reference beside it.
    expect(judge.requests).toHaveLength(3)
    const prompt = judge.requests[1]!.prompt.user
    expect(prompt).toContain(
      `<output-${sectionNonce(chunks[1]!)}>\n${chunks[1]}\n</output-${sectionNonce(chunks[1]!)}>`,
    )
    expect(prompt).toContain(`<reference-${sectionNonce(reference)}>`)
    expect(prompt).toContain(`<input-${sectionNonce(question)}>`)
    expect(judge.requests[1]!.metric).toBe('context_precision')
  })

  test('useful chunks ranked last score lower than ranked first; none useful scores 0', async () => {
    const ranked = (grades: number[]) =>
      contextPrecision()
        .score(
          { output: 'answer', input: question, expected: reference, context: 'x', contextChunks: chunks },
          directContext(scriptedJudge(grades)),
        )
        .then((v) => v.score)
    expect(await ranked([5, 1, 1])).toBe(1)
    expect(await ranked([1, 1, 5])).toBeCloseTo(1 / 3, 12)
    expect(await ranked([1, 3, 2])).toBe(0)
  })

  test('needs input, expected and context', async () => {
    await expect(
      contextPrecision().score({ output: '', expected: reference, context: 'x' }, directContext(scriptedJudge([5]))),
    ).rejects.toBeInstanceOf(MissingFieldError)
  })
})

describe('contextRecall (RAGAS)', () => {
  test('share of reference statements the context supports, the unsupported ones named', async () => {
    const judge = scriptedJudge([5, 1])
    const value = await contextRecall().score(
      { output: 'ignored', expected: reference, context: 'x', contextChunks: chunks },
      directContext(judge),
    )
    expect(value.score).toBe(0.5)
    expect(value.justification).toBe(
      '1 of 2 reference statements supported by the context; not supported: "Its capital is Paris.".',
    )
    const prompt = judge.requests[0]!.prompt.user
    expect(prompt).toContain('[chunk 1]\nParis is the capital of France.\n\n[chunk 2]')
    expect(prompt).toContain(`<output-${sectionNonce('France is in Western Europe.')}>`)
  })
})

describe('judged RAG metrics through the real openai SDK, and the local judge', () => {
  test('directives in the chunks decide the fake’s grades', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const judge = openai({ model: 'gpt-4.1-mini', baseURL: tenant.openaiBaseURL, apiKey: tenant.apiKey })
    const graded = ['Paris is the capital. [[score=5]]', 'Wine. [[score=1]]']
    const value = await contextPrecision().score(
      { output: 'answer', input: question, expected: reference, context: 'x', contextChunks: graded },
      directContext(judge),
    )
    expect(value).toMatchObject({ score: 1, judge: 'openai:gpt-4.1-mini' })
    const stats = await tenant.stats()
    expect(stats.log.map((e) => e.sections.output).sort()).toEqual([...graded].sort())
  })

  test('the local judge refuses them', async () => {
    const error = await contextRecall()
      .score({ output: '', expected: reference, context: 'x' }, directContext(local()))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JudgeError)
    expect((error as Error).message).toMatch(/cannot grade the metric "context_recall"/)
  })
})

describe('preference: both orders must agree', () => {
  const input = { input: 'Capital of France?', output: 'Paris.', extra: { baseline: 'Lyon.' } }

  test('a win needs both orders: A-first grade 1 and B-first grade 5 means the answer wins', async () => {
    const judge = scriptedJudge([1, 5])
    const value = await preference({ against: 'baseline' }).score(input, directContext(judge))
    expect(value.score).toBe(1)
    expect(value.justification).toMatch(
      /^The answer is preferred in both orders \(grade 1 with the answer as A, 5 with it as B\)/,
    )
    // The positions are swapped between the two requests.
    const [first, second] = judge.requests
    expect(first!.prompt.user).toContain(`<output-${sectionNonce('Paris.')}>`)
    expect(first!.prompt.user).toContain(`<output-b-${sectionNonce('Lyon.')}>`)
    expect(second!.prompt.user).toContain(`<output-${sectionNonce('Lyon.')}>`)
    expect(second!.prompt.user).toContain(`<output-b-${sectionNonce('Paris.')}>`)
  })

  test('the other answer winning both orders scores 0', async () => {
    expect((await preference({ against: 'baseline' }).score(input, directContext(scriptedJudge([4, 2])))).score).toBe(0)
  })

  test('position bias (the first answer always wins) is a tie, as is "equal"', async () => {
    const biased = await preference({ against: 'baseline' }).score(input, directContext(scriptedJudge([1, 1])))
    expect(biased).toMatchObject({ score: 0.5, justification: expect.stringMatching(/depends on the position.*tie/) })
    expect((await preference({ against: 'baseline' }).score(input, directContext(scriptedJudge([3, 3])))).score).toBe(
      0.5,
    )
  })

  test('criteria reach the prompt; a missing column or option is a MissingFieldError', async () => {
    const judge = scriptedJudge([3])
    await preference({ against: 'baseline', criteria: 'Prefer the shorter answer.' }).score(input, directContext(judge))
    expect(judge.requests[0]!.prompt.user).toContain('Prefer the shorter answer.')
    await expect(preference({ against: 'other' }).score(input, directContext(judge))).rejects.toBeInstanceOf(
      MissingFieldError,
    )
    expect(() => preference({} as never)).toThrow(MissingFieldError)
  })
})
