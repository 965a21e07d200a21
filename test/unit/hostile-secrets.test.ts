/**
 * Keys in the places a provider or a model may put them: a verdict's justification, a case's answer
 * and reference, an SDK error (its message, its body, its headers, its own cause). None reaches the
 * bytes of runs.db or cache.db (with their WAL), nor what a test runner prints of an error.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { JudgeError, StoreError } from '../../src/errors.js'
import { aggregateRun } from '../../src/report/aggregate.js'
import type { ReportCase } from '../../src/report/types.js'
import { newId } from '../../src/store/ids.js'
import { cacheKey, SqliteJudgeCache } from '../../src/store/judge-cache.js'
import { SqliteRunStore } from '../../src/store/run-store.js'

// An OpenAI-shaped key (caught by its shape) and one of no known shape (caught as an env value).
const SHAPED = 'sk-test-VERYSECRET-0123456789abcdef'
const UNSHAPED = 'gm-test-VERYSECRET-fedcba9876543210'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vj-hostile-secrets-'))
  vi.stubEnv('GEMINI_API_KEY', UNSHAPED)
})

afterEach(() => {
  vi.unstubAllEnvs()
  rmSync(dir, { recursive: true, force: true })
})

/** Every byte of every file in the folder (database, WAL, shared memory). */
function folderBytes(): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))))
}

test('a justification that quotes a key is cached without it', async () => {
  const cache = new SqliteJudgeCache(dir)
  const key = cacheKey({ case: 1 })
  await cache.set(key, {
    kind: 'grade',
    judge: 'openai:x',
    metric: 'answer_similarity',
    value: { score: 1, justification: `The answer leaks ${SHAPED} and ${UNSHAPED}.` },
  })
  const entry = await cache.get(key)
  expect(entry?.value).toEqual({ score: 1, justification: 'The answer leaks [redacted] and [redacted].' })
  await cache.close()
  const bytes = folderBytes()
  expect(bytes.includes(Buffer.from('VERYSECRET'))).toBe(false)
})

test('a case whose answer, input and reference hold keys is saved without them', async () => {
  const store = new SqliteRunStore(dir)
  const invocationId = newId()
  await store.startInvocation({
    id: invocationId,
    startedAt: new Date().toISOString(),
    git: { commit: null, branch: null },
    params: { key: SHAPED },
    experiment: 'secrets',
  })
  const leaky: ReportCase = {
    name: `leaks ${UNSHAPED}`,
    pass: false,
    scores: { answer_similarity: 0 },
    judgeErrors: 0,
    input: `use ${UNSHAPED}`,
    output: `my key is ${SHAPED}`,
    expected: `not ${UNSHAPED}`,
    error: `output: ${SHAPED}`,
    metrics: {
      answer_similarity: { score: 0, raw: 1, kind: 'score', justification: `It printed ${UNSHAPED}.`, pass: false },
    },
  }
  await store.saveRun(invocationId, {
    id: newId(),
    file: 'leaky.eval.ts',
    cases: [leaky],
    aggregates: aggregateRun([leaky]),
    judgeErrors: 0,
    cache: { hits: 0, misses: 1 },
    tokens: { input: 0, output: 0 },
  })
  const saved = (await store.getReport(invocationId)).runs[0]?.cases[0]
  expect(saved?.output).toBe('my key is [redacted]')
  expect(saved?.input).toBe('use [redacted]')
  await store.close()
  expect(folderBytes().includes(Buffer.from('VERYSECRET'))).toBe(false)
})

test('a judge error keeps no raw SDK error: what a runner prints of it holds no key', () => {
  // Shaped like the openai SDK's AuthenticationError: body and headers as own properties, a cause.
  const sdkError = Object.assign(new Error(`401 Incorrect API key provided: ${SHAPED}`), {
    status: 401,
    error: { message: `Incorrect API key provided: ${SHAPED}`, key: UNSHAPED },
    headers: { 'x-echo-authorization': `Bearer ${SHAPED}` },
    cause: Object.assign(new Error(`socket said ${UNSHAPED}`), { config: { apiKey: UNSHAPED } }),
  })
  sdkError.name = 'AuthenticationError'
  const error = new JudgeError('VJ_JUDGE_HTTP', 'openai:x', `HTTP 401: ${sdkError.message}`, {
    status: 401,
    cause: sdkError,
  })
  // Vitest prints the message, the stack, `Caused by:` with the cause chain, and own properties.
  const printed = [
    error.message,
    error.stack,
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause ?? {})),
  ].join('\n')
  expect(printed).not.toContain('VERYSECRET')
  expect(error.status).toBe(401)
  // The cause still says what happened.
  expect(error.cause).toBeInstanceOf(Error)
  expect((error.cause as Error).name).toBe('AuthenticationError')
  expect((error.cause as Error).message).toBe('401 Incorrect API key provided: [redacted]')
  expect(((error.cause as Error).cause as Error).message).toBe('socket said [redacted]')
})

test('a store error about a file keeps its cause readable', () => {
  const error = new StoreError('Cannot open x.db', { cause: new Error(`disk I/O error near ${UNSHAPED}`) })
  expect((error.cause as Error).message).toBe('disk I/O error near [redacted]')
})
