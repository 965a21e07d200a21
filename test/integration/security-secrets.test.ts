/**
 * Keys never reach a file or the console. A real `vitest` run of fixtures/faults-secrets with
 * distinct OpenAI and Gemini keys: healthy judges (the fake provider), providers that refuse the
 * key with 401/403 and echo it back in the error body and headers (a local echo server), answers
 * and matcher messages that contain the keys, and a key logged in `params`. Then every byte of
 * every file in the state folder (databases with their WAL, reports, the step summary) and of the
 * captured stdout and stderr is searched for the keys.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, inject, test } from 'vitest'
import { type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, runFixture, tempStateDir } from './run-fixture.js'

const OPENAI_KEY = 'sk-test-VERYSECRET-0123456789abcdef'
// Not in a known key shape, so only the env-variable scrubbing can catch it.
const GEMINI_KEY = 'gm-test-VERYSECRET-fedcba9876543210'
const NEEDLES = [OPENAI_KEY, GEMINI_KEY, 'VERYSECRET']

let echo: Server
let tenant: FakeTenant
const dir = tempStateDir()
let run: FixtureRun
const echoed: string[] = []

/** A provider that refuses every key and echoes it back, as some gateways and proxies do. */
function startEchoServer(): Promise<string> {
  echo = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '')
      const googKey = String(req.headers['x-goog-api-key'] ?? '')
      echoed.push(req.url ?? '')
      const gemini = /models\//.test(req.url ?? '')
      const body = gemini
        ? {
            error: {
              code: 403,
              message: `API key not valid: ${googKey}. Please pass a valid API key.`,
              status: 'PERMISSION_DENIED',
            },
          }
        : {
            error: {
              message: `Incorrect API key provided: ${auth.replace(/^Bearer\s+/i, '')}. Header was: ${auth}`,
              type: 'invalid_request_error',
              code: 'invalid_api_key',
            },
          }
      res.writeHead(gemini ? 403 : 401, {
        'content-type': 'application/json',
        'x-echo-authorization': auth,
        'x-echo-goog-key': googKey,
      })
      res.end(JSON.stringify(body))
    })
  })
  return new Promise((resolve) => {
    echo.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(echo.address() as AddressInfo).port}`))
  })
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

beforeAll(async () => {
  const echoUrl = await startEchoServer()
  tenant = fakeTenant(inject('fakeProviderUrl'))
  run = await runFixture('faults-secrets', {
    dir,
    env: {
      OPENAI_API_KEY: OPENAI_KEY,
      GEMINI_API_KEY: GEMINI_KEY,
      OPENAI_BASE_URL: tenant.openaiBaseURL,
      FAULTS_GEMINI_URL: tenant.geminiBaseUrl,
      FAULTS_ECHO_URL: echoUrl,
      VITEST_JUDGE: 'openai:fake-judge',
      GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md'),
    },
  })
})

afterAll(async () => {
  await new Promise((resolve) => echo?.close(resolve))
  await tenant?.reset()
  rmSync(dir, { recursive: true, force: true })
})

test('the run did what the scan relies on: judged, denied, reported', () => {
  expect(run.report?.runs.map((r) => r.file)).toEqual(['denied.eval.ts', 'leaky.eval.ts', 'matchers.test.ts'])
  const denied = run.report?.runs.find((r) => r.file === 'denied.eval.ts')
  expect(denied?.judgeErrors).toBe(3)
  expect(denied?.cases.map((c) => c.error ?? '').join('\n')).toMatch(/HTTP 401/)
  expect(denied?.cases.map((c) => c.error ?? '').join('\n')).toMatch(/HTTP 403/)
  // The echo server did receive the keys (and sent them back).
  expect(echoed.length).toBeGreaterThanOrEqual(3)
  const files = filesUnder(dir).map((f) => f.slice(dir.length + 1))
  for (const name of ['runs.db', 'cache.db', 'report.json', 'junit.xml', 'summary.md', 'step-summary.md']) {
    expect(files).toContain(name)
  }
})

test.each(NEEDLES)('no file in the state folder holds %s', (needle) => {
  const bytes = Buffer.from(needle, 'utf8')
  const leaks = filesUnder(dir).filter((file) => readFileSync(file).includes(bytes))
  expect(leaks).toEqual([])
})

/** What a user sees: stdout and stderr, less the harness's own result line (fixture-runner.mjs). */
function consoleLines(): string[] {
  return `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => !line.startsWith('@@FIXTURE-RESULT@@'))
}

test.each(NEEDLES)('neither stdout nor stderr holds %s', (needle) => {
  const lines = consoleLines().filter((line) => line.includes(needle))
  expect(lines).toEqual([])
})

test('a describeEval failure message does not show a key the answer holds', () => {
  const lines = consoleLines().filter((line) => NEEDLES.some((needle) => line.includes(needle)))
  expect(lines).toEqual([])
})
