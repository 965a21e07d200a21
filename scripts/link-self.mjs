// Links node_modules/vitest-judge to this checkout, so fixture projects and examples import the
// built package by its name, exactly as users do.
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const link = join(root, 'node_modules', 'vitest-judge')
mkdirSync(dirname(link), { recursive: true })
if (existsSync(link) || lstatSync(link, { throwIfNoEntry: false })) {
  const stat = lstatSync(link)
  if (stat.isSymbolicLink() && resolve(dirname(link), readlinkSync(link)) === root) process.exit(0)
  rmSync(link, { recursive: true, force: true })
}
symlinkSync('..', link, 'dir')
