/**
 * `useVariant`: tags a running test with a variant, so that its matcher calls are recorded in that
 * variant's run, as `describeEval` variants are. For `test.for(variants)` loops.
 */
import { ConfigError } from '../errors.js'
import { type CaseMeta, emptyCaseMeta, META_KEY } from '../report/case-meta.js'
import { resolveVariants, type VariantValue } from './variants.js'

/** The part of Vitest's test context `useVariant` needs. */
export interface VariantTestContext {
  task: { meta: object }
}

/**
 * Records the test of `context` (and every matcher call in it) under variant `name`: its run is
 * `<file> [<name>]`, with `value`'s fields merged into the run's params. The test's own context is
 * required (not a "current test" lookup), because concurrent tests interleave. Name the test
 * `[name] ...` (e.g. `test.for(rows)('[%s] capital', ...)`) so that its cases match across variants.
 * Throws a `ConfigError` without a test context, or for a name or value `describeEval` would refuse.
 */
export function useVariant(context: VariantTestContext, name: string, value: VariantValue = null): void {
  const meta = (context as Partial<VariantTestContext> | undefined)?.task?.meta
  if (!meta || typeof meta !== 'object') {
    throw new ConfigError(
      "useVariant(context, name) needs the test's context as its first argument, e.g. " +
        "test.for(rows)('[%s] capital', ([name], context) => { useVariant(context, name) }).",
    )
  }
  const [variant] = resolveVariants('', { [name]: value }, `useVariant(${JSON.stringify(String(name)).slice(0, 80)})`)
  if (!variant) return
  const record = ((meta as Record<string, unknown>)[META_KEY] as CaseMeta | undefined) ?? emptyCaseMeta()
  ;(meta as Record<string, unknown>)[META_KEY] = record
  record.variant = variant.name
  record.variantParams = variant.params
}
