import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { fromStorable, toStorable } from '../../src/replay/serialize.js'
import { SqliteAppCache } from '../../src/store/app-cache.js'
import { SqliteJudgeCache } from '../../src/store/judge-cache.js'

describe('the SQLite app cache', () => {
  test('keeps its entries apart from the judge entries of the same cache.db', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vj-app-'))
    const judge = new SqliteJudgeCache(dir)
    await judge.set('k1', { kind: 'grade', judge: 'openai:x', value: { score: 3 } })
    const app = new SqliteAppCache(dir)
    await app.set('k1', {
      kind: 'model',
      name: 'openai.chat m generate',
      value: { text: 'hi' },
      latencyMs: 120,
      tokens: { input: 3, output: 1 },
    })
    expect((await judge.stats()).entries).toBe(1)
    expect(await app.get('k1')).toMatchObject({
      kind: 'model',
      value: { text: 'hi' },
      latencyMs: 120,
      tokens: { input: 3, output: 1 },
    })
    expect(await app.clear()).toBe(1)
    expect((await judge.stats()).entries).toBe(1)
    await app.close()
    await judge.close()
  })

  test('redacts a key-shaped token in a recorded result, string by string (the JSON stays valid)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vj-app-'))
    const app = new SqliteAppCache(dir)
    const leaked = 'sk-proj0123456789abcdefghij'
    await app.set('k', {
      kind: 'tool',
      name: 'tool echo',
      value: { text: `key=${leaked}\\"`, nested: [`Bearer ${leaked}`] },
      latencyMs: 1,
      tokens: null,
    })
    const entry = await app.get('k')
    expect(JSON.stringify(entry?.value)).not.toContain(leaked)
    await app.close()
    expect(readFileSync(join(dir, 'cache.db')).toString('latin1')).not.toContain(leaked)
  })

  test('a read-only app cache over no file reads as empty and refuses writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vj-app-'))
    const app = new SqliteAppCache(dir, { readonly: true })
    expect(await app.get('k')).toBeUndefined()
    await expect(app.set('k', { kind: 'tool', name: 't', value: 1, latencyMs: 1, tokens: null })).rejects.toThrow(
      /read-only/,
    )
  })
})

describe('stored forms of app call results', () => {
  test('Dates and byte arrays come back as themselves; undefined fields are dropped', () => {
    const value = { at: new Date('2026-01-02T03:04:05.000Z'), data: new Uint8Array([1, 2, 255]), gone: undefined }
    const back = fromStorable(JSON.parse(JSON.stringify(toStorable(value)))) as typeof value
    expect(back.at).toBeInstanceOf(Date)
    expect(back.at.toISOString()).toBe('2026-01-02T03:04:05.000Z')
    expect(back.data).toEqual(new Uint8Array([1, 2, 255]))
    expect('gone' in back).toBe(false)
  })
})
