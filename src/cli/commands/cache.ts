/**
 * `vitest-judge cache stats` and `vitest-judge cache clear [--older-than 30d] [--app | --all]`: the
 * judge cache, and beside it the app cache (the app's recorded model and tool calls, issue 27).
 */
import { existsSync } from 'node:fs'
import { StoreError, UsageError } from '../../errors.js'
import { type AppCache, type AppCacheStats, SqliteAppCache } from '../../store/app-cache.js'
import { isBusy } from '../../store/database.js'
import { SqliteJudgeCache } from '../../store/judge-cache.js'
import { openAppCache, openJudgeCache } from '../../store/open.js'
import { cacheDbPath } from '../../store/paths.js'
import type { CacheStats } from '../../store/types.js'
import { formatDuration, parseCommandArgs, parseDuration, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { type CliIo, displayPath, formatBytes, formatTime, println } from '../io.js'

/** `vitest-judge cache stats|clear`. */
export const cacheCommand: Command = {
  summary: 'judge and app cache figures (`cache stats`) and pruning (`cache clear [--older-than 30d] [--app]`)',
  usage: `Usage: vitest-judge cache stats [--json] [--dir PATH]
       vitest-judge cache clear [--older-than DURATION] [--app | --all] [--dir PATH]

The judge cache (<dir>/cache.db) keeps every judge verdict and embedding, so that a second
identical run makes no provider request. Beside it, the app cache keeps the app's own model
and tool calls recorded with the \`appCache\` option (VITEST_JUDGE_APP_CACHE): its entries are
counted and cleared apart.

  stats   entries, size, hits, oldest and newest entry of each (read-only)
  clear   deletes every judge entry, or with --older-than those not used for that long, then
          compacts the file; the app's recordings are kept unless --app or --all is given

Options:
  --older-than DURATION   a number and a unit: s, m, h or d (45s, 90m, 12h, 30d)
  --app                   (clear) the app cache's entries only
  --all                   (clear) the judge and the app cache's entries
  --json                  (stats) the figures as JSON
  --dir PATH              state folder (default: VITEST_JUDGE_DIR, else .vitest-judge)
  --store URL             a shared PostgreSQL cache (default: VITEST_JUDGE_CACHE_URL, else
                          VITEST_JUDGE_STORE_URL, else cache.db in the state folder)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('cache', args, {
      json: { type: 'boolean' },
      'older-than': { type: 'string' },
      app: { type: 'boolean' },
      all: { type: 'boolean' },
    })
    const [action, extra] = positionals
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}". See \`vitest-judge cache --help\`.`)
    const dir = resolveStateDir(io, values.dir)
    const url = values.store ?? (io.env.VITEST_JUDGE_CACHE_URL || io.env.VITEST_JUDGE_STORE_URL || undefined)
    if (action !== 'clear' && (values.app || values.all)) {
      throw new UsageError('--app and --all go with `cache clear`; `cache stats` shows both caches.')
    }
    if (values.app && values.all) throw new UsageError('Give --app (the app cache only) or --all (both), not both.')
    const which: Which = values.all ? 'all' : values.app ? 'app' : 'judge'
    if (url !== undefined) {
      if (action === 'stats') return sharedStats(io, url, values.json === true)
      if (action === 'clear') {
        const olderThan = values['older-than']
        const olderThanMs = olderThan === undefined ? undefined : parseDuration(olderThan)
        if (which !== 'app') await sharedClear(io, url, olderThanMs)
        if (which !== 'judge') await clearApp(io, () => openAppCache({ dir, url, recordHits: false }), olderThanMs)
        return EXIT.ok
      }
    }
    if (action === 'stats') {
      if (values['older-than'] !== undefined)
        throw new UsageError('--older-than goes with `cache clear`, not `cache stats`.')
      return stats(io, dir, values.json === true)
    }
    if (action === 'clear') {
      if (values.json) throw new UsageError('--json goes with `cache stats`, not `cache clear`.')
      const olderThan = values['older-than']
      const olderThanMs = olderThan === undefined ? undefined : parseDuration(olderThan)
      if (which !== 'app') await clear(io, dir, olderThanMs)
      if (which !== 'judge') {
        if (!existsSync(cacheDbPath(dir)))
          println(io, `Nothing to clear: no app cache at ${displayPath(io, cacheDbPath(dir))}.`)
        else await clearApp(io, async () => new SqliteAppCache(dir, { recordHits: false }), olderThanMs)
      }
      return EXIT.ok
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
  const appCache = new SqliteAppCache(dir, { readonly: true, recordHits: false })
  let app: AppCacheStats
  try {
    app = await appCache.stats()
  } finally {
    await appCache.close()
  }
  if (json) {
    println(io, JSON.stringify({ file: cacheDbPath(dir), ...figures, app }, null, 2))
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
  printApp(io, app, when)
  return EXIT.ok
}

type Which = 'judge' | 'app' | 'all'

/** The app cache's section of `cache stats`. */
function printApp(io: CliIo, app: AppCacheStats, when: (ms: number | null) => string): void {
  const kinds = Object.entries(app.byKind)
    .map(([kind, k]) => `${kind} ${k.entries}`)
    .join(' · ')
  println(io, "App cache (the app's recorded model and tool calls)")
  println(io, `  entries ${app.entries}${kinds ? ` (${kinds})` : ''}`)
  println(io, `  size    ${formatBytes(app.bytes)} of entries`)
  println(io, `  hits    ${app.hits}`)
  if (app.entries > 0) {
    println(io, `  oldest  ${when(app.oldest)}`)
    println(io, `  newest  ${when(app.newest)}`)
  }
}

/** Deletes the app cache's entries (all, or those not used for `olderThanMs`). */
async function clearApp(io: CliIo, opening: () => Promise<AppCache>, olderThanMs: number | undefined): Promise<void> {
  const cache = await opening()
  try {
    const deleted = await cache.clear(olderThanMs === undefined ? {} : { olderThanMs })
    const left = (await cache.stats()).entries
    const which = olderThanMs === undefined ? '' : ` not used for ${formatDuration(olderThanMs)}`
    println(
      io,
      `Deleted ${deleted} app cache ${deleted === 1 ? 'entry' : 'entries'}${which} from ${displayPath(io, cache.location)}; ${left} left.`,
    )
  } finally {
    await cache.close()
  }
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

/** `cache stats` of a shared (PostgreSQL) cache. */
async function sharedStats(io: CliIo, url: string, json: boolean): Promise<number> {
  const cache = await openJudgeCache({ dir: '', url, readonly: true, recordHits: false })
  try {
    const figures = await cache.stats()
    const appCache = await openAppCache({ dir: '', url, readonly: true, recordHits: false })
    let app: AppCacheStats
    try {
      app = await appCache.stats()
    } finally {
      await appCache.close()
    }
    if (json) {
      println(io, JSON.stringify({ location: cache.location, ...figures, app }, null, 2))
      return EXIT.ok
    }
    println(io, `Judge cache ${cache.location}`)
    println(io, `  entries ${figures.entries}`)
    println(io, `  size    ${formatBytes(figures.bytes)} of entries, ${formatBytes(figures.fileBytes)} in the table`)
    println(io, `  hits    ${figures.hits}`)
    printApp(io, app, (ms) => (ms === null ? '-' : formatTime(new Date(ms).toISOString())))
    return EXIT.ok
  } finally {
    await cache.close()
  }
}

/** `cache clear` of a shared (PostgreSQL) cache. */
async function sharedClear(io: CliIo, url: string, olderThanMs: number | undefined): Promise<number> {
  // The judge entries only; the app cache's are cleared by `clearApp`.
  const cache = await openJudgeCache({ dir: '', url, recordHits: false })
  try {
    const deleted = await cache.clear({ ...(olderThanMs === undefined ? {} : { olderThanMs }), vacuum: true })
    const left = (await cache.stats()).entries
    const which = olderThanMs === undefined ? '' : ` not used for ${formatDuration(olderThanMs)}`
    println(
      io,
      `Deleted ${deleted} ${deleted === 1 ? 'entry' : 'entries'}${which} from ${cache.location}; ${left} left.`,
    )
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
