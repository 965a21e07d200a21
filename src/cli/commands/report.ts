/** `vitest-judge report [SELECTOR...] --out FILE`: the self-contained HTML report of stored invocations or report files. */

import { UsageError } from '../../errors.js'
import { expectPositionals, parseCommandArgs, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { buildPage } from '../html-page.js'
import { println, writeOutput } from '../io.js'
import { SELECTOR_HELP, State } from '../state.js'

/** `vitest-judge report [SELECTOR...] [--out FILE]`. */
export const reportCommand: Command = {
  summary: 'writes the self-contained HTML report of invocations or report files',
  usage: `Usage: vitest-judge report [SELECTOR...] [--out FILE] [--dir PATH] [--store URL]

Writes the HTML report (the page the reporter writes as report.html): overview, trends of the
experiment (the last 50 invocations in the store), distributions, every case with filters, search
and the baseline's output beside it, a Compare view of all the invocations given, and a Variants
view when the first ran describeEval suites with variants (each variant's mean, interval, pass rate,
the paired tests between variants, and the cases side by side).

The first selector is the invocation shown (default: latest); the second, when given, is its
baseline (default: the previous invocation of its experiment, for an invocation of the store).
Every selector given is lined up in the Compare view.

${SELECTOR_HELP}

Options:
  --out FILE   the HTML file to write (default: report.html in the current folder)
  --dir PATH   state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
  --store URL  a shared run store, postgres://... (default: VITEST_JUDGE_STORE_URL, else <dir>/runs.db)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('report', args, { out: { type: 'string' } })
    expectPositionals('report', positionals, 0, 20, '[SELECTOR...]')
    // The page's data is redacted before it is encoded: the file is written as it is (no `-`: standard
    // output is redacted as text, which could touch the encoded data).
    if (values.out === '-') throw new UsageError('`report` writes a file: pass --out FILE (not -).')
    const state = new State(io, resolveStateDir(io, values.dir), values.store)
    try {
      const html = await buildPage(state, positionals.length > 0 ? positionals : ['latest'])
      const written = writeOutput(io, values.out ?? 'report.html', html, { redacted: true })
      if (written !== null) println(io, `Wrote the HTML report to ${written}.`)
      return EXIT.ok
    } finally {
      await state.close()
    }
  },
}
