/**
 * The developer's set-up on a fresh machine is one set of commands: the README's "Developing"
 * block, which CI (.ci/run) runs as they are, with the Debian packages in one script both share.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const ROOT = join(import.meta.dirname, '../..')
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')

/** The commands of the first `sh` block under `## Developing` in the README, comments dropped. */
function readmeCommands(): string[] {
  const readme = read('README.md')
  const section = readme.slice(readme.indexOf('\n## Developing'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
}

/** The command lines of a shell script (no comments, no shell settings). */
function scriptCommands(file: string): string[] {
  return read(file)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !/^(set|cd|export) /.test(line))
}

describe('the README\'s "Developing" commands', () => {
  test('set up, install, test: and CI runs exactly these, in this order, first', () => {
    const commands = readmeCommands()
    expect(commands).toEqual(['npm run setup', 'npm ci', 'npm test'])
    expect(scriptCommands('.ci/run').slice(0, commands.length)).toEqual(commands)
  })

  test('the Debian packages are installed by one script, which CI does not repeat', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> }
    expect(pkg.scripts.setup).toBe('bash scripts/setup.sh')
    const setup = read('scripts/setup.sh')
    for (const name of ['postgresql', 'libxml2-utils', 'chromium', 'python3-pandas']) expect(setup).toContain(name)
    expect(scriptCommands('.ci/run').join('\n')).not.toContain('apt-get')
    // Unattended: no prompt, no terminal (CI runs it as root with no standard input).
    expect(setup).toContain('DEBIAN_FRONTEND=noninteractive')
    expect(setup).toMatch(/apt-get [^\n]*install -y/)
    expect(spawnSync('bash', ['-n', join(ROOT, 'scripts/setup.sh')]).status).toBe(0)
  })
})
