/**
 * The reporter on its own, for users who list reporters by hand:
 * `reporters: ['default', 'vitest-judge/reporter']`. The plugin adds it already.
 */
import { JudgeReporter } from './reporter/judge-reporter.js'

export { JudgeReporter }
export default JudgeReporter
