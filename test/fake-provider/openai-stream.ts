/**
 * OpenAI chat completions streaming (`stream: true`) for the fake provider: the same completion the
 * fake would answer, sent as server-sent events of `chat.completion.chunk` objects, as OpenAI does:
 * a role chunk, the content in a few deltas, a chunk with `finish_reason`, a usage chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`.
 */

interface Completion {
  id: string
  created: number
  model: string
  choices: { index: number; message: { content: string }; finish_reason: string }[]
  usage: unknown
  system_fingerprint?: string
}

/** The SSE text of `completion` streamed (content cut into pieces of about `piece` characters). */
export function chatCompletionStream(completion: Completion, includeUsage: boolean, piece = 8): string {
  const base = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    system_fingerprint: completion.system_fingerprint ?? null,
  }
  const events: unknown[] = []
  for (const choice of completion.choices) {
    events.push({
      ...base,
      choices: [{ index: choice.index, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    })
    const text = choice.message.content
    for (let at = 0; at < text.length; at += piece) {
      events.push({
        ...base,
        choices: [{ index: choice.index, delta: { content: text.slice(at, at + piece) }, finish_reason: null }],
      })
    }
    events.push({ ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason }] })
  }
  if (includeUsage) events.push({ ...base, choices: [], usage: completion.usage })
  return `${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`
}
