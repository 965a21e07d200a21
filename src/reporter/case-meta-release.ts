/**
 * Releasing the case records Vitest would otherwise hold in the main process for the whole run.
 */
import type { TestCase } from 'vitest/node'
import { META_KEY, readCaseMeta } from '../report/case-meta.js'
import { isJudgeReporter } from './plugin-options.js'

/**
 * Vitest's reporters that never read `task.meta`. `json` and `blob` write it out at the end of the
 * run (and `--merge-reports` replays blobs through our reporter), so they are not in this list.
 */
const META_BLIND_REPORTERS = new Set([
  'default',
  'agent',
  'minimal',
  'verbose',
  'dot',
  'tap',
  'tap-flat',
  'junit',
  'tree',
  'hanging-process',
  'github-actions',
])

/**
 * Whether the records may be dropped from `task.meta`: only when every other configured reporter is
 * a built-in one that never reads it. A custom reporter (an object or a module path) may read them
 * at the end of the run, so they are kept.
 * @param reporters `vitest.config.reporters`: names, `[name, options]` tuples or reporter objects.
 * @param self this reporter, which is skipped.
 */
export function canReleaseCaseMeta(reporters: ReadonlyArray<unknown>, self: object): boolean {
  return reporters.every((entry) => {
    if (entry === self || isJudgeReporter(entry)) return true
    const name = typeof entry === 'string' ? entry : Array.isArray(entry) ? entry[0] : undefined
    if (typeof name !== 'string') return false
    return META_BLIND_REPORTERS.has(name) || name.startsWith('vitest-judge/reporter')
  })
}

/** What stands for a released record: one shared object, not a record (`readCaseMeta` skips it). */
const RELEASED = Object.freeze({ released: true })

/**
 * Replaces the tasks' vitest-judge records in `meta` once the run is saved and its report pieces
 * written: Vitest keeps every task until the run ends, and the records (texts, scores) would
 * otherwise make the main process grow with the number of cases.
 */
export function releaseCaseMeta(testCases: ReadonlyArray<TestCase>): void {
  for (const testCase of testCases) {
    const taskMeta = testCase.meta() as Record<string, unknown>
    if (readCaseMeta(taskMeta)) taskMeta[META_KEY] = RELEASED
  }
}
