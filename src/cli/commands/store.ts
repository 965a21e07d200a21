/** `vitest-judge store flush`: writes the runs a vitest run kept in `<dir>/store-spool` while the shared store was away. */

import { StoreError, UsageError, VitestJudgeError } from '../../errors.js'
import { plural } from '../../report/text.js'
import { flushStoreSpool, listStoreSpool, storeSpoolDir } from '../../store/store-spool.js'
import { parseCommandArgs, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { type CliIo, displayPath, println } from '../io.js'
import { State } from '../state.js'

/** `vitest-judge store flush`. */
export const storeCommand: Command = {
  summary: 'writes the runs kept in the store spool while the shared store was away (`store flush`)',
  usage: `Usage: vitest-judge store flush [--store URL] [--dir PATH]

When the shared PostgreSQL store stays away in the middle of a vitest run (longer than the retry
window, 30 s by default), the run completes and its runs are kept in <dir>/store-spool. The next
vitest run against the store writes them first; \`store flush\` writes them now, oldest first,
removing each file once written. Writing twice never duplicates a row, so an interrupted flush can
simply be run again.

  flush   writes every spooled invocation into the store and says what it wrote; with nothing
          spooled it says so. With the store still away it fails (VJ_STORE, exit 2) and the spool
          is kept.

Options:
  --store URL   the shared store, postgres://user@host:5432/db?schema=name
                (default: VITEST_JUDGE_STORE_URL)
  --dir PATH    state folder holding store-spool (default: VITEST_JUDGE_DIR, else .vitest-judge)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('store', args, {})
    const [action, extra] = positionals
    if (action !== 'flush') {
      const what = action === undefined ? 'A subcommand is needed' : `Unknown subcommand "${action}"`
      throw new UsageError(`${what}: use \`vitest-judge store flush\`.`)
    }
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}". See \`vitest-judge store --help\`.`)
    return flush(io, resolveStateDir(io, values.dir), values.store)
  },
}

async function flush(io: CliIo, dir: string, storeFlag: string | undefined): Promise<number> {
  const state = new State(io, dir, storeFlag)
  if (state.storeUrl === null) {
    throw new UsageError(
      '`store flush` writes into the shared store: pass --store postgres://user@host:5432/db (or set VITEST_JUDGE_STORE_URL).',
    )
  }
  const where = displayPath(io, storeSpoolDir(dir))
  const waiting = listStoreSpool(dir)
  if (waiting.length === 0) {
    println(io, `Nothing to flush: no runs are kept in ${where}.`)
    return EXIT.ok
  }
  try {
    const store = await state.runs({ write: true })
    const result = await flushStoreSpool(dir, store)
    for (const written of result.written) {
      println(io, `Wrote invocation ${written.id}: ${plural(written.runs, 'run')}, ${written.status}.`)
    }
    for (const left of result.left) println(io, `Left invocation ${left.id} in ${where}: ${left.reason}.`)
    const runs = result.written.reduce((n, w) => n + w.runs, 0)
    if (result.written.length > 0) {
      println(
        io,
        `Wrote ${plural(runs, 'run')} of ${plural(result.written.length, 'invocation')} to ${store.location}.`,
      )
    }
    if (result.error) throw result.error
    const left = listStoreSpool(dir).length
    if (left === 0) println(io, `${where} is empty now.`)
    else println(io, `${plural(left, 'invocation')} still kept in ${where}.`)
    return EXIT.ok
  } catch (error) {
    if (error instanceof VitestJudgeError && !(error instanceof StoreError)) throw error
    // A server's own refusal is the store's condition too, not a bug of the CLI; nothing is lost either way.
    const message = error instanceof Error ? error.message : String(error)
    throw new StoreError(
      `${message}${/[.!?]$/.test(message) ? '' : '.'} Nothing was lost: what is not written stays in ${where}; ` +
        'run `vitest-judge store flush` again once the store is back.',
      { cause: error },
    )
  } finally {
    await state.close()
  }
}
