/**
 * Text the page alone shows (invocation labels, excerpts of table cells). Number formats are the
 * ones every renderer uses: `report/text.ts`.
 */
import type { ReportInvocation, ReportRun } from '../../types.js'

/** The first 12 characters of an id. */
export function shortId(id: string | null | undefined): string {
  return String(id || '').slice(0, 12)
}

/** `k=v k2=v2` of params (an invocation's or a run's). */
export function paramsText(item: { params?: Record<string, string | number | boolean> | undefined }): string {
  return Object.entries(item.params || {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
}

/** `branch @ commit`, `commit`, or `no git`. */
export function gitText(git: ReportInvocation['git'] | null | undefined): string {
  if (!git) return 'no git'
  const commit = git.commit ? String(git.commit).slice(0, 8) : 'no commit'
  return git.branch ? `${git.branch} @ ${commit}` : commit
}

/**
 * One line of at most `max` characters for a table cell, whitespace runs collapsed. Unlike
 * `report/text.ts` `excerpt` (for terminals, which strips unsafe characters), every character is
 * kept: the page's `el` shows bidi controls visibly instead.
 */
export function cellExcerpt(text: unknown, max: number): string {
  if (text === null || text === undefined) return ''
  const s = String(text)
  const line = s.length > max * 4 ? s.slice(0, max * 4) : s
  const flat = line.replace(/\s+/g, ' ')
  return flat.length > max ? `${flat.slice(0, max)} …` : flat
}

/** A variant's own fields: its run's params less those equal to the invocation's (and its name). */
export function variantParams(run: ReportRun | undefined, inv: ReportInvocation): string {
  if (!run?.params) return ''
  const own = inv.params || {}
  return Object.entries(run.params)
    .filter(([k, v]) => k !== 'variant' && own[k] !== v)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
}
