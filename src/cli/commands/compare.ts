/** `vitest-judge compare`: a run against a baseline, as text, markdown or JSON, optionally as a CI gate. */

import { DEFAULT_ALPHA } from '../../defaults.js'
import { NoInvocationYetError, SelectorError, UsageError } from '../../errors.js'
import { compareReports, evaluateGate, type GateFailure } from '../../report/compare.js'
import { renderConsole } from '../../report/console.js'
import { renderMarkdown } from '../../report/markdown.js'
import type { JsonReport } from '../../report/types.js'
import type { ResolveOptions } from '../../store/selectors.js'
import { parseChoice, parseCommandArgs, parseMeasurements, parseNumber, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { type CliIo, clean, eprintln, outputWidth, println, useColor, writeOutput } from '../io.js'
import { fileOfRun, onlyFiles, SELECTOR_HELP, type Selection, State } from '../state.js'
import { compareMany } from './compare-many.js'

const FORMATS = ['text', 'markdown', 'json'] as const
const DEFAULT_MAX_DROP = 0

/** `vitest-judge compare [--base <sel>] [--head <sel>] [--format ...] [--out FILE] [--fail-on-regression] ...`. */
export const compareCommand: Command = {
  summary: 'compares two runs; head defaults to `latest`, base to `previous`; `compare A B C ...` side by side',
  usage: `Usage: vitest-judge compare [--base <sel>] [--head <sel>] [--format text|markdown|json] [--out FILE]
                            [--fail-on-regression] [--max-drop X] [--alpha A]
                            [--measurements M=X,...] [--allow-no-base] [--dir PATH] [--store URL]
       vitest-judge compare A B [C ...] [--by params.NAME] [--cases] [--format text|markdown|json]
                            [--out FILE] [--alpha A] [--dir PATH]

Compares the head invocation with a baseline, file by file and metric by metric: means, delta,
significance (paired sign-flip test over the cases matched by name, else an unpaired permutation
test; p two-sided), the gate's one-sided p-value (each metric's worse direction) adjusted by
Tarone's procedure with Holm's step-down over every (file, metric) test of the family (score
metrics and the --measurements; tests too few cases changed for to reach alpha/K are left out of
the count K), and the most regressed cases.

${SELECTOR_HELP}

Options:
  --head <sel>           the run to judge (default: latest)
  --base <sel>           the baseline (default: previous, the newest complete invocation of the
                         same experiment before head; for a head report that is not in the store,
                         the newest complete invocation)
  --format FORMAT        text (default), markdown (for a PR comment) or json (the head report with
                         \`comparison\` filled in)
  --out FILE             write the output to FILE instead of standard output
  --fail-on-regression   exit 1 when a score metric's mean dropped by more than --max-drop, or a
                         measurement named in --measurements got worse by more than its limit, and
                         the one-sided change is significant at --alpha after the Tarone-Holm
                         correction; the failures
                         are printed to standard error
  --max-drop X           largest tolerated drop of a score's mean, on the 0..1 scale (default
                         ${DEFAULT_MAX_DROP}: any significant drop fails); never applied to measurements
  --alpha A              family-wise significance level, between 0 and 1 (default ${DEFAULT_ALPHA})
  --measurements M=X,... measurements to gate, each with the largest tolerated worsening of its mean
                         as a fraction of the baseline mean, e.g. latency=0.5,token_count=0.2
                         (default: none; other measurements are shown, never gated)
  --allow-no-base        when the baseline is \`previous\` or \`branch:NAME\` and no complete
                         invocation exists yet (a first run, a branch never run), print the head
                         alone (json: \`comparison\` null), say so on standard error and exit 0;
                         any other selector error still exits 2
  --dir PATH             state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
  --store URL            a shared run store, postgres://... (default: VITEST_JUDGE_STORE_URL, else
                         <dir>/runs.db)

With two or more selectors (A B C ...), prints them side by side instead: per test file they share,
one matrix with metrics as rows and the selections as columns (mean, 95% interval, pass rate, task
tokens and latency, judge tokens); a column is marked best only when it beats every other one by
the paired sign-flip test on matched cases, Holm-adjusted at --alpha, otherwise the tie is said.
  --by params.NAME       label the columns by a param (e.g. --by params.model) instead of the
                         invocation (tag, branch@commit, id)
  --cases                also list the most divergent cases with every column's score and output

Exit codes: 0 fine, 1 a regression under --fail-on-regression, 2 bad usage or input (also: one
selector, or selections that share no test file).
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('compare', args, {
      base: { type: 'string' },
      head: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'fail-on-regression': { type: 'boolean' },
      'max-drop': { type: 'string' },
      alpha: { type: 'string' },
      by: { type: 'string' },
      cases: { type: 'boolean' },
      measurements: { type: 'string' },
      'allow-no-base': { type: 'boolean' },
    })
    const format = values.format === undefined ? 'text' : parseChoice(values.format, '--format', FORMATS)
    const alpha =
      values.alpha === undefined
        ? DEFAULT_ALPHA
        : parseNumber(values.alpha, '--alpha', { min: 0, max: 1, exclusive: true })
    if (positionals.length > 0) {
      const mixed = ['base', 'head', 'fail-on-regression', 'max-drop', 'measurements', 'allow-no-base'].find(
        (flag) => values[flag as 'base'] !== undefined,
      )
      if (mixed) {
        throw new UsageError(
          `--${mixed} belongs to the two-run form (compare --base <sel> --head <sel>); with selectors A B C ... ` +
            'the runs are compared side by side. See `vitest-judge compare --help`.',
        )
      }
      const state = new State(io, resolveStateDir(io, values.dir), values.store)
      try {
        return await compareMany(
          state,
          positionals,
          {
            format,
            alpha,
            cases: values.cases === true,
            ...(values.by !== undefined ? { by: values.by } : {}),
            ...(values.out !== undefined ? { out: values.out } : {}),
          },
          io,
        )
      } finally {
        await state.close()
      }
    }
    for (const flag of ['by', 'cases'] as const) {
      if (values[flag] !== undefined) {
        throw new UsageError(
          `--${flag} belongs to the side-by-side form: vitest-judge compare A B [C ...] --${flag}${flag === 'by' ? ' params.NAME' : ''}.`,
        )
      }
    }
    const maxDrop =
      values['max-drop'] === undefined ? DEFAULT_MAX_DROP : parseNumber(values['max-drop'], '--max-drop', { min: 0 })
    const measurements = parseMeasurements(values.measurements ?? '')
    const state = new State(io, resolveStateDir(io, values.dir), values.store)
    try {
      const head = await state.select(values.head ?? 'latest')
      let base: Selection | null
      try {
        base = await selectBase(state, values.base, head)
      } catch (error) {
        if (!(values['allow-no-base'] && error instanceof NoInvocationYetError)) throw error
        eprintln(io, `vitest-judge compare: no baseline yet, nothing compared: ${error.message}`)
        base = null
      }
      const [baseReport, headReport] = base ? narrow(base, head) : [null, head.report]
      const comparison = baseReport ? compareReports(baseReport, headReport, { alpha, measurements }) : null
      const report: JsonReport = { ...headReport, comparison }
      const gateFailures =
        values['fail-on-regression'] && comparison
          ? evaluateGate(comparison, report, { maxDrop, alpha, minMean: {}, measurements })
          : []
      const notes = base
        ? notesFor(base, head)
        : [`No baseline to compare with (${values.base ?? 'previous'}): no complete invocation yet.`]
      const toFile = values.out !== undefined && values.out !== '-'
      const text =
        format === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : format === 'markdown'
            ? renderMarkdown(report, { gateFailures, notes })
            : `${renderConsole(report, {
                color: !toFile && useColor(io),
                width: outputWidth(io),
                gateFailures,
                notes,
              }).trimEnd()}\n`
      if (values.out === undefined) io.stdout(text)
      else {
        const written = writeOutput(io, values.out, text)
        if (written !== null) println(io, `Wrote the ${format} comparison to ${written}.`)
      }
      return reportGate(io, gateFailures, { maxDrop, alpha })
    } finally {
      await state.close()
    }
  },
}

async function selectBase(state: State, selector: string | undefined, head: Selection): Promise<Selection> {
  const sel = selector ?? 'previous'
  const options: ResolveOptions = {}
  // `previous` and `branch:` are relative to head: never head itself, nor anything newer.
  if (sel === 'previous' || sel.startsWith('branch:')) {
    options.before = head.report.invocation.id
    if (head.report.invocation.experiment !== undefined) options.experiment = head.report.invocation.experiment
  }
  try {
    return await state.select(sel, options)
  } catch (error) {
    if (selector === undefined && error instanceof SelectorError) {
      const Kind = error instanceof NoInvocationYetError ? NoInvocationYetError : SelectorError
      throw new Kind(`${error.message} Pass --base <sel> to choose the baseline.`)
    }
    throw error
  }
}

/** Both reports reduced to the files of the runs the selectors named, when one named a run. */
function narrow(base: Selection, head: Selection): [JsonReport, JsonReport] {
  const files = new Set<string>()
  if (base.runId !== undefined) files.add(fileOfRun(base.report, base.runId))
  if (head.runId !== undefined) files.add(fileOfRun(head.report, head.runId))
  if (files.size === 0) return [base.report, head.report]
  return [onlyFiles(base.report, files), onlyFiles(head.report, files)]
}

function notesFor(base: Selection, head: Selection): string[] {
  const notes: string[] = []
  if (base.report.invocation.id === head.report.invocation.id) {
    notes.push(`The baseline and the head are the same invocation (${clean(head.report.invocation.id, 40)}).`)
  }
  for (const [side, selection] of [
    ['head', head],
    ['baseline', base],
  ] as const) {
    const status = selection.report.invocation.status
    if (status === 'running' || status === 'interrupted') {
      notes.push(`The ${side} invocation is ${status}: some of its files may be missing.`)
    }
  }
  return notes
}

function reportGate(io: CliIo, failures: readonly GateFailure[], gate: { maxDrop: number; alpha: number }): number {
  if (failures.length === 0) return EXIT.ok
  for (const failure of failures) eprintln(io, `✗ ${clean(failure.message, 400)}`)
  eprintln(
    io,
    `vitest-judge: ${failures.length} significant ${failures.length === 1 ? 'regression' : 'regressions'} ` +
      `(more than --max-drop ${gate.maxDrop}, or a --measurements limit, at --alpha ${gate.alpha}, one-sided, after the Tarone-Holm correction).`,
  )
  return EXIT.regression
}
