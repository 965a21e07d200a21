/** `vitest-judge labels export [--format jsonl|csv] [--out FILE]`: the review labels given in `vitest-judge ui`. */
import { UsageError } from '../../errors.js'
import { formatLabels } from '../../report/labels.js'
import { parseChoice, parseCommandArgs, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { eprintln, writeOutput } from '../io.js'
import { State } from '../state.js'

/** `vitest-judge labels export`. */
export const labelsCommand: Command = {
  summary: 'exports the review labels given in `vitest-judge ui` (`labels export [--format jsonl|csv]`)',
  usage: `Usage: vitest-judge labels export [--format jsonl|csv] [--file RUNKEY] [--out FILE] [--dir PATH] [--store URL]

Writes the current review labels (one per case and metric: a new label replaces the reviewer's
earlier one) given in \`vitest-judge ui\`, one row each with the columns case, file, metric, grade,
reviewer, comment, at. A grade is 1-5 on a judged metric's rubric, or 1 (pass) / 0 (fail); empty
for a comment alone. CSV cells that start with = + - @ are prefixed with ' so that a spreadsheet
does not run them as formulas.

Options:
  --format F    jsonl (default: one JSON object per line) or csv (with a header line)
  --file KEY    only the labels of one run key (a test file, or "<file> [<variant>]")
  --out FILE    write to FILE instead of standard output
  --dir PATH    state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
  --store URL   a shared run store, postgres://... (default: VITEST_JUDGE_STORE_URL, else <dir>/runs.db)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('labels', args, {
      format: { type: 'string' },
      file: { type: 'string' },
      out: { type: 'string' },
    })
    const [action, extra] = positionals
    if (action !== 'export') {
      throw new UsageError(
        action === undefined
          ? 'labels needs an action: `vitest-judge labels export [--format jsonl|csv]`.'
          : `Unknown labels action "${action}": the action is export. See \`vitest-judge labels --help\`.`,
      )
    }
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}". See \`vitest-judge labels --help\`.`)
    const format = values.format === undefined ? 'jsonl' : parseChoice(values.format, '--format', ['jsonl', 'csv'])
    const state = new State(io, resolveStateDir(io, values.dir), values.store)
    try {
      const store = await state.runs()
      const labels = await store.listLabels(values.file === undefined ? {} : { file: values.file })
      const text = formatLabels(labels, format)
      const written = writeOutput(io, values.out ?? '-', format === 'csv' || labels.length > 0 ? text : '')
      if (labels.length === 0) {
        eprintln(io, `No review labels in ${state.runsFile} yet: give some in \`vitest-judge ui\`.`)
      } else if (written !== null) {
        eprintln(io, `Wrote ${labels.length} ${labels.length === 1 ? 'label' : 'labels'} to ${written}.`)
      }
      return EXIT.ok
    } finally {
      await state.close()
    }
  },
}
