// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub workflow expressions are data in these tests
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { openRunStore } from '../../src/store/open.js'
import { InvocationSpool } from '../../src/store/store-spool.js'
import { type ActionRun, loadAction, runAction } from '../fake-github/action-runner.js'
import { assertBuilt, CLI } from '../fake-github/cli.js'
import { makeReport, pullRequestEvent, tempDir, writeEvent } from '../fake-github/fixtures.js'
import { ACTIONS_BOT, type FakeGitHub, startFakeGitHub } from '../fake-github/server.js'
import { type PgServer, startPostgres } from '../pg/server.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const FAKE_VITEST = join(ROOT, 'test', 'fake-github', 'fake-vitest.mjs')
const REPO = 'octo-org/evals-app'
const BOT_TOKEN = 'ghs_ActionJobToken0000000000000000000001'
const READ_ONLY = 'ghs_ForkReadOnlyToken00000000000000000001'
const OPENAI_KEY = 'sk-proj-actionTestKey0000000000000000000'
const MAIN_RUN = '4242'

/** The uploaded and downloadable artifacts: `<store>/<run id>/<name>/...`; this run is `current`. */
function artifactStore(store: string) {
  const calls: Array<{ uses: string; inputs: Record<string, string> }> = []
  const handler = (uses: string, inputs: Record<string, string>): boolean => {
    calls.push({ uses, inputs })
    if (uses.startsWith('actions/upload-artifact@')) {
      const target = join(store, 'current', inputs.name ?? '')
      if (existsSync(target) && inputs.overwrite !== 'true') return false
      rmSync(target, { recursive: true, force: true })
      cpSync(inputs.path ?? '', target, { recursive: true })
      return true
    }
    if (uses.startsWith('actions/download-artifact@')) {
      if (inputs.pattern) {
        const pattern = new RegExp(`^${inputs.pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
        const names = existsSync(join(store, 'current')) ? readdirSync(join(store, 'current')) : []
        for (const name of names.filter((n) => pattern.test(n))) {
          cpSync(join(store, 'current', name), join(inputs.path ?? '', name), { recursive: true })
        }
        return true
      }
      const source = join(store, inputs['run-id'] || 'current', inputs.name ?? '')
      if (!existsSync(source)) return false
      cpSync(source, inputs.path ?? '', { recursive: true })
      return true
    }
    return false
  }
  return { calls, handler }
}

describe('the composite action (action.yml), run step by step', () => {
  const action = loadAction(join(ROOT, 'action.yml'))
  let github: FakeGitHub
  let bin: string
  let reports: string
  let workspace: string
  let store: string
  let vitestLog: string
  let artifacts: ReturnType<typeof artifactStore>
  let pr = 100

  const vitestCalls = () =>
    readFileSync(vitestLog, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { args: string[]; env: Record<string, string | null> })

  async function run(options: {
    inputs?: Record<string, string>
    env?: Record<string, string>
    event?: 'pull_request' | 'push'
    token?: string
    headRepo?: string
    number?: number
  }): Promise<ActionRun> {
    const event = options.event ?? 'pull_request'
    const payload =
      event === 'pull_request'
        ? pullRequestEvent({ repo: REPO, number: options.number ?? pr, headRepo: options.headRepo ?? REPO })
        : { ref: 'refs/heads/main', repository: { full_name: REPO, default_branch: 'main' } }
    const result = await runAction(action, {
      workspace,
      inputs: options.inputs ?? {},
      github: { token: options.token ?? BOT_TOKEN, event_name: event },
      uses: artifacts.handler,
      env: {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME ?? workspace,
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: REPO,
        GITHUB_EVENT_NAME: event,
        GITHUB_EVENT_PATH: writeEvent(payload),
        GITHUB_API_URL: github.url,
        FAKE_CLI: CLI,
        FAKE_VITEST,
        FAKE_VITEST_LOG: vitestLog,
        OPENAI_API_KEY: OPENAI_KEY,
        ...(options.env ?? {}),
      },
    })
    // Nothing the action printed holds a secret.
    for (const secret of [BOT_TOKEN, READ_ONLY, OPENAI_KEY]) expect(result.log + result.summary).not.toContain(secret)
    return result
  }

  const errors = (result: ActionRun) =>
    [...result.log.matchAll(/^::error title=vitest-judge::(.*)$/gm)].map((m) => m[1])

  beforeAll(async () => {
    assertBuilt()
    github = await startFakeGitHub()
    github.addToken(BOT_TOKEN, { user: ACTIONS_BOT, installation: true })
    github.addToken(READ_ONLY, { user: ACTIONS_BOT, installation: true, readOnly: true })
    bin = tempDir('vj-bin-')
    // `npx --no <tool>`: vitest-judge is the built CLI, vitest the stand-in above.
    writeFileSync(
      join(bin, 'npx'),
      [
        '#!/usr/bin/env bash',
        'if [ "$1" = --no ]; then shift; fi',
        'tool="$1"; shift',
        'case "$tool" in',
        '  vitest-judge) if [ -n "${FAKE_NO_VITEST_JUDGE:-}" ]; then echo "npm error could not determine executable to run" >&2; exit 1; fi',
        '    exec node "$FAKE_CLI" "$@" ;;',
        '  vitest) exec node "$FAKE_VITEST" "$@" ;;',
        '  *) echo "fake npx: $tool" >&2; exit 127 ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    )
    reports = tempDir('vj-reports-')
    const write = (name: string, scores: number) =>
      writeFileSync(
        join(reports, name),
        JSON.stringify(makeReport(name, scores, { startedAt: '2025-01-02T00:00:00Z' })),
      )
    write('good.json', 1)
    write('regressed.json', 0.25)
    // The main branch's baseline artifact, uploaded by run 4242.
    store = tempDir('vj-store-')
    mkdirSync(join(store, MAIN_RUN, 'vitest-judge-report'), { recursive: true })
    writeFileSync(
      join(store, MAIN_RUN, 'vitest-judge-report', 'report.json'),
      JSON.stringify(makeReport('main', 1, { startedAt: '2025-01-01T00:00:00Z' })),
    )
    github.addArtifact(REPO, { name: 'vitest-judge-report', runId: Number(MAIN_RUN), headBranch: 'main' })
    github.addArtifact(REPO, { name: 'vitest-judge-report', runId: 9999, headBranch: 'some-feature' })
  })
  afterAll(() => github?.close())

  beforeEach(() => {
    workspace = tempDir('vj-workspace-')
    vitestLog = join(tempDir('vj-vitest-log-'), 'calls.jsonl')
    writeFileSync(vitestLog, '')
    rmSync(join(store, 'current'), { recursive: true, force: true })
    artifacts = artifactStore(store)
    pr++
    github.addPull(REPO, { number: pr })
  })

  test('a regressed pull request: summary, one sticky comment, the artifact, then a red job', async () => {
    const result = await run({
      inputs: { 'max-drop': '0.05', 'fail-on-test-failure': 'false' },
      env: { FAKE_VITEST_REPORT: join(reports, 'regressed.json'), FAKE_VITEST_EXIT: '1' },
    })
    expect(result.step('find-baseline').stdout).toBe(`${MAIN_RUN}\n`)
    expect(result.step('find-baseline').outputs).toMatchObject({
      found: 'true',
      source: 'artifact',
      'run-id': MAIN_RUN,
    })
    const download = artifacts.calls.find((c) => c.uses === 'actions/download-artifact@v4')
    expect(download?.inputs).toMatchObject({
      name: 'vitest-judge-report',
      'run-id': MAIN_RUN,
      'github-token': BOT_TOKEN,
    })
    expect(result.outputs.baseline).toMatch(/vitest-judge\.\w+\/baseline\/report\.json$/)

    expect(vitestCalls()).toEqual([
      {
        args: ['run'],
        cwd: expect.any(String),
        env: {
          VITEST_JUDGE_BASELINE: result.outputs.baseline,
          VITEST_JUDGE_STORE_URL: null,
          GITHUB_STEP_SUMMARY: null,
          GITHUB_TOKEN: null,
          OPENAI_API_KEY: 'set',
        },
      },
    ])
    expect(result.outputs['vitest-exit-code']).toBe('1')
    expect(result.outputs.regression).toBe('true')

    expect(result.summary).toMatch(
      /^<!-- vitest-judge -->\n## ❌ vitest-judge: 1 file · 6 cases · 6 failed · 1 metric regressed/,
    )
    expect(result.summary).toContain('dropped more than gate.maxDrop 0.05 at alpha 0.05')
    const comments = github.comments(REPO, pr)
    expect(comments).toHaveLength(1)
    expect(comments[0]?.body).toBe(readFileSync(result.outputs.summary ?? '', 'utf8'))
    expect(result.outputs['comment-url']).toBe(`https://github.com/${REPO}/pull/${pr}#issuecomment-${comments[0]?.id}`)

    expect(readdirSync(join(store, 'current', 'vitest-judge-report')).sort()).toEqual([
      'compared.json',
      'junit.xml',
      'report.json',
      'summary.md',
    ])
    expect(result.step('Gate').outcome).toBe('failure')
    expect(result.failed).toBe(true)
    expect(errors(result)).toEqual([
      expect.stringMatching(/^a metric regressed by more than max-drop 0\.05 at alpha 0\.05/),
    ])
  })

  test('a second run updates the same comment, and a recovered pull request passes', async () => {
    await run({
      env: { FAKE_VITEST_REPORT: join(reports, 'regressed.json') },
      inputs: { 'fail-on-test-failure': 'false' },
    })
    const first = github.comments(REPO, pr)
    const result = await run({ env: { FAKE_VITEST_REPORT: join(reports, 'good.json') } })
    expect(result.failed).toBe(false)
    expect(result.outputs.regression).toBe('false')
    const after = github.comments(REPO, pr)
    expect(after).toHaveLength(1)
    expect(after[0]?.id).toBe(first[0]?.id)
    expect(after[0]?.body).toMatch(/^<!-- vitest-judge -->\n## ✅ vitest-judge/)
    expect(result.step('Gate').stdout).toContain('vitest-judge: no metric regressed by more than 0 at alpha 0.05.')
  })

  test('fail-on-regression: false reports the regression and keeps the job green', async () => {
    const result = await run({
      inputs: { 'fail-on-regression': 'false', 'fail-on-test-failure': 'false' },
      env: { FAKE_VITEST_REPORT: join(reports, 'regressed.json'), FAKE_VITEST_EXIT: '1' },
    })
    expect(result.failed).toBe(false)
    expect(result.outputs.regression).toBe('true')
    expect(result.log).toMatch(/::warning title=vitest-judge::a metric regressed .*fail-on-regression: false/)
    expect(result.log).toMatch(/::warning title=vitest-judge::vitest exited with 1; .*fail-on-test-failure: false/)
  })

  test('failed eval cases fail the job by default, after the comment was posted', async () => {
    const result = await run({ env: { FAKE_VITEST_REPORT: join(reports, 'good.json'), FAKE_VITEST_EXIT: '1' } })
    expect(result.failed).toBe(true)
    expect(github.comments(REPO, pr)).toHaveLength(1)
    expect(errors(result)).toEqual([expect.stringMatching(/^vitest exited with 1: eval cases failed/)])
  })

  test('no baseline artifact on the branch: a notice, the current aggregates, a green job', async () => {
    const result = await run({
      inputs: { 'baseline-branch': 'release' },
      env: { FAKE_VITEST_REPORT: join(reports, 'good.json') },
    })
    expect(result.failed).toBe(false)
    expect(result.log).toMatch(
      /::notice title=vitest-judge::No baseline: no unexpired artifact "vitest-judge-report" from a run on release/,
    )
    expect(artifacts.calls.filter((c) => c.uses.startsWith('actions/download-artifact'))).toHaveLength(0)
    expect(vitestCalls()[0]?.env.VITEST_JUDGE_BASELINE).toBeNull()
    expect(result.summary).toContain('No baseline to compare with: current aggregates only.')
    expect(result.step('Gate').stdout).toContain('vitest-judge: no baseline, so no regression gate.')
    expect(github.comments(REPO, pr)).toHaveLength(1)
  })

  test('a baseline given as a folder path, and no baseline at all', async () => {
    mkdirSync(join(workspace, 'baseline', 'nested'), { recursive: true })
    cpSync(
      join(store, MAIN_RUN, 'vitest-judge-report', 'report.json'),
      join(workspace, 'baseline', 'nested', 'report.json'),
    )
    const byPath = await run({
      inputs: { baseline: 'baseline/', 'fail-on-test-failure': 'false' },
      env: { FAKE_VITEST_REPORT: join(reports, 'regressed.json') },
    })
    expect(byPath.outputs.baseline).toBe(join(workspace, 'baseline', 'nested', 'report.json'))
    expect(byPath.outputs.regression).toBe('true')
    const none = await run({ inputs: { baseline: '' }, env: { FAKE_VITEST_REPORT: join(reports, 'regressed.json') } })
    expect(none.step('find-baseline').outcome).toBe('skipped')
    expect(none.outputs.regression).toBe('false')
  })

  test('a fork pull request: the comment is skipped with a notice, the gate still decides', async () => {
    const result = await run({
      token: READ_ONLY,
      headRepo: 'contributor/evals-app',
      inputs: { 'fail-on-test-failure': 'false' },
      env: { FAKE_VITEST_REPORT: join(reports, 'regressed.json') },
    })
    expect(result.step('comment').outcome).toBe('success')
    expect(result.step('comment').stdout).toMatch(/::notice title=vitest-judge::No pull request comment: .*from a fork/)
    expect(github.comments(REPO, pr)).toHaveLength(0)
    expect(result.failed).toBe(true)
    expect(errors(result)).toEqual([expect.stringMatching(/^a metric regressed/)])
  })

  test('a push to main: no comment, the report uploaded as the baseline artifact', async () => {
    const result = await run({
      event: 'push',
      inputs: { 'fail-on-regression': 'false' },
      env: { FAKE_VITEST_REPORT: join(reports, 'good.json') },
    })
    expect(result.failed).toBe(false)
    expect(result.step('comment').outcome).toBe('skipped')
    expect(existsSync(join(store, 'current', 'vitest-judge-report', 'report.json'))).toBe(true)
  })

  test('vitest-args are split on spaces but never expanded or executed', async () => {
    const marker = join(workspace, 'pwned')
    const result = await run({
      inputs: { 'vitest-args': `--project evals * $(touch ${marker}) \`touch ${marker}\``, shard: '' },
      env: { FAKE_VITEST_REPORT: join(reports, 'good.json') },
    })
    expect(result.failed).toBe(false)
    expect(vitestCalls()[0]?.args).toEqual([
      'run',
      '--project',
      'evals',
      '*',
      '$(touch',
      `${marker})`,
      '`touch',
      `${marker}\``,
    ])
    expect(existsSync(marker)).toBe(false)
  })

  test('no report from vitest: a clear error, and the gate reports the exit code', async () => {
    const result = await run({ env: { FAKE_VITEST_EXIT: '1' } })
    expect(result.step('evals').outcome).toBe('failure')
    expect(errors(result)[0]).toMatch(
      /^vitest exited with 1 and wrote no report at \.vitest-judge\/report\.json: is vitestJudge\(\) in the vitest config/,
    )
    expect(result.step('summary').outcome).toBe('skipped')
    expect(result.failed).toBe(true)
  })

  test('bad inputs and a missing vitest-judge stop the action at once', async () => {
    const bad = await run({ inputs: { comment: 'yes' } })
    expect(errors(bad)).toEqual(["input comment must be true or false, got 'yes'"])
    expect(bad.step('evals').outcome).toBe('skipped')
    expect(errors(await run({ inputs: { shard: '4/3' } }))).toEqual(["input shard must look like 1/3, got '4/3'"])
    const missing = await run({ env: { FAKE_NO_VITEST_JUDGE: '1' } })
    expect(errors(missing)[0]).toMatch(
      /^vitest-judge is not installed in .*: install your dependencies \(e\.g\. npm ci\)/,
    )
  })

  test('shards upload their reports; the merge job merges, compares, comments and gates once', async () => {
    const shardReports: Record<string, string> = {}
    for (const i of [1, 2, 3]) {
      const report = makeReport(`shard-${i}`, [0.25, 0.25], {
        file: `evals/part-${i}.eval.ts`,
        startedAt: '2025-01-02T00:00:00Z',
      })
      writeFileSync(join(reports, `shard-${i}.json`), JSON.stringify(report))
      shardReports[`FAKE_VITEST_REPORT_${i}`] = join(reports, `shard-${i}.json`)
    }
    for (const i of [1, 2, 3]) {
      workspace = tempDir('vj-workspace-')
      const shard = await run({ inputs: { shard: `${i}/3` }, env: shardReports })
      expect(shard.failed).toBe(false)
      expect(shard.outputs['artifact-name']).toBe(`vitest-judge-report-shard-${i}-of-3`)
      expect(shard.step('find-baseline').outcome).toBe('skipped')
      expect(shard.step('comment').outcome).toBe('skipped')
    }
    expect(vitestCalls().map((c) => c.args)).toEqual([
      ['run', '--shard=1/3'],
      ['run', '--shard=2/3'],
      ['run', '--shard=3/3'],
    ])
    expect(readdirSync(join(store, 'current')).sort()).toEqual([
      'vitest-judge-report-shard-1-of-3',
      'vitest-judge-report-shard-2-of-3',
      'vitest-judge-report-shard-3-of-3',
    ])
    workspace = tempDir('vj-workspace-')
    const merged = await run({ inputs: { 'merge-shards': 'true' } })
    expect(vitestCalls()).toHaveLength(3)
    expect(merged.step('merge').stdout).toMatch(/Merged 3 reports into invocation \w+ \(3 files, 6 cases\)/)
    const report = JSON.parse(readFileSync(merged.outputs.report ?? '', 'utf8')) as { runs: Array<{ file: string }> }
    expect(report.runs.map((r) => r.file)).toEqual([
      'evals/part-1.eval.ts',
      'evals/part-2.eval.ts',
      'evals/part-3.eval.ts',
    ])
    expect(merged.summary).toMatch(
      /^<!-- vitest-judge -->\n## ⚠️ vitest-judge: 3 files · 6 cases · 6 failed · 0 metrics regressed/,
    )
    expect(github.comments(REPO, pr)).toHaveLength(1)
    expect(existsSync(join(store, 'current', 'vitest-judge-report', 'report.json'))).toBe(true)
    expect(merged.failed).toBe(false)
  })

  describe('with store-url: a shared PostgreSQL store instead of artifacts', () => {
    const PASSWORD = 'S3cret-Store-Passw0rd'
    let server: PgServer
    let storeUrl: string
    const downloads = () => artifacts.calls.filter((c) => c.uses.startsWith('actions/download-artifact'))

    beforeAll(async () => {
      server = await startPostgres()
      const plain = await server.createDatabase('action_store')
      // The test server trusts loopback: the password is only there to prove it is never shown.
      storeUrl = `${plain.replace('postgres://vj@', `postgres://vj:${PASSWORD}@`)}?schema=evals`
    })
    afterAll(() => server?.dispose())

    const storeRun = (inputs: Record<string, string>, report: string) =>
      run({ inputs: { 'store-url': storeUrl, ...inputs }, env: { FAKE_VITEST_REPORT: join(reports, report) } })

    test('no run of main in the store yet: no artifact lookup or download, a notice, a green job', async () => {
      const result = await storeRun({}, 'good.json')
      expect(result.failed).toBe(false)
      expect(result.step('find-baseline').outcome).toBe('skipped')
      expect(downloads()).toHaveLength(0)
      expect(vitestCalls()[0]?.env.VITEST_JUDGE_STORE_URL).toBe(storeUrl)
      expect(vitestCalls()[0]?.env.VITEST_JUDGE_BASELINE).toBe('branch:main')
      expect(result.log).toContain(
        '::notice title=vitest-judge::No baseline: the shared store has no complete run on main yet.',
      )
      expect(result.outputs.regression).toBe('false')
      expect(result.log + result.summary).not.toContain(PASSWORD)
      expect(result.log + result.summary).not.toContain(storeUrl)
    })

    test('the baseline is the newest run of main in the database: a regression fails the job', async () => {
      const runs = await openRunStore({ dir: tempDir('vj-unused-'), url: storeUrl })
      try {
        const main = makeReport('main-in-db', 1, { startedAt: '2025-01-01T00:00:00Z' })
        await runs.startInvocation({ ...main.invocation, experiment: 'default' })
        for (const r of main.runs) await runs.saveRun(main.invocation.id, r)
        await runs.finishInvocation(main.invocation.id, 'complete', '2025-01-01T00:01:00Z')
      } finally {
        await runs.close()
      }
      const result = await storeRun({}, 'regressed.json')
      expect(downloads()).toHaveLength(0)
      expect(result.outputs.regression).toBe('true')
      expect(result.failed).toBe(true)
      expect(errors(result)).toContain(
        `a metric regressed by more than max-drop 0 at alpha 0.05 versus the baseline: see the job summary.`,
      )
      const compared = JSON.parse(
        readFileSync(join(store, 'current', 'vitest-judge-report', 'compared.json'), 'utf8'),
      ) as { comparison: { base: { invocationId: string } } }
      expect(compared.comparison.base.invocationId).toBe('main-in-db')
      expect(result.log + result.summary).not.toContain(PASSWORD)
    })

    test('a store that cannot be reached: the comparison fails loudly, the password never shown', async () => {
      const down = storeUrl.replace(`:${server.port}/`, ':1/')
      const result = await run({
        inputs: { 'store-url': down, 'baseline-branch': 'release' },
        env: { FAKE_VITEST_REPORT: join(reports, 'good.json') },
      })
      expect(vitestCalls()[0]?.env.VITEST_JUDGE_BASELINE).toBe('branch:release')
      expect(downloads()).toHaveLength(0)
      expect(result.step('summary').stderr).toMatch(/VJ_STORE|127\.0\.0\.1:1/)
      expect(result.failed).toBe(true)
      expect(result.log + result.summary).not.toContain(PASSWORD)
    })

    test('runs spooled while the store was away: written by the action, else kept in the report artifact', async () => {
      const report = makeReport('spooled-run', 1, { startedAt: '2025-02-01T00:00:00Z' })
      const spooled = () => {
        const dir = tempDir('vj-spool-')
        const spool = new InvocationSpool(dir, { ...report.invocation, experiment: 'default' })
        for (const r of report.runs) spool.addRun(r)
        spool.finish('complete', '2025-02-01T00:01:00Z')
        return join(dir, 'store-spool')
      }
      const artifactSpool = join(store, 'current', 'vitest-judge-report', 'store-spool')
      // The store is away: the spool goes into the report artifact, with a warning.
      const down = storeUrl.replace(`:${server.port}/`, ':1/')
      const away = await run({
        inputs: { 'store-url': down },
        env: { FAKE_VITEST_REPORT: join(reports, 'good.json'), FAKE_VITEST_SPOOL: spooled() },
      })
      expect(away.log).toContain('::warning title=vitest-judge::The shared store is still away')
      expect(existsSync(join(artifactSpool, 'spooled-run', 'end.json'))).toBe(true)
      expect(away.log + away.summary).not.toContain(PASSWORD)
      // The store is up: the action writes the spool into it, and nothing is left over.
      rmSync(join(store, 'current'), { recursive: true, force: true })
      const written = await run({
        inputs: { 'store-url': storeUrl },
        env: { FAKE_VITEST_REPORT: join(reports, 'good.json'), FAKE_VITEST_SPOOL: spooled() },
      })
      expect(written.log).toMatch(/Wrote invocation spooled-run/)
      expect(written.log).not.toContain('The shared store is still away')
      expect(existsSync(artifactSpool)).toBe(false)
      const runs = await openRunStore({ dir: tempDir('vj-unused-'), url: storeUrl, readonly: true })
      try {
        expect((await runs.getInvocation('spooled-run')).status).toBe('complete')
        expect((await runs.getReport('spooled-run')).runs.flatMap((r) => r.cases)).toHaveLength(
          report.runs.flatMap((r) => r.cases).length,
        )
      } finally {
        await runs.close()
      }
      expect(written.log + written.summary).not.toContain(PASSWORD)
    })

    test('without store-url, vitest gets no store URL (the local SQLite store)', async () => {
      await run({ env: { FAKE_VITEST_REPORT: join(reports, 'good.json') } })
      expect(vitestCalls()[0]?.env.VITEST_JUDGE_STORE_URL).toBeNull()
    })
  })
})
