/**
 * The registry of `vitest-judge` commands: name -> command. To add a command, write
 * `commands/<name>.ts` exporting a `Command` and list it here; help and dispatch pick it up.
 */
import type { Command } from '../command.js'
import { cacheCommand } from './cache.js'
import { compareCommand } from './compare.js'
import { exportCommand } from './export.js'
import { GITHUB_COMMANDS } from './github-commands.js'
import { labelsCommand } from './labels.js'
import { mergeCommand } from './merge.js'
import { reportCommand } from './report.js'
import { runsCommand } from './runs.js'
import { showCommand } from './show.js'
import { storeCommand } from './store.js'
import { tagCommand } from './tag.js'
import { uiCommand } from './ui.js'

/** Every command by name, in the order the help lists them. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['runs', runsCommand],
  ['show', showCommand],
  ['compare', compareCommand],
  ['report', reportCommand],
  ['ui', uiCommand],
  ['tag', tagCommand],
  ['export', exportCommand],
  ['merge', mergeCommand],
  ['cache', cacheCommand],
  ['store', storeCommand],
  ['labels', labelsCommand],
  ...GITHUB_COMMANDS,
])
