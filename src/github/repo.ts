/** Repository names as GitHub spells them (`owner/name`). */
import { UsageError } from '../errors.js'

/** A repository: `owner/name`. */
export interface RepoRef {
  owner: string
  name: string
  /** `owner/name`. */
  fullName: string
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const NAME = /^[A-Za-z0-9._-]{1,100}$/

/** Parses `owner/name` (as in `GITHUB_REPOSITORY`); undefined when it is not one. */
export function parseRepo(text: string | undefined): RepoRef | undefined {
  if (text === undefined) return undefined
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(text.trim())
  const owner = match?.[1]
  const name = match?.[2]
  if (!owner || !name || !OWNER.test(owner) || !NAME.test(name) || name === '.' || name === '..') return undefined
  return { owner, name, fullName: `${owner}/${name}` }
}

/** The repository from `--repo` or GITHUB_REPOSITORY; a `UsageError` saying what to pass when neither is OWNER/NAME. */
export function requireRepo(repoText: string | undefined, repo: RepoRef | undefined = parseRepo(repoText)): RepoRef {
  if (repo !== undefined) return repo
  throw new UsageError(
    repoText === undefined || repoText === ''
      ? 'No repository: pass --repo OWNER/NAME (GitHub Actions sets GITHUB_REPOSITORY).'
      : `--repo / GITHUB_REPOSITORY "${repoText.slice(0, 100)}" is not OWNER/NAME.`,
  )
}
