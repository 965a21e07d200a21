/** Parsing and validating a judge's reply. */
import { z } from 'zod'

const verdictSchema = z.object({
  score: z.number().int().min(1).max(5),
  justification: z.string(),
})

/** A validated verdict, or why the reply was not one. */
export type ParsedVerdict = { ok: true; score: number; justification: string } | { ok: false; problem: string }

/**
 * Parses a reply. A reply wrapped in a ```json fence is accepted (the fence is stripped); prose,
 * a score outside 1..5 or a missing field are not.
 */
export function parseVerdict(text: string): ParsedVerdict {
  let body = text.trim()
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i.exec(body)
  if (fenced?.[1] !== undefined) body = fenced[1].trim()
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return { ok: false, problem: `the reply is not JSON: ${JSON.stringify(text.slice(0, 120))}` }
  }
  const result = verdictSchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.join('.') || 'reply'
    return {
      ok: false,
      problem: `\`${where}\`: ${issue?.message ?? 'invalid'} in ${JSON.stringify(body.slice(0, 120))}`,
    }
  }
  return { ok: true, score: result.data.score, justification: result.data.justification }
}

/** The follow-up message of the one repair attempt. */
export function repairMessage(problem: string): string {
  return `Your previous reply could not be used (${problem}). Reply again with only a JSON object {"score": <integer 1-5>, "justification": "<one or two sentences>"}, with no other text.`
}
