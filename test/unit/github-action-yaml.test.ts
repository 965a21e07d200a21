// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub workflow expressions are data in these tests
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { type ActionDefinition, evaluate } from '../fake-github/action-runner.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const EXAMPLES = join(ROOT, 'examples', 'github-actions')
const actionText = readFileSync(join(ROOT, 'action.yml'), 'utf8')
const action = parse(actionText) as ActionDefinition & { name?: string; description?: string; branding?: unknown }

interface WorkflowStep {
  id?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
  if?: string
}
interface Workflow {
  name?: string
  on?: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<
    string,
    {
      'runs-on'?: string
      needs?: string | string[]
      if?: string
      strategy?: { matrix?: Record<string, unknown> }
      permissions?: Record<string, string>
      steps: WorkflowStep[]
    }
  >
}

const workflows = new Map<string, { text: string; workflow: Workflow }>(
  readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.yml'))
    .map((file) => {
      const text = readFileSync(join(EXAMPLES, file), 'utf8')
      return [file, { text, workflow: parse(text) as Workflow }]
    }),
)

function workflow(file: string): Workflow {
  const found = workflows.get(file)
  if (!found) throw new Error(`examples/github-actions/${file} is missing`)
  return found.workflow
}

function allSteps(w: Workflow): WorkflowStep[] {
  return Object.values(w.jobs).flatMap((job) => job.steps)
}

/** `${{ ... }}` expressions of a YAML text, comments left out. */
function expressions(text: string): string[] {
  const code = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
  return [...code.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => (m[1] ?? '').trim())
}

const MAJOR_PIN = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@v\d+$/

describe('action.yml', () => {
  test('is a composite action with a name, a description and branding', () => {
    expect(action.name).toBe('vitest-judge')
    expect(action.description).toMatch(/sticky pull request comment/)
    expect(action.branding).toBeTruthy()
    expect(action.runs.using).toBe('composite')
    expect(action.runs.steps.length).toBeGreaterThan(5)
  })

  test('has the inputs of the issue, each described, optional and with a string default', () => {
    for (const name of ['baseline', 'max-drop', 'alpha', 'comment', 'working-directory', 'vitest-args', 'shard']) {
      expect(action.inputs, name).toHaveProperty(name)
    }
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toMatch(/\w/)
      expect(input.required ?? false, name).toBe(false)
      expect(typeof input.default, name).toBe('string')
    }
    expect(action.inputs.comment?.default).toBe('true')
    expect(action.inputs['github-token']?.default).toBe('${{ github.token }}')
  })

  test('every input it references exists, and every input is used', () => {
    const referenced = new Set(
      expressions(actionText)
        .flatMap((e) => [...e.matchAll(/\binputs\.([\w-]+)/g)])
        .map((m) => m[1]),
    )
    expect([...referenced].filter((name) => name === undefined || !(name in action.inputs))).toEqual([])
    expect(Object.keys(action.inputs).filter((name) => !referenced.has(name))).toEqual([])
  })

  test('every step it references exists before the reference, and outputs name existing steps', () => {
    const seen = new Set<string>()
    for (const step of action.runs.steps) {
      const text = JSON.stringify({ if: step.if, env: step.env, with: step.with, wd: step['working-directory'] })
      for (const m of text.matchAll(/\bsteps\.([\w-]+)\.(outputs|outcome|conclusion)\b/g)) {
        expect(seen.has(m[1] ?? ''), `${step.name}: steps.${m[1]}`).toBe(true)
      }
      if (step.id) {
        expect(seen.has(step.id), `duplicate id ${step.id}`).toBe(false)
        seen.add(step.id)
      }
    }
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.description, name).toMatch(/\w/)
      for (const m of output.value.matchAll(/\bsteps\.([\w-]+)\./g))
        expect(seen.has(m[1] ?? ''), `${name}: ${m[1]}`).toBe(true)
    }
    for (const name of ['report', 'summary', 'baseline', 'regression', 'comment-url'])
      expect(action.outputs).toHaveProperty(name)
  })

  test('every expression parses in the runner subset the tests use', () => {
    const context = { inputs: {}, steps: {}, github: {}, runner: {}, failed: false }
    for (const expression of expressions(actionText))
      expect(() => evaluate(expression, context), expression).not.toThrow()
    for (const step of action.runs.steps) {
      if (step.if && !step.if.includes('${{')) expect(() => evaluate(step.if ?? '', context), step.if).not.toThrow()
    }
  })

  test('every uses: is pinned to a major version', () => {
    const uses = action.runs.steps.flatMap((s) => (s.uses ? [s.uses] : []))
    expect(uses.length).toBeGreaterThan(0)
    for (const u of uses) expect(u).toMatch(MAJOR_PIN)
  })

  test('run steps use bash and read inputs through env only (no ${{ }} inside a script)', () => {
    for (const step of action.runs.steps) {
      if (step.run === undefined) {
        expect(step.uses, step.name).toBeTruthy()
        continue
      }
      expect(step.shell, step.name).toBe('bash')
      expect(step.name, 'every step is named').toBeTruthy()
      expect(step.run, step.name).not.toContain('${{')
    }
  })

  test('the token goes only to the steps that call GitHub, never to vitest', () => {
    const withToken = action.runs.steps
      .filter((s) => JSON.stringify(s).includes('inputs.github-token'))
      .map((s) => s.id ?? s.name)
    expect(withToken).toEqual(['find-baseline', 'Download the baseline artifact', 'comment'])
    const evals = action.runs.steps.find((s) => s.id === 'evals')
    expect(JSON.stringify(evals)).not.toMatch(/token|secrets/i)
  })

  test('store-url reaches vitest and the comparison only through env, as VITEST_JUDGE_STORE_URL', () => {
    expect(action.inputs['store-url']?.default).toBe('')
    const users = action.runs.steps.filter((s) => JSON.stringify(s).includes('inputs.store-url'))
    expect(users.map((s) => s.id ?? s.name)).toEqual(['prepare', 'evals', 'summary'])
    for (const step of users) {
      const env = Object.entries(step.env ?? {}).filter(([, v]) => String(v).includes('inputs.store-url'))
      expect(
        env.map(([k]) => k),
        step.id,
      ).toEqual([step.id === 'prepare' ? 'INPUT_STORE_URL' : 'VITEST_JUDGE_STORE_URL'])
      expect(JSON.stringify(step.with ?? {})).not.toContain('store-url')
    }
    // Prepare only tests that it is set; nothing prints it.
    const prepare = users[0]?.run ?? ''
    expect(prepare.match(/\$INPUT_STORE_URL|\$\{INPUT_STORE_URL/g)).toEqual(['$INPUT_STORE_URL'])
    expect(prepare).toContain('[ -n "$INPUT_STORE_URL" ]')
    for (const step of action.runs.steps) expect(step.run ?? '', step.name).not.toMatch(/echo[^\n]*STORE_URL/)
  })
})

describe('examples/github-actions', () => {
  test('holds the main, pull request, sharded, keyless and fork-commenter workflows', () => {
    expect([...workflows.keys()].sort()).toEqual([
      'comment-fork-prs.yml',
      'evals-keyless.yml',
      'evals-main.yml',
      'evals-pr.yml',
      'evals-sharded.yml',
      'evals-shared-store.yml',
    ])
  })

  test.each([...workflows.keys()])(
    '%s parses, names itself, sets permissions and pins every uses: to a major version',
    (file) => {
      const w = workflow(file)
      expect(w.name).toMatch(/\w/)
      expect(w.on).toBeTruthy()
      expect(w.permissions?.contents).toBe('read')
      for (const [id, job] of Object.entries(w.jobs)) {
        expect(job['runs-on'], id).toBe('ubuntu-latest')
        expect(job.steps.length, id).toBeGreaterThan(0)
      }
      for (const step of allSteps(w)) {
        if (step.uses) expect(step.uses).toMatch(MAJOR_PIN)
        if (step.run) expect(step.run, 'inputs reach scripts through env only').not.toContain('${{')
      }
    },
  )

  test.each([...workflows.keys()])('%s passes only inputs the action has, and secrets only through env', (file) => {
    const { text, workflow: w } = workflows.get(file) ?? { text: '', workflow: { jobs: {} } }
    for (const step of allSteps(w)) {
      if (!step.uses?.startsWith('vitest-judge/vitest-judge@')) continue
      expect(step.uses).toBe('vitest-judge/vitest-judge@v1')
      for (const key of Object.keys(step.with ?? {})) expect(action.inputs, `${file}: with.${key}`).toHaveProperty(key)
      // The one input that is a secret itself: the store URL (it holds the database password).
      const { 'store-url': storeUrl, ...rest } = step.with ?? {}
      if (storeUrl !== undefined) expect(storeUrl).toBe('${{ secrets.VITEST_JUDGE_STORE_URL }}')
      expect(JSON.stringify(rest)).not.toContain('secrets.')
    }
    for (const step of allSteps(w)) {
      const { 'store-url': _storeUrl, ...rest } = step.uses?.startsWith('vitest-judge/') ? (step.with ?? {}) : {}
      const withs = step.uses?.startsWith('vitest-judge/') ? rest : step.with
      expect(JSON.stringify({ run: step.run, with: withs }), file).not.toContain('secrets.')
    }
    const secretLines = text.split('\n').filter((line) => line.includes('secrets.') && !line.trim().startsWith('#'))
    for (const line of secretLines) expect(line, file).toMatch(/^\s+[A-Za-z_-]+: \$\{\{ secrets\.[A-Z_]+ \}\}$/)
  })

  test('pull request workflows may write pull request comments; main only reads', () => {
    for (const file of ['evals-pr.yml', 'evals-sharded.yml', 'evals-keyless.yml', 'comment-fork-prs.yml']) {
      expect(workflow(file).permissions, file).toMatchObject({
        contents: 'read',
        'pull-requests': 'write',
        actions: 'read',
      })
    }
    expect(workflow('evals-main.yml').permissions).toEqual({ contents: 'read', actions: 'read' })
  })

  test('main runs on pushes to main and uploads the baseline artifact the pull requests download', () => {
    const main = workflow('evals-main.yml')
    expect(main.on?.push).toEqual({ branches: ['main'] })
    const step = allSteps(main).find((s) => s.uses?.startsWith('vitest-judge/'))
    expect(step?.with?.['artifact-name']).toBe('vitest-judge-report')
    const pr = allSteps(workflow('evals-pr.yml')).find((s) => s.uses?.startsWith('vitest-judge/'))
    expect(workflow('evals-pr.yml').on).toHaveProperty('pull_request')
    expect(pr?.with?.baseline).toBe('vitest-judge-report')
    expect(pr?.with?.['max-drop']).toBe('0.05')
    expect(pr?.env?.OPENAI_API_KEY).toBe('${{ secrets.OPENAI_API_KEY }}')
  })

  test('sharded: a matrix of shards, then one job that merges and gates', () => {
    const w = workflow('evals-sharded.yml')
    expect(w.jobs.shard?.strategy?.matrix?.shard).toEqual([1, 2, 3])
    const shard = w.jobs.shard?.steps.find((s) => s.uses?.startsWith('vitest-judge/'))
    expect(shard?.with?.shard).toBe('${{ matrix.shard }}/3')
    expect(w.jobs.gate?.needs).toBe('shard')
    expect(w.jobs.gate?.if).toBe('${{ !cancelled() }}')
    const gate = w.jobs.gate?.steps.find((s) => s.uses?.startsWith('vitest-judge/'))
    expect(gate?.with?.['merge-shards']).toBe(true)
  })

  test('shared store: the URL from a secret, no baseline artifact, main and pull requests in one workflow', () => {
    const w = workflow('evals-shared-store.yml')
    expect(w.on).toEqual({ push: { branches: ['main'] }, pull_request: null })
    expect(w.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' })
    const step = allSteps(w).find((s) => s.uses?.startsWith('vitest-judge/'))
    expect(step?.with?.['store-url']).toBe('${{ secrets.VITEST_JUDGE_STORE_URL }}')
    expect(step?.with).not.toHaveProperty('baseline')
    // No artifact at all: the action writes a store spool itself (or puts it in its report artifact).
    expect(allSteps(w).filter((s) => s.uses?.includes('artifact'))).toEqual([])
  })

  test('keyless: readonly judge cache and no secret at all', () => {
    const { text, workflow: w } = workflows.get('evals-keyless.yml') ?? { text: '', workflow: { jobs: {} } }
    const step = allSteps(w).find((s) => s.uses?.startsWith('vitest-judge/'))
    expect(step?.env?.VITEST_JUDGE_CACHE).toBe('readonly')
    expect(text).not.toContain('secrets.')
  })

  test('the fork commenter runs on workflow_run, never checks out the pull request, and comments from the report', () => {
    const w = workflow('comment-fork-prs.yml')
    expect(w.on).toEqual({ workflow_run: { workflows: ['evals (keyless)'], types: ['completed'] } })
    expect(workflow('evals-keyless.yml').name).toBe('evals (keyless)')
    expect(w.jobs.comment?.if).toMatch(/head_repository\.full_name != github\.repository/)
    const steps = allSteps(w)
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))
    expect(checkout?.with ?? {}).not.toHaveProperty('ref')
    const download = steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))
    expect(download?.with).toMatchObject({
      name: 'vitest-judge-report',
      'run-id': '${{ github.event.workflow_run.id }}',
    })
    expect(steps.some((s) => s.run?.includes('vitest-judge github-comment --report'))).toBe(true)
  })
})

describe('the docs page "CI: GitHub Actions" (docs/guide/github-action.md)', () => {
  const section = readFileSync(join(ROOT, 'docs/guide/github-action.md'), 'utf8')

  test('its workflows parse and pass only inputs the action has', () => {
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1] ?? '') as Workflow)
    expect(blocks.length).toBeGreaterThanOrEqual(2)
    for (const w of blocks) {
      for (const step of allSteps(w)) {
        if (step.uses) expect(step.uses).toMatch(MAJOR_PIN)
        if (!step.uses?.startsWith('vitest-judge/')) continue
        for (const key of Object.keys(step.with ?? {})) expect(action.inputs).toHaveProperty(key)
      }
    }
    expect(blocks.some((w) => w.permissions?.['pull-requests'] === 'write' && w.permissions?.contents === 'read')).toBe(
      true,
    )
  })

  test('its input table lists every input of the action', () => {
    for (const name of Object.keys(action.inputs)) expect(section, name).toContain(`| \`${name}\` |`)
    for (const name of Object.keys(action.outputs)) expect(section, name).toContain(`| \`${name}\` |`)
  })
})
