/** Structured output: does the output parse as JSON, and does it match a schema (zod or any Standard Schema)? */
import { ConfigError, MetricError } from '../errors.js'
import type { Metric, MetricInput, MetricValue } from './types.js'

/** The part of the Standard Schema v1 interface (standardschema.dev) that is used here. */
export interface StandardSchemaLike {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    validate(value: unknown): StandardResult | Promise<StandardResult>
  }
}

type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> }

interface StandardIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** A zod schema from before Standard Schema (zod < 3.24): only `safeParse` is used. */
export interface SafeParseSchemaLike {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: unknown }
    | { success: false; error: { issues: ReadonlyArray<{ message: string; path: ReadonlyArray<PropertyKey> }> } }
}

/** Options of `jsonValid` and `matchesSchema`. */
export interface JsonOutputOptions {
  /**
   * Accept JSON inside a fenced Markdown code block (three backticks, optionally tagged `json`) when
   * the whole output does not parse; the justification says so. @default true
   */
  fenced?: boolean
}

type Parsed = { ok: true; value: unknown; fenced: boolean } | { ok: false; reason: string }

const FENCE_RE = /```[ \t]*(?:json5?|jsonc)?[ \t]*\r?\n([\s\S]*?)\r?\n?```/i

function describeJsonError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Parses the output as JSON; with `fenced`, falls back to the first fenced code block. */
export function parseJsonOutput(output: string, fenced: boolean): Parsed {
  try {
    return { ok: true, value: JSON.parse(output), fenced: false }
  } catch (error) {
    const block = fenced ? FENCE_RE.exec(output) : null
    if (block?.[1] !== undefined) {
      try {
        return { ok: true, value: JSON.parse(block[1]), fenced: true }
      } catch (inner) {
        return { ok: false, reason: `not valid JSON in its fenced block (${describeJsonError(inner)})` }
      }
    }
    const empty = output.trim() === ''
    return { ok: false, reason: empty ? 'empty' : `not valid JSON (${describeJsonError(error)})` }
  }
}

const FENCED_NOTE = 'parsed from a fenced code block'

/** 1 when the output parses as JSON (a fenced ```json block is accepted and said), else 0 with the parse error. */
export function jsonValid(options: JsonOutputOptions = {}): Metric {
  const fenced = options.fenced ?? true
  return {
    name: 'json_valid',
    kind: 'score',
    greaterIsBetter: true,
    requires: [],
    version: 'v1',
    judged: false,
    async score(input: MetricInput): Promise<MetricValue> {
      const parsed = parseJsonOutput(input.output, fenced)
      if (!parsed.ok) return { score: 0, justification: `Output is ${parsed.reason}.` }
      return { score: 1, justification: parsed.fenced ? `Valid JSON, ${FENCED_NOTE}.` : 'Valid JSON.' }
    },
  }
}

function isStandardSchema(value: unknown): value is StandardSchemaLike {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null)?.['~standard']
  return typeof standard?.validate === 'function'
}

function isSafeParseSchema(value: unknown): value is SafeParseSchemaLike {
  return typeof (value as { safeParse?: unknown } | null)?.safeParse === 'function'
}

/** `$.items[0].price` for a Standard Schema or zod issue path. */
export function formatIssuePath(path: StandardIssue['path']): string {
  let text = '$'
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment
    if (typeof key === 'number') text += `[${key}]`
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += `.${key}`
    else text += `[${JSON.stringify(String(key))}]`
  }
  return text
}

async function validate(schema: StandardSchemaLike | SafeParseSchemaLike, value: unknown): Promise<StandardIssue[]> {
  if (isStandardSchema(schema)) {
    const result = await schema['~standard'].validate(value)
    return result.issues ? [...result.issues] : []
  }
  const result = schema.safeParse(value)
  return result.success ? [] : [...result.error.issues]
}

const SHOWN_ISSUES = 5

/**
 * 1 when the output parses as JSON and matches `schema` (a zod schema or any Standard Schema:
 * valibot, arktype, effect...), else 0; the justification names the failing paths and messages.
 * For a plain assertion without a metric, Vitest's own `expect(value).toEqual(expect.schemaMatching(schema))` fits.
 */
export function matchesSchema(
  schema: StandardSchemaLike | SafeParseSchemaLike,
  options: JsonOutputOptions = {},
): Metric {
  if (!isStandardSchema(schema) && !isSafeParseSchema(schema)) {
    throw new ConfigError(
      'matchesSchema(schema) needs a zod schema or a Standard Schema (an object with `~standard.validate`), e.g. matchesSchema(z.object({ ... })).',
    )
  }
  const fenced = options.fenced ?? true
  return {
    name: 'matches_schema',
    kind: 'score',
    greaterIsBetter: true,
    requires: [],
    version: 'v1',
    judged: false,
    async score(input: MetricInput): Promise<MetricValue> {
      const parsed = parseJsonOutput(input.output, fenced)
      if (!parsed.ok) return { score: 0, justification: `Output is ${parsed.reason}.` }
      let issues: StandardIssue[]
      try {
        issues = await validate(schema, parsed.value)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        throw new MetricError('matches_schema', `the schema's validation threw: ${message}`, { cause: error })
      }
      const note = parsed.fenced ? ` (${FENCED_NOTE})` : ''
      if (issues.length === 0) return { score: 1, justification: `Matches the schema${note}.` }
      const shown = issues.slice(0, SHOWN_ISSUES).map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`)
      const more = issues.length > SHOWN_ISSUES ? `; and ${issues.length - SHOWN_ISSUES} more` : ''
      return {
        score: 0,
        justification: `Does not match the schema${note}: ${shown.join('; ')}${more}.`,
      }
    },
  }
}
