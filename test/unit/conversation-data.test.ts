import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DatasetError } from '../../src/errors.js'
import { type ConversationData, loadConversations } from '../../src/runtime/conversation-data.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vj-conversations-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function write(name: string, text: string): string {
  writeFileSync(join(root, name), text)
  return name
}

async function datasetError(data: ConversationData): Promise<DatasetError> {
  const error = await loadConversations(data, root).then(
    (rows) => new Error(`expected a dataset error, got ${rows.length} rows`),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DatasetError)
  expect((error as DatasetError).code).toBe('VJ_DATASET')
  return error as DatasetError
}

const scripted = { turns: [{ role: 'user', content: 'hi' }] }
const simulated = { scenario: { goal: 'book a table', maxTurns: 3 } }

describe('conversation rows', () => {
  it('loads scripted and simulated rows from jsonl, json, csv with JSON cells and inline data', async () => {
    const jsonl = write(
      'a.jsonl',
      `${JSON.stringify({ id: 1, role: 'agent', ...scripted })}\n\n${JSON.stringify(simulated)}\n`,
    )
    const json = write('b.json', JSON.stringify({ cases: [scripted, simulated] }))
    const csv = write(
      'c.csv',
      `id,turns,scenario,role\nx,"[{""role"":""user"",""content"":""hi, there""}]",,agent\ny,,"{""goal"":""g"",""maxTurns"":2}",\n`,
    )
    const fromJsonl = await loadConversations(jsonl, root)
    expect(fromJsonl.map((r) => r.source)).toEqual(['a.jsonl:1', 'a.jsonl:3'])
    expect(fromJsonl[0]?.case).toEqual({ id: 1, role: 'agent', turns: [{ role: 'user', content: 'hi' }] })
    expect(fromJsonl[1]?.case.scenario).toEqual({ goal: 'book a table', maxTurns: 3 })
    expect((await loadConversations(json, root)).map((r) => r.source)).toEqual(['b.json[0]', 'b.json[1]'])
    const fromCsv = await loadConversations(csv, root)
    expect(fromCsv.map((r) => r.case)).toEqual([
      { id: 'x', role: 'agent', turns: [{ role: 'user', content: 'hi, there' }] },
      { id: 'y', scenario: { goal: 'g', maxTurns: 2 } },
    ])
    expect((await loadConversations([scripted as never], root))[0]?.source).toBe('data[0]')
  })

  it('a row without a user turn, with an unknown role, or with both turns and scenario names the file and line', async () => {
    const noUser = await datasetError(
      write(
        'n.jsonl',
        `${JSON.stringify(scripted)}\n${JSON.stringify({ turns: [{ role: 'assistant', content: 'hello' }] })}\n`,
      ),
    )
    expect(noUser.message).toBe(
      'n.jsonl:2: line 2: "turns" has no user turn; a conversation starts with what the user says.',
    )
    expect(noUser.line).toBe(2)
    const role = await datasetError(write('r.jsonl', JSON.stringify({ turns: [{ role: 'system', content: 'x' }] })))
    expect(role.message).toContain(
      'r.jsonl:1: line 1: turns[0] has an unknown role "system"; use "user" or "assistant".',
    )
    const both = await datasetError(
      write('b.json', `[\n  ${JSON.stringify(scripted)},\n  ${JSON.stringify({ ...scripted, ...simulated })}\n]`),
    )
    expect(both.message).toContain('b.json:3: case 1 (0-based, line 3) has both "turns" and "scenario"')
    const csv = await datasetError(write('c.csv', 'turns\n"[{""role"":""bot"",""content"":""x""}]"\n'))
    expect(csv.message).toContain('c.csv:2: line 2: turns[0] has an unknown role "bot"')
    const inline = await datasetError([scripted, { ...scripted, ...simulated }] as never)
    expect(inline.message).toContain('data[1] has both "turns" and "scenario"')
  })

  it('says what a bad scenario, an empty row, a CSV without the columns or a non-JSON cell should be', async () => {
    expect((await datasetError([{ scenario: { goal: 'g', maxTurns: 0 } }] as never)).message).toContain(
      'scenario.maxTurns must be a whole number >= 1',
    )
    expect((await datasetError([{ scenario: { maxTurns: 2 } }] as never)).message).toContain(
      'scenario.goal must be a non-empty string',
    )
    expect((await datasetError([{ id: 'x' }] as never)).message).toContain('has neither "turns"')
    expect((await datasetError(write('h.csv', 'input\nq\n'))).message).toContain(
      'the header row has no "turns" or "scenario" column',
    )
    expect((await datasetError(write('t.csv', 'turns\nnot json\n'))).message).toContain(
      '"turns" must be a non-empty array',
    )
  })
})
