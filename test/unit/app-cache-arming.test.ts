// Cases get their own async context for the app cache only once it is armed (an AsyncLocalStorage in
// use slows every promise on Node 20 and 22). Before that, an app call belongs to the one running case.
import { expect, test, vi } from 'vitest'
import { mentionsAppCache } from '../../src/plugin.js'
import { appCacheMode, newAppCase, withAppCase } from '../../src/replay/app-call.js'
import { emptyCaseMeta } from '../../src/report/case-meta.js'

const tick = () => new Promise((r) => setTimeout(r, 1))

/** A case whose suite says `appCache: mode`; returns the mode an app call inside it sees (after an await). */
function modeSeenIn(mode: 'replay' | 'record' | 'off'): Promise<string> {
  return withAppCase(newAppCase(emptyCaseMeta(), mode), async () => {
    await tick()
    return appCacheMode()
  })
}

test('unarmed: a call belongs to the one running case, which arms the app cache: then every case is its own', async () => {
  // One case at a time: its suite's mode is found without an async context.
  expect(await modeSeenIn('replay')).toBe('replay')
  // That call armed it: concurrent cases each run in their own context.
  expect(await Promise.all([modeSeenIn('replay'), modeSeenIn('off'), modeSeenIn('record')])).toEqual([
    'replay',
    'off',
    'record',
  ])
})

test('unarmed: calls of concurrent cases cannot be told apart (said once), and arm it for the next cases', async () => {
  vi.resetModules()
  const fresh = await import('../../src/replay/app-call.js')
  const seenIn = (mode: 'replay' | 'record' | 'off') =>
    fresh.withAppCase(fresh.newAppCase(emptyCaseMeta(), mode), async () => {
      await tick()
      return fresh.appCacheMode()
    })
  const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
  const fallback = fresh.appCacheMode()
  expect(await Promise.all([seenIn('replay'), seenIn('off')])).toEqual([fallback, fallback])
  expect(warn).toHaveBeenCalledTimes(1)
  expect(String(warn.mock.calls[0]?.[0])).toMatch(/app cache: calls of concurrent cases/)
  expect(await Promise.all([seenIn('replay'), seenIn('off')])).toEqual(['replay', 'off'])
  expect(warn).toHaveBeenCalledTimes(1)
  warn.mockRestore()
})

test('the plugin marks project modules that mention an app cache wrapper, never dependencies', () => {
  expect(mentionsAppCache('wrapLanguageModel({ model, middleware: appCacheMiddleware() })', '/p/agent.ts')).toBe(true)
  expect(mentionsAppCache("import { cachedModel } from 'vitest-judge'", '/p/a.eval.ts?v=1')).toBe(true)
  expect(mentionsAppCache('const weather = replayTool("weather", fetchWeather)', '/p/tools.mts')).toBe(true)
  expect(mentionsAppCache('const client = traceClient(new OpenAI())', '/p/app.js')).toBe(true)
  expect(mentionsAppCache("import { describeEval } from 'vitest-judge'", '/p/a.eval.ts')).toBe(false)
  expect(mentionsAppCache('appCacheMiddleware()', '/p/node_modules/x/index.mjs')).toBe(false)
  expect(mentionsAppCache('cachedModel', '/p/data.json')).toBe(false)
})
