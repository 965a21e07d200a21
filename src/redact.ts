/**
 * Secret scrubbing. Every message we write (errors, logs, reports, database rows) goes through
 * `redact`, so a key never leaves the process even when an SDK puts it in an error.
 */
import { processEnv } from './env.js'

const KEY_ENV_VARS = [
  'OPENAI_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_TRACKING_PASSWORD',
]
const extraSecrets = new Set<string>()

/** Registers a secret (an `apiKey` option) so that `redact` removes it wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) extraSecrets.add(value)
}

// Known key shapes, for keys that reach a message without having passed through env or options. A
// value ends at a backslash too: in JSON text (report pieces) it escapes the quote that ends the string.
const KEY_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /([?&]key=)[^&\s"'\\]+/g,
  /(authorization["']?\s*[:=]\s*["']?bearer\s+)[^\s"',}\\]+/gi,
  /(authorization["']?\s*[:=]\s*["']?basic\s+)[^\s"',}\\]+/gi,
  /(x-goog-api-key["']?\s*[:=]\s*["']?)[^\s"',}\\]+/gi,
  /(x-api-key["']?\s*[:=]\s*["']?)[^\s"',}\\]+/gi,
]

// Every key pattern starts with one of these; most texts contain none, and skip the regexes.
const KEY_HINT = /sk-|AIza|gh[pousr]_|github_pat_|key=|bearer|basic|x-goog-api-key|x-api-key/i

/** The secrets of the synchronous pass under way ({@link redactingPass}), if any. */
let passSecrets: string[] | undefined

/** Replaces every known secret value and key-shaped token in `text` with `[redacted]`. */
export function redact(text: string): string {
  return redactWith(passSecrets ?? currentSecrets(), text)
}

/**
 * Runs `fn`, a synchronous pass that redacts many texts (a run's rows), with the secrets looked up
 * once for the whole pass: reading `process.env` for every text was most of saving a run.
 */
export function redactingPass<T>(fn: () => T): T {
  if (passSecrets !== undefined) return fn()
  passSecrets = currentSecrets()
  try {
    return fn()
  } finally {
    passSecrets = undefined
  }
}

/**
 * A `redact` for many texts in a row (a run's cases): the secrets are looked up once, not for every
 * text (reading `process.env` ten times per case was most of the HTML report's cost at 10,000 cases).
 * Use it only within one synchronous pass: a secret registered later is not seen.
 */
export function redactor(): (text: string) => string {
  const secrets = currentSecrets()
  return (text) => redactWith(secrets, text)
}

function currentSecrets(): string[] {
  const secrets: string[] = []
  const env = processEnv()
  for (const name of KEY_ENV_VARS) {
    const value = env[name]
    if (value && value.length >= 6) secrets.push(value)
  }
  for (const value of extraSecrets) secrets.push(value)
  return secrets
}

function redactWith(secrets: readonly string[], text: string): string {
  let out = text
  for (const value of secrets) if (out.includes(value)) out = out.split(value).join('[redacted]')
  if (!KEY_HINT.test(out)) return out
  for (const pattern of KEY_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    )
  }
  return out
}
