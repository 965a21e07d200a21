/** `vitest-judge ui [--port N] [--dir D] [--host H] [--store URL]`: the HTML report, live from the run store. */
import { UsageError } from '../../errors.js'
import { parseCommandArgs, parseInteger, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { clean, eprintln, println } from '../io.js'
import { isLoopback, startUiServer } from '../ui-server.js'

/** `vitest-judge ui`. */
export const uiCommand: Command = {
  summary: 'serves the HTML report live from the store (loopback by default)',
  usage: `Usage: vitest-judge ui [--port N] [--host H] [--reviewer NAME] [--dir PATH] [--store URL]

Serves the HTML report's page of the newest complete invocation, and follows it: the page
reloads when a new invocation completes (run \`vitest --watch\` beside it for a live dashboard).
/?inv=<id> shows one invocation. Its only writes are review: a human grade and comment per case
and metric (kept in the run store; the next run's agreement counts them) and "Add to dataset"
(appends cases to a .jsonl file under the working folder). Each write needs the token the server
gives its page and the page's own origin.

Options:
  --port N     port (default 4177; 0 for any free port)
  --host H     address to bind (default 127.0.0.1; anything else is reachable from other machines,
               which then read every output in your runs: a warning says so)
  --reviewer NAME  who the review labels are from (default: git config user.name, else the OS user)
  --dir PATH   state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
  --store URL  a shared run store, postgres://... (default: VITEST_JUDGE_STORE_URL, else <dir>/runs.db)
`,
  async run(args, io) {
    const { values } = parseCommandArgs('ui', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      reviewer: { type: 'string' },
    })
    const port = values.port === undefined ? 4177 : parseInteger(values.port, '--port', 0)
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}.`)
    const host = values.host ?? '127.0.0.1'
    if (!isLoopback(host)) {
      eprintln(
        io,
        `vitest-judge ui: warning: listening on ${host}, not loopback: anyone who can reach this address can read ` +
          'every case, output and justification in the run store.',
      )
    }
    const server = await startUiServer({
      dir: resolveStateDir(io, values.dir),
      ...(values.store === undefined ? {} : { store: values.store }),
      host,
      port,
      io,
      ...(values.reviewer === undefined ? {} : { reviewer: values.reviewer }),
    })
    println(io, `vitest-judge ui: ${server.url} (Ctrl-C to stop; reviewing as ${clean(server.reviewer, 80)})`)
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        void server.close().then(resolve)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    return EXIT.ok
  },
}
