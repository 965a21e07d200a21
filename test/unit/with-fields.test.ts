import { describe, expect, it } from 'vitest'
import { withFields } from '../../src/with-fields.js'

describe('withFields', () => {
  it('copies like { ...base, ...fields }: same keys, same order, fields win, base untouched', () => {
    const base = { score: null as number | null, kind: 'score', version: 'v1', threshold: 0.5 }
    const made = withFields(base, { score: 0.8, raw: 4, pass: true })
    expect(made).toEqual({ ...base, ...{ score: 0.8, raw: 4, pass: true } })
    expect(Object.keys(made)).toEqual(['score', 'kind', 'version', 'threshold', 'raw', 'pass'])
    expect(JSON.stringify(made)).toBe('{"score":0.8,"kind":"score","version":"v1","threshold":0.5,"raw":4,"pass":true}')
    expect(base.score).toBeNull()
    expect(made).not.toBe(base)
  })

  it('keeps a parsed "__proto__" key a plain property: the copy keeps its prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "input": "x"}') as Record<string, unknown>
    const made = withFields(hostile, { case: 1 }) as Record<string, unknown>
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype)
    expect(made.polluted).toBeUndefined()
    expect(Object.hasOwn(made, '__proto__')).toBe(true)
    expect(made.input).toBe('x')
    expect(made.case).toBe(1)
  })
})
