/** `vitest-judge show <sel>`: one invocation (or one run) with its aggregates. */
import { renderConsole } from '../../report/console.js'
import { labelLines } from '../../report/labels.js'
import type { JsonReport } from '../../report/types.js'
import { expectPositionals, parseCommandArgs, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import {
  type CliIo,
  clean,
  displayPath,
  formatTime,
  gitLabel,
  outputWidth,
  type Palette,
  palette,
  println,
  useColor,
} from '../io.js'
import { fileOfRun, onlyFiles, SELECTOR_HELP, type Selection, State } from '../state.js'

/** `vitest-judge show <sel> [--json]`. */
export const showCommand: Command = {
  summary: 'one run or invocation with its aggregates',
  usage: `Usage: vitest-judge show <sel> [--json] [--dir PATH]

Shows one invocation with the aggregates of each of its runs (n, mean, variance, p90, min, max,
pass rate). A run id shows that run only.

${SELECTOR_HELP}

Options:
  --json       the JSON report of the invocation (version 1; only the selected run for a run id)
  --dir PATH   state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('show', args, { json: { type: 'boolean' } })
    expectPositionals('show', positionals, 1, 1, '<sel>')
    const state = new State(io, resolveStateDir(io, values.dir), values.store)
    try {
      const selection = await state.select(positionals[0] ?? '')
      const report =
        selection.runId === undefined
          ? selection.report
          : onlyFiles(selection.report, new Set([fileOfRun(selection.report, selection.runId)]))
      if (values.json) {
        println(io, JSON.stringify(report, null, 2))
        return EXIT.ok
      }
      const p = palette(useColor(io))
      println(io, header(io, selection, report, p))
      println(io, renderConsole(report, { color: useColor(io), width: outputWidth(io), maxFiles: 1000 }).trimEnd())
      const labels = labelLines(report)
      if (labels.length > 0) {
        println(io, `\nReview labels (${labels.length}, from \`vitest-judge ui\`):`)
        for (const line of labels) println(io, `  ${clean(line, 400)}`)
      }
      return EXIT.ok
    } finally {
      await state.close()
    }
  },
}

function header(io: CliIo, selection: Selection, report: JsonReport, p: Palette): string {
  const inv = report.invocation
  const lines: string[] = []
  const what = selection.runId === undefined ? 'invocation' : `run ${selection.runId} of invocation`
  const from = selection.origin.kind === 'file' ? p.dim(` (from ${displayPath(io, selection.origin.path)})`) : ''
  lines.push(`${what} ${p.bold(clean(inv.id, 60))}${from}`)
  const facts = [`started ${formatTime(inv.startedAt)}`]
  if (inv.endedAt) facts.push(`ended ${formatTime(inv.endedAt)}`)
  if (inv.status) facts.push(inv.status === 'complete' ? inv.status : p.yellow(inv.status))
  facts.push(`git ${gitLabel(inv.git)}`)
  if (inv.experiment) facts.push(`experiment ${clean(inv.experiment, 40)}`)
  if (inv.tags?.length) facts.push(p.cyan(inv.tags.map((tag) => `tag:${clean(tag, 40)}`).join(' ')))
  lines.push(facts.join(' · '))
  const params = Object.entries(inv.params ?? {})
  if (params.length > 0) {
    lines.push(`params ${params.map(([key, value]) => `${clean(key, 40)}=${clean(String(value), 60)}`).join(' ')}`)
  }
  return lines.join('\n')
}
