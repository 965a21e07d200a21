// The setup file the plugin adds runs through Vite's module runner: every import it makes is fetched
// from the main process, one round trip after another, while the worker waits. The built file must
// import one module (setup.js, which Node then loads with its chunks), not each chunk of it.
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'

const dist = new URL('../../dist/', import.meta.url)

test('the built setup file imports setup.js only, and setup.js registers the matchers', () => {
  const code = readFileSync(new URL('setup-file.js', dist), 'utf8')
  const imports = [...code.matchAll(/\bimport\s*(?:[^'"]*from\s*)?["']([^"']+)["']/g)].map((m) => m[1])
  expect(imports).toEqual(['./setup.js'])
  expect(readFileSync(new URL('plugin.js', dist), 'utf8')).toContain('./setup-file.js')
  // `vitest-judge/setup` in a hand-written setupFiles list is the same one-import file.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', dist), 'utf8'))
  expect(pkg.exports['./setup'].import).toBe('./dist/setup-file.js')
  const setup = readFileSync(new URL('setup.js', dist), 'utf8')
  const chunks = [...setup.matchAll(/\bimport\s*(?:[^'"]*from\s*)?["'](\.\/[^"']+)["']/g)].map((m) => m[1] as string)
  const all = chunks.map((c) => readFileSync(new URL(c, dist), 'utf8')).join('\n') + setup
  expect(all).toContain('expect.extend')
})
