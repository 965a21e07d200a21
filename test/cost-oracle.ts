/**
 * The tests' own reckoning of an invocation's cost: every run's per-judge tallies added up and priced
 * afresh with `pricing`. The code computes it one way (`recordedCost`, at the prices the runs
 * recorded); where the runs were priced with the same `pricing`, both must agree.
 */
import { costSummary, mergeTallies } from '../src/report/cost.js'
import type { CostSummary, JudgeCallTally } from '../src/report/types.js'

/** The runs' tallies priced with `pricing` (the built-in table when absent); undefined without judge calls. */
export function pricedAfresh(
  runs: ReadonlyArray<{ cost?: CostSummary }>,
  pricing?: Record<string, { input: number; output: number }>,
): CostSummary | undefined {
  const tallies: Record<string, JudgeCallTally> = {}
  for (const run of runs) {
    const byJudge: Record<string, JudgeCallTally> = {}
    for (const [judge, c] of Object.entries(run.cost?.byJudge ?? {})) {
      const { calls, input, output, cached, cachedInput, cachedOutput } = c
      byJudge[judge] = { calls, input, output, cached, cachedInput, cachedOutput }
    }
    mergeTallies(tallies, byJudge)
  }
  return costSummary(tallies, pricing)
}
