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

/** Carried by vitest-judge's reporter objects (the plugin's and one made by hand), so that they are told apart from others. */
export const REPORTER_MARK = Symbol.for('vitest-judge.reporter')

/** Whether a reporter entry is one of vitest-judge's reporter objects. */
export function isJudgeReporter(reporter: unknown): boolean {
  return typeof reporter === 'object' && reporter !== null && REPORTER_MARK in reporter
}
