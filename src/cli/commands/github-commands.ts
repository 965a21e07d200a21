/** The GitHub Actions commands, as registry entries (`commands/index.ts` lists them after the others). */
import type { Command } from '../command.js'
import { githubBaselineCommand } from './github-baseline.js'
import { githubCommentCommand } from './github-comment.js'

/** `github-comment` and `github-baseline`, in the order the help lists them. */
export const GITHUB_COMMANDS: ReadonlyArray<readonly [string, Command]> = [
  ['github-comment', githubCommentCommand],
  ['github-baseline', githubBaselineCommand],
]
