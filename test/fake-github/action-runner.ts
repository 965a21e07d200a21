/**
 * A miniature runner for the composite action in `action.yml`, enough to run it end to end in a
 * test: step `if:` conditions and `${{ }}` expressions (the subset the action uses), `env:`,
 * `working-directory`, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files per step, bash steps run as
 * the runner runs them (`bash --noprofile --norc -eo pipefail`), and `uses:` steps handed to the
 * test. It is not GitHub's runner: it checks the wiring and the scripts, not the platform.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'

/** One step of `runs.steps`. */
export interface ActionStep {
  id?: string
  name?: string
  if?: string
  uses?: string
  run?: string
  shell?: string
  with?: Record<string, string>
  env?: Record<string, string>
  'working-directory'?: string
  'continue-on-error'?: boolean
}

/** The parts of `action.yml` the runner reads. */
export interface ActionDefinition {
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>
  outputs: Record<string, { description?: string; value: string }>
  runs: { using: string; steps: ActionStep[] }
}

/** What happened to one step. */
export interface StepResult {
  id: string | undefined
  name: string
  outcome: 'success' | 'failure' | 'skipped'
  stdout: string
  stderr: string
  outputs: Record<string, string>
  env: Record<string, string>
}

/** A `uses:` step as the test sees it: the action, its evaluated `with:`, and the step's folder. */
export type UsesHandler = (uses: string, inputs: Record<string, string>) => Promise<boolean> | boolean

/** Reads and parses `action.yml`. */
export function loadAction(path: string): ActionDefinition {
  return parse(readFileSync(path, 'utf8')) as ActionDefinition
}

/** Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM` heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i] ?? '')
      outputs[heredoc[1] ?? ''] = value.join('\n')
    } else if (line.includes('=')) outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
  }
  return outputs
}

type Value = string | boolean

interface Context {
  inputs: Record<string, string>
  steps: Record<string, { outputs: Record<string, string>; outcome: string }>
  github: Record<string, string>
  runner: Record<string, string>
  failed: boolean
}

const TOKEN = /\s*(\(|\)|==|!=|&&|\|\||!|'(?:[^']|'')*'|[A-Za-z_][\w.-]*(?:\(\))?|\d+(?:\.\d+)?)/y

function tokenize(expression: string): string[] {
  const tokens: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break
    const start = TOKEN.lastIndex
    const match = TOKEN.exec(expression)
    if (!match) throw new Error(`cannot read the expression at "${expression.slice(start)}"`)
    tokens.push(match[1] ?? '')
  }
  return tokens
}

const truthy = (v: Value) => (typeof v === 'boolean' ? v : v !== '')
const text = (v: Value) => (typeof v === 'boolean' ? String(v) : v)

/** Evaluates an expression of the subset the action uses (GitHub compares strings case-insensitively). */
export function evaluate(expression: string, context: Context): Value {
  const tokens = tokenize(expression)
  let pos = 0
  const peek = () => tokens[pos]
  const next = () => tokens[pos++] ?? ''
  const primary = (): Value => {
    const token = next()
    if (token === '(') {
      const value = or()
      if (next() !== ')') throw new Error(`missing ) in ${expression}`)
      return value
    }
    if (token === '!') return !truthy(primary())
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'")
    if (/^\d/.test(token)) return token
    if (token === 'true' || token === 'false') return token === 'true'
    if (token.endsWith('()')) {
      const fn = token.slice(0, -2)
      if (fn === 'success') return !context.failed
      if (fn === 'failure') return context.failed
      if (fn === 'always') return true
      if (fn === 'cancelled') return false
      throw new Error(`unknown function ${fn}`)
    }
    const [root, ...path] = token.split('.')
    if (root === 'inputs') return context.inputs[path.join('.')] ?? ''
    if (root === 'github') return context.github[path.join('.')] ?? ''
    if (root === 'runner') return context.runner[path.join('.')] ?? ''
    if (root === 'steps') {
      const [id = '', kind, ...rest] = path
      const step = context.steps[id]
      if (kind === 'outputs') return step?.outputs[rest.join('.')] ?? ''
      if (kind === 'outcome' || kind === 'conclusion') return step?.outcome ?? ''
    }
    throw new Error(`unknown name ${token}`)
  }
  const comparison = (): Value => {
    let left = primary()
    while (peek() === '==' || peek() === '!=') {
      const op = next()
      const right = primary()
      const equal = text(left).toLowerCase() === text(right).toLowerCase()
      left = op === '==' ? equal : !equal
    }
    return left
  }
  const and = (): Value => {
    let left = comparison()
    while (peek() === '&&') {
      next()
      const right = comparison()
      left = truthy(left) ? right : left
    }
    return left
  }
  const or = (): Value => {
    let left = and()
    while (peek() === '||') {
      next()
      const right = and()
      left = truthy(left) ? left : right
    }
    return left
  }
  const value = or()
  if (pos !== tokens.length) throw new Error(`unexpected ${tokens[pos]} in ${expression}`)
  return value
}

/** Replaces every `${{ expr }}` in `template`. */
export function interpolate(template: string, context: Context): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => text(evaluate(expr, context)))
}

function condition(expression: string | undefined, context: Context): boolean {
  if (expression === undefined) return !context.failed
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expression)?.[1] ?? expression
  const usesStatus = /\b(success|failure|always|cancelled)\(\)/.test(inner)
  // Without a status function, GitHub adds `success() &&`.
  return truthy(evaluate(inner, context)) && (usesStatus || !context.failed)
}

function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'vj-step-')), 'step.sh')
  writeFileSync(file, script)
  return new Promise((done) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }))
  })
}

/** What a run of the action produced. */
export interface ActionRun {
  steps: StepResult[]
  /** The action's outputs, evaluated. */
  outputs: Record<string, string>
  /** Whether a step failed (the job would be red). */
  failed: boolean
  /** Every step's GITHUB_STEP_SUMMARY, concatenated. */
  summary: string
  /** stdout and stderr of every step, in order. */
  log: string
  step(idOrName: string): StepResult
}

/**
 * Runs the action: `inputs` over the defaults, in `workspace`, with the job's `env` (PATH and the
 * GITHUB_* variables) and `github` context values (`token`, `event_name`).
 */
export async function runAction(
  action: ActionDefinition,
  options: {
    workspace: string
    inputs?: Record<string, string>
    env: Record<string, string>
    github: Record<string, string>
    uses: UsesHandler
  },
): Promise<ActionRun> {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'vj-runner-temp-'))
  const context: Context = {
    inputs: {},
    steps: {},
    github: options.github,
    runner: { temp: runnerTemp },
    failed: false,
  }
  for (const [name, input] of Object.entries(action.inputs)) {
    context.inputs[name] = options.inputs?.[name] ?? interpolate(String(input.default ?? ''), context)
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`)
  }
  const results: StepResult[] = []
  let summary = ''
  for (const step of action.runs.steps) {
    const name = step.name ?? step.id ?? step.uses ?? 'step'
    const result: StepResult = { id: step.id, name, outcome: 'skipped', stdout: '', stderr: '', outputs: {}, env: {} }
    results.push(result)
    if (condition(step.if, context)) {
      const env: Record<string, string> = {}
      for (const [key, value] of Object.entries(step.env ?? {})) env[key] = interpolate(String(value), context)
      result.env = env
      if (step.uses) {
        const inputs: Record<string, string> = {}
        for (const [key, value] of Object.entries(step.with ?? {})) inputs[key] = interpolate(String(value), context)
        result.outcome = (await options.uses(step.uses, inputs)) ? 'success' : 'failure'
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'vj-step-files-'))
        const outputFile = join(dir, 'output')
        const summaryFile = join(dir, 'summary')
        writeFileSync(outputFile, '')
        writeFileSync(summaryFile, '')
        const cwd = resolve(options.workspace, interpolate(step['working-directory'] ?? '.', context))
        const run = await runBash(String(step.run), cwd, {
          ...options.env,
          ...env,
          RUNNER_TEMP: runnerTemp,
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: summaryFile,
        })
        result.stdout = run.stdout
        result.stderr = run.stderr
        result.outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
        result.outcome = run.code === 0 ? 'success' : 'failure'
        summary += readFileSync(summaryFile, 'utf8')
      }
      if (result.outcome === 'failure' && !step['continue-on-error']) context.failed = true
    }
    if (step.id) context.steps[step.id] = { outputs: result.outputs, outcome: result.outcome }
  }
  const outputs: Record<string, string> = {}
  for (const [name, output] of Object.entries(action.outputs)) outputs[name] = interpolate(output.value, context)
  return {
    steps: results,
    outputs,
    failed: context.failed,
    summary,
    log: results.map((r) => `${r.stdout}${r.stderr}`).join(''),
    step(idOrName) {
      const found = results.find((r) => r.id === idOrName || r.name === idOrName)
      if (!found) throw new Error(`no step ${idOrName}`)
      return found
    },
  }
}
