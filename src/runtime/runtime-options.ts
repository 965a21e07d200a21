/** The resolved options inside a test worker: provided by the plugin, else resolved from env. */
import { inject } from 'vitest'
import { type ResolvedVitestJudgeOptions, resolveOptions } from '../config.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Resolved vitest-judge options, provided by the plugin. */
    vitestJudge: ResolvedVitestJudgeOptions
  }
}

let cached: ResolvedVitestJudgeOptions | undefined

/** The options for this worker (memoized). */
export function runtimeOptions(): ResolvedVitestJudgeOptions {
  if (cached) return cached
  let provided: ResolvedVitestJudgeOptions | undefined
  try {
    provided = inject('vitestJudge')
  } catch {
    provided = undefined
  }
  cached = provided ?? resolveOptions({}, { root: process.cwd() })
  return cached
}
