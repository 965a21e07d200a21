import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DatasetError } from '../../src/errors.js'
import { caseProblem, type EvalCase, loadCases, parseCsv } from '../../src/runtime/dataset.js'

let root: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vj-dataset-'))
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function write(name: string, text: string): string {
  const file = join(root, name)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
  return name
}

async function datasetError(data: Parameters<typeof loadCases>[0]): Promise<DatasetError> {
  const error = await loadCases(data, root).then(
    (cases) => new Error(`expected a dataset error, got ${cases.length} cases`),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DatasetError)
  expect((error as DatasetError).code).toBe('VJ_DATASET')
  return error as DatasetError
}

const cases = async (data: Parameters<typeof loadCases>[0]) => (await loadCases(data, root)).map((c) => c.case)

describe('loadCases from values', () => {
  it('takes an array, keeping extra fields', async () => {
    const data: EvalCase[] = [{ input: 'q1', expected: 'a1', tags: ['x'] }, { input: { question: 'q2' } }]
    const loaded = await loadCases(data, root)
    expect(loaded.map((c) => c.case)).toEqual(data)
    expect(loaded.map((c) => c.source)).toEqual(['data[0]', 'data[1]'])
  })

  it('calls a sync or an async function', async () => {
    expect(await cases(() => [{ input: 'sync' }])).toEqual([{ input: 'sync' }])
    expect(await cases(async () => [{ input: 'async', id: 7 as unknown as string }])).toEqual([
      { input: 'async', id: 7 },
    ])
  })

  it('rejects an empty array, a function giving no array, and a case without input', async () => {
    expect((await datasetError([])).message).toContain('no cases')
    expect((await datasetError(async () => [])).message).toContain('no cases')
    const notArray = (() => ({ input: 'x' })) as unknown as () => []
    expect((await datasetError(notArray)).message).toContain('array')
    const noInput = [{ input: 'ok' }, { expected: 'x' } as unknown as { input: string }]
    const error = await datasetError(noInput)
    expect(error.message).toContain('data[1]')
    expect(error.message).toContain('"input"')
  })

  it('rejects a case that is not an object and an id that is not a string or number', async () => {
    expect((await datasetError(['just a string'] as unknown as [])).message).toContain('data[0]')
    expect((await datasetError([{ input: 'x', id: { a: 1 } } as unknown as { input: string }])).message).toContain(
      '"id"',
    )
  })
})

describe('loadCases from .jsonl', () => {
  it('reads one case per line, skipping blank lines, with file:line sources', async () => {
    const file = write('qa.jsonl', '{"input":"q1","expected":"a1"}\n\n  \r\n{"input":"q2","id":"two"}\r\n')
    const loaded = await loadCases(file, root)
    expect(loaded.map((c) => c.case)).toEqual([
      { input: 'q1', expected: 'a1' },
      { input: 'q2', id: 'two' },
    ])
    expect(loaded.map((c) => c.source)).toEqual(['qa.jsonl:1', 'qa.jsonl:4'])
  })

  it('names the file and line of a broken line', async () => {
    const file = write('file.jsonl', '{"input":"q1"}\n{"input":"q2"}\n{"input": "q3",\n{"input":"q4"}\n')
    const error = await datasetError(file)
    expect(error.message).toContain('file.jsonl:3')
    expect(error.file).toBe('file.jsonl')
    expect(error.line).toBe(3)
  })

  it('names the line of a case without input', async () => {
    const error = await datasetError(write('file.jsonl', '{"input":"q1"}\n{"question":"q2"}\n'))
    expect(error.message).toContain('file.jsonl:2')
    expect(error.message).toContain('"input"')
  })

  it('names the line of a line that is not an object', async () => {
    expect((await datasetError(write('file.jsonl', '{"input":"q1"}\n["q2"]\n'))).message).toContain('file.jsonl:2')
  })

  it('accepts a file saved with a byte order mark', async () => {
    expect(await cases(write('bom.jsonl', '\uFEFF{"input":"q1"}\n'))).toEqual([{ input: 'q1' }])
  })

  it('says an all-blank file has no cases', async () => {
    expect((await datasetError(write('empty.jsonl', '\n\n'))).message).toContain('no cases')
  })
})

describe('loadCases from .json', () => {
  it('reads an array and an object with a cases array', async () => {
    expect(await cases(write('a.json', '[{"input":"q1"},{"input":"q2"}]'))).toEqual([{ input: 'q1' }, { input: 'q2' }])
    const loaded = await loadCases(write('b.json', '{"cases":[{"input":"q3","context":"c"}]}'), root)
    expect(loaded.map(({ case: c, source }) => ({ case: c, source }))).toEqual([
      { case: { input: 'q3', context: 'c' }, source: 'b.json[0]' },
    ])
  })

  it("knows each case's line when a later check (human grade, expectedToolCalls) needs it", async () => {
    const loaded = await loadCases(
      write('lines.json', '{"cases": [\n  {"input": "q1"},\n\n  {\n    "input": "q2"\n  }\n]}'),
      root,
    )
    expect(loaded.map((c) => c.where())).toEqual([
      { file: 'lines.json', line: 2, label: 'case 0 (0-based, line 2)' },
      { file: 'lines.json', line: 4, label: 'case 1 (0-based, line 4)' },
    ])
    const error = caseProblem(loaded[1]?.where() ?? { label: '' }, 'the human grade is bad.')
    expect(error).toBeInstanceOf(DatasetError)
    expect(error.code).toBe('VJ_DATASET')
    expect(error.message).toBe('lines.json:4: case 1 (0-based, line 4): the human grade is bad.')
    expect([error.file, error.line]).toEqual(['lines.json', 4])
    const jsonl = await loadCases(write('l.jsonl', '\n{"input": "a"}\n'), root)
    expect(jsonl[0]?.where()).toEqual({ file: 'l.jsonl', line: 2, label: 'line 2' })
    expect((await loadCases([{ input: 'x' }], root))[0]?.where()).toEqual({ label: 'data[0]' })
  })

  it('names the file and line of a syntax error', async () => {
    const error = await datasetError(write('bad.json', '[\n  {"input":"q1"},\n  {"input":"q2",}\n]'))
    expect(error.message).toContain('bad.json:3')
  })

  it('rejects an object without cases and names a case without input', async () => {
    expect((await datasetError(write('obj.json', '{"items":[]}'))).message).toContain('"cases"')
    const error = await datasetError(write('c.json', '[{"input":"q1"},{"expected":"a"}]'))
    expect(error.message).toContain('c.json')
    expect(error.message).toContain('case 1')
  })

  it('names the line a bad case starts on, in an array or under "cases"', async () => {
    const array =
      '[\n  {"input": "a [b], {c}", "expected": "x\\"]"},\n  {"input": [1, {"x": "]"}]},\n  {\n    "expected": "no input"\n  }\n]'
    const inArray = await datasetError(write('lines.json', array))
    expect(inArray.message).toContain('lines.json:4')
    expect(inArray.message).toContain('case 2 (0-based, line 4)')
    const wrapped = `{\n  "name": "cases",\n  "other": [{"input": 1}],\n  "cases": [\n    {"input": "ok"},\n    {"expected": "none"}\n  ]\n}`
    expect((await datasetError(write('wrapped.json', wrapped))).message).toContain('wrapped.json:6')
  })

  it('accepts a file saved with a byte order mark', async () => {
    expect(await cases(write('bom.json', '\uFEFF[{"input":"q1"}]'))).toEqual([{ input: 'q1' }])
  })
})

describe('loadCases from .csv', () => {
  it('reads quoted fields with commas, doubled quotes and newlines', async () => {
    const file = write(
      'qa.csv',
      'input,expected,context\n' +
        '"Paris, France?","He said ""yes""",\n' +
        '"two\nlines",plain,"ctx, with comma"\r\n' +
        'last,one,c\n',
    )
    const loaded = await loadCases(file, root)
    expect(loaded.map((c) => c.case)).toEqual([
      { input: 'Paris, France?', expected: 'He said "yes"' },
      { input: 'two\nlines', expected: 'plain', context: 'ctx, with comma' },
      { input: 'last', expected: 'one', context: 'c' },
    ])
    // A record's source is the line where it starts.
    expect(loaded.map((c) => c.source)).toEqual(['qa.csv:2', 'qa.csv:3', 'qa.csv:5'])
  })

  it('keeps an empty input cell and drops other empty cells', async () => {
    expect(await cases(write('e.csv', 'id,input,expected\n1,,\n'))).toEqual([{ id: '1', input: '' }])
  })

  it('strips a byte order mark and trims header names', async () => {
    expect(await cases(write('bom.csv', '\uFEFF input , expected\nq,a\n'))).toEqual([{ input: 'q', expected: 'a' }])
  })

  it('names the line of a record with the wrong number of fields, counting multi-line records', async () => {
    const file = write('file.csv', 'input,expected\n"a\nb",x\nq,a,extra\n')
    const error = await datasetError(file)
    expect(error.message).toContain('file.csv:4')
    expect(error.message).toContain('3 fields')
  })

  it('names the line where an unterminated quote starts', async () => {
    const error = await datasetError(write('file.csv', 'input,expected\nq1,a1\n"never closed,a2\nq3,a3\n'))
    expect(error.message).toContain('file.csv:3')
    expect(error.message).toMatch(/never closed/)
  })

  it('names the line of a stray quote inside an unquoted field', async () => {
    expect((await datasetError(write('file.csv', 'input\nok\nsay "hi"\n'))).message).toContain('file.csv:3')
  })

  it('requires an input column', async () => {
    const error = await datasetError(write('file.csv', 'question,expected\nq,a\n'))
    expect(error.message).toContain('file.csv:1')
    expect(error.message).toContain('"input"')
  })

  it('says a header-only file has no cases', async () => {
    expect((await datasetError(write('h.csv', 'input,expected\n'))).message).toContain('no cases')
  })

  it('parseCsv handles CRLF and a final line without newline', () => {
    expect(parseCsv('x.csv', 'a,b\r\n1,2\r\n3,"4"')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ])
  })
})

describe('loadCases from paths and globs', () => {
  it('merges the files a glob matches, in sorted order', async () => {
    write('data/b.jsonl', '{"input":"b1"}\n')
    write('data/a.jsonl', '{"input":"a1"}\n{"input":"a2"}\n')
    write('data/c.csv', 'input\nc1\n')
    write('data/skip.txt', 'not a case')
    const loaded = await loadCases('data/*.{jsonl,csv}', root)
    expect(loaded.map((c) => c.case.input)).toEqual(['a1', 'a2', 'b1', 'c1'])
    expect(loaded.map((c) => c.source)).toEqual(['data/a.jsonl:1', 'data/a.jsonl:2', 'data/b.jsonl:1', 'data/c.csv:2'])
    expect((await loadCases('./data/a.jsonl', root)).length).toBe(2)
    expect((await loadCases(join(root, 'data', 'b.jsonl'), root)).length).toBe(1)
  })

  it('says when a glob matches no file', async () => {
    const error = await datasetError('fixtures/*.jsonl')
    expect(error.message).toContain('no file matches "fixtures/*.jsonl"')
  })

  it('names a missing file', async () => {
    const error = await datasetError('missing.jsonl')
    expect(error.message).toContain('missing.jsonl')
    expect(error.message).toContain('ENOENT')
  })

  it('rejects an unknown extension naming the file and the accepted ones', async () => {
    const error = await datasetError(write('cases.yaml', 'input: x\n'))
    expect(error.message).toContain('cases.yaml')
    expect(error.message).toContain('.jsonl, .json or .csv')
  })
})
