/**
 * The page's data, indexed once: the invocations as the data element holds them (runs inflated),
 * the page's cases with their baseline case, the metric keys and kinds, the metric names. Pure
 * functions over plain data (unit-tested in Node); the rules come from `report/case-index.ts`.
 */
import { kindOf, worse } from '../../case-index.js'
import { runKey } from '../../run-key.js'
import { metricBaseName } from '../../text.js'
import type { ReportCase, ReportInvocation, ReportRun } from '../../types.js'
import type { PageHeader } from '../page-header.js'

/** An invocation of the page, its runs inflated (the others' cases are slim: name, pass, scores, output, error). */
export interface LoadedInvocation {
  invocation: ReportInvocation
  runs: ReportRun[]
}

/** The data element as written (`render-page.ts`): each run gzipped and base64-encoded. */
export interface PageData {
  header: PageHeader
  invocations: Array<{ invocation: ReportInvocation; runs: Array<ReportRun | string> }>
}

/** One case of an invocation, with what the views compute about it. */
export interface CaseItem {
  file: string
  c: ReportCase
  /** `file \0 name`: how cases match across invocations. */
  key: string
  /** Position in the invocation (the stable sort order). */
  order: number
  /** The baseline's case of the same key (page's own cases only). */
  base?: ReportCase | undefined
  /** Worse than the baseline case on some metric. */
  regressed?: boolean
  /** Lower-cased searchable text, made on first search. */
  search?: string
}

/** Everything the views share about the page's own invocation. */
export interface PageIndex {
  head: LoadedInvocation
  base: LoadedInvocation | null
  headCases: CaseItem[]
  /** Metric keys of the cases' scores (`name`, `name#2`...), in the order first met. */
  caseKeys: string[]
  kinds: Map<string, 'score' | 'measurement'>
  /** Metric names of the aggregates, then of the case keys. */
  metricNames: string[]
}

/** The cases of an invocation, in order. */
export function casesOf(inv: LoadedInvocation): CaseItem[] {
  const out: CaseItem[] = []
  for (const run of inv.runs) {
    // A variant's run is shown by its key (`<file> [<variant>]`).
    const file = runKey(run)
    for (const c of run.cases) out.push({ file, c, key: `${file}\u0000${c.name}`, order: out.length })
  }
  return out
}

/** The keys of several maps, each once, in the order first met. */
export function unionKeys<K>(maps: ReadonlyArray<ReadonlyMap<K, unknown>>): K[] {
  const seen = new Set<K>()
  const out: K[] = []
  for (const map of maps) {
    for (const key of map.keys()) {
      if (!seen.has(key)) {
        seen.add(key)
        out.push(key)
      }
    }
  }
  return out
}

/** Indexes the page's invocation against its baseline (null: none). */
export function indexPage(head: LoadedInvocation, base: LoadedInvocation | null): PageIndex {
  const headCases = casesOf(head)
  const baseByKey = new Map<string, ReportCase>()
  if (base) for (const item of casesOf(base)) baseByKey.set(item.key, item.c)
  const caseKeys: string[] = []
  const seenKeys = new Set<string>()
  for (const item of headCases) {
    for (const key of Object.keys(item.c.scores || {})) {
      if (!seenKeys.has(key)) {
        seenKeys.add(key)
        caseKeys.push(key)
      }
    }
  }
  // The kind each metric recorded first (what indexCases keeps, without indexing every value).
  const recorded = new Map<string, 'score' | 'measurement'>()
  const names = new Set(caseKeys.map(metricBaseName))
  for (const item of headCases) {
    for (const [key, m] of Object.entries(item.c.metrics || {})) {
      const metric = metricBaseName(key)
      if (m.kind && !recorded.has(metric)) recorded.set(metric, m.kind)
    }
    if (recorded.size >= names.size) break
  }
  const kinds = new Map(caseKeys.map((k) => [k, kindOf(metricBaseName(k), { kind: recorded })] as const))
  for (const item of headCases) {
    const b = baseByKey.get(item.key)
    item.base = b
    item.regressed = b ? caseKeys.some((k) => worse(item.c, b, k)) : false
  }
  const metricNames: string[] = []
  const seen = new Set<string>()
  const add = (m: string) => {
    if (!seen.has(m)) {
      seen.add(m)
      metricNames.push(m)
    }
  }
  for (const run of head.runs) for (const m of Object.keys(run.aggregates || {})) add(m)
  for (const key of caseKeys) add(metricBaseName(key))
  return { head, base, headCases, caseKeys, kinds, metricNames }
}

/** The lower-cased text a case search looks in: file, name, input, output, expected, error, context, justifications. */
export function searchText(item: CaseItem): string {
  if (item.search === undefined) {
    const c = item.c as ReportCase & { context?: unknown }
    const parts: unknown[] = [item.file, c.name, c.input, c.output, c.expected, c.error, c.context]
    for (const m of Object.values(c.metrics || {})) parts.push(m.justification, m.error ? m.error.message : '')
    item.search = parts
      .filter((x) => x !== undefined && x !== null)
      .map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
      .join('\n')
      .toLowerCase()
  }
  return item.search
}

/** Whether the present columns' scores of a row differ (a row in fewer than two columns always does). */
export function scoresDiffer(items: ReadonlyArray<CaseItem | undefined>): boolean {
  const present = items.filter((item): item is CaseItem => item !== undefined)
  if (present.length < 2) return true
  const text = (item: CaseItem) => JSON.stringify(item.c.scores || {})
  const first = text(present[0] as CaseItem)
  return present.some((item) => text(item) !== first)
}
