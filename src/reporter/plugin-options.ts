/**
 * The plugin's resolved options, for a reporter the user listed by hand
 * (`reporters: ['default', 'vitest-judge/reporter']`): Vitest creates that one without options.
 */
import type { ResolvedVitestJudgeOptions } from '../config.js'

const KEY = Symbol.for('vitest-judge.plugin-options')

/** Records the plugin's options for this process. */
export function setPluginOptions(options: ResolvedVitestJudgeOptions): void {
  ;(globalThis as Record<symbol, unknown>)[KEY] = options
}

/** The plugin's options, when the plugin ran in this process. */
export function getPluginOptions(): ResolvedVitestJudgeOptions | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as ResolvedVitestJudgeOptions | undefined
}
