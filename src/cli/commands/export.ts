/** `vitest-judge export <sel> --out FILE`: the JSON report of an invocation, e.g. to keep as a baseline. */
import { UsageError } from '../../errors.js'
import { REPORT_VERSION } from '../../report/json.js'
import type { JsonReport } from '../../report/types.js'
import { expectPositionals, parseCommandArgs, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { clean, println, writeOutput } from '../io.js'
import { SELECTOR_HELP, State } from '../state.js'

/** `vitest-judge export <sel> --out FILE`. */
export const exportCommand: Command = {
  summary: 'writes the JSON report of an invocation',
  usage: `Usage: vitest-judge export <sel> --out FILE [--dir PATH]

Writes the JSON report (version ${REPORT_VERSION}) of an invocation: every run with its cases, scores
and aggregates, \`comparison\` null. The file is itself a selector: \`compare --base FILE\`. A run id
exports its whole invocation.

${SELECTOR_HELP}

Options:
  --out FILE   where to write it (\`-\` for standard output)
  --dir PATH   state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('export', args, { out: { type: 'string' } })
    expectPositionals('export', positionals, 1, 1, '<sel> --out FILE')
    if (values.out === undefined || values.out === '') {
      throw new UsageError('`vitest-judge export` needs --out FILE (or --out - for standard output).')
    }
    const state = new State(io, resolveStateDir(io, values.dir))
    try {
      const { report } = await state.select(positionals[0] ?? '')
      const exported: JsonReport = { ...report, version: REPORT_VERSION, comparison: null }
      const written = writeOutput(io, values.out, `${JSON.stringify(exported, null, 2)}\n`)
      if (written !== null) {
        const cases = exported.runs.reduce((sum, run) => sum + run.cases.length, 0)
        println(
          io,
          `Exported invocation ${clean(exported.invocation.id, 60)} (${exported.runs.length} files, ${cases} cases) to ${written}.`,
        )
      }
      return EXIT.ok
    } finally {
      await state.close()
    }
  },
}
