/**
 * What one MLflow run holds for an invocation (the parent run) or a test file (a child run): its
 * name, tags, params and metrics. Pure functions over the JSON report's types; the exporter adds
 * the ids MLflow hands out (`mlflow.parentRunId`) and sends them.
 */

import { createRunAggregator, type RunAggregator } from '../../report/aggregate.js'
import { runKey, runSourceFile } from '../../report/run-key.js'
import type { ReportInvocation, ReportRun } from '../../report/types.js'
import {
  addRunCounts,
  countMetrics,
  emptyCounts,
  MetricCollector,
  type MlflowMetric,
  mlflowEvaluateMetrics,
  mlflowKey,
  ownAggregateMetrics,
  type RunCounts,
} from './metric-names.js'

/** Tags vitest-judge sets on its MLflow runs (besides MLflow's own `mlflow.*` tags). */
export const TAG = {
  /** The vitest-judge invocation id, on the parent and every child: what `export --mlflow` searches for. */
  invocationId: 'vitest_judge.invocation_id',
  /** `invocation` (parent run), `file` (child run of a test file) or `variant` (child run of one describeEval variant). */
  level: 'vitest_judge.level',
  /** The describeEval variant of a child run. */
  variant: 'vitest_judge.variant',
  /** The vitest-judge run id (one test file), on a child run. */
  runId: 'vitest_judge.run_id',
  /** The test file, on a child run. */
  file: 'vitest_judge.file',
  /** `complete` or `interrupted`. */
  status: 'vitest_judge.status',
  /** `complete` once everything of the run was sent; a run without it is redone by the next export. */
  logged: 'vitest_judge.logged',
  /** vitest-judge's `experiment` (the run store's grouping). */
  experiment: 'vitest_judge.experiment',
  /** Names given with `vitest-judge tag`, comma separated. */
  tags: 'vitest_judge.tags',
  /** CI provider, run id and ref, when the run was in CI. */
  ciProvider: 'vitest_judge.ci.provider',
  ciRunId: 'vitest_judge.ci.run_id',
  ciRef: 'vitest_judge.ci.ref',
} as const

/** What vitest-judge logs in one MLflow run. */
export interface RunContent {
  runName: string
  startTime: number
  endTime: number | null
  /** MLflow run status at the end: FINISHED, or KILLED for an interrupted invocation. */
  status: 'FINISHED' | 'KILLED'
  tags: Record<string, string>
  params: Record<string, string>
  metrics: MlflowMetric[]
}

const MAX_PARAM_VALUE = 6000
const MAX_TAG_VALUE = 8000

/** A param value as MLflow takes it (6000 characters at most). */
export function paramValue(value: string | number | boolean): string {
  const text = String(value)
  return text.length > MAX_PARAM_VALUE ? `${text.slice(0, MAX_PARAM_VALUE - 1)}…` : text
}

/** A tag value as MLflow takes it (8000 characters at most). */
export function tagValue(value: string): string {
  return value.length > MAX_TAG_VALUE ? `${value.slice(0, MAX_TAG_VALUE - 1)}…` : value
}

function timeOf(iso: string | null | undefined): number | null {
  if (!iso) return null
  const ms = Date.parse(iso)
  return Number.isFinite(ms) ? ms : null
}

function commonTags(invocation: ReportInvocation): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG.invocationId]: invocation.id,
    [TAG.status]: invocation.status === 'interrupted' ? 'interrupted' : 'complete',
    'mlflow.source.type': invocation.ci ? 'JOB' : 'LOCAL',
  }
  if (invocation.git.commit) tags['mlflow.source.git.commit'] = invocation.git.commit
  if (invocation.git.branch) tags['mlflow.source.git.branch'] = invocation.git.branch
  if (invocation.experiment) tags[TAG.experiment] = invocation.experiment
  if (invocation.tags && invocation.tags.length > 0) tags[TAG.tags] = invocation.tags.join(',')
  if (invocation.ci) {
    tags[TAG.ciProvider] = invocation.ci.provider
    if (invocation.ci.runId) tags[TAG.ciRunId] = invocation.ci.runId
    if (invocation.ci.ref) tags[TAG.ciRef] = invocation.ci.ref
  }
  for (const key of Object.keys(tags)) tags[key] = tagValue(tags[key] as string)
  return tags
}

function userParams(given: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(given ?? {})) params[mlflowKey(key)] = paramValue(value)
  return params
}

/** Distinct judges and metric versions met in runs, for the `vitest_judge.judge` and `vitest_judge.metrics` params. */
export class RunFacts {
  private readonly judges = new Set<string>()
  private readonly metrics = new Map<string, string>()

  addRun(run: ReportRun): void {
    for (const testCase of run.cases) {
      for (const [key, result] of Object.entries(testCase.metrics ?? {})) {
        if (result.judge) this.judges.add(result.judge)
        const name = key.replace(/#\d+$/, '')
        if (result.version || !this.metrics.has(name)) this.metrics.set(name, result.version ?? 'v1')
      }
      for (const key of Object.keys(testCase.scores)) {
        const name = key.replace(/#\d+$/, '')
        if (!this.metrics.has(name)) this.metrics.set(name, 'v1')
      }
    }
  }

  params(): Record<string, string> {
    const params: Record<string, string> = {}
    if (this.judges.size > 0) params['vitest_judge.judge'] = paramValue([...this.judges].sort().join(', '))
    if (this.metrics.size > 0) {
      params['vitest_judge.metrics'] = paramValue(
        [...this.metrics]
          .map(([name, version]) => `${name}/${version}`)
          .sort()
          .join(', '),
      )
    }
    return params
  }
}

function runDigest(run: ReportRun): string | undefined {
  // Recorded by the run store when the suite's dataset is known (issue 12); read without relying on the type.
  const digest = (run as { datasetDigest?: unknown }).datasetDigest
  return typeof digest === 'string' && digest !== '' ? digest : undefined
}

/** The test file of a run. */
function sourceFile(run: ReportRun): string {
  return runSourceFile(run)
}

/** The child run of one test file, or of one describeEval variant of it. */
export function fileRunContent(invocation: ReportInvocation, run: ReportRun): RunContent {
  const start = timeOf(invocation.startedAt) ?? Date.now()
  const facts = new RunFacts()
  facts.addRun(run)
  const collector = new MetricCollector()
  collector.addRun(run)
  const counts = emptyCounts()
  addRunCounts(counts, run)
  if (run.durationMs !== undefined) counts.durationMs = run.durationMs
  // A variant's run carries the invocation's params with the variant's fields merged.
  const params: Record<string, string> = { ...userParams(run.params ?? invocation.params), ...facts.params() }
  const digest = runDigest(run)
  if (digest) params['vitest_judge.dataset_digest'] = paramValue(digest)
  return {
    runName: tagValue(runKey(run)),
    startTime: start,
    endTime: run.durationMs !== undefined ? Math.round(start + run.durationMs) : (timeOf(invocation.endedAt) ?? null),
    status: run.status === 'interrupted' || invocation.status === 'interrupted' ? 'KILLED' : 'FINISHED',
    tags: {
      ...commonTags(invocation),
      [TAG.level]: run.variant !== undefined ? 'variant' : 'file',
      [TAG.runId]: run.id,
      [TAG.file]: tagValue(runKey(run)),
      ...(run.variant !== undefined ? { [TAG.variant]: tagValue(run.variant) } : {}),
      'mlflow.source.name': tagValue(sourceFile(run)),
    },
    params,
    metrics: [
      ...mlflowEvaluateMetrics(collector.result()),
      ...ownAggregateMetrics(run.aggregates),
      ...countMetrics(counts),
    ],
  }
}

/**
 * Builds the parent run of an invocation from its runs, given one at a time (so that an exporter
 * reading them from the store holds one run at a time, plus one number per case and metric).
 */
export class InvocationContentBuilder {
  private readonly collector = new MetricCollector()
  private readonly aggregator: RunAggregator = createRunAggregator()
  private readonly facts = new RunFacts()
  private readonly counts: RunCounts = { ...emptyCounts(), files: 0 }

  constructor(private readonly invocation: ReportInvocation) {}

  /** Adds one run of the invocation. */
  addRun(run: ReportRun): void {
    this.collector.addRun(run)
    for (const testCase of run.cases) this.aggregator.addCase(testCase)
    this.facts.addRun(run)
    addRunCounts(this.counts, run)
    this.counts.files = (this.counts.files ?? 0) + 1
  }

  /** The parent run's tags and name, known before any run is read. */
  head(): Pick<RunContent, 'runName' | 'startTime' | 'tags'> {
    const inv = this.invocation
    const start = timeOf(inv.startedAt) ?? Date.now()
    const when = inv.startedAt.slice(0, 19).replace('T', ' ')
    const where = inv.git.branch ? ` ${inv.git.branch}` : ''
    return {
      runName: tagValue(`vitest ${when}${where}`),
      startTime: start,
      tags: { ...commonTags(inv), [TAG.level]: 'invocation', 'mlflow.source.name': 'vitest-judge' },
    }
  }

  /** The whole parent run, once every run was added. */
  content(): RunContent {
    const inv = this.invocation
    const start = timeOf(inv.startedAt) ?? Date.now()
    const end = timeOf(inv.endedAt)
    if (end !== null) this.counts.durationMs = end - start
    const params: Record<string, string> = { ...userParams(inv.params), ...this.facts.params() }
    if (inv.experiment) params['vitest_judge.experiment'] = paramValue(inv.experiment)
    return {
      ...this.head(),
      endTime: end,
      status: inv.status === 'interrupted' ? 'KILLED' : 'FINISHED',
      params,
      metrics: [
        ...mlflowEvaluateMetrics(this.collector.result()),
        ...ownAggregateMetrics(this.aggregator.result()),
        ...countMetrics(this.counts),
      ],
    }
  }
}
