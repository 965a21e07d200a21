/** `vitest-judge cache stats` and `vitest-judge cache clear [--older-than 30d]`: the judge cache. */
import { existsSync } from 'node:fs'
import { StoreError, UsageError } from '../../errors.js'
import { isBusy } from '../../store/database.js'
import { SqliteJudgeCache } from '../../store/judge-cache.js'
import { cacheDbPath } from '../../store/paths.js'
import type { CacheStats } from '../../store/types.js'
import { formatDuration, parseCommandArgs, parseDuration, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { type CliIo, displayPath, formatBytes, formatTime, println } from '../io.js'

/** `vitest-judge cache stats|clear`. */
export const cacheCommand: Command = {
  summary: 'judge cache figures (`cache stats`) and pruning (`cache clear [--older-than 30d]`)',
  usage: `Usage: vitest-judge cache stats [--json] [--dir PATH]
       vitest-judge cache clear [--older-than DURATION] [--dir PATH]

The judge cache (<dir>/cache.db) keeps every judge verdict and embedding, so that a second
identical run makes no provider request.

  stats   entries, size, hits, oldest and newest entry (read-only)
  clear   deletes every entry, or with --older-than those not used for that long, then compacts
          the file

Options:
  --older-than DURATION   a number and a unit: s, m, h or d (45s, 90m, 12h, 30d)
  --json                  (stats) the figures as JSON
  --dir PATH              state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('cache', args, {
      json: { type: 'boolean' },
      'older-than': { type: 'string' },
    })
    const [action, extra] = positionals
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}". See \`vitest-judge cache --help\`.`)
    const dir = resolveStateDir(io, values.dir)
    if (action === 'stats') {
      if (values['older-than'] !== undefined)
        throw new UsageError('--older-than goes with `cache clear`, not `cache stats`.')
      return stats(io, dir, values.json === true)
    }
    if (action === 'clear') {
      if (values.json) throw new UsageError('--json goes with `cache stats`, not `cache clear`.')
      const olderThan = values['older-than']
      return clear(io, dir, olderThan === undefined ? undefined : parseDuration(olderThan))
    }
    const what = action === undefined ? 'A subcommand is needed' : `Unknown subcommand "${action}"`
    throw new UsageError(`${what}: use \`vitest-judge cache stats\` or \`vitest-judge cache clear\`.`)
  },
}

async function stats(io: CliIo, dir: string, json: boolean): Promise<number> {
  const file = displayPath(io, cacheDbPath(dir))
  const cache = new SqliteJudgeCache(dir, { readonly: true, recordHits: false })
  let figures: CacheStats
  try {
    figures = await cache.stats()
  } finally {
    await cache.close()
  }
  if (json) {
    println(io, JSON.stringify({ file: cacheDbPath(dir), ...figures }, null, 2))
    return EXIT.ok
  }
  if (!existsSync(cacheDbPath(dir))) {
    println(io, `No judge cache at ${file} yet: nothing cached (run vitest first, or pass --dir).`)
    return EXIT.ok
  }
  const kinds = Object.entries(figures.byKind)
    .map(([kind, k]) => `${kind} ${k.entries}`)
    .join(' · ')
  const now = Date.now()
  const when = (ms: number | null) =>
    ms === null ? '-' : `${formatTime(new Date(ms).toISOString())} (${age(now - ms)} ago)`
  const rows: [string, string][] = [
    ['entries', `${figures.entries}${kinds ? ` (${kinds})` : ''}`],
    ['size', `${formatBytes(figures.bytes)} of entries, ${formatBytes(figures.fileBytes)} on disk`],
    ['hits', String(figures.hits)],
    ['oldest', when(figures.oldest)],
    ['newest', when(figures.newest)],
  ]
  println(io, `Judge cache ${file}`)
  for (const [label, value] of rows) println(io, `  ${label.padEnd(8)}${value}`)
  return EXIT.ok
}

async function clear(io: CliIo, dir: string, olderThanMs: number | undefined): Promise<number> {
  const file = displayPath(io, cacheDbPath(dir))
  if (!existsSync(cacheDbPath(dir))) {
    println(io, `Nothing to clear: no judge cache at ${file}.`)
    return EXIT.ok
  }
  const cache = new SqliteJudgeCache(dir, { recordHits: false })
  try {
    const options = olderThanMs === undefined ? {} : { olderThanMs }
    const before = (await cache.stats()).entries
    let deleted: number
    let compacted = true
    try {
      deleted = await cache.clear({ ...options, vacuum: true })
    } catch (error) {
      if (!isBusy(error)) throw error
      // VACUUM needs the file to itself; when it is what failed, the entries are deleted already.
      const after = (await cache.stats()).entries
      if (after >= before) {
        throw new StoreError(`${file} is locked by another process (a vitest run?): try again when it finishes.`)
      }
      deleted = before - after
      compacted = false
    }
    const left = await cache.stats()
    const which = olderThanMs === undefined ? '' : ` not used for ${formatDuration(olderThanMs)}`
    println(io, `Deleted ${deleted} ${deleted === 1 ? 'entry' : 'entries'}${which} from ${file}; ${left.entries} left.`)
    if (!compacted) println(io, 'The file was not compacted: another process is using the cache. Run it again later.')
    return EXIT.ok
  } finally {
    await cache.close()
  }
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000))
  if (minutes < 60) return `${minutes}m`
  const hours = Math.round(minutes / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.round(hours / 24)}d`
}
