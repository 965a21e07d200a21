/**
 * Conversation rows (`describeConversation` data): scripted `turns`, or a `scenario` for a simulated
 * user, plus an optional `role` for the assistant. Files, globs and inline data load as eval cases do
 * (`dataset.ts`); a bad row is `VJ_DATASET` naming the file and the line.
 */
import { DatasetError } from '../errors.js'
import { type LoadedRow, loadRows, type RowRules, type RowWhere } from './dataset.js'

/** Who says a turn. */
export type TurnRole = 'user' | 'assistant'

/** One turn of a scripted conversation. */
export interface ConversationTurn {
  role: TurnRole
  content: string
}

/** What a simulated user is after. */
export interface ConversationScenario {
  /** What the user wants to get done, told to the simulator. */
  goal: string
  /** Who the user is and how they talk. */
  persona?: string
  /** Most user turns the simulator may take (it stops earlier when it signals the goal is met). */
  maxTurns: number
  /** What a successful conversation ends with (graded by `goalAchieved`). */
  expectedOutcome?: string
}

/** One conversation row: scripted `turns` or a `scenario`, never both. Extra columns are kept. */
export interface ConversationCase {
  id?: string
  /**
   * Scripted turns. User turns are sent one at a time; an assistant turn in the data is the expected
   * reply to the user turn before it (the `expected` of per-turn reference metrics), never sent to `chat`.
   */
  turns?: ConversationTurn[]
  /** A simulated user's scenario. */
  scenario?: ConversationScenario
  /** The assistant's role (system description), for `roleAdherence`. */
  role?: string
  [column: string]: unknown
}

/** Where conversation rows come from: a `.jsonl` / `.json` / `.csv` path or glob, an array, or a function. */
export type ConversationData =
  | string
  | ReadonlyArray<ConversationCase>
  | (() => ReadonlyArray<ConversationCase> | Promise<ReadonlyArray<ConversationCase>>)

const ROLES: readonly TurnRole[] = ['user', 'assistant']

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function preview(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? String(value)
}

function checkTurns(value: unknown, where: RowWhere, label: string): ConversationTurn[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DatasetError(
      `${label}: "turns" must be a non-empty array of {"role": "user" | "assistant", "content": "..."}, got ${preview(value)}.`,
      where,
    )
  }
  const turns = value.map((turn, index): ConversationTurn => {
    if (!isRecord(turn)) {
      throw new DatasetError(
        `${label}: turns[${index}] must be an object {"role", "content"}, got ${preview(turn)}.`,
        where,
      )
    }
    if (!ROLES.includes(turn.role as TurnRole)) {
      throw new DatasetError(
        `${label}: turns[${index}] has an unknown role ${preview(turn.role)}; use "user" or "assistant".`,
        where,
      )
    }
    if (typeof turn.content !== 'string') {
      throw new DatasetError(`${label}: turns[${index}].content must be a string, got ${preview(turn.content)}.`, where)
    }
    return { role: turn.role as TurnRole, content: turn.content }
  })
  if (!turns.some((t) => t.role === 'user')) {
    throw new DatasetError(`${label}: "turns" has no user turn; a conversation starts with what the user says.`, where)
  }
  return turns
}

function checkScenario(value: unknown, where: RowWhere, label: string): ConversationScenario {
  if (!isRecord(value)) {
    throw new DatasetError(
      `${label}: "scenario" must be an object {"goal", "persona"?, "maxTurns", "expectedOutcome"?}, got ${preview(value)}.`,
      where,
    )
  }
  if (typeof value.goal !== 'string' || value.goal.trim() === '') {
    throw new DatasetError(`${label}: scenario.goal must be a non-empty string (what the user wants).`, where)
  }
  const maxTurns = value.maxTurns
  if (typeof maxTurns !== 'number' || !Number.isInteger(maxTurns) || maxTurns < 1) {
    throw new DatasetError(
      `${label}: scenario.maxTurns must be a whole number >= 1 (most user turns), got ${preview(maxTurns)}.`,
      where,
    )
  }
  for (const field of ['persona', 'expectedOutcome'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string') {
      throw new DatasetError(`${label}: scenario.${field} must be a string, got ${preview(value[field])}.`, where)
    }
  }
  return {
    goal: value.goal,
    maxTurns,
    ...(typeof value.persona === 'string' ? { persona: value.persona } : {}),
    ...(typeof value.expectedOutcome === 'string' ? { expectedOutcome: value.expectedOutcome } : {}),
  }
}

/** Checks one conversation row; throws `DatasetError` naming the row. */
export function checkConversation(value: unknown, where: RowWhere, label: string): ConversationCase {
  if (!isRecord(value)) {
    throw new DatasetError(
      `${label} must be an object like {"turns": [{"role": "user", "content": "..."}]} or {"scenario": {"goal": "...", "maxTurns": 4}}, got ${preview(value)}.`,
      where,
    )
  }
  const hasTurns = value.turns !== undefined
  const hasScenario = value.scenario !== undefined
  if (hasTurns && hasScenario) {
    throw new DatasetError(
      `${label} has both "turns" and "scenario"; a conversation is scripted or simulated, not both.`,
      where,
    )
  }
  if (!hasTurns && !hasScenario) {
    throw new DatasetError(
      `${label} has neither "turns" (a scripted conversation) nor "scenario" (a simulated user).`,
      where,
    )
  }
  const id = value.id
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new DatasetError(`${label}: "id" must be a string or a number.`, where)
  }
  if (value.role !== undefined && typeof value.role !== 'string') {
    throw new DatasetError(
      `${label}: "role" (the assistant's role) must be a string, got ${preview(value.role)}.`,
      where,
    )
  }
  const row: ConversationCase = { ...value }
  if (hasTurns) row.turns = checkTurns(value.turns, where, label)
  else row.scenario = checkScenario(value.scenario, where, label)
  return row
}

const CONVERSATION_RULES: RowRules<ConversationCase> = {
  check: checkConversation,
  csvColumns: ['turns', 'scenario'],
  jsonCells: ['turns', 'scenario'],
}

/** Loads conversation rows; paths and globs resolve against `root`. */
export function loadConversations(data: ConversationData, root: string): Promise<LoadedRow<ConversationCase>[]> {
  return loadRows(data, root, CONVERSATION_RULES)
}
