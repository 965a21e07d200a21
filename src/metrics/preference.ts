/**
 * Pairwise preference: a judge compares the answer with another one. LLM judges favour an answer for
 * its position (Zheng et al. 2023, "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena",
 * arXiv:2306.05685, section 3.3; Wang et al. 2023, "Large Language Models are not Fair Evaluators",
 * arXiv:2305.17926), so the judge sees both answers twice with the positions swapped, and a win needs
 * both orders to agree; any other outcome is a tie. Scores: 1 (the answer wins), 0.5 (tie), 0 (the other wins).
 */
import { MissingFieldError } from '../errors.js'
import type { GradeRequest, Usage } from '../judges/types.js'
import type { JudgedMetricOptions } from './rubric-metric.js'
import { buildSectionedPrompt } from './sectioned-prompt.js'
import type { Metric, MetricContext, MetricInput, MetricValue } from './types.js'

/** The criteria the judge compares by when none are given. */
export const DEFAULT_PREFERENCE_CRITERIA =
  'Which answer better serves the person who asked: more correct, more relevant to the question, more complete and clearer? Length alone is not a merit.'

/** Options of `preference`. */
export interface PreferenceOptions {
  /** The dataset column holding the other answer (e.g. a baseline system's output). */
  against: string
  /** What "better" means. @default DEFAULT_PREFERENCE_CRITERIA */
  criteria?: string
  /** Judge for this metric, overriding the plugin's default. */
  judge?: JudgedMetricOptions['judge']
}

type Winner = 'answer' | 'other' | 'tie'

/** Which answer one order's grade prefers: grades 1-2 prefer A, 4-5 prefer B, 3 is a tie. */
function winnerOf(grade: number, answerIsA: boolean): Winner {
  if (grade === 3) return 'tie'
  const aWins = grade < 3
  return aWins === answerIsA ? 'answer' : 'other'
}

function pairRequest(
  context: MetricContext,
  criteria: string,
  question: string | undefined,
  first: string,
  second: string,
): GradeRequest {
  const prompt = buildSectionedPrompt({
    name: 'preference',
    version: 'v1',
    task: `Compare two answers to the same question by these criteria:\n${criteria.trim()}\nJudge the content, not the position: which answer is shown first carries no meaning.`,
    rubric: [
      'Score 1: Answer A is clearly better.',
      'Score 2: Answer A is slightly better.',
      'Score 3: they are equally good (or equally bad).',
      'Score 4: Answer B is slightly better.',
      'Score 5: Answer B is clearly better.',
    ].join('\n'),
    sections: [
      ...(question !== undefined ? [{ tag: 'input', label: 'The question', text: question }] : []),
      { tag: 'output', label: 'Answer A', text: first },
      { tag: 'output-b', label: 'Answer B', text: second },
    ],
    question:
      'Grade which answer is better: Answer A (in the <output-…> section) or Answer B (in the <output-b-…> section).',
  })
  return {
    metric: 'preference',
    metricVersion: 'v1',
    builtin: true,
    prompt,
    fields: { ...(question !== undefined ? { input: question } : {}), output: first, expected: second },
    trial: context.trial,
    ...(context.signal ? { signal: context.signal } : {}),
  }
}

/** Judges `answer` against `other` in both orders; see the module comment. */
export async function judgePreference(
  context: MetricContext,
  answer: string,
  other: string,
  options: { criteria?: string; input?: string } = {},
): Promise<MetricValue> {
  const criteria = options.criteria ?? DEFAULT_PREFERENCE_CRITERIA
  const [first, second] = await Promise.all([
    context.grade(context.judge, pairRequest(context, criteria, options.input, answer, other)),
    context.grade(context.judge, pairRequest(context, criteria, options.input, other, answer)),
  ])
  const a = winnerOf(first.score, true)
  const b = winnerOf(second.score, false)
  const grades = `grade ${first.score} with the answer as A, ${second.score} with it as B`
  let score: number
  let justification: string
  if (a === b && a !== 'tie') {
    score = a === 'answer' ? 1 : 0
    justification = `${a === 'answer' ? 'The answer' : 'The other answer'} is preferred in both orders (${grades}): ${first.justification}`
  } else {
    score = 0.5
    justification =
      a === 'tie' && b === 'tie'
        ? `Equally good in both orders (${grades}): a tie.`
        : `The verdict depends on the position (${grades}): counted as a tie.`
  }
  let usage: Usage | undefined
  for (const v of [first, second]) {
    if (!v.usage) continue
    usage ??= { inputTokens: 0, outputTokens: 0 }
    usage.inputTokens += v.usage.inputTokens
    usage.outputTokens += v.usage.outputTokens
  }
  return {
    score,
    justification,
    judge: context.judge.name,
    cached: first.cached && second.cached,
    ...(usage ? { usage } : {}),
  }
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (value !== null && typeof value === 'object' && typeof (value as { output?: unknown }).output === 'string') {
    return (value as { output: string }).output
  }
  return JSON.stringify(value, null, 2) ?? String(value)
}

/**
 * Pairwise preference of the output over the answer in the case's `against` column, judged in both
 * orders: 1 when the output wins both, 0 when the other answer wins both, else 0.5 (a tie).
 */
export function preference(options: PreferenceOptions): Metric {
  const against = options?.against
  if (typeof against !== 'string' || against === '') {
    throw new MissingFieldError(
      'preference',
      'against',
      "name the dataset column with the other answer: preference({ against: 'baseline' }).",
    )
  }
  return preferenceMetric(options.criteria, options.judge, (input) => {
    const value = input.extra?.[against]
    if (value === undefined || value === null) {
      throw new MissingFieldError(
        'preference',
        against,
        `give the case a \`${against}\` column (the answer to compare with).`,
      )
    }
    return textOf(value)
  })
}

/** The preference metric over an `other` answer taken from the case (or given to the matcher). */
export function preferenceMetric(
  criteria: string | undefined,
  judge: JudgedMetricOptions['judge'] | undefined,
  otherOf: (input: MetricInput) => string,
): Metric {
  return {
    name: 'preference',
    kind: 'score',
    greaterIsBetter: true,
    requires: [],
    version: 'v1',
    judged: true,
    ...(judge !== undefined ? { judge } : {}),
    async score(input: MetricInput, context: MetricContext): Promise<MetricValue> {
      return judgePreference(context, input.output, otherOf(input), {
        ...(criteria !== undefined ? { criteria } : {}),
        ...(input.input !== undefined ? { input: input.input } : {}),
      })
    },
  }
}
