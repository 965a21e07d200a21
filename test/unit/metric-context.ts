/** A MetricContext for unit tests: grades straight through a judge (no cache, no limiter), recording requests. */
import type { GradeRequest, Judge, Verdict } from '../../src/judges/types.js'
import type { MetricContext } from '../../src/metrics/types.js'

/** A context whose `grade` calls the judge and remembers every request. */
export function directContext(judge: Judge, trial = 0): MetricContext & { requests: GradeRequest[] } {
  const requests: GradeRequest[] = []
  return {
    judge,
    trial,
    requests,
    async grade(j: Judge, request: GradeRequest) {
      requests.push(request)
      const verdict = await j.grade(request)
      return { ...verdict, cached: false }
    },
    async embed() {
      throw new Error('not used')
    },
  }
}

/** A judge (the public `Judge` interface) that answers with the scores given, in order, and records requests. */
export function scriptedJudge(scores: number[]): Judge & { requests: GradeRequest[] } {
  const requests: GradeRequest[] = []
  let next = 0
  return {
    name: 'scripted',
    cacheIdentity: { kind: 'scripted' },
    requests,
    async grade(request: GradeRequest): Promise<Verdict> {
      requests.push(request)
      const score = scores[next++ % scores.length] ?? 3
      return { score, justification: `scripted ${score}` }
    },
  }
}
