/**
 * Judged conversation metrics: each reads a whole transcript and grades it on the usual 1-5 rubric,
 * normalized as (raw - 1) / 4, and names the turn(s) its justification is about. What they measure
 * follows (with prompts of our own):
 * - conversation_completeness: deepeval's ConversationCompletenessMetric (were the user's intentions
 *   met, https://deepeval.com/docs/metrics-conversation-completeness) and MLflow 3's
 *   `ConversationCompleteness` scorer (https://mlflow.org/docs/latest/genai/eval-monitor/running-evaluation/multi-turn);
 * - knowledge_retention: deepeval's KnowledgeRetentionMetric (did the assistant forget or contradict
 *   what the user said, https://deepeval.com/docs/metrics-knowledge-retention);
 * - role_adherence: deepeval's RoleAdherenceMetric (against the row's `role`,
 *   https://deepeval.com/docs/metrics-role-adherence);
 * - user_frustration: MLflow 3's `UserFrustration` scorer (lower is better);
 * - goal_achieved: whether the conversation reached the scenario's `expectedOutcome`, as deepeval's
 *   GoalAccuracyMetric and openevals' multi-turn simulation judge a goal
 *   (https://deepeval.com/guides/guides-multi-turn-evaluation-metrics).
 */

import { MissingFieldError } from '../errors.js'
import { formatTranscript } from '../report/conversation.js'
import { builtInNature } from './built-in.js'
import type { JudgedMetricOptions } from './rubric-metric.js'
import { verdictValue } from './rubric-metric.js'
import { buildSectionedPrompt, type PromptSection } from './sectioned-prompt.js'
import type { Metric, MetricContext, MetricInput, MetricValue } from './types.js'

interface ConversationRubric {
  name: string
  version: string
  task: string
  rubric: string
  question: string
  greaterIsBetter?: boolean
  /** What the metric cannot do without, besides the transcript. */
  needs?: 'role' | 'expectedOutcome'
}

const HINTS = {
  role: 'give the conversation row a `role` (the assistant’s role, e.g. "a polite support agent for Acme").',
  expectedOutcome:
    'give the scenario an `expectedOutcome` (or the row an `expectedOutcome` column): what a successful conversation ends with.',
} as const

const NAME_TURNS =
  'In the justification, name the turn or turns your grade is about by their number, as "turn 3" (turns are numbered in the transcript).'

function conversationMetric(spec: ConversationRubric, options: JudgedMetricOptions): Metric {
  return {
    name: spec.name,
    kind: 'score',
    greaterIsBetter: spec.greaterIsBetter ?? true,
    requires: [],
    version: spec.version,
    judged: true,
    ...(options.judge !== undefined ? { judge: options.judge } : {}),
    async score(input: MetricInput, context: MetricContext): Promise<MetricValue> {
      const turns = input.turns
      if (!turns || turns.length === 0) {
        throw new MissingFieldError(
          spec.name,
          'turns',
          'it scores a whole conversation: use it in describeConversation `metrics` (not in describeEval or `turnMetrics`).',
        )
      }
      const sections: PromptSection[] = []
      if (spec.needs) {
        const value = input[spec.needs]
        if (value === undefined || value === '') throw new MissingFieldError(spec.name, spec.needs, HINTS[spec.needs])
        sections.push(
          spec.needs === 'role'
            ? { tag: 'role', label: 'The role the assistant was given', text: value }
            : { tag: 'expected-outcome', label: 'What a successful conversation ends with', text: value },
        )
      }
      if (input.goal !== undefined && spec.needs !== 'role') {
        sections.push({ tag: 'goal', label: 'What the user wanted', text: input.goal })
      }
      sections.push({ tag: 'transcript', label: 'The conversation', text: formatTranscript(turns) })
      const prompt = buildSectionedPrompt({
        name: spec.name,
        version: spec.version,
        task: spec.task,
        rubric: spec.rubric,
        sections,
        question: `${spec.question} ${NAME_TURNS}`,
      })
      const verdict = await context.grade(context.judge, {
        metric: spec.name,
        metricVersion: spec.version,
        builtin: true,
        prompt,
        fields: { output: formatTranscript(turns) },
        trial: context.trial,
        ...(context.signal ? { signal: context.signal } : {}),
      })
      return verdictValue(verdict, context.judge)
    },
  }
}

/** Whether the assistant met every intention the user expressed over the conversation. */
export function conversationCompleteness(options: JudgedMetricOptions = {}): Metric {
  return conversationMetric(
    {
      name: 'conversation_completeness',
      version: 'v1',
      task: 'Read the conversation between a user and an assistant. List to yourself every distinct intention (request, question, need) the user expressed in any turn, then check whether the assistant’s turns satisfied each one by the end of the conversation.',
      rubric: [
        'Score 1: none of the user’s intentions were satisfied.',
        'Score 2: a few intentions were satisfied; most were left unmet.',
        'Score 3: about half of the user’s intentions were satisfied.',
        'Score 4: nearly every intention was satisfied; one minor one was left unmet.',
        'Score 5: every intention the user expressed was satisfied.',
      ].join('\n'),
      question: 'Grade how completely the assistant satisfied the user’s intentions from 1 to 5.',
    },
    options,
  )
}

/** Whether the assistant remembered what the user told it, never asking again or contradicting it. */
export function knowledgeRetention(options: JudgedMetricOptions = {}): Metric {
  return conversationMetric(
    {
      name: 'knowledge_retention',
      version: 'v1',
      task: 'Read the conversation between a user and an assistant. Note every fact the user gave (names, numbers, preferences, constraints) and the turn it was given in, then check every later assistant turn: does it forget such a fact (asks for it again, ignores it) or contradict it?',
      rubric: [
        'Score 1: the assistant repeatedly forgets or contradicts what the user said.',
        'Score 2: the assistant forgets or contradicts a key fact the user gave.',
        'Score 3: the assistant forgets a minor fact, or asks for one again, once.',
        'Score 4: the assistant keeps what the user said, with a slight imprecision.',
        'Score 5: the assistant keeps and uses everything the user said; nothing is asked twice or contradicted.',
      ].join('\n'),
      question:
        'Grade the assistant’s knowledge retention from 1 to 5; if it forgot or contradicted a fact, name the turn where the user gave it and the turn where it was lost.',
    },
    options,
  )
}

/** Whether the assistant stayed in its given role (the row's `role`) in every turn. */
export function roleAdherence(options: JudgedMetricOptions = {}): Metric {
  return conversationMetric(
    {
      name: 'role_adherence',
      version: 'v1',
      needs: 'role',
      task: 'Read the role the assistant was given and the conversation. Check every assistant turn: does it speak and act as that role (persona, tone, scope, limits), or does it break character?',
      rubric: [
        'Score 1: the assistant ignores its role throughout.',
        'Score 2: the assistant breaks its role in several turns.',
        'Score 3: the assistant breaks its role clearly in one turn.',
        'Score 4: the assistant keeps its role with a slight lapse in tone or scope.',
        'Score 5: every assistant turn keeps the role.',
      ].join('\n'),
      question: 'Grade the assistant’s adherence to its role from 1 to 5.',
    },
    options,
  )
}

/**
 * How frustrated the user got. Lower is better: 1 (not frustrated) normalizes to 0, so a pass mark
 * shared by the suite is read as a maximum of 1 - mark.
 */
export function userFrustration(options: JudgedMetricOptions = {}): Metric {
  return conversationMetric(
    {
      name: 'user_frustration',
      version: 'v1',
      greaterIsBetter: builtInNature('user_frustration').greaterIsBetter,
      task: 'Read the conversation between a user and an assistant and judge how frustrated the user became: repeating themselves, complaining, correcting the assistant, giving up, or ending dissatisfied. A higher grade means MORE frustrated.',
      rubric: [
        'Score 1: the user shows no frustration.',
        'Score 2: the user shows mild impatience once, and it is resolved.',
        'Score 3: the user repeats themselves or corrects the assistant; the frustration is partly resolved.',
        'Score 4: the user is clearly frustrated in several turns.',
        'Score 5: the user is very frustrated, gives up or leaves angry.',
      ].join('\n'),
      question: 'Grade the user’s frustration from 1 (none) to 5 (very frustrated).',
    },
    options,
  )
}

/** Whether the conversation reached the expected outcome (the scenario's `expectedOutcome`). */
export function goalAchieved(options: JudgedMetricOptions = {}): Metric {
  return conversationMetric(
    {
      name: 'goal_achieved',
      version: 'v1',
      needs: 'expectedOutcome',
      task: 'Read what a successful conversation ends with and the conversation itself. Judge whether, by its end, the conversation reached that outcome.',
      rubric: [
        'Score 1: the outcome was not reached, or the opposite happened.',
        'Score 2: the conversation moved towards the outcome but fell well short.',
        'Score 3: the outcome was partly reached.',
        'Score 4: the outcome was reached with a minor gap.',
        'Score 5: the outcome was fully reached.',
      ].join('\n'),
      question: 'Grade whether the expected outcome was reached from 1 to 5.',
    },
    options,
  )
}
