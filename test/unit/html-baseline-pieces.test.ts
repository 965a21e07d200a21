import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, expect, test } from 'vitest'
import type { ReportRun } from '../../src/report/types.js'
import { writeInvocation } from '../integration/drive-reporter.js'

// The baseline's runs in report.html are rendered while the invocation runs (when the comparison
// reads them) and copied at the end; a baseline file the head did not run is read at the end.

const roots: string[] = []
const savedKey = process.env.OPENAI_API_KEY
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
  if (savedKey === undefined) delete process.env.OPENAI_API_KEY
  else process.env.OPENAI_API_KEY = savedKey
})

interface PageData {
  header: { baseline: number | null }
  invocations: Array<{ invocation: { id: string }; runs: string[] }>
}

function pageData(root: string): PageData {
  const html = readFileSync(join(root, '.vitest-judge', 'report.html'), 'utf8')
  const open = '<script type="application/json" id="vj-data">'
  const start = html.indexOf(open) + open.length
  return JSON.parse(html.slice(start, html.indexOf('</script>', start))) as PageData
}

function decode(run: string): ReportRun {
  return JSON.parse(gunzipSync(Buffer.from(run, 'base64')).toString('utf8')) as ReportRun
}

test("the baseline's runs are in the page whole: files the head ran and files it did not, secrets redacted", async () => {
  const root = mkdtempSync(join(tmpdir(), 'vj-html-base-'))
  roots.push(root)
  const secret = 'sk-baseline-secret-0123456789abcdef'
  process.env.OPENAI_API_KEY = secret
  await writeInvocation(root, {
    files: [
      ['evals/a.eval.ts', 4],
      ['evals/b.eval.ts', 3],
      ['evals/c.eval.ts', 2],
    ],
    shift: 1,
    outputs: new Map([[1, `leaked ${secret} in the baseline`]]),
  })
  await writeInvocation(root, {
    files: [
      ['evals/a.eval.ts', 4],
      ['evals/c.eval.ts', 2],
    ],
    shift: 2,
  })
  const data = pageData(root)
  expect(data.header.baseline).toBe(1)
  const baseline = data.invocations[1]?.runs.map(decode) ?? []
  expect(baseline.map((run) => [run.file, run.cases.length])).toEqual([
    ['evals/a.eval.ts', 4],
    ['evals/b.eval.ts', 3],
    ['evals/c.eval.ts', 2],
  ])
  for (const run of baseline) {
    expect(run.cases[0]?.output).toContain('variant 1')
    expect(run.cases[1]?.output).toBe('leaked [redacted] in the baseline')
  }
  const head = data.invocations[0]?.runs.map(decode) ?? []
  expect(head.map((run) => run.cases[0]?.output)).toEqual([
    expect.stringContaining('variant 2'),
    expect.stringContaining('variant 2'),
  ])
  expect(readFileSync(join(root, '.vitest-judge', 'report.html'), 'utf8')).not.toContain(secret)
  // Nothing of the spool is left behind.
  expect(readdirSync(join(root, '.vitest-judge')).filter((name) => name.startsWith('.spool-'))).toEqual([])

  // A baseline named by its id is resolved at the end only: its runs are rendered as the comparison reads them.
  const firstId = data.invocations[1]?.invocation.id ?? ''
  await writeInvocation(root, { files: [['evals/c.eval.ts', 2]], shift: 3, options: { baseline: firstId } })
  const byId = pageData(root)
  expect(byId.invocations[1]?.invocation.id).toBe(firstId)
  expect(byId.invocations[1]?.runs.map(decode).map((run) => [run.file, run.cases.length])).toEqual([
    ['evals/a.eval.ts', 4],
    ['evals/b.eval.ts', 3],
    ['evals/c.eval.ts', 2],
  ])
})
