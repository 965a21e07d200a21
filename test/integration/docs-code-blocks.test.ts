// Every ```ts block of the documentation (docs/**/*.md and README.md) compiles against the BUILT package, as a user's test project
// would: each block is one module of a temporary project whose node_modules is this checkout's (where
// scripts/link-self.mjs links `vitest-judge` to the checkout, so `vitest-judge` resolves through package.json's
// exports to dist/*.d.ts), type-checked by one `tsc` run. A block marked ```ts no-check is skipped (see
// docs/reference/developing.md, "Code blocks in the docs").
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import fg from 'fast-glob'
import { afterAll, describe, expect, test } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

/** A fenced code block of a markdown file. */
interface CodeBlock {
  file: string
  /** 1-based line of the block's first code line. */
  line: number
  lang: string
  meta: string
  code: string
}

/** Fenced blocks (``` or ~~~, indented or not, as in list items), with the fence's indentation removed. */
function codeBlocks(file: string, text: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3}|\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i] ?? '')
    if (!open) continue
    const [, indent = '', fence = '', lang = '', meta = ''] = open
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const line = lines[j] ?? ''
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') break
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart())
    }
    blocks.push({ file, line: i + 2, lang, meta: meta.trim(), code: body.join('\n') })
    i = j
  }
  return blocks
}

/**
 * Names the docs' examples use for the reader's own code (the app under test, its data), declared once so that a
 * block shows only what a reader writes. Documented in docs/reference/developing.md.
 */
const PLACEHOLDERS = `import type { EvalCase } from 'vitest-judge'
declare global {
  /** The reader's application: a question in, an answer out. */
  function myApp(input: string, ...options: unknown[]): Promise<string>
  /** An answer, a reference answer, a question and retrieved context, as a test has them. */
  const answer: string
  const truth: string
  const question: string
  const retrievedContext: string
  /** Questions for a test.for loop. */
  const questions: string[]
  /** A dataset and a task, for examples about other options of describeEval. */
  const data: EvalCase<string>[]
  const task: (input: string) => Promise<string>
}
export {}
`

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2023', 'DOM'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
  },
  include: ['*.ts'],
}

/** A block that must not compile: shows that the check reports errors at all. */
const CANARY = `import { vitestJudge } from 'vitest-judge/plugin'
vitestJudge({ minScore: 'high' })
`

const work = mkdtempSync(join(tmpdir(), 'vj-docs-code-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

test('code blocks are read as VitePress reads them: indented in list items, with a marker after the language', () => {
  const md = [
    '- a list item:',
    '',
    '  ```ts no-check',
    '  const a = 1',
    '    nested()',
    '  ```',
    '',
    '```sh',
    'npm i',
    '```',
  ]
  expect(codeBlocks('x.md', md.join('\n'))).toEqual([
    { file: 'x.md', line: 4, lang: 'ts', meta: 'no-check', code: 'const a = 1\n  nested()' },
    { file: 'x.md', line: 9, lang: 'sh', meta: '', code: 'npm i' },
  ])
})

describe('the TypeScript blocks of docs/ and the README', () => {
  const files = [
    'README.md',
    ...fg.sync('docs/**/*.md', { cwd: ROOT, ignore: ['**/node_modules/**', 'docs/.vitepress/**'] }).sort(),
  ]
  const blocks = files.flatMap((f) => codeBlocks(f, readFileSync(join(ROOT, f), 'utf8')))
  const ts = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript')
  const checked = ts.filter((b) => !/(^|\s)no-check(\s|$)/.test(b.meta))

  test('are found, and few are exempt', () => {
    expect(files).toContain('docs/guide/getting-started.md')
    expect(checked.length).toBeGreaterThanOrEqual(15)
    // no-check is for fragments that cannot stand alone: a handful at most.
    expect(ts.length - checked.length).toBeLessThanOrEqual(5)
  })

  // One tsc run over every block: about 10 s on an idle machine, several times that under load.
  test('compile against the built package', { timeout: 240_000 }, () => {
    expect(existsSync(join(ROOT, 'dist/index.d.ts')), 'run `npm run build` first').toBe(true)
    execFileSync(process.execPath, [join(ROOT, 'scripts/link-self.mjs')])
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir')
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2))
    // As the docs tell users: the matcher types come from a reference to vitest-judge anywhere in the project.
    writeFileSync(join(work, 'vitest.d.ts'), '/// <reference types="vitest-judge" />\n')
    writeFileSync(join(work, 'placeholders.d.ts'), PLACEHOLDERS)
    writeFileSync(join(work, 'canary.ts'), CANARY)
    const where = new Map<string, CodeBlock>()
    checked.forEach((b, i) => {
      const name = `block${String(i).padStart(3, '0')}.ts`
      where.set(name, b)
      // Each block is a module of its own (top-level await allowed, names never clash between blocks).
      writeFileSync(join(work, name), `${b.code}\nexport {}\n`)
    })
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', work], {
      cwd: work,
      encoding: 'utf8',
    })
    const errors = tsc.stdout
      .split('\n')
      .filter((l) => /^\S+\.ts\(\d+,\d+\): error/.test(l))
      .map((l) => {
        const m = /^(\S+?)\((\d+),(\d+)\): (.*)$/.exec(l)
        const block = m && where.get(m[1] ?? '')
        if (!m || !block) return l
        return `${block.file}:${block.line + Number(m[2]) - 1}: ${m[4]}`
      })
    expect(errors.filter((e) => !e.startsWith('canary.ts'))).toEqual([])
    expect(errors.filter((e) => e.startsWith('canary.ts')).length, tsc.stdout).toBe(1)
    expect(relative(ROOT, work).startsWith('..')).toBe(true)
  })
})
