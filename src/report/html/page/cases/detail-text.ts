/** Text lines of the case detail (pure: unit-tested in Node). */
import { meanConfidenceInterval } from '../../../statistics.js'
import { formatValue } from '../../../text.js'
import type { CaseItem } from '../data.js'

/** The facts line: pass, file, latency, duration, tokens, judge errors, retries. */
export function caseFacts(item: CaseItem): string {
  const c = item.c
  const facts = [c.pass ? 'passed' : 'failed', `file ${item.file}`]
  if (c.latencyMs !== undefined) facts.push(`latency ${formatValue(c.latencyMs)} ms`)
  if (c.durationMs !== undefined) facts.push(`test ${formatValue(c.durationMs)} ms`)
  if (c.tokens) facts.push(`tokens ${c.tokens.input} in / ${c.tokens.output} out`)
  if (c.judgeErrors) facts.push(`${c.judgeErrors} judge errors`)
  if (c.retries) facts.push(`${c.retries} retries`)
  // A replayed app call made no request: its recorded latency is shown apart, its tokens as saved.
  const app = c.appCache
  if (app && app.replayed > 0) {
    facts.push(
      `app cache: ${app.replayed} ${app.replayed === 1 ? 'call' : 'calls'} replayed (recorded latency ` +
        `${formatValue(app.replayedLatencyMs)} ms, not this run's; ${app.savedTokens.input} in / ${app.savedTokens.output} out tokens saved)`,
    )
  }
  if (app && app.misses > 0) facts.push(`${app.misses} replay misses`)
  return facts.join(' · ')
}

/** `0.800, 0.900, 1.000 [0.651, 1.000]`: a metric's trials with their 95% Student t interval. */
export function trialsText(trials: readonly number[] | undefined, kind: 'score' | 'measurement' | undefined): string {
  if (!trials) return ''
  const ci = meanConfidenceInterval(trials, 0.95, kind === 'measurement' ? undefined : [0, 1])
  return `${trials.map(formatValue).join(', ')}${ci ? ` [${formatValue(ci[0])}, ${formatValue(ci[1])}]` : ''}`
}
