/**
 * The sticky pull request comment: one comment per pull request (per marker), found by the hidden
 * HTML marker at its top and by its author, updated in place on every run, never duplicated.
 */
import { MARKDOWN_MARKER } from '../report/markdown.js'
import { isRecord, numberField, stringField } from './actions.js'
import { GitHubApiError, type GitHubClient } from './api.js'
import type { RepoRef } from './repo.js'

/** GitHub's limit on the body of a comment, in characters. */
export const COMMENT_LIMIT = 65_536

/** An issue (or pull request) comment, reduced to what the sticky logic needs. */
export interface IssueComment {
  id: number
  body: string
  /** Link to the comment on github.com. */
  htmlUrl: string
  /** Login of the author (`github-actions[bot]` for the job's token); null when GitHub hid it (ghost). */
  userLogin: string | null
  /** `User`, `Bot` or `Organization`; null when unknown. */
  userType: string | null
}

/** Reads an issue comment from the API's JSON; undefined when it is not one. */
export function toIssueComment(value: unknown): IssueComment | undefined {
  if (!isRecord(value)) return undefined
  const id = numberField(value, 'id')
  if (id === undefined) return undefined
  return {
    id,
    body: stringField(value, 'body') ?? '',
    htmlUrl: stringField(value, 'html_url') ?? '',
    userLogin: stringField(value, 'user', 'login') ?? null,
    userType: stringField(value, 'user', 'type') ?? null,
  }
}

/**
 * Checks a marker: a one-line HTML comment (`<!-- ... -->`), so that it stays hidden in the rendered
 * comment. Returns the problem, or null when it is fine.
 */
export function markerProblem(marker: string): string | null {
  if (!/^<!--[^\n\r]*-->$/.test(marker) || marker.length < 8) {
    return `the marker must be a one-line HTML comment such as ${MARKDOWN_MARKER}, got "${marker.slice(0, 80)}"`
  }
  if (marker.slice(4, -3).includes('-->')) return 'the marker must not close its HTML comment early'
  if (marker.length > 200) return 'the marker must be at most 200 characters'
  return null
}

const TRUNCATION_NOTE =
  '\n\n_… cut to fit a GitHub comment (65,536 characters): the full summary is in the job summary and the report artifact._\n'

/**
 * The body to post: `marker` on the first line (replacing the default marker the markdown renderer
 * wrote, when `marker` is another one), line endings as `\n`, cut at a line end to GitHub's limit.
 */
export function prepareCommentBody(body: string, marker: string = MARKDOWN_MARKER): string {
  let text = body.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const start = text.trimStart()
  if (!start.startsWith(marker)) {
    text = start.startsWith(MARKDOWN_MARKER)
      ? `${marker}${start.slice(MARKDOWN_MARKER.length)}`
      : `${marker}\n${text.replace(/^\n+/, '')}`
  }
  if (text.length <= COMMENT_LIMIT) return text
  let cut = text.lastIndexOf('\n', COMMENT_LIMIT - TRUNCATION_NOTE.length)
  if (cut <= marker.length) cut = COMMENT_LIMIT - TRUNCATION_NOTE.length
  const code = text.charCodeAt(cut - 1)
  if (code >= 0xd800 && code <= 0xdbff) cut--
  return `${text.slice(0, cut)}${TRUNCATION_NOTE}`
}

/** Whose comments may be the sticky one: a known login, or any bot (the job's token cannot tell its login). */
export type StickyAuthor = { login: string } | { bot: true }

/** Whether `comment` is a sticky comment of `marker` written by `author`. */
export function isStickyComment(comment: IssueComment, marker: string, author: StickyAuthor): boolean {
  if (!comment.body.trimStart().startsWith(marker)) return false
  return 'login' in author ? comment.userLogin === author.login : comment.userType === 'Bot'
}

/** The first (oldest) sticky comment in `comments`, listed oldest first as GitHub does. */
export function findStickyComment(
  comments: Iterable<IssueComment>,
  marker: string,
  author: StickyAuthor,
): IssueComment | undefined {
  for (const comment of comments) if (isStickyComment(comment, marker, author)) return comment
  return undefined
}

/**
 * Who the token writes as. Installation tokens (the job's `GITHUB_TOKEN`, `ghs_...`) cannot read
 * `GET /user` and write as a bot; for other tokens `GET /user` names the login. A 401 (bad
 * credentials) is thrown; any other refusal means "a bot".
 */
export async function tokenAuthor(client: GitHubClient, token: string): Promise<StickyAuthor> {
  if (token.startsWith('ghs_')) return { bot: true }
  try {
    const login = stringField((await client.request('GET', '/user')).data, 'login')
    return login ? { login } : { bot: true }
  } catch (error) {
    if (error instanceof GitHubApiError && error.status !== 401 && error.status !== 0 && !error.rateLimited) {
      return { bot: true }
    }
    throw error
  }
}

/** What {@link upsertStickyComment} did. */
export interface UpsertResult {
  /** `created` a new comment, `updated` the sticky one, or left it `unchanged` (same body). */
  action: 'created' | 'updated' | 'unchanged'
  comment: IssueComment
  /** Comments read to find the sticky one. */
  scanned: number
}

/**
 * Creates or updates the sticky comment of `marker` on pull request `number`: lists the comments
 * (every page, oldest first), PATCHes the first one that starts with the marker and was written by
 * `author`, else POSTs a new one. `body` should come from {@link prepareCommentBody}.
 * Throws `GitHubApiError` (a 403 is a read-only token: the caller decides what that means).
 */
export async function upsertStickyComment(
  client: GitHubClient,
  target: { repo: RepoRef; number: number; body: string; marker: string; author: StickyAuthor },
): Promise<UpsertResult> {
  const base = `/repos/${target.repo.owner}/${target.repo.name}/issues`
  let found: IssueComment | undefined
  let scanned = 0
  for await (const item of client.paginate(`${base}/${target.number}/comments`)) {
    scanned++
    const comment = toIssueComment(item)
    if (comment && isStickyComment(comment, target.marker, target.author)) {
      found = comment
      break
    }
  }
  if (found) {
    if (found.body.replace(/\r\n?/g, '\n') === target.body) return { action: 'unchanged', comment: found, scanned }
    const { data } = await client.request('PATCH', `${base}/comments/${found.id}`, { body: { body: target.body } })
    return { action: 'updated', comment: toIssueComment(data) ?? { ...found, body: target.body }, scanned }
  }
  const { data } = await client.request('POST', `${base}/${target.number}/comments`, { body: { body: target.body } })
  const comment = toIssueComment(data)
  if (!comment) {
    throw new GitHubApiError({
      status: 0,
      method: 'POST',
      path: `${base}/${target.number}/comments`,
      detail: 'no comment in the reply',
    })
  }
  return { action: 'created', comment, scanned }
}
