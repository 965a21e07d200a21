import { describe, expect, it } from 'vitest'
import { parseVerdict, repairMessage } from '../../src/judges/verdict.js'

describe('parseVerdict', () => {
  it.each([
    ['plain JSON', '{"score":4,"justification":"Mostly right."}', 4, 'Mostly right.'],
    ['surrounding whitespace', '\n  {"score": 1, "justification": "Wrong."}  \n', 1, 'Wrong.'],
    ['a ```json fence', '```json\n{"score":5,"justification":"Same."}\n```', 5, 'Same.'],
    ['a bare ``` fence', '```\n{"score":3,"justification":"Half."}\n```', 3, 'Half.'],
    ['a ```JSON fence on one line', '```JSON {"score":2,"justification":"Off."}```', 2, 'Off.'],
    ['extra fields', '{"score":5,"justification":"ok","confidence":0.9}', 5, 'ok'],
    ['5.0 as the score', '{"score":5.0,"justification":"ok"}', 5, 'ok'],
    ['an empty justification', '{"score":3,"justification":""}', 3, ''],
    ['a justification with a fence inside', '{"score":3,"justification":"see ```code```"}', 3, 'see ```code```'],
  ])('accepts %s', (_label, text, score, justification) => {
    expect(parseVerdict(text)).toEqual({ ok: true, score, justification })
  })

  it.each([
    ['prose', 'I think it is pretty good, maybe a 4.', 'not JSON'],
    ['JSON after prose', 'Sure! {"score":4,"justification":"ok"}', 'not JSON'],
    ['broken JSON', '{score: 4,', 'not JSON'],
    ['an empty reply', '', 'not JSON'],
    ['a score above 5', '{"score":7,"justification":"Great."}', '`score`'],
    ['a score below 1', '{"score":0,"justification":"Bad."}', '`score`'],
    ['a fractional score', '{"score":3.5,"justification":"Between."}', '`score`'],
    ['a score as a string', '{"score":"4","justification":"ok"}', '`score`'],
    ['a missing score', '{"justification":"ok"}', '`score`'],
    ['a missing justification', '{"score":4}', '`justification`'],
    ['a non-string justification', '{"score":4,"justification":["a"]}', '`justification`'],
    ['an array', '[4, "ok"]', '`reply`'],
    ['null', 'null', '`reply`'],
  ])('rejects %s and says why', (_label, text, problem) => {
    const parsed = parseVerdict(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.problem).toContain(problem)
  })

  it('keeps the problem short for a long reply', () => {
    const parsed = parseVerdict(`Here is a very long ramble. ${'blah '.repeat(2000)}`)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.problem.length).toBeLessThan(300)
  })

  it('builds a repair message that quotes the problem and restates the format', () => {
    const parsed = parseVerdict('{"score":9,"justification":"x"}')
    if (parsed.ok) throw new Error('expected a problem')
    const message = repairMessage(parsed.problem)
    expect(message).toContain(parsed.problem)
    expect(message).toContain('"score"')
    expect(message).toContain('1-5')
  })
})
