/** Validates XML against a schema of this folder with `xmllint` (Debian `libxml2-utils`). */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

/** Jenkins xunit plugin's `junit-10.xsd` (see README.md beside it). */
export const JUNIT_10_XSD = join(import.meta.dirname, 'junit-10.xsd')

/** What `xmllint --schema` said: whether the document is valid, and its messages. */
export interface SchemaResult {
  valid: boolean
  messages: string
}

/** Runs `xmllint --noout --schema <xsd> -` on `xml`; throws when xmllint is not installed. */
export function validateXml(xml: string, xsd = JUNIT_10_XSD): SchemaResult {
  const result = spawnSync('xmllint', ['--noout', '--schema', xsd, '-'], {
    input: xml,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.error) {
    throw new Error(
      `xmllint could not run (${result.error.message}): run \`npm run setup\` (or \`apt-get install libxml2-utils\`).`,
    )
  }
  return { valid: result.status === 0, messages: result.stderr.trim() }
}
