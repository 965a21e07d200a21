/**
 * Finding the baseline report in CI: the newest usable JSON report in a file or a folder (a
 * downloaded artifact), and the newest artifact of a name uploaded by a run on the baseline branch.
 */
import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { parseReport } from '../report/json.js'
import type { JsonReport } from '../report/types.js'
import { field, isRecord, numberField, stringField } from './actions.js'
import type { GitHubClient } from './api.js'
import type { RepoRef } from './repo.js'

/** A JSON report found in a baseline folder. */
export interface BaselineCandidate {
  /** Absolute path. */
  path: string
  /** When its invocation ended (else started), ISO-8601; null when the report says neither. */
  time: string | null
  /** Modification time of the file, ms since the epoch (a tie-breaker: downloads reset it). */
  mtimeMs: number
}

/**
 * How much a file name says "this is the whole baseline": 0 for a merged report (`merged*.json`,
 * `*merged*.json`), 1 for `report.json` (what the reporter writes), 2 for any other name.
 */
export function nameRank(path: string): number {
  const name = basename(path).toLowerCase()
  if (name.includes('merged')) return 0
  if (name === 'report.json') return 1
  return 2
}

function timeOf(candidate: BaselineCandidate): number {
  const parsed = candidate.time === null ? Number.NaN : Date.parse(candidate.time)
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed
}

/**
 * Picks the baseline among valid reports: the best name (merged, then `report.json`, then others),
 * then the newest invocation, then the newest file, then the first path in code-point order.
 */
export function pickBaseline(candidates: readonly BaselineCandidate[]): BaselineCandidate | undefined {
  let best: BaselineCandidate | undefined
  for (const candidate of candidates) {
    if (best === undefined || better(candidate, best)) best = candidate
  }
  return best
}

function better(a: BaselineCandidate, b: BaselineCandidate): boolean {
  const rank = nameRank(a.path) - nameRank(b.path)
  if (rank !== 0) return rank < 0
  const time = timeOf(a) - timeOf(b)
  if (time !== 0 && !Number.isNaN(time)) return time > 0
  if (a.mtimeMs !== b.mtimeMs) return a.mtimeMs > b.mtimeMs
  return a.path < b.path
}

/** A JSON file passed over, and why. */
export interface SkippedFile {
  path: string
  reason: string
}

/** What {@link findBaselineReport} found. */
export interface BaselineSearch {
  /** The chosen report, when one is usable. */
  picked?: { path: string; report: JsonReport }
  /** Every valid report seen. */
  candidates: BaselineCandidate[]
  /** JSON files that are not usable reports. */
  skipped: SkippedFile[]
}

const MAX_REPORT_BYTES = 256 * 1024 * 1024

/**
 * Looks for the baseline in `folder`: every `*.json` file up to `maxDepth` folders down (not in
 * `node_modules`), read and validated as a vitest-judge report; invalid ones are skipped with the
 * reason. Picks with {@link pickBaseline}.
 */
export function findBaselineReport(
  folder: string,
  options: { maxDepth?: number; maxFiles?: number } = {},
): BaselineSearch {
  const maxDepth = options.maxDepth ?? 6
  const maxFiles = options.maxFiles ?? 500
  const files: string[] = []
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      if (files.length >= maxFiles) return
      const path = join(dir, entry.name)
      if (entry.isDirectory() && depth < maxDepth && entry.name !== 'node_modules') walk(path, depth + 1)
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) files.push(path)
    }
  }
  walk(folder, 0)
  const reports = new Map<string, JsonReport>()
  const candidates: BaselineCandidate[] = []
  const skipped: SkippedFile[] = []
  for (const path of files) {
    const shown = relative(folder, path) || basename(path)
    try {
      const { size, mtimeMs } = statSync(path)
      if (size > MAX_REPORT_BYTES) {
        skipped.push({ path, reason: `${shown} is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MB` })
        continue
      }
      const report = parseReport(readFileSync(path, 'utf8'), shown)
      reports.set(path, report)
      candidates.push({ path, time: report.invocation.endedAt ?? report.invocation.startedAt ?? null, mtimeMs })
    } catch (error) {
      skipped.push({ path, reason: error instanceof Error ? error.message : String(error) })
    }
  }
  const best = pickBaseline(candidates)
  const report = best === undefined ? undefined : reports.get(best.path)
  return {
    ...(best !== undefined && report !== undefined ? { picked: { path: best.path, report } } : {}),
    candidates,
    skipped,
  }
}

/** An Actions artifact, reduced to what the baseline lookup needs. */
export interface ArtifactInfo {
  id: number
  name: string
  expired: boolean
  createdAt: string | null
  /** The run that uploaded it. */
  runId: number | null
  headBranch: string | null
  headSha: string | null
  /** The repository of the run, and the repository its head commit came from (a fork's, for a fork PR). */
  repositoryId: number | null
  headRepositoryId: number | null
}

/** Reads an artifact from the API's JSON; undefined when it is not one. */
export function toArtifact(value: unknown): ArtifactInfo | undefined {
  if (!isRecord(value)) return undefined
  const id = numberField(value, 'id')
  const name = stringField(value, 'name')
  if (id === undefined || name === undefined) return undefined
  return {
    id,
    name,
    expired: field(value, 'expired') === true,
    createdAt: stringField(value, 'created_at') ?? null,
    runId: numberField(value, 'workflow_run', 'id') ?? null,
    headBranch: stringField(value, 'workflow_run', 'head_branch') ?? null,
    headSha: stringField(value, 'workflow_run', 'head_sha') ?? null,
    repositoryId: numberField(value, 'workflow_run', 'repository_id') ?? null,
    headRepositoryId: numberField(value, 'workflow_run', 'head_repository_id') ?? null,
  }
}

/**
 * Whether `artifact` can be the baseline: the right name, not expired, uploaded by a run on `branch`
 * whose head commit is the repository's own. A fork's pull request from a branch that happens to be
 * called `main` must not become everyone's baseline.
 */
export function isBaselineArtifact(artifact: ArtifactInfo, name: string, branch: string): boolean {
  return (
    artifact.name === name &&
    !artifact.expired &&
    artifact.runId !== null &&
    artifact.headBranch === branch &&
    (artifact.headRepositoryId === null || artifact.headRepositoryId === artifact.repositoryId)
  )
}

/** The newest baseline artifact among `artifacts` (by creation time, then id). */
export function pickArtifact(
  artifacts: readonly ArtifactInfo[],
  name: string,
  branch: string,
): ArtifactInfo | undefined {
  let best: ArtifactInfo | undefined
  for (const artifact of artifacts) {
    if (!isBaselineArtifact(artifact, name, branch)) continue
    if (best === undefined) best = artifact
    else {
      const a = Date.parse(artifact.createdAt ?? '') || 0
      const b = Date.parse(best.createdAt ?? '') || 0
      if (a > b || (a === b && artifact.id > best.id)) best = artifact
    }
  }
  return best
}

/** What {@link findBaselineArtifact} found. */
export interface ArtifactSearch {
  artifact?: ArtifactInfo
  /** Artifacts of that name looked at. */
  scanned: number
}

/**
 * Finds the newest usable artifact `name` uploaded by a run on `branch` of `repo`, listing the
 * repository's artifacts of that name (newest first) up to `maxPages` pages of 100.
 */
export async function findBaselineArtifact(
  client: GitHubClient,
  repo: RepoRef,
  options: { name: string; branch: string; maxPages?: number },
): Promise<ArtifactSearch> {
  const seen: ArtifactInfo[] = []
  for await (const item of client.paginate(`/repos/${repo.owner}/${repo.name}/actions/artifacts`, {
    query: { name: options.name },
    itemsOf: (page) => field(page, 'artifacts'),
    maxPages: options.maxPages ?? 10,
  })) {
    const artifact = toArtifact(item)
    if (!artifact) continue
    seen.push(artifact)
    // The list is newest first: the first match is the newest, give or take equal timestamps.
    if (isBaselineArtifact(artifact, options.name, options.branch)) break
  }
  const artifact = pickArtifact(seen, options.name, options.branch)
  return { ...(artifact ? { artifact } : {}), scanned: seen.length }
}
