/** `vitest-judge tag <sel> <name>`: names an invocation, e.g. `baseline`, for `tag:<name>` selectors. */
import { invocationLabel } from '../../report/compare.js'
import { expectPositionals, parseCommandArgs, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { clean, formatTime, println } from '../io.js'
import { SELECTOR_HELP, State } from '../state.js'

/** `vitest-judge tag <sel> <name>`. */
export const tagCommand: Command = {
  summary: 'names an invocation, e.g. `baseline`',
  usage: `Usage: vitest-judge tag <sel> <name> [--dir PATH]

Names an invocation so that \`tag:<name>\` selects it (e.g. \`compare --base tag:baseline\`). A tag
names one invocation at a time: tagging another one moves it. A name is one word without spaces or
colons. A run id tags the run's invocation; a JSON report tags its invocation when it is in the store.

${SELECTOR_HELP}

Options:
  --dir PATH   state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('tag', args, {})
    expectPositionals('tag', positionals, 2, 2, '<sel> <name>')
    const [selector = '', name = ''] = positionals
    const state = new State(io, resolveStateDir(io, values.dir))
    try {
      const selection = await state.select(selector)
      const inv = selection.report.invocation
      const movedFrom = await (await state.runs({ write: true })).tag(inv.id, name)
      const what = `${inv.id} (${clean(invocationLabel({ ...inv, tags: [] }), 60)}, started ${formatTime(inv.startedAt)})`
      const moved = movedFrom === null ? '' : `; moved from ${movedFrom}`
      println(io, `Tagged invocation ${what} as ${clean(name, 60)}${moved}. Select it with tag:${clean(name, 60)}.`)
      return EXIT.ok
    } finally {
      await state.close()
    }
  },
}
