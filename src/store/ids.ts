/**
 * Ids of invocations and runs: 22 lowercase characters of Crockford base32, 10 of them the creation
 * time in milliseconds and 12 random (60 bits), as in ULID. They sort by creation time as text. A
 * unique prefix of 4+ characters stands for the whole id on the command line: invocations started
 * minutes apart usually differ within the first 6 to 8 characters; runs of one invocation differ in
 * the random part.
 */
import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** A new sortable id, e.g. `01jy3k9m2xq7h8n6c5v0bd`. */
export function newId(now: number = Date.now()): string {
  let time = ''
  let rest = Math.max(0, Math.floor(now))
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(rest % 32) + time
    rest = Math.floor(rest / 32)
  }
  const bytes = randomBytes(12)
  let random = ''
  for (const byte of bytes) random += ALPHABET.charAt(byte & 31)
  return time + random
}
