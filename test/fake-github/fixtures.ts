/**
 * Recorded-shape GitHub Actions event payloads (trimmed to the fields GitHub always sends and
 * vitest-judge reads) and small JSON reports, for the GitHub tests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aggregateRun } from '../../src/report/aggregate.js'
import { compareReports } from '../../src/report/compare.js'
import type { JsonReport, ReportCase } from '../../src/report/types.js'

/** A fresh temporary folder. */
export function tempDir(prefix = 'vj-github-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

function repository(fullName: string, id: number): Record<string, unknown> {
  const [owner = ''] = fullName.split('/')
  return {
    id,
    full_name: fullName,
    name: fullName.split('/')[1],
    private: false,
    owner: { login: owner, type: 'User' },
    fork: false,
    default_branch: 'main',
  }
}

/** A `pull_request` (`opened`/`synchronize`) payload; `headRepo` differs from `repo` for a fork. */
export function pullRequestEvent(options: {
  repo: string
  number: number
  headSha?: string
  headRef?: string
  headRepo?: string
}): Record<string, unknown> {
  const headRepo = options.headRepo ?? options.repo
  const base = repository(options.repo, 1_296_269)
  return {
    action: 'synchronize',
    number: options.number,
    pull_request: {
      number: options.number,
      state: 'open',
      head: {
        label: `${headRepo.split('/')[0]}:${options.headRef ?? 'feature'}`,
        ref: options.headRef ?? 'feature',
        sha: options.headSha ?? 'a'.repeat(40),
        repo: { ...repository(headRepo, headRepo === options.repo ? 1_296_269 : 777), fork: headRepo !== options.repo },
      },
      base: { label: `${options.repo.split('/')[0]}:main`, ref: 'main', sha: 'c'.repeat(40), repo: base },
    },
    repository: base,
    sender: { login: 'contributor', type: 'User' },
  }
}

/** A `workflow_run` (`completed`) payload for a run of `event` (pull_request by default). */
export function workflowRunEvent(options: {
  repo: string
  headSha: string
  headBranch: string
  headRepo?: string
  runEvent?: string
  pullRequests?: Array<{ number: number; headSha: string }>
}): Record<string, unknown> {
  const headRepo = options.headRepo ?? options.repo
  const base = repository(options.repo, 1_296_269)
  return {
    action: 'completed',
    workflow_run: {
      id: 30_433_642,
      name: 'evals',
      event: options.runEvent ?? 'pull_request',
      status: 'completed',
      conclusion: 'success',
      head_branch: options.headBranch,
      head_sha: options.headSha,
      pull_requests: (options.pullRequests ?? []).map((pr) => ({
        id: 10_000 + pr.number,
        number: pr.number,
        head: { ref: options.headBranch, sha: pr.headSha, repo: { id: 1_296_269, name: base.name } },
        base: { ref: 'main', sha: 'c'.repeat(40), repo: { id: 1_296_269, name: base.name } },
      })),
      repository: base,
      head_repository: repository(headRepo, headRepo === options.repo ? 1_296_269 : 777),
    },
    repository: base,
    sender: { login: 'contributor', type: 'User' },
  }
}

/** Writes `payload` to a temporary file and returns its path (for GITHUB_EVENT_PATH). */
export function writeEvent(payload: Record<string, unknown>): string {
  const path = join(tempDir('vj-event-'), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return path
}

function scoreCase(name: string, score: number): ReportCase {
  return {
    name,
    pass: score >= 0.75,
    scores: { answer_similarity: score },
    judgeErrors: 0,
    output: `answer to ${name}`,
    metrics: { answer_similarity: { score, kind: 'score', threshold: 0.75, pass: score >= 0.75 } },
  }
}

/** A one-file report whose six cases score `scores` (one value for all, or one per case). */
export function makeReport(
  id: string,
  scores: number | number[],
  options: { startedAt?: string; endedAt?: string; file?: string } = {},
): JsonReport {
  const values = Array.isArray(scores) ? scores : Array.from({ length: 6 }, () => scores)
  const cases = values.map((score, i) => scoreCase(`case ${i + 1}`, score))
  return {
    version: 1,
    invocation: {
      id,
      startedAt: options.startedAt ?? '2025-01-01T00:00:00.000Z',
      ...(options.endedAt ? { endedAt: options.endedAt } : {}),
      status: 'complete',
      git: { commit: null, branch: 'main' },
      params: {},
    },
    runs: [
      {
        id: `run-${id}`,
        file: options.file ?? 'evals/qa.eval.ts',
        cases,
        aggregates: aggregateRun(cases),
        judgeErrors: 0,
        cache: { hits: 0, misses: cases.length },
        tokens: { input: 100, output: 20 },
      },
    ],
    comparison: null,
  }
}

/** `head` with its comparison against `base` filled in (what `compare --format json` writes). */
export function compared(base: JsonReport, head: JsonReport): JsonReport {
  return { ...head, comparison: compareReports(base, head, { alpha: 0.05 }) }
}
