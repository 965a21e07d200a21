import { describe, expect, test } from 'vitest'
import { ConfigError } from '../../src/errors.js'
import { local } from '../../src/judges/local-judge.js'
import { useVariant } from '../../src/runtime/use-variant.js'
import { resolveVariants } from '../../src/runtime/variants.js'

describe('resolveVariants', () => {
  test('a record: names, values, params with scalars kept and other plain values as JSON', () => {
    const resolved = resolveVariants('s', {
      mini: { model: 'gpt-4.1-mini' },
      flash: { model: 'gemini-2.5-flash', temperature: 0.2, stop: ['\n'], nested: { a: 1 } },
    })
    expect(resolved.map((v) => v.name)).toEqual(['mini', 'flash'])
    expect(resolved[1]?.value).toEqual({ model: 'gemini-2.5-flash', temperature: 0.2, stop: ['\n'], nested: { a: 1 } })
    expect(resolved[1]?.params).toEqual({
      variant: 'flash',
      model: 'gemini-2.5-flash',
      temperature: 0.2,
      stop: '["\\n"]',
      nested: '{"a":1}',
    })
  })

  test('an array of { name, ... }: the element is the value, name not repeated in params', () => {
    const resolved = resolveVariants('s', [
      { name: 'a', prompt: 'v1' },
      { name: 'b', prompt: 'v2' },
    ])
    expect(resolved[0]?.value).toEqual({ name: 'a', prompt: 'v1' })
    expect(resolved[0]?.params).toEqual({ variant: 'a', prompt: 'v1' })
  })

  test('scalar values are kept as `value`; a judge field is the variant judge, a Judge object recorded by name', () => {
    expect(resolveVariants('s', { short: 'Answer briefly.' })[0]?.params).toEqual({
      variant: 'short',
      value: 'Answer briefly.',
    })
    const judge = local()
    const [spec, object] = resolveVariants('s', { a: { judge: 'openai:gpt-4.1' }, b: { judge } })
    expect(spec?.judge).toBe('openai:gpt-4.1')
    expect(spec?.params).toEqual({ variant: 'a', judge: 'openai:gpt-4.1' })
    expect(object?.judge).toBe(judge)
    expect(object?.params.judge).toBe(judge.name)
  })

  test.each([
    [{}, /`variants` is empty/],
    [[], /`variants` is empty/],
    [{ '': 1 }, /needs a non-empty name/],
    [[{ name: '  ' }], /needs a non-empty name/],
    [[{ model: 'x' }], /needs a non-empty name \(a string\), got undefined/],
    [[{ name: 'a' }, { name: 'a' }], /"a" is used twice/],
    [{ 'a]b': 1 }, /may not hold brackets/],
    [{ 'a\nb': 1 }, /may not hold brackets, control characters/],
    [{ 'a\u001b[31m': 1 }, /may not hold brackets, control characters/],
    [{ a: () => 1 }, /`variants`\.a is not a plain value \(a function\)/],
    [{ a: { when: new Date(0) } }, /`variants`\.a\.when is not a plain value \(a Date object\)/],
    [{ a: { list: [1, new Map()] } }, /\.a\.list\[1\] is not a plain value \(a Map object\)/],
    [{ a: { x: Number.NaN } }, /\.a\.x is not a plain value \(NaN\)/],
    [{ a: undefined }, /`variants`\.a is not a plain value \(undefined\)/],
    [{ a: { judge: 42 } }, /`variants`\.a\.judge must be a judge spec/],
    ['gpt', /must be a record of named values/],
    [[1], /`variants`\[0\] must be an object with a `name`/],
  ])('%j is refused: %s', (variants, message) => {
    const call = () => resolveVariants('suite', variants as never)
    expect(call).toThrow(ConfigError)
    expect(call).toThrow(message)
  })
})

describe('useVariant', () => {
  test('tags the test of the given context, merging the value into its params', () => {
    const context = { task: { meta: {} as Record<string, unknown> } }
    useVariant(context, 'flash', { model: 'gemini-2.5-flash' })
    expect(context.task.meta.vitestJudge).toMatchObject({
      variant: 'flash',
      variantParams: { variant: 'flash', model: 'gemini-2.5-flash' },
    })
  })

  test('without a test context, or with a bad name or value, it throws a ConfigError saying what to do', () => {
    expect(() => useVariant(undefined as never, 'a')).toThrow(/needs the test's context as its first argument/)
    expect(() => useVariant({ task: { meta: {} } }, '[a]')).toThrow(/may not hold brackets/)
    expect(() => useVariant({ task: { meta: {} } }, 'a', { when: new Date(0) } as never)).toThrow(
      /useVariant\("a"\)\.a\.when is not a plain value \(a Date object\)/,
    )
  })
})
