// Shared pieces of the benches: generated fixture projects (inside the repository, so that
// `vitest-judge` resolves through node_modules as for a user), the fake provider, timed `vitest run`
// child processes, medians, and the result records that bench/run-all.mjs tabulates.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve as resolvePath } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/**
 * Another Node and Vitest (most users run Node 22 or 24 and Vitest 5): BENCH_APP is an app folder that
 * `test:compat` kept (`COMPAT_DIR=/tmp/vj-compat npm run test:compat`, then
 * `BENCH_APP=/tmp/vj-compat/app-node22-vitest5 BENCH_NODE=/tmp/vj-compat/node22/bin/node`). The
 * projects are then made inside it, so that Vitest, better-sqlite3 (built for that Node) and the other
 * dependencies resolve from its node_modules, and `vitest run` is that app's Vitest under BENCH_NODE.
 */
const APP = process.env.BENCH_APP ? resolvePath(process.env.BENCH_APP) : undefined
const NODE = process.env.BENCH_NODE ? resolvePath(process.env.BENCH_NODE) : process.execPath
const VITEST = join(APP ?? ROOT, 'node_modules/vitest/vitest.mjs')
const FIXTURES = APP ? join(APP, 'bench-tmp') : join(ROOT, 'fixtures/bench-tmp')
const BASE = join(FIXTURES, `run-${process.pid}`)
const HOOKS = fileURLToPath(new URL('./hooks/', import.meta.url))

const TIME = existsSync('/usr/bin/time') && process.env.BENCH_NO_TIME !== '1' ? '/usr/bin/time' : undefined
const TIME_MARK = '@@bench-time@@ '
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((f) => existsSync(f))

/** Whether runs can be traced (strace is installed). */
export const CAN_TRACE = STRACE !== undefined

/** Repeats of every side-by-side measurement (BENCH_REPEATS, default 3). */
export const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3))

const made = new Set()
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup()
    process.exit(130)
  })
}

/**
 * How the generated projects get `vitest-judge` (BENCH_INSTALL):
 * - `copy` (default): the built package (package.json + dist/) is copied to
 *   fixtures/bench-tmp/run-<pid>/node_modules/vitest-judge, the layout `npm install` gives a user; its
 *   dependencies resolve further up, from the repository's node_modules. Vitest externalizes it (loads it
 *   with Node, no transform), as for a user.
 * - `link`: resolved through the repository's node_modules/vitest-judge symlink (`npm run bench` links it);
 *   its real path is not under node_modules, so Vitest inlines it (transforms it with Vite), as for a
 *   workspace link.
 * Every project has its own package.json: without one, `vitest-judge` would resolve as a self-reference
 * of the repository's package.json.
 */
export const INSTALL = process.env.BENCH_INSTALL === 'link' ? 'link' : 'copy'

/** The build the `copy` install takes (BENCH_DIST, default dist/): a private build can be benched while others rebuild dist/. */
export const DIST = process.env.BENCH_DIST ? resolvePath(process.env.BENCH_DIST) : join(ROOT, 'dist')

function install() {
  const target = join(BASE, 'node_modules/vitest-judge')
  if (INSTALL !== 'copy' || existsSync(target)) return
  if (!existsSync(join(DIST, 'plugin.js'))) throw new Error(`No ${DIST}/plugin.js: run \`npm run build\` first.`)
  mkdirSync(target, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(target, 'package.json'))
  cpSync(DIST, join(target, 'dist'), { recursive: true })
}

/** Writes a fixture project under fixtures/bench-tmp/ and returns its root; removed at exit unless BENCH_KEEP=1. */
export function makeFixture(name, files) {
  if (INSTALL === 'link' && !existsSync(join(ROOT, 'node_modules/vitest-judge'))) {
    throw new Error('node_modules/vitest-judge is missing: run `npm run build && node scripts/link-self.mjs` first.')
  }
  install()
  made.add(BASE)
  const root = join(BASE, `${name}-${randomBytes(3).toString('hex')}`)
  const all = { 'package.json': `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`, ...files }
  for (const [path, text] of Object.entries(all)) {
    const file = join(root, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
  return root
}

/** A fresh state folder (VITEST_JUDGE_DIR) in the OS temp folder, removed at exit. */
export function stateDir() {
  const dir = mkdtempSync(join(tmpdir(), 'vj-bench-state-'))
  made.add(dir)
  return dir
}

function cleanup() {
  if (process.env.BENCH_KEEP === '1') return
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
  made.clear()
  try {
    rmdirSync(FIXTURES)
  } catch {
    // not empty (another bench runs) or already gone
  }
}

/** Starts the fake provider (bundled from TypeScript with esbuild) in this process. */
export async function startFake() {
  const { build } = await import('esbuild')
  const dir = mkdtempSync(join(tmpdir(), 'vj-bench-fake-'))
  made.add(dir)
  const outfile = join(dir, 'server.mjs')
  await build({
    entryPoints: [join(ROOT, 'test/fake-provider/server.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  })
  const { startFakeProvider } = await import(pathToFileURL(outfile).href)
  const fake = await startFakeProvider()
  return {
    url: fake.url,
    close: () => fake.close(),
    /** A tenant: its OpenAI base URL, configure() and stats(). */
    tenant(name = `bench-${randomBytes(4).toString('hex')}`) {
      const control = `${fake.url}/__control/${name}`
      return {
        name,
        openaiBaseURL: `${fake.url}/t/${name}/v1`,
        async configure(config) {
          const res = await fetch(control, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(config),
          })
          if (!res.ok) throw new Error(`fake control: ${res.status} ${await res.text()}`)
        },
        async requests() {
          const res = await fetch(control)
          return (await res.json()).requests
        },
      }
    },
  }
}

const CLEAN_ENV_KEYS = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GEMINI_BASE_URL',
  'VITEST_JUDGE',
  'VITEST_JUDGE_DIR',
  'VITEST_JUDGE_CACHE',
  'VITEST_JUDGE_BASELINE',
  'GITHUB_STEP_SUMMARY',
  'VITEST',
  'VITEST_MODE',
  'VITEST_POOL_ID',
  'VITEST_WORKER_ID',
  'TEST',
  'NODE_ENV',
  'NODE_OPTIONS',
]

/** The environment of a fake-provider OpenAI judge. */
export function openaiEnv(tenant, model = 'bench') {
  return { VITEST_JUDGE: `openai:${model}`, OPENAI_API_KEY: 'sk-bench-fake', OPENAI_BASE_URL: tenant.openaiBaseURL }
}

/**
 * Runs `vitest run --root <root>` in a child process and measures its wall time (spawn to exit).
 * Options: env (on top of a clean one), args, rss (record the main process's peak RSS), modules (record
 * the URLs of `openai` / `@google/genai` modules resolved in any process of the run).
 */
export function runVitest(root, options = {}) {
  const env = { ...process.env }
  for (const key of CLEAN_ENV_KEYS) delete env[key]
  Object.assign(env, { NO_COLOR: '1', FORCE_COLOR: '0' }, options.env)
  const imports = []
  let rssFile
  let modulesFile
  if (options.rss) {
    rssFile = join(mkdtempSync(join(tmpdir(), 'vj-bench-rss-')), 'rss.json')
    made.add(dirname(rssFile))
    env.BENCH_RSS_FILE = rssFile
    imports.push(join(HOOKS, 'peak-rss.mjs'))
  }
  if (options.modules) {
    modulesFile = join(mkdtempSync(join(tmpdir(), 'vj-bench-mods-')), 'modules.txt')
    made.add(dirname(modulesFile))
    writeFileSync(modulesFile, '')
    env.BENCH_MODULES_FILE = modulesFile
    imports.push(join(HOOKS, 'record-modules.mjs'))
  }
  if (imports.length > 0) env.NODE_OPTIONS = imports.map((f) => `--import=${pathToFileURL(f).href}`).join(' ')
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  const command = [NODE, VITEST, 'run', '--root', root, ...(options.args ?? [])]
  let traceFile
  if (options.trace && STRACE) {
    // Which files every process of the run opens, and its fsync calls (not timed: strace slows it).
    traceFile = join(mkdtempSync(join(tmpdir(), 'vj-bench-trace-')), 'strace.txt')
    made.add(dirname(traceFile))
    command.unshift(STRACE, '-f', '-qq', '-e', 'trace=openat,fsync,fdatasync', '-o', traceFile)
  } else if (TIME) {
    // With GNU time, the CPU time of the whole process tree (main process and workers) is recorded too.
    command.unshift(TIME, '-f', `${TIME_MARK}%U %S`)
  }
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command[0], command.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000)
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      clearTimeout(timer)
      const result = { ms, code, stdout, stderr }
      const mark = stderr.lastIndexOf(TIME_MARK)
      if (mark !== -1) {
        const [user, system] = stderr
          .slice(mark + TIME_MARK.length)
          .trim()
          .split(/\s+/)
          .map(Number)
        result.cpuMs = (user + system) * 1000
        result.stderr = stderr.slice(0, mark)
      }
      if (traceFile && existsSync(traceFile)) result.trace = readFileSync(traceFile, 'utf8')
      if (rssFile && existsSync(rssFile)) result.rss = JSON.parse(readFileSync(rssFile, 'utf8'))
      if (modulesFile) result.modules = [...new Set(readFileSync(modulesFile, 'utf8').split('\n').filter(Boolean))]
      if (code !== 0 && !options.allowFailure) {
        reject(
          new Error(
            `vitest run --root ${root} exited ${code}\n${stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`.trimEnd(),
          ),
        )
      } else resolve(result)
    })
  })
}

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Formats milliseconds. */
export const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`)
/** Formats bytes as MB. */
export const fmtMb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

/**
 * The result records of a bench: `record({ id, label, value, unit, reference?, referenceLabel?, ratio?, limit?, pass?, note? })`.
 * `finish()` prints them and, with BENCH_RESULT_FILE set (run-all), writes them as JSON.
 */
export function results(bench) {
  const rows = []
  return {
    rows,
    record(row) {
      rows.push({ bench, ...row })
      const ref = row.reference === undefined ? '' : `  (reference ${row.referenceLabel ?? ''} ${row.reference})`
      const ratio = row.ratio === undefined ? '' : `  ratio ${row.ratio.toFixed(2)}`
      const limit = row.limit === undefined ? '' : ` (limit ${row.limit})`
      const verdict = row.pass === undefined ? '' : row.pass ? '  OK' : '  OVER'
      console.log(`  ${row.label}: ${row.value}${row.unit ?? ''}${ref}${ratio}${limit}${verdict}`)
    },
    finish() {
      if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(rows, null, 2))
    },
  }
}

/** Writes `text` to stdout as a progress line. */
export function say(text) {
  console.log(text)
}
