// The README stays short and points into the documentation site, and every page of the site is reachable from its
// sidebar. (`npm run docs:build` checks the links between pages; the code blocks are compiled by
// test/integration/docs-code-blocks.test.ts.)
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import fg from 'fast-glob'
import { describe, expect, test } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** Relative link targets of a markdown text, code blocks and spans left out. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '')
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((href) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(href))
}

describe('README.md', () => {
  test('is at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250)
  })

  test('links to files that exist, the docs pages among them (relative links, as GitHub resolves them)', () => {
    const links = relativeLinks(readme)
    for (const href of links) {
      const path = href.split('#')[0] ?? ''
      expect(existsSync(join(ROOT, decodeURI(path))), href).toBe(true)
    }
    expect(links).toContain('docs/guide/getting-started.md')
    expect(links.some((l) => l.startsWith('docs/images/'))).toBe(true)
  })
})

describe('the documentation site', () => {
  const config = readFileSync(join(ROOT, 'docs/.vitepress/config.ts'), 'utf8')
  const sidebarLinks = [...config.split('nav: [')[0]!.matchAll(/link: '(\/(?:guide|reference)\/[a-z0-9-]+)'/g)].map(
    (m) => m[1],
  )
  const sidebar = new Set(sidebarLinks)
  const pages = fg.sync(['guide/*.md', 'reference/*.md'], { cwd: join(ROOT, 'docs') }).sort()

  test('every guide and reference page is in the sidebar, and every sidebar entry is a page', () => {
    expect(pages.length).toBeGreaterThanOrEqual(20)
    const missing = pages.filter((p) => !sidebar.has(`/${p.replace(/\.md$/, '')}`))
    expect(missing, 'add each to `sidebar` in docs/.vitepress/config.ts').toEqual([])
    for (const link of sidebar) expect(existsSync(join(ROOT, 'docs', `${link}.md`)), link).toBe(true)
    const twice = sidebarLinks.filter((link, i) => sidebarLinks.indexOf(link) !== i)
    expect(twice, 'a page listed twice in the sidebar').toEqual([])
  })

  test('pages link to each other by relative .md paths that exist', () => {
    for (const page of pages) {
      const text = readFileSync(join(ROOT, 'docs', page), 'utf8')
      for (const href of relativeLinks(text)) {
        const path = decodeURI(href.split('#')[0] ?? '')
        if (path === '') continue
        expect(existsSync(resolve(dirname(join(ROOT, 'docs', page)), path)), `${page}: ${href}`).toBe(true)
      }
    }
  })
})
