/**
 * `vitest-judge github-baseline <PATH | ARTIFACT>`: where a pull request's baseline comes from in
 * CI. A path (a report, or a folder such as a downloaded artifact) gives the report to compare with;
 * an artifact name gives the run that uploaded the newest one on the baseline branch, for
 * `actions/download-artifact` to fetch.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { SelectorError, UsageError } from '../../errors.js'
import { annotation, readEvent, setOutputs, stringField } from '../../github/actions.js'
import { GitHubApiError } from '../../github/api.js'
import { findBaselineArtifact, findBaselineReport } from '../../github/baseline.js'
import { requireRepo } from '../../github/repo.js'
import { registerSecret } from '../../redact.js'
import { parseReport } from '../../report/json.js'
import { parseCommandArgs } from '../args.js'
import { type Command, EXIT } from '../command.js'
import { type CliIo, clean, displayPath, eprintln } from '../io.js'
import { githubClient } from './github-client.js'

/** Whether `source` names a file or folder rather than an artifact: it has a slash, starts with a dot or ends in `.json`. */
export function looksLikePath(source: string): boolean {
  return /[/\\]/.test(source) || source.startsWith('.') || /\.json$/i.test(source)
}

/** `vitest-judge github-baseline <PATH | ARTIFACT> [--branch NAME] [--repo OWNER/NAME]`. */
export const githubBaselineCommand: Command = {
  summary: 'finds the baseline report in CI: in a folder or file, or as the newest artifact of a branch',
  usage: `Usage: vitest-judge github-baseline <PATH | ARTIFACT> [--branch NAME] [--repo OWNER/NAME]

Finds the baseline a pull request is compared with.

  PATH       an existing JSON report, or a folder (a downloaded artifact) holding reports: the
             usable report with the best name wins (a merged report, then report.json, then any
             other .json), then the newest invocation. Prints the report's path.
  ARTIFACT   the name of an artifact uploaded by a run on --branch (e.g. vitest-judge-report):
             finds the newest unexpired one uploaded by a run of this repository (never a fork's)
             and prints the id of the run that uploaded it, for actions/download-artifact
             (\`run-id\`, \`name\`, \`github-token\`). Needs GITHUB_TOKEN with actions: read.

An argument with a slash, a leading dot or a .json ending is a path; anything else an artifact.
Nothing to compare with (no such file, no usable report, no artifact) is a notice, not an error:
the first run on a branch has no baseline.

Options:
  --branch NAME        (ARTIFACT) the baseline branch (default: the repository's default branch
                       from the event, else main)
  --repo OWNER/NAME    (ARTIFACT) default: GITHUB_REPOSITORY

In GitHub Actions it sets the step outputs found (true or false), source (path, artifact or
none), path (PATH), and artifact-id and run-id (ARTIFACT).

Exit codes: 0 found, or nothing to compare with; 2 bad usage, a file given as PATH that is not a
usable report, or a GitHub API failure (no token, no permission, network).
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('github-baseline', args, {
      branch: { type: 'string' },
      repo: { type: 'string' },
    })
    const [source, extra] = positionals
    if (source === undefined || source.trim() === '') {
      throw new UsageError('Missing argument: vitest-judge github-baseline <PATH | ARTIFACT>. See `--help`.')
    }
    if (extra !== undefined)
      throw new UsageError(`Unexpected argument "${clean(extra, 60)}". See \`vitest-judge github-baseline --help\`.`)
    const absolute = resolve(io.cwd, source)
    if (existsSync(absolute)) {
      if (values.branch !== undefined || values.repo !== undefined) {
        throw new UsageError(`--branch and --repo go with an artifact name; ${displayPath(io, absolute)} is a path.`)
      }
      return fromPath(io, absolute)
    }
    if (looksLikePath(source)) {
      io.stdout(annotation(io.env, 'notice', `No baseline: nothing at ${displayPath(io, absolute)}.`))
      setOutputs(io.env, { found: 'false', source: 'none' })
      return EXIT.ok
    }
    return fromArtifact(io, source.trim(), values.branch, values.repo)
  },
}

function fromPath(io: CliIo, absolute: string): number {
  const shown = displayPath(io, absolute)
  if (statSync(absolute).isFile()) {
    // A file named by the user must be a report: a typo in the workflow should not go unnoticed.
    parseReport(readReportText(absolute, shown), shown)
    eprintln(io, `vitest-judge: baseline ${shown}`)
    io.stdout(`${absolute}\n`)
    setOutputs(io.env, { found: 'true', source: 'path', path: absolute })
    return EXIT.ok
  }
  const search = findBaselineReport(absolute)
  for (const skipped of search.skipped) eprintln(io, `vitest-judge: skipped ${clean(skipped.reason, 300)}`)
  if (search.picked === undefined) {
    const why =
      search.skipped.length > 0 ? `no usable report among ${search.skipped.length} JSON files` : 'no JSON report'
    io.stdout(annotation(io.env, 'notice', `No baseline: ${why} in ${shown}.`))
    setOutputs(io.env, { found: 'false', source: 'none' })
    return EXIT.ok
  }
  const { path, report } = search.picked
  const others = search.candidates.length - 1
  eprintln(
    io,
    `vitest-judge: baseline ${displayPath(io, path)} (invocation ${clean(report.invocation.id, 40)}, ` +
      `${clean(report.invocation.startedAt, 40)}${others > 0 ? `; ${others} other reports passed over` : ''})`,
  )
  io.stdout(`${path}\n`)
  setOutputs(io.env, { found: 'true', source: 'path', path })
  return EXIT.ok
}

function readReportText(path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new SelectorError(`Cannot read the baseline report ${shown} (${code}).`)
  }
}

async function fromArtifact(
  io: CliIo,
  name: string,
  branchFlag: string | undefined,
  repoFlag: string | undefined,
): Promise<number> {
  const token = (io.env.GITHUB_TOKEN || io.env.GH_TOKEN || '').trim()
  registerSecret(token)
  if (!token) {
    throw new UsageError(
      `Looking up the artifact "${clean(name, 60)}" needs a token: set GITHUB_TOKEN (in a workflow: ` +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression to paste, not a template
        '`env: GITHUB_TOKEN: ${{ github.token }}`, with `permissions: actions: read`). A path to a report needs none.',
    )
  }
  const repoText = repoFlag ?? io.env.GITHUB_REPOSITORY
  const repo = requireRepo(repoText)
  const event = readEvent(io.env)
  const branch = (branchFlag ?? stringField(event.payload, 'repository', 'default_branch') ?? 'main').trim()
  if (branch === '') throw new UsageError('--branch needs a branch name.')
  const client = githubClient(io, token)
  try {
    const { artifact, scanned } = await findBaselineArtifact(client, repo, { name, branch })
    if (artifact === undefined || artifact.runId === null) {
      io.stdout(
        annotation(
          io.env,
          'notice',
          `No baseline: no unexpired artifact "${clean(name, 60)}" from a run on ${clean(branch, 60)} in ` +
            `${repo.fullName} (${scanned} artifacts of that name looked at). Run the workflow on ${clean(branch, 60)} ` +
            'once to record one.',
        ),
      )
      setOutputs(io.env, { found: 'false', source: 'none' })
      return EXIT.ok
    }
    eprintln(
      io,
      `vitest-judge: baseline artifact "${clean(name, 60)}" (id ${artifact.id}) from run ${artifact.runId} on ` +
        `${clean(branch, 60)}${artifact.headSha ? ` at ${artifact.headSha.slice(0, 7)}` : ''}` +
        `${artifact.createdAt ? `, ${clean(artifact.createdAt, 30)}` : ''}`,
    )
    io.stdout(`${artifact.runId}\n`)
    setOutputs(io.env, {
      found: 'true',
      source: 'artifact',
      'artifact-id': String(artifact.id),
      'run-id': String(artifact.runId),
    })
    return EXIT.ok
  } catch (error) {
    if (!(error instanceof GitHubApiError)) throw error
    const hint =
      error.status === 403 && !error.rateLimited
        ? 'The token needs `permissions: actions: read` to list artifacts.'
        : error.status === 404
          ? `Is ${repo.fullName} the repository, and can the token see it (actions: read)?`
          : error.status === 401
            ? 'The token was rejected: check GITHUB_TOKEN.'
            : error.rateLimited
              ? 'GitHub rate-limited the token: run the job again later.'
              : 'Run the job again later, or pass the baseline as a path.'
    eprintln(io, `vitest-judge: ${error.message}. ${hint}`)
    return EXIT.usage
  }
}
