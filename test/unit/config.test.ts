import { describe, expect, it } from 'vitest'
import { resolveOptions, type VitestJudgeOptions } from '../../src/config.js'
import { ConfigError } from '../../src/errors.js'
import { local } from '../../src/judges/local-judge.js'

const ROOT = '/project'

function resolve(options: VitestJudgeOptions = {}, env: Record<string, string | undefined> = {}) {
  return resolveOptions(options, { root: ROOT, env })
}

function configError(run: () => unknown): ConfigError {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(ConfigError)
  expect((caught as ConfigError).code).toBe('VJ_CONFIG')
  return caught as ConfigError
}

describe('resolveOptions defaults', () => {
  it('uses the documented defaults with an empty environment', () => {
    expect(resolve()).toEqual({
      judge: 'local',
      judgeSource: 'default',
      minScore: 0.75,
      dir: '/project/.vitest-judge',
      cache: 'readwrite',
      cacheUrl: null,
      store: null,
      baseline: 'previous',
      gate: { enabled: false, maxDrop: null, alpha: 0.05, minMean: {}, measurements: {} },
      reports: {
        junit: '/project/.vitest-judge/junit.xml',
        json: '/project/.vitest-judge/report.json',
        markdown: '/project/.vitest-judge/summary.md',
        html: '/project/.vitest-judge/report.html',
      },
      concurrency: 8,
      params: {},
      experiment: 'default',
      root: ROOT,
      pricing: {},
      budget: null,
      junit: { properties: false, addFileAttribute: false, addLineAttribute: false },
      githubAnnotations: false,
      githubStepSummary: null,
      noColor: false,
      testAnnotations: true,
      mlflow: null,
      appCache: 'off',
      appCacheSource: 'default',
      traces: { enabled: true, maxSpans: 500, maxBytes: 512_000, inReport: true },
    })
  })

  it('reads GITHUB_STEP_SUMMARY and NO_COLOR (an empty value is unset)', () => {
    const withEnv = (env: Record<string, string>) => resolveOptions({}, { root: ROOT, env })
    expect(withEnv({ GITHUB_STEP_SUMMARY: '/tmp/summary.md' }).githubStepSummary).toBe('/tmp/summary.md')
    expect(withEnv({ GITHUB_STEP_SUMMARY: '' }).githubStepSummary).toBeNull()
    expect(withEnv({ NO_COLOR: '1' }).noColor).toBe(true)
    expect(withEnv({ NO_COLOR: '' }).noColor).toBe(false)
  })

  it('writes GitHub annotations by default only inside GitHub Actions', () => {
    expect(resolveOptions({}, { root: ROOT, env: { GITHUB_ACTIONS: 'true' } }).githubAnnotations).toBe(true)
    expect(
      resolveOptions({ githubAnnotations: false }, { root: ROOT, env: { GITHUB_ACTIONS: 'true' } }).githubAnnotations,
    ).toBe(false)
    expect(resolveOptions({ githubAnnotations: true }, { root: ROOT, env: {} }).githubAnnotations).toBe(true)
  })

  it('takes a shared store and cache URL from options or env; the cache follows the store', () => {
    const store = 'postgres://ci@db:5432/evals?schema=vj'
    const other = 'postgres://ci@cache:5432/judge'
    expect(resolveOptions({ store }, { root: ROOT, env: {} })).toMatchObject({
      store,
      cacheUrl: store,
      cache: 'readwrite',
    })
    expect(resolveOptions({}, { root: ROOT, env: { VITEST_JUDGE_STORE_URL: store } })).toMatchObject({ store })
    expect(
      resolveOptions(
        { cache: { mode: 'readonly', url: other } },
        { root: ROOT, env: { VITEST_JUDGE_STORE_URL: store } },
      ),
    ).toMatchObject({ store, cacheUrl: other, cache: 'readonly' })
    expect(resolveOptions({}, { root: ROOT, env: { VITEST_JUDGE_CACHE_URL: other } })).toMatchObject({
      store: null,
      cacheUrl: other,
    })
    expect(() => resolveOptions({ store: 'mysql://x/y' }, { root: ROOT, env: {} })).toThrow(
      /must be a postgres:\/\/ URL/,
    )
  })

  it('names the experiment after the package by default', () => {
    expect(resolveOptions({}, { root: ROOT, env: {}, packageName: 'my-app' }).experiment).toBe('my-app')
    expect(resolveOptions({ experiment: 'rag' }, { root: ROOT, env: {}, packageName: 'my-app' }).experiment).toBe('rag')
  })

  it('reads only the env it is given, not process.env', () => {
    const saved = process.env.OPENAI_API_KEY
    process.env.OPENAI_API_KEY = 'sk-from-process-env'
    try {
      expect(resolve({}, {}).judge).toBe('local')
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY
      else process.env.OPENAI_API_KEY = saved
    }
  })
})

describe('resolveOptions judge choice', () => {
  it.each([
    [{ VITEST_JUDGE: 'gemini:gemini-2.5-pro', OPENAI_API_KEY: 'k' }, 'gemini:gemini-2.5-pro', 'env'],
    [{ OPENAI_API_KEY: 'k', GEMINI_API_KEY: 'g' }, 'openai:gpt-4.1-mini', 'openai-key'],
    [{ GEMINI_API_KEY: 'g' }, 'gemini:gemini-2.5-flash', 'gemini-key'],
    [{ GOOGLE_API_KEY: 'g' }, 'gemini:gemini-2.5-flash', 'gemini-key'],
    [{ ANTHROPIC_API_KEY: 'a' }, 'anthropic:claude-haiku-4-5', 'anthropic-key'],
    [{ GEMINI_API_KEY: 'g', ANTHROPIC_API_KEY: 'a' }, 'gemini:gemini-2.5-flash', 'gemini-key'],
    [{ OPENAI_API_KEY: '', GEMINI_API_KEY: '' }, 'local', 'default'],
    [{ VITEST_JUDGE: 'local', OPENAI_API_KEY: 'k' }, 'local', 'env'],
  ] as const)('env %j gives %s', (env, judge, source) => {
    expect(resolve({}, env)).toMatchObject({ judge, judgeSource: source })
  })

  it('prefers the judge option to every env variable', () => {
    const env = { VITEST_JUDGE: 'local', OPENAI_API_KEY: 'k' }
    expect(resolve({ judge: 'openai:gpt-4o' }, env)).toMatchObject({ judge: 'openai:gpt-4o', judgeSource: 'option' })
  })

  it('turns a Judge object into a custom:<name> spec', () => {
    const judge = { ...local(), name: 'my-judge' }
    expect(resolve({ judge })).toMatchObject({ judge: 'custom:my-judge', judgeSource: 'option' })
  })

  it('rejects a judge that is neither a spec nor a Judge', () => {
    const error = configError(() => resolve({ judge: { name: 'x' } as unknown as string }))
    expect(error.message).toContain('`judge`')
  })
})

describe('resolveOptions dir, cache and baseline', () => {
  it('takes dir from the option, else VITEST_JUDGE_DIR, resolved against the root', () => {
    expect(resolve({}, { VITEST_JUDGE_DIR: 'state/evals' }).dir).toBe('/project/state/evals')
    expect(resolve({}, { VITEST_JUDGE_DIR: '/tmp/vj' }).dir).toBe('/tmp/vj')
    expect(resolve({ dir: './here' }, { VITEST_JUDGE_DIR: '/tmp/vj' }).dir).toBe('/project/here')
    expect(resolve({}, { VITEST_JUDGE_DIR: '/tmp/vj' }).reports.junit).toBe('/tmp/vj/junit.xml')
  })

  it('treats an empty VITEST_JUDGE_DIR as unset', () => {
    expect(resolve({}, { VITEST_JUDGE_DIR: '' }).dir).toBe('/project/.vitest-judge')
  })

  it.each(['readwrite', 'readonly', 'refresh', 'off'] as const)('accepts cache mode %s from env', (mode) => {
    expect(resolve({}, { VITEST_JUDGE_CACHE: mode }).cache).toBe(mode)
  })

  it('prefers the cache option to VITEST_JUDGE_CACHE, and treats an empty env value as unset', () => {
    expect(resolve({ cache: 'off' }, { VITEST_JUDGE_CACHE: 'readonly' }).cache).toBe('off')
    expect(resolve({}, { VITEST_JUDGE_CACHE: '' }).cache).toBe('readwrite')
  })

  it('rejects a bad cache mode naming the option and the env variable', () => {
    const error = configError(() => resolve({}, { VITEST_JUDGE_CACHE: 'sometimes' }))
    expect(error.message).toContain('"sometimes"')
    expect(error.message).toContain('`cache`')
    expect(error.message).toContain('VITEST_JUDGE_CACHE')
    expect(error.message).toContain('readonly')
    expect(configError(() => resolve({ cache: 'bogus' as 'off' })).message).toContain('"bogus"')
  })

  it.each([
    [{}, 'previous'],
    [{ VITEST_JUDGE_BASELINE: 'tag:baseline' }, 'tag:baseline'],
    [{ VITEST_JUDGE_BASELINE: 'false' }, false],
    [{ VITEST_JUDGE_BASELINE: 'none' }, false],
    [{ VITEST_JUDGE_BASELINE: '' }, 'previous'],
  ] as const)('baseline from env %j is %j', (env, baseline) => {
    expect(resolve({}, env).baseline).toBe(baseline)
  })

  it('prefers the baseline option, including false, to VITEST_JUDGE_BASELINE', () => {
    expect(resolve({ baseline: false }, { VITEST_JUDGE_BASELINE: 'latest' }).baseline).toBe(false)
    expect(resolve({ baseline: 'branch:main' }, { VITEST_JUDGE_BASELINE: 'false' }).baseline).toBe('branch:main')
  })
})

describe('resolveOptions validation', () => {
  it.each([-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects minScore %s naming minScore', (minScore) => {
    expect(configError(() => resolve({ minScore })).message).toContain('minScore')
  })

  it('accepts the ends of 0..1 for minScore', () => {
    expect(resolve({ minScore: 0 }).minScore).toBe(0)
    expect(resolve({ minScore: 1 }).minScore).toBe(1)
  })

  it.each([0, -1, 2.5])('rejects concurrency %s', (concurrency) => {
    expect(configError(() => resolve({ concurrency })).message).toContain('concurrency')
  })
})

describe('resolveOptions reports and gate', () => {
  it('resolves report paths against the root and turns a report off with false', () => {
    const reports = resolve({
      dir: '/abs/state',
      reports: { junit: 'out/junit.xml', json: false, html: 'out/r.html' },
    }).reports
    expect(reports).toEqual({
      junit: '/project/out/junit.xml',
      json: false,
      markdown: '/abs/state/summary.md',
      html: '/project/out/r.html',
    })
    expect(resolve({ reports: { html: false } }).reports.html).toBe(false)
  })

  it('defaults gate.alpha to 0.05 and has no gate unless asked (its settings hold either way)', () => {
    expect(resolve().gate).toEqual({ enabled: false, maxDrop: null, alpha: 0.05, minMean: {}, measurements: {} })
    expect(resolve({ gate: { maxDrop: 0.05 } }).gate).toEqual({
      enabled: true,
      maxDrop: 0.05,
      alpha: 0.05,
      minMean: {},
      measurements: {},
    })
    expect(resolve({ gate: { minMean: { faithfulness: 0.8 } } }).gate).toEqual({
      enabled: true,
      maxDrop: null,
      alpha: 0.05,
      minMean: { faithfulness: 0.8 },
      measurements: {},
    })
  })

  it.each([
    [{ alpha: 0 }, 'gate.alpha'],
    [{ alpha: 1.2 }, 'gate.alpha'],
    [{ maxDrop: -0.1 }, 'gate.maxDrop'],
    [{ minMean: { faithfulness: Number.NaN } }, 'gate.minMean.faithfulness'],
  ])('rejects gate %j naming %s', (gate, name) => {
    expect(configError(() => resolve({ gate })).message).toContain(name)
  })

  it('copies params so later changes by the caller do not leak in', () => {
    const params: Record<string, string | number | boolean> = { model: 'gpt', temperature: 0 }
    const resolved = resolve({ params })
    params.model = 'changed'
    expect(resolved.params).toEqual({ model: 'gpt', temperature: 0 })
  })
})

describe('resolveOptions pricing and budget', () => {
  it('keeps prices and fills the budget limit not given with null', () => {
    const resolved = resolve({ pricing: { 'gpt-x': { input: 1, output: 2 } }, budget: { maxCalls: 100 } })
    expect(resolved.pricing).toEqual({ 'gpt-x': { input: 1, output: 2 } })
    expect(resolved.budget).toEqual({ maxUsd: null, maxCalls: 100 })
  })

  it.each([
    [{ pricing: { m: { input: -1, output: 0 } } }, '`pricing.m`'],
    [{ pricing: { m: { input: 1 } as never } }, '`pricing.m`'],
    [{ budget: { maxUsd: -2 } }, '`budget.maxUsd`'],
    [{ budget: { maxCalls: 1.5 } }, '`budget.maxCalls`'],
    [{ budget: {} }, '`budget` needs'],
  ] as const)('refuses %j naming the option', (options, name) => {
    expect(configError(() => resolve(options as VitestJudgeOptions)).message).toContain(name)
  })
})

describe('mlflow option', () => {
  it('is off unless the option or MLFLOW_TRACKING_URI is set', () => {
    expect(resolve().mlflow).toBeNull()
    expect(resolve({ mlflow: false }, { MLFLOW_TRACKING_URI: 'http://mlflow:5000' }).mlflow).toBeNull()
  })

  it("reads MLflow's own env variables; the option wins; the experiment defaults to `experiment`", () => {
    expect(resolve({ experiment: 'rag' }, { MLFLOW_TRACKING_URI: 'http://mlflow:5000/' }).mlflow).toEqual({
      trackingUri: 'http://mlflow:5000',
      experiment: 'rag',
    })
    expect(
      resolve({}, { MLFLOW_TRACKING_URI: 'http://mlflow:5000', MLFLOW_EXPERIMENT_NAME: 'evals' }).mlflow?.experiment,
    ).toBe('evals')
    expect(
      resolve(
        { mlflow: { trackingUri: 'https://mlflow.example.com/prefix', experiment: 'mine' } },
        { MLFLOW_TRACKING_URI: 'http://other:5000', MLFLOW_EXPERIMENT_NAME: 'evals' },
      ).mlflow,
    ).toEqual({ trackingUri: 'https://mlflow.example.com/prefix', experiment: 'mine' })
  })

  it('an unusable MLFLOW_TRACKING_URI turns logging off with a reason instead of failing the run', () => {
    const resolved = resolve({}, { MLFLOW_TRACKING_URI: 'databricks' }).mlflow
    expect(resolved?.unusable).toContain('MLFLOW_TRACKING_URI')
    const withPassword = resolve({}, { MLFLOW_TRACKING_URI: 'https://bot:hunter2-secret@mlflow.example.com' }).mlflow
    expect(withPassword?.unusable).toContain('MLFLOW_TRACKING_PASSWORD')
    expect(withPassword?.unusable).not.toContain('hunter2-secret')
  })

  it('an unusable `mlflow` option is a ConfigError naming it', () => {
    expect(configError(() => resolve({ mlflow: { trackingUri: 'file:///tmp/mlruns' } })).message).toContain(
      'mlflow.trackingUri',
    )
    expect(configError(() => resolve({ mlflow: {} })).message).toContain('MLFLOW_TRACKING_URI')
  })
})

describe('the app cache mode', () => {
  it('is off by default, set by the option, and VITEST_JUDGE_APP_CACHE wins over the option', () => {
    expect(resolveOptions({}, { root: ROOT, env: {} }).appCache).toBe('off')
    expect(resolveOptions({ appCache: 'auto' }, { root: ROOT, env: {} })).toMatchObject({
      appCache: 'auto',
      appCacheSource: 'option',
    })
    expect(
      resolveOptions({ appCache: 'auto' }, { root: ROOT, env: { VITEST_JUDGE_APP_CACHE: 'replay' } }),
    ).toMatchObject({ appCache: 'replay', appCacheSource: 'env' })
    // An empty variable (CI exports unset ones as '') is unset.
    expect(resolveOptions({ appCache: 'record' }, { root: ROOT, env: { VITEST_JUDGE_APP_CACHE: '' } }).appCache).toBe(
      'record',
    )
  })

  it('refuses an unknown mode, naming the variable or the option and the modes', () => {
    expect(() => resolveOptions({}, { root: ROOT, env: { VITEST_JUDGE_APP_CACHE: 'readonly' } })).toThrow(
      /VITEST_JUDGE_APP_CACHE must be one of 'off', 'auto', 'record', 'replay', got "readonly"/,
    )
    expect(() => resolveOptions({ appCache: 'on' as never }, { root: ROOT, env: {} })).toThrow(/Option `appCache`/)
  })
})
