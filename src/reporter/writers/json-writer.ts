/**
 * `reports.json`: the JSON report exactly as `JSON.stringify(report, null, 2)` prints it, written
 * a case at a time: the skeleton is split around its `runs` array, and each run around its `cases`.
 */
import { randomBytes } from 'node:crypto'
import { redact } from '../../redact.js'
import type { ReportRun } from '../../report/types.js'
import type { ReportEnd, ReportOutput, ReportWriter, RunPiece } from './report-writer.js'

/** The JSON text of a value nested `depth` arrays deep, as JSON.stringify(..., null, 2) indents it there. */
function nestedJson(value: unknown, depth: number): string {
  let wrapped: unknown = value
  for (let i = 0; i < depth; i++) wrapped = [wrapped]
  const text = JSON.stringify(wrapped, null, 2)
  // Cut the brackets: `[\n  [\n    ` before and `\n  ]\n]` after, for depth 2.
  let head = 0
  let tail = 0
  for (let i = 0; i < depth; i++) {
    head += 4 + 2 * i
    tail += 2 + 2 * i
  }
  return text.slice(head, text.length - tail)
}

/** Placeholder of the array a JSON skeleton is split around: random, so no data can hold it. */
const ITEMS_MARK = `vitest-judge-items-${randomBytes(8).toString('hex')}`

/**
 * The JSON text of `value` (nested `depth` arrays deep) with its `key` array cut out: the text
 * before the array's first item and after its last, for a writer that puts the items one by one.
 */
export function jsonAround(value: object, key: string, depth: number): [before: string, after: string] {
  const text = nestedJson({ ...value, [key]: [ITEMS_MARK] }, depth)
  const mark = JSON.stringify(ITEMS_MARK)
  const at = text.indexOf(mark)
  return [text.slice(0, at), text.slice(at + mark.length)]
}

/** Writes the items of a JSON array one by one, each indented as at `depth`. */
export function putItems<T>(
  items: readonly T[],
  depth: number,
  put: (text: string) => void,
  putItem: (item: T) => void,
): void {
  const separator = `,\n${'  '.repeat(depth)}`
  items.forEach((item, i) => {
    if (i > 0) put(separator)
    putItem(item)
  })
}

/**
 * Writes the JSON text of one run as it sits in the report's `runs` array (indented two levels),
 * a case at a time.
 */
export function writeRunJson(run: ReportRun, put: (text: string) => void, traces = true): void {
  if (!traces) run = { ...run, cases: run.cases.map(({ trace: _trace, ...rest }) => rest) }
  if (run.cases.length === 0) {
    put(nestedJson(run, 2))
    return
  }
  const [before, after] = jsonAround(run, 'cases', 2)
  put(before)
  putItems(run.cases, 4, put, (testCase) => put(nestedJson(testCase, 4)))
  put(after)
}

/** The writer of `reports.json`. */
export class JsonWriter implements ReportWriter {
  readonly piece: RunPiece

  /**
   * @param path the report file.
   * @param traces whether cases keep their `trace` (the `traces.inReport` option).
   */
  constructor(
    private readonly path: string,
    traces = true,
  ) {
    this.piece = { ext: 'json', render: (run, put) => writeRunJson(run, put, traces) }
  }

  write(end: ReportEnd, out: ReportOutput): void {
    const skeleton = { ...end.report, runs: [] }
    out.stream(this.path, (sink) => {
      if (end.files.length === 0) {
        sink.put(redact(`${JSON.stringify(skeleton, null, 2)}\n`))
        return
      }
      const [before, after] = jsonAround(skeleton, 'runs', 0)
      sink.put(redact(before))
      putItems(
        end.files,
        2,
        (text) => sink.put(text),
        (file) => end.putPiece(sink, file, this.piece),
      )
      sink.put(redact(`${after}\n`))
    })
  }
}
