/**
 * Which pull request a job is about: from `--pr`, from the event payload (`pull_request`,
 * `pull_request_target`, `issue_comment`), or, for a `workflow_run` commenter, from the triggering
 * run's head. A number handed over by the run (an artifact a fork could forge) is only trusted when
 * that pull request's head is the run's head commit.
 */

import { type ActionsEvent, field, isRecord, numberField, stringField } from './actions.js'
import { GitHubApiError, type GitHubClient } from './api.js'
import type { RepoRef } from './repo.js'

/** Where a comment goes, as far as the event alone tells. */
export type EventTarget =
  /** A pull request number that needs no check. */
  | { kind: 'pr'; number: number; fromFork: boolean }
  /** A `workflow_run` event: the pull request must be found or checked against the run's head. */
  | {
      kind: 'workflow-run'
      headSha: string
      headOwner: string | undefined
      headBranch: string | undefined
      fromFork: boolean
      /** The number passed with `--pr`, to be checked. */
      claimed: number | undefined
    }
  /** Not about a pull request: nothing to comment on. */
  | { kind: 'skip'; reason: string }
  /** No event and no `--pr`: the caller must say which pull request. */
  | { kind: 'unknown' }

const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'])

function headIsFork(pullRequest: unknown): boolean {
  const head = stringField(pullRequest, 'head', 'repo', 'full_name')
  const base = stringField(pullRequest, 'base', 'repo', 'full_name')
  // A deleted fork leaves `head.repo` null.
  return head === undefined || base === undefined ? field(pullRequest, 'head', 'repo') === null : head !== base
}

/** Reads the target pull request from `--pr` and the event (pure: no API call). */
export function targetFromEvent(event: ActionsEvent, claimed: number | undefined): EventTarget {
  const payload = event.payload
  if (event.name === 'workflow_run' && payload) {
    const run = field(payload, 'workflow_run')
    const headSha = stringField(run, 'head_sha')
    const runEvent = stringField(run, 'event') ?? ''
    if (!isRecord(run) || !headSha) return { kind: 'skip', reason: 'the workflow_run event has no head commit' }
    if (claimed === undefined && !PR_EVENTS.has(runEvent)) {
      return {
        kind: 'skip',
        reason: `the triggering run was for a ${runEvent || 'non-pull-request'} event, not a pull request`,
      }
    }
    const headRepo = stringField(run, 'head_repository', 'full_name')
    const baseRepo = stringField(run, 'repository', 'full_name') ?? stringField(payload, 'repository', 'full_name')
    const fromFork = headRepo !== undefined && baseRepo !== undefined && headRepo !== baseRepo
    const listed = field(run, 'pull_requests')
    if (claimed === undefined && Array.isArray(listed)) {
      // GitHub fills this list for pull requests from the same repository only.
      const match = listed.find((pr) => stringField(pr, 'head', 'sha') === headSha) ?? listed[0]
      const number = numberField(match, 'number')
      if (number !== undefined) return { kind: 'pr', number, fromFork }
    }
    return {
      kind: 'workflow-run',
      headSha,
      headOwner: stringField(run, 'head_repository', 'owner', 'login'),
      headBranch: stringField(run, 'head_branch'),
      fromFork,
      claimed,
    }
  }
  if (claimed !== undefined) {
    const pullRequest = payload ? field(payload, 'pull_request') : undefined
    return { kind: 'pr', number: claimed, fromFork: isRecord(pullRequest) ? headIsFork(pullRequest) : false }
  }
  if (!payload) return { kind: 'unknown' }
  if (PR_EVENTS.has(event.name) || isRecord(field(payload, 'pull_request'))) {
    const pullRequest = field(payload, 'pull_request')
    const number = numberField(pullRequest, 'number') ?? numberField(payload, 'number')
    if (number !== undefined) return { kind: 'pr', number, fromFork: headIsFork(pullRequest) }
  }
  if (event.name === 'issue_comment' || isRecord(field(payload, 'issue'))) {
    const number = numberField(payload, 'issue', 'number')
    if (number !== undefined && isRecord(field(payload, 'issue', 'pull_request'))) {
      return { kind: 'pr', number, fromFork: false }
    }
    return { kind: 'skip', reason: 'the comment is on an issue, not a pull request' }
  }
  return { kind: 'skip', reason: `the ${event.name || 'current'} event is not about a pull request` }
}

/** The pull request to comment on, once a `workflow_run` target is resolved. */
export type ResolvedTarget = { kind: 'pr'; number: number; fromFork: boolean } | { kind: 'skip'; reason: string }

/**
 * Resolves a `workflow-run` target through the API: checks a claimed number (its head must be the
 * run's head commit), or looks the pull request up by the run's head (`owner:branch`, open ones).
 */
export async function resolveWorkflowRunTarget(
  client: GitHubClient,
  repo: RepoRef,
  target: Extract<EventTarget, { kind: 'workflow-run' }>,
): Promise<ResolvedTarget> {
  const short = target.headSha.slice(0, 7)
  if (target.claimed !== undefined) {
    let headSha: string | undefined
    try {
      headSha = stringField(
        (await client.request('GET', `/repos/${repo.owner}/${repo.name}/pulls/${target.claimed}`)).data,
        'head',
        'sha',
      )
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 404) {
        return { kind: 'skip', reason: `pull request #${target.claimed} does not exist in ${repo.fullName}` }
      }
      throw error
    }
    if (headSha !== target.headSha) {
      return {
        kind: 'skip',
        reason:
          `pull request #${target.claimed} is at ${headSha?.slice(0, 7) ?? 'an unknown commit'}, not at the run's head ${short} ` +
          '(pushed again since, or the number did not come from this run)',
      }
    }
    return { kind: 'pr', number: target.claimed, fromFork: target.fromFork }
  }
  if (!target.headOwner || !target.headBranch) {
    return { kind: 'skip', reason: 'the workflow_run event names no head branch to find the pull request by' }
  }
  for await (const pr of client.paginate(`/repos/${repo.owner}/${repo.name}/pulls`, {
    query: { state: 'open', head: `${target.headOwner}:${target.headBranch}` },
    maxPages: 5,
  })) {
    const number = numberField(pr, 'number')
    if (number !== undefined && stringField(pr, 'head', 'sha') === target.headSha) {
      return { kind: 'pr', number, fromFork: target.fromFork }
    }
  }
  return { kind: 'skip', reason: `no open pull request has the run's head ${short} (pushed again since, or closed)` }
}
