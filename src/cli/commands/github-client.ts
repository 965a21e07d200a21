/** The GitHub client of the `github-*` commands: GITHUB_API_URL from the environment, a bad URL a usage error. */
import { UsageError } from '../../errors.js'
import { GitHubClient } from '../../github/api.js'
import type { CliIo } from '../io.js'

/** A client with `token` on `GITHUB_API_URL` (GitHub Enterprise Server), else the public API. */
export function githubClient(io: CliIo, token: string): GitHubClient {
  try {
    return new GitHubClient({ token, apiUrl: io.env.GITHUB_API_URL })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}
