/**
 * `vitest-judge github-comment`: posts the summary as one sticky pull request comment, updated in
 * place on every run. Made for GitHub Actions (token, repository and pull request from the job's
 * env), usable from any CI with flags.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { DEFAULT_ALPHA } from '../../defaults.js'
import { SelectorError, UsageError } from '../../errors.js'
import { annotation, readEvent, setOutputs } from '../../github/actions.js'
import { GitHubApiError, type GitHubClient } from '../../github/api.js'
import { type ResolvedTarget, resolveWorkflowRunTarget, targetFromEvent } from '../../github/pull-request.js'
import { parseRepo, type RepoRef, requireRepo } from '../../github/repo.js'
import {
  markerProblem,
  prepareCommentBody,
  tokenAuthor,
  type UpsertResult,
  upsertStickyComment,
} from '../../github/sticky-comment.js'
import { registerSecret } from '../../redact.js'
import { evaluateGate } from '../../report/compare.js'
import { parseReport } from '../../report/json.js'
import { MARKDOWN_MARKER, renderMarkdown } from '../../report/markdown.js'
import { parseCommandArgs, parseInteger, parseMeasurements, parseNumber, resolveStateDir } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { type CliIo, displayPath, eprintln, println, writeOutput } from '../io.js'
import { githubClient } from './github-client.js'

const MAX_BODY_FILE_BYTES = 16 * 1024 * 1024

/** `vitest-judge github-comment [--report FILE | --body-file FILE] [--repo OWNER/NAME] [--pr N] ...`. */
export const githubCommentCommand: Command = {
  summary: 'posts or updates the sticky pull request comment on GitHub',
  usage: `Usage: vitest-judge github-comment [--report FILE | --body-file FILE] [--repo OWNER/NAME] [--pr N]
                                   [--marker TEXT] [--note TEXT]... [--max-drop X] [--alpha A]
                                   [--measurements M=X,...]
                                   [--body-out FILE] [--dry-run] [--dir PATH]

Posts the summary as ONE comment on the pull request and updates that comment in place on every
later run (never a second one). The comment is found by the hidden marker on its first line and by
its author (the token's user, or a bot for the job's GITHUB_TOKEN). Comments are read page by page.

Body (one of):
  --report FILE      a JSON report, rendered as the PR summary (default: <dir>/report.json; use
                     the output of \`compare --format json\` to show the comparison)
  --body-file FILE   markdown to post as it is (e.g. \`compare --format markdown --out FILE\`)
  --note TEXT        (with --report) a note under the status line; repeatable
  --max-drop X       (with --report) list the gate failures of the report's comparison: drops of
  --alpha A            a mean larger than X (default 0) significant at A (default ${DEFAULT_ALPHA}), one-sided,
                       after the Tarone-Holm correction over the family of tests
  --measurements M=X,...  (with --report) also gate these measurements (as \`compare\`)

Target:
  --repo OWNER/NAME  default: GITHUB_REPOSITORY
  --pr N             default: the pull request of the event (GITHUB_EVENT_PATH): pull_request,
                     pull_request_target, issue_comment; for workflow_run, the open pull request
                     whose head is the run's head commit (a --pr N is checked against it)
  --marker TEXT      the hidden marker, a one-line HTML comment (default ${MARKDOWN_MARKER}); give
                     each job its own to keep several sticky comments on one pull request

Other:
  --body-out FILE    also write the body to FILE (e.g. for GITHUB_STEP_SUMMARY)
  --dry-run          call no API: print the target and the body (or write it with --body-out)

Environment: GITHUB_TOKEN (or GH_TOKEN) with pull-requests: write; GITHUB_REPOSITORY;
GITHUB_EVENT_NAME and GITHUB_EVENT_PATH; GITHUB_API_URL (default https://api.github.com).
In GitHub Actions it sets the step outputs comment-action (created, updated, unchanged, skipped,
dry-run), comment-id, comment-url and pr.

A read-only token (a pull request from a fork, Dependabot) gets 403 from GitHub: the comment is
skipped with a notice and the exit code is 0, so the check still reflects the gate alone.

Exit codes: 0 posted, updated, unchanged or skipped (not a pull request, read-only token);
2 bad usage or input (no token, no repository, no pull request, unreadable body) or a GitHub
API failure (bad credentials, not found, rate limit, network), with a message saying which.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('github-comment', args, {
      report: { type: 'string' },
      'body-file': { type: 'string' },
      'body-out': { type: 'string' },
      repo: { type: 'string' },
      pr: { type: 'string' },
      marker: { type: 'string' },
      note: { type: 'string', multiple: true },
      'max-drop': { type: 'string' },
      alpha: { type: 'string' },
      measurements: { type: 'string' },
      'dry-run': { type: 'boolean' },
    })
    if (positionals.length > 0) {
      throw new UsageError(
        `Unexpected argument "${positionals[0]}": pass the body as --report FILE or --body-file FILE. ` +
          'See `vitest-judge github-comment --help`.',
      )
    }
    const token = (io.env.GITHUB_TOKEN || io.env.GH_TOKEN || '').trim()
    registerSecret(token)
    const bodyFile = values['body-file']
    const notes: string[] = [values.note ?? []].flat()
    if (bodyFile !== undefined) {
      if (values.report !== undefined) throw new UsageError('Pass either --report or --body-file, not both.')
      if (
        notes.length > 0 ||
        values['max-drop'] !== undefined ||
        values.alpha !== undefined ||
        values.measurements !== undefined
      ) {
        throw new UsageError(
          '--note, --max-drop, --alpha and --measurements go with --report: a --body-file is posted as it is.',
        )
      }
    }
    const marker = values.marker ?? MARKDOWN_MARKER
    const problem = markerProblem(marker)
    if (problem !== null) throw new UsageError(`--marker: ${problem}.`)
    const pr = values.pr === undefined ? undefined : parseInteger(values.pr.replace(/^#/, ''), '--pr')

    const raw =
      bodyFile !== undefined
        ? readBodyFile(io, bodyFile)
        : renderReport(io, values.report ?? resolve(resolveStateDir(io, values.dir), 'report.json'), {
            marker,
            notes,
            gate:
              values['max-drop'] === undefined && values.alpha === undefined && values.measurements === undefined
                ? undefined
                : {
                    measurements: parseMeasurements(values.measurements ?? ''),
                    maxDrop:
                      values['max-drop'] === undefined ? 0 : parseNumber(values['max-drop'], '--max-drop', { min: 0 }),
                    alpha:
                      values.alpha === undefined
                        ? DEFAULT_ALPHA
                        : parseNumber(values.alpha, '--alpha', { min: 0, max: 1, exclusive: true }),
                  },
          })
    const body = prepareCommentBody(raw, marker)
    const bodyOut = values['body-out']
    if (bodyOut !== undefined) {
      const written = writeOutput(io, bodyOut, body)
      if (written !== null) println(io, `Wrote the comment body to ${written}.`)
    }

    const repoText = values.repo ?? io.env.GITHUB_REPOSITORY
    const repo = parseRepo(repoText)
    const event = readEvent(io.env)

    if (values['dry-run']) {
      const target = targetFromEvent(event, pr)
      const where =
        target.kind === 'pr'
          ? `pull request #${target.number}`
          : target.kind === 'workflow-run'
            ? `the pull request of commit ${target.headSha.slice(0, 7)} (looked up when not a dry run)`
            : target.kind === 'skip'
              ? `nothing (${target.reason})`
              : 'an unknown pull request (pass --pr N)'
      println(io, `Dry run: would post or update the comment marked ${marker} in ${repo?.fullName ?? '?'} on ${where}.`)
      if (bodyOut === undefined) io.stdout(body.endsWith('\n') ? body : `${body}\n`)
      setOutputs(io.env, { 'comment-action': 'dry-run' })
      return EXIT.ok
    }

    if (!token) {
      throw new UsageError(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression to paste, not a template
        'No GitHub token: set GITHUB_TOKEN (in a workflow: `env: GITHUB_TOKEN: ${{ github.token }}`, with ' +
          '`permissions: pull-requests: write`), or GH_TOKEN. Use --dry-run to see the comment without posting it.',
      )
    }
    const checkedRepo = requireRepo(repoText, repo)
    const client = githubClient(io, token)

    try {
      const target = await resolveTarget(client, checkedRepo, targetFromEvent(event, pr))
      if (target.kind === 'skip') {
        io.stdout(annotation(io.env, 'notice', `No pull request comment: ${target.reason}.`))
        setOutputs(io.env, { 'comment-action': 'skipped' })
        return EXIT.ok
      }
      let result: UpsertResult
      try {
        const author = await tokenAuthor(client, token)
        result = await upsertStickyComment(client, { repo: checkedRepo, number: target.number, body, marker, author })
      } catch (error) {
        if (error instanceof GitHubApiError && error.status === 403 && !error.rateLimited) {
          io.stdout(annotation(io.env, target.fromFork ? 'notice' : 'warning', readOnlyMessage(target, error)))
          setOutputs(io.env, { 'comment-action': 'skipped', pr: String(target.number) })
          return EXIT.ok
        }
        throw error
      }
      const verb = { created: 'Created', updated: 'Updated', unchanged: 'Left unchanged' }[result.action]
      println(
        io,
        `${verb} the vitest-judge comment on ${checkedRepo.fullName}#${target.number}` +
          `${result.comment.htmlUrl ? `: ${result.comment.htmlUrl}` : ` (comment ${result.comment.id})`}`,
      )
      setOutputs(io.env, {
        'comment-action': result.action,
        'comment-id': String(result.comment.id),
        'comment-url': result.comment.htmlUrl,
        pr: String(target.number),
      })
      return EXIT.ok
    } catch (error) {
      if (!(error instanceof GitHubApiError)) throw error
      eprintln(io, `vitest-judge: ${error.message}. ${apiHint(error, checkedRepo, pr)}`)
      return EXIT.usage
    }
  },
}

async function resolveTarget(
  client: GitHubClient,
  repo: RepoRef,
  target: ReturnType<typeof targetFromEvent>,
): Promise<ResolvedTarget> {
  if (target.kind === 'unknown') {
    throw new UsageError(
      'No pull request: pass --pr N, or run inside a GitHub Actions job triggered by a pull request ' +
        '(GITHUB_EVENT_PATH names the event).',
    )
  }
  if (target.kind === 'workflow-run') return resolveWorkflowRunTarget(client, repo, target)
  return target
}

function readOnlyMessage(target: { number: number; fromFork: boolean }, error: GitHubApiError): string {
  const why = `the token cannot comment on pull request #${target.number} (403${error.githubMessage ? ` ${error.githubMessage}` : ''})`
  return target.fromFork
    ? `No pull request comment: ${why}. This is expected for a pull request from a fork, whose GITHUB_TOKEN is ` +
        'read-only: the check still reflects the gate. To comment on fork pull requests, post from a workflow_run ' +
        'workflow (see examples/github-actions/comment-fork-prs.yml).'
    : `No pull request comment: ${why}. Give the job \`permissions: pull-requests: write\` ` +
        '(Dependabot pull requests get a read-only token: comment from a workflow_run workflow).'
}

function apiHint(error: GitHubApiError, repo: RepoRef, pr: number | undefined): string {
  if (error.rateLimited) return 'GitHub rate-limited the token: run the job again later.'
  switch (error.status) {
    case 0:
      return 'Check the network and GITHUB_API_URL.'
    case 401:
      return 'The token was rejected: check GITHUB_TOKEN (an expired or revoked token?).'
    case 404:
      return `Is ${repo.fullName} the repository${pr === undefined ? '' : ` and #${pr} a pull request in it`}, and can the token see it?`
    case 410:
    case 422:
      return 'GitHub refused the comment (locked conversation, or a body it cannot take).'
    default:
      return error.status >= 500 ? 'GitHub is failing: run the job again later.' : 'See the GitHub message above.'
  }
}

function readText(io: CliIo, path: string, what: string, flag: string): string {
  const absolute = resolve(io.cwd, path)
  const shown = displayPath(io, absolute)
  try {
    const buffer = readFileSync(absolute)
    if (buffer.length > MAX_BODY_FILE_BYTES) {
      throw new UsageError(`${what} ${shown} is larger than ${MAX_BODY_FILE_BYTES / 1024 / 1024} MB.`)
    }
    return buffer.toString('utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(error))
    throw new SelectorError(`Cannot read the ${what} ${shown} (${why}): pass ${flag} an existing file.`)
  }
}

function readBodyFile(io: CliIo, path: string): string {
  const text = readText(io, path, 'comment body', '--body-file')
  if (text.trim() === '') throw new UsageError(`The comment body ${displayPath(io, path)} is empty.`)
  return text
}

function renderReport(
  io: CliIo,
  path: string,
  options: {
    marker: string
    notes: string[]
    gate: { maxDrop: number; alpha: number; measurements: Record<string, number> } | undefined
  },
): string {
  const shown = displayPath(io, resolve(io.cwd, path))
  const report = parseReport(readText(io, path, 'JSON report', '--report (or --body-file)'), shown)
  const gateFailures =
    options.gate && report.comparison
      ? evaluateGate(report.comparison, report, {
          maxDrop: options.gate.maxDrop,
          alpha: options.gate.alpha,
          minMean: {},
          measurements: options.gate.measurements,
        })
      : []
  return renderMarkdown(report, { marker: options.marker, notes: options.notes, gateFailures })
}
