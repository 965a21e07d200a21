/**
 * Review in `vitest-judge ui` (issue 28), the server as a process: labels posted with the page's
 * token count in the next run's agreement (the reporter reads them), show/--json/export carry them,
 * "add to dataset" appends rows; foreign Origin/Host, a missing token and path escapes are refused
 * and write nothing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JsonReport } from '../../src/report/types.js'
import { writeInvocation } from './drive-reporter.js'
import { REPO } from './run-fixture.js'

const CLI = join(REPO, 'dist/cli/index.js')
const QA = 'evals/qa.eval.ts'
let root: string
let dir: string
let server: ChildProcess | undefined
let url: string
let token: string
let report: JsonReport

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args, '--dir', dir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
}

function http(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url)
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method,
        headers: {
          Host: target.host,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** A write as the page sends it: token and same origin. */
function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return http('POST', path, {
    body,
    headers: { Origin: new URL(url).origin, 'X-Vitest-Judge-Token': token, ...headers },
  })
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vj-review-'))
  dir = join(root, '.vitest-judge')
  await writeInvocation(root, { files: [[QA, 12]], shift: 0 })
  server = spawn(process.execPath, [CLI, 'ui', '--port', '0', '--dir', dir, '--reviewer', 'Alice <a&b>'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  url = await new Promise<string>((resolve, reject) => {
    let out = ''
    server?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
      if (found?.[1]) resolve(found[1])
    })
    server?.on('exit', (code) => reject(new Error(`ui exited with ${code}: ${out}`)))
  })
  const page = await http('GET', '/')
  token = /name="vitest-judge-token" content="([0-9a-f]+)"/.exec(page.body)?.[1] ?? ''
  expect(page.body).toContain('name="vitest-judge-reviewer" content="Alice &#60;a&#38;b&#62;"')
  report = JSON.parse(cli(['show', 'latest', '--json']).stdout) as JsonReport
}, 120_000)

afterAll(() => {
  server?.kill('SIGTERM')
  rmSync(root, { recursive: true, force: true })
})

describe('review in vitest-judge ui', () => {
  test('writes without the token, from a foreign origin or host are refused and write nothing', async () => {
    const inv = report.invocation.id
    const c = report.runs[0]?.cases[0]
    const label = { inv, file: QA, case: c?.name, metric: 'answer_similarity', grade: 3 }
    expect(token).toMatch(/^[0-9a-f]{48}$/)
    expect((await http('POST', '/api/labels', { body: label, headers: { Origin: new URL(url).origin } })).status).toBe(
      403,
    )
    expect((await post('/api/labels', label, { 'X-Vitest-Judge-Token': 'f'.repeat(48) })).status).toBe(403)
    expect((await post('/api/labels', label, { Origin: 'http://evil.example' })).status).toBe(403)
    expect((await post('/api/labels', label, { Origin: 'null' })).status).toBe(403)
    // A DNS-rebound name: the right token cannot be had, but the Host is refused anyway.
    expect((await post('/api/labels', label, { Host: 'evil.example' })).status).toBe(403)
    expect((await post('/api/labels', { ...label, comment: 'x'.repeat(70_000) })).status).toBe(413)
    expect((await post('/api/labels', { ...label, grade: 9 })).status).toBe(400)
    const exported = cli(['labels', 'export'])
    expect(exported.status).toBe(0)
    expect(exported.stdout).toBe('')
  })

  test('ten labels and a comment: the next run reports kappa over them, show and export carry them', async () => {
    const inv = report.invocation.id
    const cases = report.runs[0]?.cases ?? []
    for (const c of cases.slice(0, 10)) {
      const judge = Math.round(c.metrics?.answer_similarity?.raw ?? 3)
      const res = await post('/api/labels', { inv, file: QA, case: c.name, metric: 'answer_similarity', grade: judge })
      expect(res.status, res.body).toBe(200)
      expect(JSON.parse(res.body).label.reviewer).toBe('Alice <a&b>')
    }
    const commented = await post('/api/labels', {
      inv,
      file: QA,
      case: cases[0]?.name,
      metric: 'answer_similarity',
      comment: '=HYPERLINK("x") the judge is right',
    })
    expect(commented.status).toBe(200)
    // The comment kept the grade given before.
    expect(JSON.parse(commented.body).label.grade).toBe(Math.round(cases[0]?.metrics?.answer_similarity?.raw ?? 0))
    const listed = JSON.parse((await http('GET', `/api/labels?inv=${inv}`)).body).labels as Array<{ stale: boolean }>
    expect(listed).toHaveLength(10)
    expect(listed.every((l) => l.stale === false)).toBe(true)

    // The next run (same cases, same texts): agreement over the ten labels, said in the console line.
    const logged = await writeInvocation(root, { files: [[QA, 12]], shift: 0 })
    const line = logged.find((l) => l.includes('judge vs human answer_similarity'))
    expect(line).toContain('(n 10)')
    expect(line).toContain('10 grades from review labels')
    expect(line).toContain("the dataset's human grade wins")
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport
    expect(json.agreement?.answer_similarity?.n).toBe(10)
    expect(json.agreement?.answer_similarity?.kappa).toBe(1)
    expect(json.agreement?.answer_similarity?.fromLabels).toBe(10)
    expect(json.runs[0]?.cases[0]?.labels?.answer_similarity?.comment).toContain('the judge is right')

    const shown = cli(['show', 'latest'])
    expect(shown.stdout).toContain('Review labels (10')
    expect(shown.stdout).toContain('human 1/5 by Alice <a&b>')
    const shownJson = JSON.parse(cli(['show', 'latest', '--json']).stdout) as JsonReport
    expect(shownJson.runs[0]?.cases[1]?.labels?.answer_similarity).toMatchObject({
      stale: false,
      reviewer: 'Alice <a&b>',
    })

    const csv = cli(['labels', 'export', '--format', 'csv'])
    expect(csv.status).toBe(0)
    const lines = csv.stdout.trimEnd().split('\r\n')
    expect(lines[0]).toBe('case,file,metric,grade,reviewer,comment,at')
    expect(lines).toHaveLength(11)
    // A comment starting with = is not a formula in a spreadsheet.
    expect(csv.stdout).toContain(`"'=HYPERLINK(""x"") the judge is right"`)
    const jsonl = cli(['labels', 'export'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(jsonl).toHaveLength(10)
    expect(Object.keys(jsonl[0])).toEqual(['case', 'file', 'metric', 'grade', 'reviewer', 'comment', 'at'])
  })

  test('add to dataset appends rows under the project root; escapes and non-datasets are refused', async () => {
    const latest = JSON.parse(cli(['show', 'latest', '--json']).stdout) as JsonReport
    const inv = latest.invocation.id
    const cases = latest.runs[0]?.cases ?? []
    const pick = [
      { file: QA, case: cases[0]?.name },
      { file: QA, case: cases[1]?.name, expectedFrom: 'output' },
      { file: QA, case: cases[11]?.name, expectedFrom: 'edited', expected: 'A better answer' },
    ]
    const added = await post('/api/dataset', { inv, path: 'evals/data/regressions.jsonl', cases: pick })
    expect(added.status, added.body).toBe(200)
    const answer = JSON.parse(added.body)
    expect(answer).toMatchObject({ path: 'evals/data/regressions.jsonl', rows: 3, digestBefore: null })
    expect(answer.digestAfter).toMatch(/^[0-9a-f]{16}$/)
    const rows = readFileSync(join(root, 'evals/data/regressions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows[0]).toEqual({
      id: cases[0]?.id,
      input: cases[0]?.input,
      expected: cases[0]?.expected,
      human: { answer_similarity: Math.round(cases[0]?.metrics?.answer_similarity?.raw ?? 0) },
    })
    expect(rows[1].expected).toBe(cases[1]?.output)
    // The case's context goes back into the dataset as the dataset gave it.
    expect(cases[11]?.context).toEqual(['Passage A for 11', 'Passage B for 11'])
    expect(rows[2]).toEqual({
      id: cases[11]?.id,
      input: cases[11]?.input,
      expected: 'A better answer',
      context: ['Passage A for 11', 'Passage B for 11'],
    })
    // Appending again: the digest before is the one after the first write.
    const again = JSON.parse(
      (await post('/api/dataset', { inv, path: 'evals/data/regressions.jsonl', cases: pick.slice(0, 1) })).body,
    )
    expect(again.digestBefore).toBe(answer.digestAfter)

    writeFileSync(join(root, 'notes.jsonl'), 'not json\n')
    writeFileSync(join(root, 'package.json'), '{}\n')
    mkdirSync(join(root, 'outside-link-target'), { recursive: true })
    const outside = mkdtempSync(join(tmpdir(), 'vj-outside-'))
    symlinkSync(outside, join(root, 'linked'))
    for (const [path, status] of [
      ['../escape.jsonl', 400],
      ['evals/../../escape.jsonl', 400],
      [join(outside, 'abs.jsonl'), 400],
      ['linked/escape.jsonl', 400],
      ['package.json', 400],
      ['notes.jsonl', 409],
    ] as const) {
      const res = await post('/api/dataset', { inv, path, cases: pick.slice(0, 1) })
      expect(res.status, `${path}: ${res.body}`).toBe(status)
    }
    expect(readFileSync(join(root, 'notes.jsonl'), 'utf8')).toBe('not json\n')
    expect(existsSync(join(outside, 'escape.jsonl'))).toBe(false)
    expect(existsSync(join(root, '..', 'escape.jsonl'))).toBe(false)
    // Without the token: nothing written.
    const before = readFileSync(join(root, 'evals/data/regressions.jsonl'), 'utf8')
    const refused = await http('POST', '/api/dataset', {
      body: { inv, path: 'evals/data/regressions.jsonl', cases: pick },
      headers: { Origin: new URL(url).origin },
    })
    expect(refused.status).toBe(403)
    expect(readFileSync(join(root, 'evals/data/regressions.jsonl'), 'utf8')).toBe(before)
    rmSync(outside, { recursive: true, force: true })
  })
})
