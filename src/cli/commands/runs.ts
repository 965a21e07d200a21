/** `vitest-judge runs`: the invocations in the store, newest first, with their runs. */
import { runKey } from '../../report/run-key.js'
import { formatValue } from '../../report/text.js'
import type { InvocationSummary, RunSummary } from '../../store/types.js'
import { expectPositionals, parseCommandArgs, parseInteger, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { clean, eprintln, formatTime, gitLabel, type Palette, palette, println, useColor } from '../io.js'
import { State } from '../state.js'

const DEFAULT_LIMIT = 20
/** Metric means shown per run in the text listing. */
const METRICS_SHOWN = 3

/** `vitest-judge runs [--limit N] [--experiment NAME] [--json]`. */
export const runsCommand: Command = {
  summary: 'lists invocations and runs, newest first',
  usage: `Usage: vitest-judge runs [--limit N] [--experiment NAME] [--json] [--dir PATH]

Lists the invocations (one vitest process each), newest first, with their runs (one per test
file): cases and passes, metric means, status (running, complete, interrupted), tags and git
branch@commit. Reads runs.db read-only: safe while vitest is writing.

Options:
  --limit N           how many invocations (default ${DEFAULT_LIMIT})
  --experiment NAME   only the invocations of this experiment
  --json              a JSON list of invocations, each with its \`runs\` (summaries: no cases)
  --dir PATH          state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('runs', args, {
      limit: { type: 'string' },
      experiment: { type: 'string' },
      json: { type: 'boolean' },
    })
    expectPositionals('runs', positionals, 0, 0, '[--limit N] [--json]')
    const limit = values.limit === undefined ? DEFAULT_LIMIT : parseInteger(values.limit, '--limit')
    const state = new State(io, resolveStateDir(io, values.dir), values.store)
    try {
      const store = await state.runs()
      const options = values.experiment === undefined ? {} : { experiment: values.experiment }
      const found = await store.listInvocations({ ...options, limit: limit + 1 })
      const invocations = found.slice(0, limit)
      if (values.json) {
        println(io, JSON.stringify(invocations, null, 2))
        return EXIT.ok
      }
      const spooled = state.spoolNote()
      if (spooled !== undefined) eprintln(io, spooled)
      if (invocations.length === 0) {
        const which =
          values.experiment === undefined ? 'No runs' : `No runs of experiment "${clean(values.experiment)}"`
        println(io, `${which} recorded in ${state.runsFile} yet: run vitest first, or pass --dir.`)
        return EXIT.ok
      }
      println(io, renderRuns(invocations, palette(useColor(io))))
      if (found.length > limit) println(io, `… more invocations: pass --limit ${limit * 2} to see more.`)
      return EXIT.ok
    } finally {
      await state.close()
    }
  },
}

/** The text listing of `runs`: one header line per invocation, one line per run. */
export function renderRuns(invocations: readonly InvocationSummary[], p: Palette): string {
  const experiments = new Set(invocations.map((inv) => inv.experiment))
  const lines: string[] = []
  for (const inv of invocations) {
    const status =
      inv.status === 'complete'
        ? p.green('✓ complete')
        : inv.status === 'running'
          ? p.yellow('… running')
          : p.red('✗ interrupted')
    const bits = [p.bold(inv.id), formatTime(inv.startedAt), status, gitLabel(inv.git)]
    if (experiments.size > 1) bits.push(`experiment ${clean(inv.experiment, 40)}`)
    if (inv.tags.length > 0) bits.push(p.cyan(inv.tags.map((tag) => `tag:${clean(tag, 40)}`).join(' ')))
    lines.push(bits.join('  '))
    if (inv.runs.length === 0) lines.push(p.dim('    (no run saved yet)'))
    const width = Math.min(60, Math.max(...inv.runs.map((run) => clean(runKey(run), 200).length)))
    for (const run of inv.runs) lines.push(`    ${runLine(run, width, p)}`)
    lines.push('')
  }
  return lines.join('\n').trimEnd()
}

function runLine(run: RunSummary, width: number, p: Palette): string {
  const file = clean(runKey(run), width).padEnd(width)
  const passed = `${run.passed}/${run.caseCount} passed`.padStart(16)
  const facts: string[] = [run.passed < run.caseCount ? p.red(passed) : passed]
  if (run.judgeErrors > 0) facts.push(p.yellow(`${run.judgeErrors} judge errors`))
  if (run.status === 'interrupted') facts.push(p.red('interrupted'))
  const metrics = Object.entries(run.aggregates).filter(([, a]) => a.n > 0)
  const shown = metrics.slice(0, METRICS_SHOWN).map(([name, a]) => `${clean(name, 40)} ${formatValue(a.mean)}`)
  if (metrics.length > METRICS_SHOWN) shown.push(p.dim(`+${metrics.length - METRICS_SHOWN} more`))
  if (shown.length > 0) facts.push(shown.join(' · '))
  return `${file}  ${facts.join('  ')}`
}
