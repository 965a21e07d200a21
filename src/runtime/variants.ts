/**
 * Variants of a `describeEval` suite: the named values (model, prompt, settings) the suite runs
 * once per. Checked once, before any case runs, so a bad variant fails the file's collection and
 * nothing is recorded.
 */
import { ConfigError } from '../errors.js'
import type { Judge } from '../judges/types.js'
import { stripUnsafe } from '../report/text.js'

/** A plain value a variant may hold: JSON-like data. */
export type VariantValue = string | number | boolean | null | readonly VariantValue[] | { [key: string]: unknown }

/** Variants as the user gives them: a record by name, or an array of `{ name, ...fields }`. */
export type VariantsOption<TVariant = VariantValue> =
  | Readonly<Record<string, TVariant>>
  | ReadonlyArray<{ readonly name: string } & TVariant>

/** One checked variant. */
export interface ResolvedVariant<TVariant = VariantValue> {
  name: string
  /** The value the task receives (for the array form: the element, `name` included). */
  value: TVariant
  /** The judge the variant asks for (its `judge` field), if any. */
  judge?: string | Judge
  /** The variant's fields as run params (scalars as they are, other plain values as JSON). */
  params: Record<string, string | number | boolean>
}

/** Characters a variant name may not hold: it is shown in brackets in test names and tables. */
const BAD_NAME = /[[\]\t\n\r]/

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function isJudge(value: unknown): value is Judge {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Judge).name === 'string' &&
    typeof (value as Judge).grade === 'function'
  )
}

/** The first non-plain value inside `value` and where it sits (`.a[2]`), or undefined when all is plain. */
function findNonPlain(value: unknown, path: string, depth = 0): { path: string; value: unknown } | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, value }
  if (depth > 20) return { path, value }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonPlain(value[i], `${path}[${i}]`, depth + 1)
      if (found) return found
    }
    return undefined
  }
  if (isPlainObject(value)) {
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue
      const found = findNonPlain(field, `${path}.${key}`, depth + 1)
      if (found) return found
    }
    return undefined
  }
  return { path, value }
}

function describeType(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'non-plain'} object`
  return typeof value
}

function paramsOf(name: string, value: unknown, judge: string | Judge | undefined): ResolvedVariant['params'] {
  const params: ResolvedVariant['params'] = { variant: name }
  if (isPlainObject(value)) {
    for (const [key, field] of Object.entries(value)) {
      if (key === 'name' || field === undefined) continue
      if (key === 'judge' && judge !== undefined) {
        params.judge = typeof judge === 'string' ? judge : judge.name
        continue
      }
      params[key] =
        typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean'
          ? field
          : JSON.stringify(field)
    }
  } else if (value !== null && value !== undefined) {
    params.value = typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean)
  }
  return params
}

/**
 * Checks and normalizes `variants` for the suite `suite`: names non-empty, unique, without
 * brackets or control characters; values plain (JSON-like), except a `judge` field that may be a
 * `Judge` object. Throws a `ConfigError` naming the problem.
 */
export function resolveVariants<TVariant>(
  suite: string,
  variants: VariantsOption<TVariant>,
  where = `describeEval("${suite}"): \`variants\``,
): ResolvedVariant<TVariant>[] {
  const entries: [name: unknown, value: unknown, label: string][] = []
  if (Array.isArray(variants)) {
    variants.forEach((item: unknown, i) => {
      if (!isPlainObject(item)) {
        throw new ConfigError(
          `${where}[${i}] must be an object with a \`name\`, e.g. { name: 'flash', model: 'gemini-2.5-flash' }; got ${describeType(item)}.`,
        )
      }
      entries.push([item.name, item, `[${i}]`])
    })
  } else if (isPlainObject(variants)) {
    for (const [name, value] of Object.entries(variants)) entries.push([name, value, `.${name}`])
  } else {
    throw new ConfigError(
      `${where} must be a record of named values ({ mini: { model: 'gpt-4.1-mini' } }) or an array of { name, ... }; got ${describeType(variants)}.`,
    )
  }
  if (entries.length === 0) {
    throw new ConfigError(`${where} is empty: give at least one variant, or leave the option out.`)
  }
  const seen = new Set<string>()
  return entries.map(([name, value, label]) => {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ConfigError(
        `${where}${label}: a variant needs a non-empty name (a string), got ${typeof name === 'string' ? JSON.stringify(name) : describeType(name)}.`,
      )
    }
    if (BAD_NAME.test(name) || stripUnsafe(name) !== name || name !== name.trim()) {
      throw new ConfigError(
        `${where}: the variant name ${JSON.stringify(name)} cannot be used: names are shown as [name] in test names, so they may not hold brackets, control characters or surrounding spaces.`,
      )
    }
    if (seen.has(name)) {
      throw new ConfigError(`${where}: the variant name "${name}" is used twice; every variant needs its own name.`)
    }
    seen.add(name)
    const judgeField = isPlainObject(value) ? value.judge : undefined
    if (judgeField !== undefined && typeof judgeField !== 'string' && !isJudge(judgeField)) {
      throw new ConfigError(
        `${where}${label}.judge must be a judge spec like 'openai:gpt-4.1' or a Judge object; got ${describeType(judgeField)}.`,
      )
    }
    const judge = judgeField as string | Judge | undefined
    const checked = isPlainObject(value) && judge !== undefined ? { ...value, judge: null } : value
    const bad = findNonPlain(checked, '')
    if (bad) {
      throw new ConfigError(
        `${where}${label}${bad.path} is not a plain value (${describeType(bad.value)}): a variant holds strings, numbers, booleans, null, arrays and plain objects, so that it can be recorded with the run.`,
      )
    }
    return {
      name,
      value: value as TVariant,
      ...(judge !== undefined ? { judge } : {}),
      params: paramsOf(name, value, judge),
    }
  })
}
