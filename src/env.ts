/**
 * The process environment, read here and in `config.ts` only (this module is config's: a leaf that
 * modules below config, such as `redact.ts` and the provider registry, can import without a cycle).
 * Options resolved from variables live in `config.ts`; modules that need the environment for what
 * is not an option (CI detection, git, credentials for a server) take it as a parameter whose
 * default is {@link processEnv}, so tests pass their own.
 */

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>

/** The process environment. */
export function processEnv(): Env {
  return process.env
}

/** A variable's value; an empty value (CI often exports unset variables as '') counts as unset. */
export function envValue(name: string, env: Env = processEnv()): string | undefined {
  return env[name] || undefined
}
