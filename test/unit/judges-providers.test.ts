import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { ConfigError, JudgeError, MissingKeyError, MissingPackageError } from '../../src/errors.js'
import { anthropic } from '../../src/judges/anthropic-judge.js'
import { gemini } from '../../src/judges/gemini-judge.js'
import { loadSdk } from '../../src/judges/llm-judge.js'
import { openai } from '../../src/judges/openai-judge.js'
import { buildGradingPrompt, type RubricSpec } from '../../src/judges/prompt.js'
import type { GradeRequest, Judge, Verdict } from '../../src/judges/types.js'
import { type FakeTenant, fakeTenant } from '../fake-provider/client.js'
import { embedText } from '../fake-provider/server.js'

const KEY_ENV_VARS = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GEMINI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
]
const SECRET = 'sk-test-SECRET-123456789'

const RUBRIC: RubricSpec = {
  name: 'answer_similarity',
  version: 'v1',
  definition: 'How close the meaning of the answer is to the reference.',
  gradingPrompt: 'Score 1: unrelated.\nScore 5: same meaning.',
  fields: ['input', 'output', 'expected'],
}

const REFERENCE = 'Paris is the capital of France.'

function request(output: string): GradeRequest {
  const fields = { input: 'What is the capital of France?', output, expected: REFERENCE }
  return {
    metric: 'answer_similarity',
    metricVersion: 'v1',
    builtin: true,
    prompt: buildGradingPrompt(RUBRIC, fields),
    fields,
    trial: 0,
  }
}

/** What the fake answers for an output equal to the reference. */
const PERFECT_REPLY = JSON.stringify({
  score: 5,
  justification: 'Word overlap between the output and the reference is 1.00.',
})
const PROSE_REPLY = 'I think it is pretty good, maybe a 4.'

const tokens = (text: string) => Math.ceil(text.length / 4)

interface JudgeOverrides {
  apiKey?: string | undefined
  maxRetries?: number
  timeout?: number
  retryDelayMs?: number
  temperature?: number
  maxTokens?: number
  noBaseUrl?: boolean
}

interface Provider {
  kind: 'openai' | 'gemini' | 'anthropic'
  model: string
  keyEnv: string
  /** Absent when the provider cannot embed. */
  embeddingRoute?: string
  /** Options the provider's API refuses with a 400, and a word of its message. */
  badRequest: { overrides: JudgeOverrides; says: string }
  make(tenant: FakeTenant, overrides?: JudgeOverrides): Judge
}

const providers: Provider[] = [
  {
    kind: 'openai',
    model: 'gpt-4.1-mini',
    keyEnv: 'OPENAI_API_KEY',
    embeddingRoute: 'openai.embeddings',
    badRequest: { overrides: { temperature: 3 }, says: 'temperature' },
    make: (tenant, o = {}) =>
      openai({
        model: 'gpt-4.1-mini',
        ...(o.noBaseUrl ? {} : { baseURL: tenant.openaiBaseURL }),
        apiKey: 'apiKey' in o ? o.apiKey : tenant.apiKey,
        maxRetries: o.maxRetries ?? 2,
        timeout: o.timeout ?? 5000,
        retryDelayMs: o.retryDelayMs ?? 10,
        ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
      }),
  },
  {
    kind: 'gemini',
    model: 'gemini-2.5-flash',
    keyEnv: 'GEMINI_API_KEY',
    embeddingRoute: 'gemini.batchEmbedContents',
    badRequest: { overrides: { temperature: 3 }, says: 'temperature' },
    make: (tenant, o = {}) =>
      gemini({
        model: 'gemini-2.5-flash',
        ...(o.noBaseUrl ? {} : { baseUrl: tenant.geminiBaseUrl }),
        apiKey: 'apiKey' in o ? o.apiKey : tenant.apiKey,
        maxRetries: o.maxRetries ?? 2,
        timeout: o.timeout ?? 5000,
        retryDelayMs: o.retryDelayMs ?? 10,
        ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
      }),
  },
  {
    kind: 'anthropic',
    model: 'claude-haiku-4-5',
    keyEnv: 'ANTHROPIC_API_KEY',
    // Messages API 1.x takes no temperature: the refused request is a max_tokens of 0.
    badRequest: { overrides: { maxTokens: 0 }, says: 'max_tokens' },
    make: (tenant, o = {}) =>
      anthropic({
        model: 'claude-haiku-4-5',
        ...(o.noBaseUrl ? {} : { baseURL: tenant.anthropicBaseURL }),
        apiKey: 'apiKey' in o ? o.apiKey : tenant.apiKey,
        maxRetries: o.maxRetries ?? 2,
        timeout: o.timeout ?? 5000,
        retryDelayMs: o.retryDelayMs ?? 10,
        ...(o.maxTokens === undefined ? {} : { maxTokens: o.maxTokens }),
      }),
  },
]

async function gradeError(judge: Judge, req: GradeRequest): Promise<JudgeError> {
  const error = await judge.grade(req).then(
    (verdict: Verdict) => new Error(`expected a judge error, got ${JSON.stringify(verdict)}`),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(JudgeError)
  return error as JudgeError
}

let savedEnv: Record<string, string | undefined>

beforeEach(() => {
  savedEnv = Object.fromEntries(KEY_ENV_VARS.map((name) => [name, process.env[name]]))
  for (const name of KEY_ENV_VARS) delete process.env[name]
})

afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

describe.each(providers)('$kind judge against the fake provider', (provider) => {
  const judgeName = `${provider.kind}:${provider.model}`
  let tenant: FakeTenant

  beforeEach(() => {
    tenant = fakeTenant(inject('fakeProviderUrl'))
  })

  it('parses a verdict with its score, justification and token usage', async () => {
    const judge = provider.make(tenant)
    expect(judge.name).toBe(judgeName)
    const req = request(REFERENCE)
    const verdict = await judge.grade(req)
    expect(verdict).toEqual({
      score: 5,
      justification: 'Word overlap between the output and the reference is 1.00.',
      attempts: 1,
      usage: {
        inputTokens: tokens(`${req.prompt.system}\n${req.prompt.user}`),
        outputTokens: tokens(PERFECT_REPLY),
      },
    })
    const { log } = await tenant.stats()
    expect(log).toHaveLength(1)
    // The fake found the case texts in their sections: the prompt is readable as the judge is told.
    expect(log[0]).toMatchObject({
      status: 200,
      model: provider.model,
      ...(provider.kind === 'anthropic' ? { responseFormat: 'tool:verdict' } : { temperature: 0 }),
      schema: true,
      sections: { input: 'What is the capital of France?', output: REFERENCE, reference: REFERENCE },
    })
  })

  it('takes the score the model gives ([[score=2]] directive)', async () => {
    const verdict = await provider.make(tenant).grade(request('Paris, I believe. [[score=2]]'))
    expect(verdict.score).toBe(2)
    expect(verdict.justification).toBe('Score set by a directive in the output.')
  })

  it.each([
    ['429', { status429Every: 2 }, 'rate-limit'],
    ['500', { status500Every: 2 }, 'server-error'],
  ] as const)('retries a %s and still grades', async (status, config, fault) => {
    await tenant.configure(config)
    const judge = provider.make(tenant)
    expect((await judge.grade(request(REFERENCE))).attempts).toBe(1)
    const started = Date.now()
    const verdict = await judge.grade(request(REFERENCE))
    expect(Date.now() - started).toBeLessThan(2000)
    expect(verdict.score).toBe(5)
    expect(verdict.attempts).toBe(2)
    const { log } = await tenant.stats()
    expect(log.map((e) => e.status)).toEqual([200, Number(status), 200])
    expect(log[1]?.fault).toBe(fault)
  })

  it('fails with VJ_JUDGE_HTTP naming the judge and the status when the provider is down', async () => {
    await tenant.configure({ down: true })
    const started = Date.now()
    const error = await gradeError(provider.make(tenant, { maxRetries: 2, retryDelayMs: 10 }), request(REFERENCE))
    expect(Date.now() - started).toBeLessThan(3000)
    expect(error.code).toBe('VJ_JUDGE_HTTP')
    expect(error.judge).toBe(judgeName)
    expect(error.status).toBe(503)
    expect(error.message).toContain(`Judge ${judgeName}:`)
    expect(error.message).toContain('503')
    expect(error.message).toContain('3 attempts')
    expect((await tenant.stats()).requests).toBe(3)
  })

  it('does not retry a request the provider refuses as bad (400)', async () => {
    const error = await gradeError(provider.make(tenant, provider.badRequest.overrides), request(REFERENCE))
    expect(error.code).toBe('VJ_JUDGE_HTTP')
    expect(error.status).toBe(400)
    expect(error.message).toContain(provider.badRequest.says)
    expect((await tenant.stats()).requests).toBe(1)
  })

  it('gives up on a slow provider with VJ_JUDGE_TIMEOUT within bounded time', async () => {
    await tenant.configure({ delayMs: 2000 })
    const started = Date.now()
    const error = await gradeError(
      provider.make(tenant, { timeout: 300, maxRetries: 1, retryDelayMs: 10 }),
      request(REFERENCE),
    )
    expect(Date.now() - started).toBeLessThan(1500)
    expect(error.code).toBe('VJ_JUDGE_TIMEOUT')
    expect(error.judge).toBe(judgeName)
    expect(error.message).toContain('300 ms')
    expect(error.message).toContain('2 attempts')
    expect((await tenant.stats()).requests).toBe(2)
  })

  it('repairs a prose reply with one follow-up request', async () => {
    await tenant.configure({ malformed: 'prose', malformedTimes: 1 })
    const verdict = await provider.make(tenant).grade(request(REFERENCE))
    expect(verdict.score).toBe(5)
    expect(verdict.attempts).toBe(2)
    // The repair round's tokens are paid for too.
    expect(verdict.usage?.outputTokens).toBe(tokens(PROSE_REPLY) + tokens(PERFECT_REPLY))
    const { log } = await tenant.stats()
    expect(log.map((e) => [e.status, e.fault])).toEqual([
      [200, 'malformed'],
      [200, undefined],
    ])
    // The repair request still carries the case, so the judge grades the same output.
    expect(log[1]?.sections.output).toBe(REFERENCE)
  })

  it('fails with VJ_JUDGE_BAD_REPLY after exactly one repair attempt', async () => {
    await tenant.configure({ malformed: 'prose' })
    const error = await gradeError(provider.make(tenant), request(REFERENCE))
    expect(error.code).toBe('VJ_JUDGE_BAD_REPLY')
    expect(error.judge).toBe(judgeName)
    expect(error.message).toContain('not JSON')
    expect((await tenant.stats()).requests).toBe(2)
  })

  it('accepts a reply in a ```json fence without a repair', async () => {
    await tenant.configure({ malformed: 'fenced' })
    const verdict = await provider.make(tenant).grade(request(REFERENCE))
    expect(verdict).toMatchObject({ score: 5, attempts: 1 })
    expect((await tenant.stats()).requests).toBe(1)
  })

  it.each(['score7', 'missing-field', 'not-json'] as const)('repairs a %s reply once, else fails', async (mode) => {
    await tenant.configure({ malformed: mode, malformedTimes: 1 })
    const judge = provider.make(tenant)
    expect(await judge.grade(request(REFERENCE))).toMatchObject({ score: 5, attempts: 2 })
    expect((await tenant.stats()).requests).toBe(2)

    await tenant.configure({ malformed: mode })
    const error = await gradeError(judge, request(REFERENCE))
    expect(error.code).toBe('VJ_JUDGE_BAD_REPLY')
    if (mode === 'score7') expect(error.message).toContain('`score`')
    if (mode === 'missing-field') expect(error.message).toContain('`score`')
    expect((await tenant.stats()).requests).toBe(4)
  })

  it(`throws MissingKeyError naming ${provider.keyEnv} when no key is set, without a request`, async () => {
    const judge = provider.make(tenant, { apiKey: undefined })
    const error = await judge.grade(request(REFERENCE)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MissingKeyError)
    expect((error as MissingKeyError).code).toBe('VJ_MISSING_KEY')
    expect((error as MissingKeyError).message).toContain(provider.keyEnv)
    expect((error as MissingKeyError).envVars).toContain(provider.keyEnv)
    if (judge.embed) await expect(judge.embed(['a'])).rejects.toBeInstanceOf(MissingKeyError)
    expect((await tenant.stats()).requests).toBe(0)
  })

  it(`reads the key from ${provider.keyEnv}`, async () => {
    process.env[provider.keyEnv] = tenant.apiKey
    const verdict = await provider.make(tenant, { apiKey: undefined }).grade(request(REFERENCE))
    expect(verdict.score).toBe(5)
  })

  it('never shows the API key in an error or the request log', async () => {
    await tenant.configure({ down: true })
    const judge = provider.make(tenant, { apiKey: SECRET, maxRetries: 0 })
    const error = await gradeError(judge, request(REFERENCE))
    const embedError = judge.embed ? await judge.embed(['a b']).catch((e: unknown) => e) : error
    expect(embedError).toBeInstanceOf(JudgeError)
    for (const e of [error, embedError]) {
      expect((e as Error).message).not.toContain(SECRET)
      expect(String(e)).not.toContain(SECRET)
      expect(inspect(e, { depth: 6 })).not.toContain(SECRET)
      expect(JSON.stringify(e)).not.toContain(SECRET)
    }
    await tenant.configure({})
    await judge.grade(request(REFERENCE))
    const raw = JSON.stringify(await tenant.stats())
    expect(raw).toContain('[present]')
    expect(raw).not.toContain(SECRET)
  })

  it.skipIf(!provider.embeddingRoute)('embeds texts into number vectors of equal length', async () => {
    const judge = provider.make(tenant)
    const vectors = await judge.embed?.(['a b', 'a b c'])
    expect(vectors).toHaveLength(2)
    const [first, second] = vectors ?? []
    expect(first).toHaveLength(64)
    expect(second).toHaveLength(64)
    // The exact values the fake computed, so the SDK's decoding (base64 float32 for openai) is right.
    expect(first).toEqual(embedText('a b'))
    expect(second).toEqual(embedText('a b c'))
    expect((await tenant.stats()).byRoute).toEqual({ [String(provider.embeddingRoute)]: 1 })
  })

  it.skipIf(!provider.embeddingRoute)(
    'retries a failed embedding request and names the embedding model when it gives up',
    async () => {
      await tenant.configure({ status429Every: 1 })
      const error = await provider
        .make(tenant, { maxRetries: 1 })
        .embed?.(['a'])
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(JudgeError)
      expect((error as JudgeError).code).toBe('VJ_JUDGE_HTTP')
      expect((error as JudgeError).status).toBe(429)
      expect((error as JudgeError).judge).toMatch(new RegExp(`^${provider.kind}:.*embedding`))
      expect((await tenant.stats()).requests).toBe(2)
    },
  )
})

describe('openai judge rate limits', () => {
  it('waits as long as retry-after asks before retrying a 429', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    await tenant.configure({ status429Every: 2, retryAfterSeconds: 1 })
    const judge = providers[0]?.make(tenant)
    await judge?.grade(request(REFERENCE))
    const started = Date.now()
    expect(await judge?.grade(request(REFERENCE))).toMatchObject({ score: 5, attempts: 2 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })
})

describe('base URL from the environment', () => {
  it('the Gemini judge honours GEMINI_BASE_URL when no baseUrl option is given', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    process.env.GEMINI_BASE_URL = tenant.geminiBaseUrl
    const judge = providers[1]?.make(tenant, { noBaseUrl: true })
    expect(await judge?.grade(request(REFERENCE))).toMatchObject({ score: 5 })
    expect((await tenant.stats()).byRoute).toEqual({ 'gemini.generateContent': 1 })
  })

  it('the OpenAI judge honours OPENAI_BASE_URL when no baseURL option is given', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    process.env.OPENAI_BASE_URL = tenant.openaiBaseURL
    const judge = providers[0]?.make(tenant, { noBaseUrl: true })
    expect(await judge?.grade(request(REFERENCE))).toMatchObject({ score: 5 })
    expect((await tenant.stats()).byRoute).toEqual({ 'openai.chat': 1 })
  })

  it('the baseUrl option wins over GEMINI_BASE_URL', async () => {
    const used = fakeTenant(inject('fakeProviderUrl'))
    const ignored = fakeTenant(inject('fakeProviderUrl'))
    process.env.GEMINI_BASE_URL = ignored.geminiBaseUrl
    await providers[1]?.make(used).grade(request(REFERENCE))
    expect((await used.stats()).requests).toBe(1)
    expect((await ignored.stats()).requests).toBe(0)
  })
})

describe('anthropic judge specifics', () => {
  const make = (tenant: FakeTenant, o: JudgeOverrides = {}) => providers[2]?.make(tenant, o) as Judge

  it('asks for the verdict through a forced tool call, with a key and an anthropic-version', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    await make(tenant).grade(request(REFERENCE))
    const [entry] = (await tenant.stats()).log
    expect(entry).toMatchObject({
      route: 'anthropic.messages',
      responseFormat: 'tool:verdict',
      schema: true,
      // @anthropic-ai/sdk 1.x sends the key as a bearer token.
      headers: { authorization: '[present]' },
    })
    expect(entry?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  it('retries a 529 overload, waiting as long as retry-after asks', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    await tenant.configure({ status529Every: 2, retryAfterSeconds: 1 })
    const judge = make(tenant)
    await judge.grade(request(REFERENCE))
    const started = Date.now()
    expect(await judge.grade(request(REFERENCE))).toMatchObject({ score: 5, attempts: 2, retries: 1 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    const { log } = await tenant.stats()
    expect(log.map((e) => [e.status, e.fault])).toEqual([
      [200, undefined],
      [529, 'overloaded'],
      [200, undefined],
    ])
  })

  it('gives up on a provider that stays overloaded with VJ_JUDGE_HTTP 529', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    await tenant.configure({ status529Every: 1 })
    const error = await gradeError(make(tenant, { maxRetries: 1 }), request(REFERENCE))
    expect(error.code).toBe('VJ_JUDGE_HTTP')
    expect(error.status).toBe(529)
    expect(error.message).toContain('2 attempts')
    expect((await tenant.stats()).requests).toBe(2)
  })

  it('honours ANTHROPIC_BASE_URL when no baseURL option is given', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    process.env.ANTHROPIC_BASE_URL = tenant.anthropicBaseURL
    expect(await make(tenant, { noBaseUrl: true }).grade(request(REFERENCE))).toMatchObject({ score: 5 })
    expect((await tenant.stats()).byRoute).toEqual({ 'anthropic.messages': 1 })
  })

  it('refuses a temperature, which the Messages API no longer takes', () => {
    expect(() => anthropic({ model: 'claude-haiku-4-5', temperature: 0 })).toThrow(ConfigError)
  })
})

describe('base URL spellings', () => {
  it('every provider accepts baseUrl as well as baseURL', async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    const options = { apiKey: tenant.apiKey, maxRetries: 0, timeout: 5000 }
    await openai({ model: 'gpt-4.1-mini', baseUrl: tenant.openaiBaseURL, ...options }).grade(request(REFERENCE))
    await gemini({ model: 'gemini-2.5-flash', baseURL: tenant.geminiBaseUrl, ...options }).grade(request(REFERENCE))
    await anthropic({ model: 'claude-haiku-4-5', baseUrl: tenant.anthropicBaseURL, ...options }).grade(
      request(REFERENCE),
    )
    expect((await tenant.stats()).byRoute).toEqual({
      'openai.chat': 1,
      'gemini.generateContent': 1,
      'anthropic.messages': 1,
    })
  })

  it('two different spellings are an error naming the one to keep', () => {
    expect(() => openai({ model: 'm', baseURL: 'http://a.invalid', baseUrl: 'http://b.invalid' })).toThrow(
      /pass only `baseURL`/,
    )
  })
})

describe('a provider SDK that is not installed', () => {
  it('is an error that says what to install', async () => {
    const error = await loadSdk(
      'anthropic',
      'vitest-judge-no-such-sdk',
      () => import(/* @vite-ignore */ ['vitest-judge-no-such-sdk'].join('')),
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MissingPackageError)
    expect((error as MissingPackageError).code).toBe('VJ_MISSING_PACKAGE')
    expect((error as Error).message).toContain('npm install -D vitest-judge-no-such-sdk')
  })
})
