/**
 * `vitest-judge export <sel> --out FILE`: the JSON report of an invocation, e.g. to keep as a
 * baseline; `export --mlflow [URI] [SELECTOR...]` logs invocations to MLflow instead.
 */
import { UsageError } from '../../errors.js'
import { REPORT_VERSION } from '../../report/json.js'
import type { JsonReport } from '../../report/types.js'
import { expectPositionals, parseCommandArgs, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { clean, println, writeOutput } from '../io.js'
import { SELECTOR_HELP, State } from '../state.js'
import { exportToMlflow } from './export-mlflow.js'

/** `vitest-judge export <sel> --out FILE`. */
export const exportCommand: Command = {
  summary: 'writes the JSON report of an invocation, or logs invocations to MLflow (--mlflow)',
  usage: `Usage: vitest-judge export <sel> --out FILE [--dir PATH]
       vitest-judge export --mlflow [URI] [SELECTOR...] [--experiment NAME] [--dir PATH]

Writes the JSON report (version ${REPORT_VERSION}) of an invocation: every run with its cases, scores
and aggregates, \`comparison\` null. The file is itself a selector: \`compare --base FILE\`. A run id
exports its whole invocation.

${SELECTOR_HELP}

With --mlflow, logs invocations to an MLflow tracking server (URI, else MLFLOW_TRACKING_URI):
one parent run per invocation, one child run per test file, as the plugin's \`mlflow\` option does.
Without a selector, every finished invocation of the store. An invocation already in MLflow
(found by its vitest_judge.invocation_id tag) is skipped, so running it twice is safe; one left
half logged is replaced. Credentials: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and
MLFLOW_TRACKING_PASSWORD (never printed).

Options:
  --out FILE          where to write it (\`-\` for standard output)
  --mlflow            log to MLflow instead of writing a file
  --experiment NAME   MLflow experiment (default: MLFLOW_EXPERIMENT_NAME, else the invocation's experiment)
  --dir PATH          state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('export', args, {
      out: { type: 'string' },
      mlflow: { type: 'boolean' },
      experiment: { type: 'string' },
    })
    if (values.mlflow === true) {
      if (values.out !== undefined) throw new UsageError('`export --mlflow` sends to MLflow: drop --out.')
      const state = new State(io, resolveStateDir(io, values.dir))
      try {
        return await exportToMlflow(io, state, positionals, { experiment: values.experiment })
      } finally {
        await state.close()
      }
    }
    if (values.experiment !== undefined) throw new UsageError('--experiment goes with --mlflow.')
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
