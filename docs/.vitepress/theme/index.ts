import type { Theme } from 'vitepress'
import DefaultTheme from 'vitepress/theme'

/** Errors of the build-time render, read by the site config's buildEnd (the same process). */
const RENDER_ERRORS = Symbol.for('vitest-judge.docs.renderErrors')

/** The page being rendered: VitePress provides its data (`useData()`) to the app. */
function pageOf(provides: Record<string | symbol, unknown> | undefined): string | undefined {
  if (!provides) return undefined
  for (const key of [...Object.getOwnPropertySymbols(provides), ...Object.keys(provides)]) {
    const data = provides[key] as { page?: { value?: { relativePath?: unknown } } } | undefined
    const path = data?.page?.value?.relativePath
    if (typeof path === 'string') return path
  }
  return undefined
}

/**
 * The default theme, with one change: an error while a page is rendered at build time (a Vue expression such as
 * `{{ github.token }}` written in prose outside a code span) is recorded so that the build fails, instead of a
 * warning and a page shipped without its content.
 */
const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    if ('window' in globalThis) return // in the browser: Vue's default handling
    const previous = app.config.errorHandler
    app.config.errorHandler = (error, instance, info) => {
      const store = globalThis as { [RENDER_ERRORS]?: string[] }
      const page = pageOf(instance?.$.appContext.provides) ?? 'a page'
      store[RENDER_ERRORS] ??= []
      store[RENDER_ERRORS].push(`${String(page)}: ${error instanceof Error ? error.message : String(error)} (${info})`)
      previous?.(error, instance, info)
    }
  },
}

export default theme
