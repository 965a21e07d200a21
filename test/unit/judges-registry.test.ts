import { describe, expect, it } from 'vitest'
import { overallHelp } from '../../src/cli/main.js'
import { JudgeError, MissingKeyError, UnknownJudgeError } from '../../src/errors.js'
import { local } from '../../src/judges/local-judge.js'
import { buildGradingPrompt } from '../../src/judges/prompt.js'
import {
  defaultJudgeSpec,
  judgeSpecForms,
  localJudgeNotice,
  missingKeyError,
  PROVIDERS,
  parseJudgeSpec,
  parseJudgeSpecOrThrow,
} from '../../src/judges/providers.js'
import { resolveEmbeddingJudge, resolveJudge } from '../../src/judges/resolve-judge.js'
import type { GradeRequest } from '../../src/judges/types.js'
import { defineMetric } from '../../src/metrics/define-metric.js'
import { redact } from '../../src/redact.js'

describe('the provider registry', () => {
  it('declares openai, gemini and anthropic, each with its key, base-URL variable and default model', () => {
    expect(PROVIDERS.map((p) => [p.prefix, p.keyEnv, p.baseUrlEnv, p.defaultModel])).toEqual([
      ['openai', ['OPENAI_API_KEY'], 'OPENAI_BASE_URL', 'gpt-4.1-mini'],
      ['gemini', ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], 'GEMINI_BASE_URL', 'gemini-2.5-flash'],
      ['anthropic', ['ANTHROPIC_API_KEY'], 'ANTHROPIC_BASE_URL', 'claude-haiku-4-5'],
    ])
  })

  it('parses every provider spec, local and custom; refuses the rest', () => {
    expect(parseJudgeSpec('anthropic:claude-sonnet-4-5')).toMatchObject({
      kind: 'provider',
      provider: { prefix: 'anthropic' },
      model: 'claude-sonnet-4-5',
    })
    // A model may itself contain colons (Ollama tags).
    expect(parseJudgeSpec('openai:llama3:8b')).toMatchObject({ kind: 'provider', model: 'llama3:8b' })
    expect(parseJudgeSpec('local')).toEqual({ kind: 'local' })
    expect(parseJudgeSpec('custom:mine')).toEqual({ kind: 'custom', name: 'mine' })
    for (const bad of ['mistral:large', 'openai', 'openai:', ':x', '', 'LOCAL'])
      expect(parseJudgeSpec(bad)).toBeUndefined()
  })

  it('names every accepted form in the unknown-judge error', () => {
    const error = (() => {
      try {
        parseJudgeSpecOrThrow('mistral:large')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(UnknownJudgeError)
    expect((error as Error).message).toBe(
      `Unknown judge "mistral:large". Use 'openai:<model>', 'gemini:<model>', 'anthropic:<model>', 'local', or a Judge object (option \`judge\`, env VITEST_JUDGE).`,
    )
    expect(judgeSpecForms()).toEqual(['openai:<model>', 'gemini:<model>', 'anthropic:<model>', 'local'])
  })

  it('picks the default judge from the first provider whose key is set', () => {
    expect(defaultJudgeSpec({ ANTHROPIC_API_KEY: 'a' })).toEqual({
      judge: 'anthropic:claude-haiku-4-5',
      source: 'anthropic-key',
    })
    expect(defaultJudgeSpec({ ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o' }).judge).toBe('openai:gpt-4.1-mini')
    expect(defaultJudgeSpec({ ANTHROPIC_API_KEY: '' })).toEqual({ judge: 'local', source: 'default' })
  })

  it('checks the key of the chosen provider only', () => {
    const error = missingKeyError('anthropic:claude-haiku-4-5', { OPENAI_API_KEY: 'o' })
    expect(error).toBeInstanceOf(MissingKeyError)
    expect(error?.message).toContain('set ANTHROPIC_API_KEY')
    expect(error?.message).toContain('anthropic({ ... })')
    expect(missingKeyError('anthropic:claude-haiku-4-5', { ANTHROPIC_API_KEY: 'a' })).toBeUndefined()
    expect(missingKeyError('gemini:x', { GOOGLE_API_KEY: 'g' })).toBeUndefined()
    expect(missingKeyError('gemini:x', {})?.message).toContain('GEMINI_API_KEY or GOOGLE_API_KEY')
    expect(missingKeyError('local', {})).toBeUndefined()
  })

  it('resolves an anthropic spec to a judge; an anthropic embedding spec to one that cannot embed', () => {
    expect(resolveJudge('anthropic:claude-haiku-4-5').name).toBe('anthropic:claude-haiku-4-5')
    expect(resolveEmbeddingJudge('anthropic:claude-haiku-4-5').embed).toBeUndefined()
    expect(resolveEmbeddingJudge('openai:text-embedding-3-large').embed).toBeTypeOf('function')
  })

  it('redacts the key of every provider', () => {
    for (const provider of PROVIDERS) {
      for (const name of provider.keyEnv) {
        const saved = process.env[name]
        process.env[name] = `secret-value-of-${name}`
        try {
          expect(redact(`the key is secret-value-of-${name}.`)).toBe('the key is [redacted].')
        } finally {
          if (saved === undefined) delete process.env[name]
          else process.env[name] = saved
        }
      }
    }
    expect(redact('x-api-key: abcdef123456')).toBe('x-api-key: [redacted]')
  })

  it('derives the help text and the offline notice from the providers', () => {
    const help = overallHelp()
    for (const provider of PROVIDERS) {
      expect(help).toContain(`${provider.prefix}:<model>`)
      expect(help).toContain(provider.baseUrlEnv)
      expect(localJudgeNotice()).toContain(provider.keyEnv[0])
    }
  })
})

describe('the local judge and custom metrics', () => {
  function requestFor(metric: string, builtin: boolean): GradeRequest {
    const fields = {
      input: 'Q?',
      output: 'Paris is the capital of France.',
      context: 'Paris is the capital of France.',
    }
    return {
      metric,
      metricVersion: 'v1',
      builtin,
      fields,
      trial: 0,
      prompt: buildGradingPrompt(
        { name: metric, version: 'v1', definition: 'd', gradingPrompt: 'g', fields: ['input', 'output', 'context'] },
        fields,
      ),
    }
  }

  it('still scores the built-in faithfulness', async () => {
    expect((await local().grade(requestFor('faithfulness', true))).score).toBe(5)
  })

  it('refuses a custom metric that borrows a built-in name', async () => {
    const error = await local()
      .grade(requestFor('faithfulness', false))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JudgeError)
    expect((error as JudgeError).code).toBe('VJ_JUDGE_UNSUPPORTED')
    expect((error as Error).message).toContain('needs an LLM judge')
    expect((error as Error).message).toContain('ANTHROPIC_API_KEY')
  })

  it('defineMetric({ name: "faithfulness" }) gets the needs-an-LLM-judge error, not word overlap', async () => {
    const metric = defineMetric({
      name: 'faithfulness',
      definition: 'Whether the answer agrees with my policy.',
      gradingPrompt: 'Score 1: against policy. Score 5: follows it.',
    })
    const judge = local()
    const context = {
      judge,
      trial: 0,
      grade: (j: typeof judge, request: GradeRequest) => j.grade(request).then((v) => ({ ...v, cached: false })),
      embed: async () => ({ vectors: [], cached: false }),
    }
    const error = await metric
      .score({ output: 'Paris is the capital of France.', context: 'Paris is the capital of France.' }, context)
      .catch((e: unknown) => e)
    expect((error as Error).message).toContain('needs an LLM judge')
  })
})
