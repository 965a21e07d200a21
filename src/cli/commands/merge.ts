/** `vitest-judge merge <report.json...> --out FILE`: one report from the reports of sharded runs. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { SelectorError, UsageError } from '../../errors.js'
import { mergeReports, parseReport } from '../../report/json.js'
import type { JsonReport } from '../../report/types.js'
import { parseCommandArgs } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { type CliIo, clean, displayPath, println, writeOutput } from '../io.js'

/** `vitest-judge merge <report.json...> --out FILE`. */
export const mergeCommand: Command = {
  summary: 'merges the JSON reports of sharded runs (`vitest --shard`) into one',
  usage: `Usage: vitest-judge merge <report.json...> --out FILE

Merges the JSON reports of sharded runs (\`vitest --shard=1/3\` ...) into the report of one
invocation: every file of every shard, a file found in several shards with its cases merged and
its aggregates recomputed and its judge cost summed. The invocation's cost is that of the merged
runs, without the budget (each shard counted its own). The comparison is dropped: run
\`vitest-judge compare --head FILE\`.

Options:
  --out FILE   where to write the merged report (\`-\` for standard output)
`,
  run(args, io) {
    const { values, positionals } = parseCommandArgs('merge', args, { out: { type: 'string' } })
    if (positionals.length === 0) {
      throw new UsageError('`vitest-judge merge` needs the JSON reports to merge: merge <report.json...> --out FILE.')
    }
    if (values.out === undefined || values.out === '') {
      throw new UsageError('`vitest-judge merge` needs --out FILE (or --out - for standard output).')
    }
    const reports = positionals.map((path) => readReport(io, path))
    const merged = mergeReports(reports)
    const written = writeOutput(io, values.out, `${JSON.stringify(merged, null, 2)}\n`)
    if (written !== null) {
      const cases = merged.runs.reduce((sum, run) => sum + run.cases.length, 0)
      println(
        io,
        `Merged ${reports.length} reports into invocation ${clean(merged.invocation.id, 60)} ` +
          `(${merged.runs.length} files, ${cases} cases) in ${written}.`,
      )
    }
    return EXIT.ok
  },
}

function readReport(io: CliIo, path: string): JsonReport {
  const absolute = resolve(io.cwd, path)
  const shown = displayPath(io, absolute)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(error))
    throw new SelectorError(`Cannot read the JSON report ${shown} (${why}).`)
  }
  return parseReport(text, shown)
}
