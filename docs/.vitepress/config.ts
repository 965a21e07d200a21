import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type DefaultTheme, defineConfig, type MarkdownRenderer } from 'vitepress'

/** The repository that hosts vitest-judge (the GitHub Action's `uses:` name), for links to files outside docs/. */
const REPOSITORY = 'https://github.com/vitest-judge/vitest-judge'

const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = resolve(docsDir, '..')

/**
 * The site's pages, in reading order: the sidebar, and the previous/next links under each page, come from this one
 * list. A new page is added here (and nowhere else): `{ text: 'Title', link: '/guide/<file name without .md>' }`.
 */
const sidebar: DefaultTheme.SidebarItem[] = [
  {
    text: 'Introduction',
    items: [{ text: 'Getting started', link: '/guide/getting-started' }],
  },
  {
    text: 'Writing evals',
    items: [
      { text: 'Matchers', link: '/guide/matchers' },
      { text: 'Eval suites and datasets', link: '/guide/eval-suites' },
      { text: 'Variants', link: '/guide/variants' },
      { text: 'Conversations', link: '/guide/conversations' },
      { text: 'Metrics', link: '/guide/metrics' },
      { text: 'Judges', link: '/guide/judges' },
      { text: 'Agreement with human labels', link: '/guide/agreement' },
      { text: 'Review in the page', link: '/guide/review' },
    ],
  },
  {
    text: 'What the app did',
    items: [
      { text: 'Traces of the app', link: '/guide/traces' },
      { text: 'Record and replay app calls', link: '/guide/app-cache' },
    ],
  },
  {
    text: 'Runs and results',
    items: [
      { text: 'Runs and cache', link: '/guide/runs-and-cache' },
      { text: 'A shared store on PostgreSQL', link: '/guide/postgres' },
      { text: 'Cost and budget', link: '/guide/cost-and-budget' },
      { text: 'Reports', link: '/guide/reports' },
      { text: 'Comparison and the gate', link: '/guide/comparison-and-gate' },
      { text: 'The HTML report and ui', link: '/guide/html-report' },
      { text: 'Traces: kept, shown, in MLflow', link: '/guide/traces-view' },
    ],
  },
  {
    text: 'CI and integrations',
    items: [
      { text: 'GitHub Actions', link: '/guide/github-action' },
      { text: 'JUnit in CI', link: '/guide/junit-in-ci' },
      { text: 'MLflow', link: '/guide/mlflow' },
      { text: 'Reliability', link: '/guide/reliability' },
      { text: 'Retries', link: '/guide/retries' },
    ],
  },
  {
    text: 'Reference',
    items: [
      { text: 'CLI', link: '/reference/cli' },
      { text: 'Configuration', link: '/reference/configuration' },
      { text: 'Errors', link: '/reference/errors' },
      { text: 'Troubleshooting', link: '/guide/troubleshooting' },
      { text: 'Performance', link: '/reference/performance' },
      { text: 'Support matrix', link: '/reference/support-matrix' },
      { text: 'Architecture', link: '/reference/architecture' },
      { text: 'Developing vitest-judge', link: '/reference/developing' },
    ],
  },
]

/**
 * Pages link to files of the repository outside docs/ (examples/, test/schemas/...) by relative paths, so that the
 * links work when the markdown is read on GitHub. On the site those paths do not exist: such a link is rewritten to
 * the file on GitHub, and a path that does not exist in this checkout fails the build, as a dead page link does.
 */
function repositoryLinks(md: MarkdownRenderer): void {
  md.core.ruler.push('vitest-judge-repository-links', (state) => {
    const page = (state.env as { path?: string }).path
    if (!page) return
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        if (token.type !== 'link_open') continue
        const href = token.attrGet('href')
        if (!href || /^([a-z][a-z0-9+.-]*:|#|\/)/i.test(href)) continue
        const [path = '', hash] = href.split('#')
        const target = resolve(dirname(page), decodeURI(path))
        if (target === docsDir || target.startsWith(docsDir + sep)) continue
        const inRepo = relative(repoRoot, target)
        if (inRepo.startsWith('..') || !existsSync(target)) {
          throw new Error(`${relative(repoRoot, page)}: dead link to ${href} (no ${inRepo} in the repository)`)
        }
        const kind = statSync(target).isDirectory() ? 'tree' : 'blob'
        token.attrSet('href', `${REPOSITORY}/${kind}/main/${inRepo.split(sep).join('/')}${hash ? `#${hash}` : ''}`)
      }
    }
  })
}

/**
 * Inline code is shown as written: Vue would otherwise evaluate `${{ github.token }}` (GitHub's expression syntax,
 * quoted throughout the Actions page) as a template expression.
 */
function verbatimInlineCode(md: MarkdownRenderer): void {
  const render = md.renderer.rules.code_inline
  md.renderer.rules.code_inline = (tokens, idx, options, env, self) => {
    tokens[idx]?.attrSet('v-pre', '')
    return render ? render(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options)
  }
}

/**
 * VitePress checks that a linked page exists, not the `#section` after it: this checks those in the built pages, so a
 * renamed heading fails the build like a removed page.
 */
function checkAnchors(outDir: string): void {
  const pages = (readdirSync(outDir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.html'))
    .map((f) => join(outDir, f))
  const ids = new Map(
    pages.map((p) => [p, new Set([...readFileSync(p, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]))]),
  )
  const dead: string[] = []
  for (const page of pages) {
    for (const [, href = ''] of readFileSync(page, 'utf8').matchAll(/\shref="([^"]*#[^"]*)"/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue
      const [path = '', hash = ''] = href.replace(/&amp;/g, '&').split('#')
      const target = path === '' ? page : path.startsWith('/') ? join(outDir, path) : resolve(dirname(page), path)
      const known = ids.get(target)
      if (known && hash !== '' && !known.has(decodeURIComponent(hash))) dead.push(`${relative(outDir, page)}: ${href}`)
    }
  }
  if (dead.length > 0) throw new Error(`links to sections that do not exist:\n  ${[...new Set(dead)].join('\n  ')}`)
}

export default defineConfig({
  title: 'vitest-judge',
  description: 'LLM evaluation as ordinary Vitest tests',
  lang: 'en-US',
  // Dead links fail the build (VitePress's default, kept on); links outside docs/ are checked by repositoryLinks.
  ignoreDeadLinks: false,
  lastUpdated: false,
  buildEnd: (site) => {
    // Recorded by the theme (theme/index.ts) while the pages were rendered, in this process.
    const renderErrors = (globalThis as { [key: symbol]: string[] | undefined })[
      Symbol.for('vitest-judge.docs.renderErrors')
    ]
    if (renderErrors?.length) throw new Error(`pages that failed to render:\n  ${renderErrors.join('\n  ')}`)
    checkAnchors(site.outDir)
  },
  markdown: {
    config: (md) => {
      repositoryLinks(md)
      verbatimInlineCode(md)
    },
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Reference', link: '/reference/cli' },
    ],
    sidebar,
    outline: [2, 3],
    search: { provider: 'local' },
    socialLinks: [{ icon: 'github', link: REPOSITORY }],
  },
})
