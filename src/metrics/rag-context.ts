/**
 * Retrieval metrics, judged, as RAGAS defines them:
 * - context precision (LLM context precision with reference,
 *   https://docs.ragas.io/en/stable/concepts/metrics/available_metrics/context_precision/):
 *   `sum_k(Precision@k * v_k) / (relevant chunks)`, with `v_k` 1 when the chunk at rank k was useful to
 *   arrive at the reference answer and `Precision@k` the share of useful chunks in the top k;
 * - context recall (LLM context recall,
 *   https://docs.ragas.io/en/stable/concepts/metrics/available_metrics/context_recall/):
 *   the share of the reference answer's statements that the retrieved context supports.
 * Each verdict is one judge call on the usual 1-5 scale; a grade of 4 or 5 counts as yes.
 */
import { MissingFieldError } from '../errors.js'
import type { GradeRequest, Usage } from '../judges/types.js'
import { splitSentences } from '../text/words.js'
import type { JudgedMetricOptions } from './rubric-metric.js'
import { buildSectionedPrompt } from './sectioned-prompt.js'
import type { Metric, MetricContext, MetricInput, MetricValue } from './types.js'

/** Options of `contextPrecision` and `contextRecall`. */
export interface ContextMetricOptions {
  /** Judge for this metric, overriding the plugin's default. */
  judge?: JudgedMetricOptions['judge']
}

/** The smallest grade that counts as "yes" in a binary verdict. */
export const YES_FROM_GRADE = 4

const HINTS = {
  input: 'give the case an `input` (the question).',
  expected: 'give the case an `expected` value (the reference answer).',
  context: 'give the case a `context`: the retrieved chunks as an array, in retrieval order (or one text).',
} as const

function need(metric: string, input: MetricInput, field: 'input' | 'expected' | 'context'): string {
  const value = input[field]
  if (value === undefined) throw new MissingFieldError(metric, field, HINTS[field])
  return value
}

function chunksOf(metric: string, input: MetricInput): string[] {
  need(metric, input, 'context')
  const chunks = input.contextChunks ?? [input.context ?? '']
  return chunks.length === 0 ? [''] : chunks
}

interface Verdicts {
  grades: number[]
  cached: boolean
  usage?: Usage
}

async function gradeAll(context: MetricContext, requests: GradeRequest[]): Promise<Verdicts> {
  const verdicts = await Promise.all(requests.map((request) => context.grade(context.judge, request)))
  let usage: Usage | undefined
  for (const v of verdicts) {
    if (!v.usage) continue
    usage ??= { inputTokens: 0, outputTokens: 0 }
    usage.inputTokens += v.usage.inputTokens
    usage.outputTokens += v.usage.outputTokens
  }
  return {
    grades: verdicts.map((v) => v.score),
    cached: verdicts.every((v) => v.cached),
    ...(usage ? { usage } : {}),
  }
}

function request(
  metric: string,
  context: MetricContext,
  prompt: GradeRequest['prompt'],
  fields: GradeRequest['fields'],
): GradeRequest {
  return {
    metric,
    metricVersion: 'v1',
    builtin: true,
    prompt,
    fields,
    trial: context.trial,
    ...(context.signal ? { signal: context.signal } : {}),
  }
}

function clip(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

/**
 * RAGAS context precision: are the retrieved chunks useful to arrive at the reference answer, and are
 * the useful ones ranked first? The judge grades each chunk (rank k) given the question and the
 * reference; `v_k` = 1 for a grade of 4 or 5. Score = `sum_k(Precision@k * v_k) / sum_k(v_k)`, 0 when
 * no chunk is useful. Needs `input`, `expected` and `context` (an array of chunks, or one text).
 */
export function contextPrecision(options: ContextMetricOptions = {}): Metric {
  const name = 'context_precision'
  return {
    name,
    kind: 'score',
    greaterIsBetter: true,
    requires: ['input', 'expected', 'context'],
    version: 'v1',
    judged: true,
    ...(options.judge !== undefined ? { judge: options.judge } : {}),
    async score(input: MetricInput, context: MetricContext): Promise<MetricValue> {
      const question = need(name, input, 'input')
      const reference = need(name, input, 'expected')
      const chunks = chunksOf(name, input)
      const requests = chunks.map((chunk) =>
        request(
          name,
          context,
          buildSectionedPrompt({
            name,
            version: 'v1',
            task: 'Given a question, its reference answer and ONE chunk of retrieved context, decide whether the chunk was useful in arriving at the reference answer: does it contain information the answer relies on?',
            rubric: [
              'Score 1: not useful: the chunk has nothing the reference answer relies on.',
              'Score 2: barely useful: only loosely related background.',
              'Score 3: partly useful: related, but the answer does not really rely on it.',
              'Score 4: useful: the chunk supports part of the reference answer.',
              'Score 5: very useful: the chunk states what the reference answer says.',
            ].join('\n'),
            sections: [
              { tag: 'input', label: 'The question', text: question },
              { tag: 'reference', label: 'The reference answer', text: reference },
              { tag: 'output', label: 'The retrieved chunk to judge', text: chunk },
            ],
            question: 'Grade how useful the chunk in the <output-…> section was in arriving at the reference answer.',
          }),
          { input: question, output: chunk, expected: reference },
        ),
      )
      const { grades, cached, usage } = await gradeAll(context, requests)
      const useful = grades.map((g) => (g >= YES_FROM_GRADE ? 1 : 0))
      let hits = 0
      let sum = 0
      useful.forEach((v, k) => {
        hits += v
        sum += v * (hits / (k + 1))
      })
      const score = hits === 0 ? 0 : sum / hits
      const ranks = useful.flatMap((v, k) => (v ? [k + 1] : []))
      const justification =
        hits === 0
          ? `No useful chunk among ${chunks.length} (judge grades ${grades.join(', ')}).`
          : `Useful chunks at rank ${ranks.join(', ')} of ${chunks.length} (judge grades ${grades.join(', ')}).`
      return { score, justification, judge: context.judge.name, cached, ...(usage ? { usage } : {}) }
    },
  }
}

/**
 * RAGAS context recall: how much of the reference answer the retrieved context supports. The reference
 * is split into sentences (statements); the judge grades each against all chunks; a grade of 4 or 5
 * counts as supported. Score = supported statements / statements. Needs `expected` and `context`;
 * uses `input` when given.
 */
export function contextRecall(options: ContextMetricOptions = {}): Metric {
  const name = 'context_recall'
  return {
    name,
    kind: 'score',
    greaterIsBetter: true,
    requires: ['expected', 'context'],
    version: 'v1',
    judged: true,
    ...(options.judge !== undefined ? { judge: options.judge } : {}),
    async score(input: MetricInput, context: MetricContext): Promise<MetricValue> {
      const reference = need(name, input, 'expected')
      const chunks = chunksOf(name, input)
      const retrieved =
        chunks.length === 1 ? (chunks[0] ?? '') : chunks.map((c, i) => `[chunk ${i + 1}]\n${c}`).join('\n\n')
      const statements = splitSentences(reference)
      if (statements.length === 0) statements.push(reference)
      const requests = statements.map((statement) =>
        request(
          name,
          context,
          buildSectionedPrompt({
            name,
            version: 'v1',
            task: 'Given the retrieved context and ONE statement taken from a reference answer, decide whether the statement can be attributed to the retrieved context: does the context say it (possibly in other words)?',
            rubric: [
              'Score 1: not attributable: the context does not contain it, or contradicts it.',
              'Score 2: barely: the context only touches the topic.',
              'Score 3: partly: the context supports a part of the statement.',
              'Score 4: attributable: the context supports the statement, with a minor detail missing.',
              'Score 5: fully attributable: the context states it.',
            ].join('\n'),
            sections: [
              ...(input.input !== undefined ? [{ tag: 'input', label: 'The question', text: input.input }] : []),
              { tag: 'context', label: 'The retrieved context', text: retrieved },
              { tag: 'output', label: 'The statement from the reference answer', text: statement },
            ],
            question:
              'Grade whether the statement in the <output-…> section can be attributed to the retrieved context.',
          }),
          { ...(input.input !== undefined ? { input: input.input } : {}), output: statement, context: retrieved },
        ),
      )
      const { grades, cached, usage } = await gradeAll(context, requests)
      const supported = grades.filter((g) => g >= YES_FROM_GRADE).length
      const missing = statements.filter((_, i) => (grades[i] ?? 1) < YES_FROM_GRADE)
      const justification =
        `${supported} of ${statements.length} reference statement${statements.length === 1 ? '' : 's'} supported by the context` +
        (missing.length > 0
          ? `; not supported: ${missing
              .slice(0, 3)
              .map((s) => `"${clip(s)}"`)
              .join(', ')}.`
          : '.')
      return {
        score: supported / statements.length,
        justification,
        judge: context.judge.name,
        cached,
        ...(usage ? { usage } : {}),
      }
    },
  }
}
