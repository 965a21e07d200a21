/**
 * Bad input, end to end through fixtures/faults-bad-input: broken and empty datasets of every
 * format, cases missing a field a metric needs, bad pass marks, a missing key, an unknown judge,
 * corrupt or foreign state files, and bad CLI selectors and reports. Every error says what and
 * where; nothing is silently lost or overwritten.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { FAKE_API_KEY, fakeTenant } from '../fake-provider/client.js'
import { type FixtureRun, REPO, runFixture, tempStateDir, testNamed } from './run-fixture.js'

const dirs: string[] = []
const all = (run: FixtureRun) => `${run.stdout}\n${run.stderr}`

function cli(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO, 'dist/cli/index.js'), ...args, '--dir', dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('bad datasets and fields (local judge, no key)', () => {
  let run: FixtureRun
  beforeAll(async () => {
    const data = tempStateDir()
    dirs.push(data)
    const badJson = join(data, 'bad.json')
    writeFileSync(
      badJson,
      '[\n  {"input": "q1", "expected": "a1"},\n  {"input": "q2", "expected": "a2"},\n  {"input": "q3" "expected": "a3"}\n]\n',
    )
    run = await runFixture('faults-bad-input', { env: { VITEST_JUDGE: 'local', FAULTS_BAD_JSON: badJson } })
    dirs.push(run.dir)
  })

  test.each([
    ['bad-jsonl.eval.ts', /data\/bad\.jsonl:4: line 4 is not valid JSON/],
    ['bad-json.eval.ts', /bad\.json:4: not valid JSON/],
    ['bad-csv.eval.ts', /data\/bad\.csv:4: has 3 fields where the header has 2/],
    ['no-input.eval.ts', /data\/no-input\.jsonl:2: line 2 has no "input" field/],
  ])('%s fails at collection with an error naming the file and the line', (file, message) => {
    const text = all(run)
    expect(text).toMatch(message)
    expect(text).toMatch(new RegExp(`FAIL\\s+${file.replace('.', '\\.')}`))
    // Collection failed: no case of that file ran.
    expect(run.tests.filter((t) => t.file === file)).toHaveLength(0)
  })

  test.each([
    ['jsonl', 'bad-grade', /data\/bad-labels\.jsonl:2: line 2: the human grade of answer_similarity .* got 7/],
    ['jsonl', 'bad-calls', /data\/bad-labels\.jsonl:3: line 3: `expectedToolCalls` must be an array of \{ name/],
    ['json', 'bad-grade', /data\/bad-labels\.json:3: case 1 \(0-based, line 3\): the human grade of answer_similarity/],
    ['csv', 'bad-calls', /data\/bad-labels\.csv:3: line 3: `expectedToolCalls` must be an array/],
  ])(
    'a bad human grade or expectedToolCalls in .%s (%s) is a VJ_DATASET error naming the file and the line',
    (ext, id, message) => {
      const failed = testNamed(run, `labels from data/bad-labels.${ext} > ${id}`)
      expect(failed.state).toBe('failed')
      expect(failed.errors.join('\n')).toMatch(message)
      expect(testNamed(run, `labels from data/bad-labels.${ext} > fine`).state).toBe('passed')
    },
  )

  test('an empty dataset (.jsonl, .json, .csv) is an error naming it', () => {
    const text = all(run)
    expect(text).toMatch(/data\/empty\.jsonl has no cases/)
    expect(run.tests.filter((t) => t.file === 'empty.eval.ts')).toHaveLength(0)
  })

  test('a case without `expected` fails with VJ_MISSING_FIELD naming the metric and the field', () => {
    const missing = testNamed(run, 'no-expected')
    expect(missing.state).toBe('failed')
    expect(missing.errors.join('\n')).toMatch(/Metric answer_similarity needs `expected`/)
    const context = testNamed(run, 'no-context')
    expect(context.errors.join('\n')).toMatch(/Metric faithfulness needs `context`/)
    expect(testNamed(run, 'complete').state).toBe('passed')
    const recorded = run.report?.runs.find((r) => r.file === 'missing-field.eval.ts')
    const noExpected = recorded?.cases.find((c) => c.name.endsWith('no-expected'))
    expect(noExpected?.metrics?.answer_similarity?.error?.code).toBe('VJ_MISSING_FIELD')
    expect(noExpected?.metrics?.token_f1?.error?.code).toBe('VJ_MISSING_FIELD')
    // A missing field is the data's fault, not the judge's.
    expect(noExpected?.judgeErrors).toBe(0)
    expect(noExpected?.scores.answer_similarity).toBeNull()
  })

  test('a matcher minScore outside 0..1 fails the test naming the option', () => {
    expect(testNamed(run, 'matcher minScore above 1').errors.join('\n')).toMatch(
      /toBeSimilarTo\(\{ minScore \}\) must be a number from 0 to 1.*got 1\.5/,
    )
    expect(testNamed(run, 'matcher minScore below 0').errors.join('\n')).toMatch(/got -0\.1/)
    expect(testNamed(run, 'describeEval threshold above 1').state).toBe('passed')
  })

  test('a per-metric threshold above 1 for a score metric is refused at definition', () => {
    expect(all(run)).toMatch(/threshold\.exact_match.* must be a number from 0 to 1/)
    expect(run.tests.filter((t) => t.file === 'threshold-map.eval.ts')).toHaveLength(0)
  })
})

test('the other empty formats are errors too', async () => {
  // `empty.eval.ts` stops at its first (.jsonl) suite; the .json and .csv ones, through the loader.
  const { loadCases } = await import('../../src/runtime/dataset.js')
  const root = join(REPO, 'fixtures/faults-bad-input')
  await expect(loadCases('data/empty.json', root)).rejects.toThrow(/data\/empty\.json has no cases/)
  await expect(loadCases('data/empty.csv', root)).rejects.toThrow(/data\/empty\.csv has no cases/)
})

describe('refused at start-up', () => {
  test('an openai judge without OPENAI_API_KEY names the env variable and the option', async () => {
    const run = await runFixture('faults-bad-input', {
      env: { VITEST_JUDGE: 'openai:gpt-x' },
      filters: ['bad-options'],
    })
    dirs.push(run.dir)
    expect(run.exitCode).not.toBe(0)
    expect(run.tests).toHaveLength(0)
    expect(all(run)).toMatch(/openai judge needs an API key: set OPENAI_API_KEY.*`apiKey`/)
    expect(existsSync(join(run.dir, 'runs.db'))).toBe(false)
  })

  test('an unknown judge spec', async () => {
    const run = await runFixture('faults-bad-input', {
      env: { VITEST_JUDGE: 'mistral:large' },
      filters: ['bad-options'],
    })
    dirs.push(run.dir)
    expect(run.exitCode).not.toBe(0)
    expect(run.tests).toHaveLength(0)
    expect(all(run)).toMatch(/Unknown judge "mistral:large".*'anthropic:<model>'.*VITEST_JUDGE/)
  })

  test('a plugin minScore outside 0..1', async () => {
    const run = await runFixture('faults-bad-input', {
      env: { VITEST_JUDGE: 'local', FAULTS_MIN_SCORE: '1.5' },
      filters: ['bad-options'],
    })
    dirs.push(run.dir)
    expect(run.exitCode).not.toBe(0)
    expect(run.tests).toHaveLength(0)
    expect(all(run)).toMatch(/Option `minScore` must be a number from 0 to 1.*got 1\.5/)
  })
})

describe('a corrupt runs.db and a foreign cache.db', () => {
  let run: FixtureRun
  let state: string
  let before: Record<string, string>
  let runsCli: ReturnType<typeof cli>
  let cacheCli: ReturnType<typeof cli>
  beforeAll(async () => {
    const tenant = fakeTenant(inject('fakeProviderUrl'))
    state = tempStateDir()
    dirs.push(state)
    writeFileSync(join(state, 'runs.db'), Buffer.from('this is not a database, it is a shopping list\n'.repeat(200)))
    const foreign = new BetterSqlite3(join(state, 'cache.db'))
    foreign.exec("CREATE TABLE recipes (name TEXT, steps TEXT); INSERT INTO recipes VALUES ('bread', 'knead')")
    foreign.close()
    before = { runs: sha256(join(state, 'runs.db')), cache: sha256(join(state, 'cache.db')) }
    run = await runFixture('faults-bad-input', {
      dir: state,
      env: { OPENAI_API_KEY: FAKE_API_KEY, OPENAI_BASE_URL: tenant.openaiBaseURL, VITEST_JUDGE: 'openai:fake-judge' },
      filters: ['missing-field'],
    })
    runsCli = cli(state, 'runs')
    cacheCli = cli(state, 'cache', 'stats')
    await tenant.reset()
  })

  test('vitest says clearly that runs are not recorded, naming the file, and fails', () => {
    expect(run.exitCode).toBe(1)
    expect(all(run)).toMatch(/runs are not recorded: .*runs\.db is not a SQLite database, or is corrupt/)
    expect(all(run)).toMatch(/never overwrites a file it does not own/)
  })

  test('a judged case fails with VJ_STORE naming cache.db instead of silently skipping the cache', () => {
    const complete = testNamed(run, 'complete')
    expect(complete.state).toBe('failed')
    expect(complete.errors.join('\n')).toMatch(/cache\.db belongs to another application/)
  })

  test('the CLI exits 2 with a message naming the file', () => {
    expect(runsCli.status).toBe(2)
    expect(runsCli.stderr).toMatch(/runs\.db is not a SQLite database, or is corrupt/)
    expect(cacheCli.status).toBe(2)
    expect(cacheCli.stderr).toMatch(/cache\.db belongs to another application/)
  })

  test('both files are unchanged byte for byte, with no WAL left beside them', () => {
    expect({ runs: sha256(join(state, 'runs.db')), cache: sha256(join(state, 'cache.db')) }).toEqual(before)
    expect(existsSync(join(state, 'runs.db-wal'))).toBe(false)
    expect(existsSync(join(state, 'cache.db-wal'))).toBe(false)
  })
})

describe('CLI: bad selectors and reports', () => {
  let state: string
  let v2: string
  beforeAll(async () => {
    const run = await runFixture('faults-bad-input', { env: { VITEST_JUDGE: 'local' }, filters: ['missing-field'] })
    state = run.dir
    dirs.push(state)
    const report = JSON.parse(readFileSync(join(state, 'report.json'), 'utf8')) as Record<string, unknown>
    v2 = join(state, 'report-v2.json')
    writeFileSync(v2, JSON.stringify({ ...report, version: 2 }))
  })

  test.each([
    [['show', 'no-such-run']],
    [['show', 'tag:nothing-tagged']],
    [['compare', '--base', 'branch:no-such-branch']],
  ])('an unknown selector: %j exits 2 with a message', (args) => {
    const result = cli(state, ...args)
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/^vitest-judge: /)
    expect(result.stdout).toBe('')
  })

  test('a JSON report of another version exits 2 naming the version', () => {
    for (const args of [
      ['show', v2],
      ['compare', '--base', v2, '--head', 'latest'],
    ]) {
      const result = cli(state, ...args)
      expect(result.status).toBe(2)
      expect(result.stderr).toMatch(/version/i)
      expect(result.stderr).toMatch(/report-v2\.json/)
    }
  })

  test('the store still lists the good run afterwards', () => {
    const result = cli(state, 'runs')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/missing-field\.eval\.ts/)
  })
})
