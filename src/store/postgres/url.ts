/**
 * A store URL (`postgres://user:password@host:5432/db?schema=name`) taken apart: what the driver
 * connects with, the schema, and a form without the password for every message.
 */
import { ConfigError } from '../../errors.js'
import { registerSecret } from '../../redact.js'

/** A parsed PostgreSQL store URL. */
export interface PgLocation {
  /** The URL the driver connects with (without `schema`). */
  connectionString: string
  /** Schema of vitest-judge's tables. @default 'public' */
  schema: string
  /** Host (and port) and database, for messages. */
  host: string
  database: string
  /** The URL without its password, for messages, logs and reports. */
  display: string
}

/** Parses a PostgreSQL URL; `what` names the option or env variable in errors. */
export function parsePgUrl(raw: string, what: string): PgLocation {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new ConfigError(
      `${what} is not a URL: use postgres://user:password@host:5432/database (optionally ?schema=name).`,
    )
  }
  if (url.password) registerSecret(decodeURIComponent(url.password))
  if (!/^postgres(ql)?:$/i.test(url.protocol)) {
    throw new ConfigError(`${what} must be a postgres:// URL, got ${url.protocol}//… .`)
  }
  const schema = url.searchParams.get('schema') ?? 'public'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(
      `${what}: schema "${schema}" is not usable: a lowercase name of letters, digits and _ (e.g. ?schema=vitest_judge).`,
    )
  }
  url.searchParams.delete('schema')
  const connectionString = url.toString()
  const shown = new URL(connectionString)
  if (shown.password) shown.password = ''
  if (schema !== 'public') shown.searchParams.set('schema', schema)
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)'
  return {
    connectionString,
    schema,
    host: url.host || 'localhost',
    database,
    display: shown.toString(),
  }
}
