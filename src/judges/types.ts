/** The judge interface: anything that turns a grading request into a 1-5 verdict. */

/** Token usage of one provider call. */
export interface Usage {
  inputTokens: number
  outputTokens: number
}

/** The texts of the case under judgement, already strings. */
export interface JudgeFields {
  /** The question or prompt given to the system under test. */
  input?: string
  /** The answer being judged. */
  output: string
  /** The reference (ground truth) answer. */
  expected?: string
  /** Retrieved context the answer should be grounded in. */
  context?: string
  /** What the system under test did: a compact rendering of its trace (`taskCompletion`). */
  traceText?: string
}

/** A fully built grading prompt (what is sent to an LLM judge, and hashed for the cache). */
export interface GradingPrompt {
  system: string
  user: string
}

/** One grading request. */
export interface GradeRequest {
  /** snake_case metric name, e.g. `answer_similarity`. */
  metric: string
  /** Metric version; part of the cache key. */
  metricVersion: string
  /** Whether the metric is one of the built-in judged metrics (the local judge serves only those). */
  builtin: boolean
  prompt: GradingPrompt
  fields: JudgeFields
  /** 0-based trial number. */
  trial: number
  /** Aborts the request (per-case timeout). */
  signal?: AbortSignal
}

/** A judge's answer: an integer score 1..5 and why. */
export interface Verdict {
  /** Integer 1..5 (5 best). */
  score: number
  justification: string
  usage?: Usage
  /** How many provider attempts it took (1 = first try), a repair request included. */
  attempts?: number
  /** How many of those attempts were retries after a 429, 5xx, timeout or dropped connection (absent: none). */
  retries?: number
}

/** A free-text completion request: a model writing as someone (the simulated user of a conversation). */
export interface CompletionRequest {
  /** What the model is told it is and does. */
  system: string
  /** The conversation so far, from the model's side (`assistant` is the model itself). */
  messages: Array<{ role: 'user' | 'assistant'; content: string }>
  /** Aborts the request (per-case timeout). */
  signal?: AbortSignal
}

/** A completion's text and usage. */
export interface CompletionReply {
  text: string
  usage?: Usage
  /** Provider retries spent (429, 5xx, timeouts); absent when none. */
  retries?: number
}

/** An LLM judge (or any object that can grade). */
export interface Judge {
  /** Spec-like name shown in messages and reports, e.g. `openai:gpt-4.1-mini`. */
  readonly name: string
  /**
   * What identifies the judge's behaviour for the cache key besides the prompt
   * (kind, model, temperature...). Never include secrets.
   */
  readonly cacheIdentity: Record<string, string | number | boolean | null>
  /** Grades one request. Throws `JudgeError` when no valid verdict can be had. */
  grade(request: GradeRequest): Promise<Verdict>
  /** Embeds texts (for `embeddingSimilarity`); absent when the judge cannot. */
  embed?(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]>
  /** Writes free text (the simulated user of `describeConversation`); absent when the judge cannot. */
  complete?(request: CompletionRequest): Promise<CompletionReply>
}
