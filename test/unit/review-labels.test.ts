import { describe, expect, test } from 'vitest'
import { describeAgreement, mergeAgreements } from '../../src/report/agreement.js'
import { caseDigest } from '../../src/report/dataset-digest.js'
import {
  agreementWithLabels,
  formatLabels,
  type HumanLabel,
  indexLabels,
  labelLines,
  withCaseLabels,
} from '../../src/report/labels.js'
import type { MetricAgreement, ReportCase } from '../../src/report/types.js'

const FILE = 'evals/qa.eval.ts'

function reportCase(i: number, raw: number, human?: number): ReportCase {
  return {
    name: `qa > case ${i}`,
    pass: true,
    scores: { answer_similarity: (raw - 1) / 4 },
    judgeErrors: 0,
    metrics: { answer_similarity: { score: (raw - 1) / 4, raw, kind: 'score' } },
    input: `q${i}`,
    expected: `e${i}`,
    ...(human === undefined ? {} : { human: { answer_similarity: human } }),
  }
}

function label(c: ReportCase, grade: number, extra: Partial<HumanLabel> = {}): HumanLabel {
  return {
    file: FILE,
    case: c.name,
    metric: 'answer_similarity',
    grade,
    scale: 'grade',
    reviewer: 'alice',
    at: '2026-12-07T10:00:00.000Z',
    caseDigest: caseDigest(c),
    ...extra,
  }
}

describe('review labels in agreement', () => {
  const cases = [reportCase(0, 5), reportCase(1, 4), reportCase(2, 2, 2), reportCase(3, 3)]
  // Case 2: the dataset says 2, the label 5 (the dataset wins); case 3: its input changed since (stale).
  const labels = [
    label(cases[0] as ReportCase, 5),
    label(cases[1] as ReportCase, 1),
    label(cases[2] as ReportCase, 5),
    label(cases[3] as ReportCase, 3, { caseDigest: caseDigest({ input: 'old question' }) }),
  ]
  const index = indexLabels(labels)

  test('current labels count, the dataset wins for the same case and metric, stale labels do not count', () => {
    const a = agreementWithLabels(cases, index, FILE, FILE).answer_similarity
    expect(a?.n).toBe(3)
    expect(a?.fromLabels).toBe(2)
    expect(a?.datasetWon).toBe(1)
    expect(a?.confusion[1]?.[1]).toBe(1) // the dataset's 2 against the judge's 2, not the label's 5
    expect(a?.confusion[0]?.[3]).toBe(1) // the label's 1 against the judge's 4
    const line = describeAgreement(a as NonNullable<typeof a>)
    expect(line).toContain('2 grades from review labels')
    expect(line).toContain("1 review label not used: the dataset's human grade wins")
    const m = a as MetricAgreement
    const merged = mergeAgreements([{ agreement: { answer_similarity: m } }, { agreement: { answer_similarity: m } }])
    expect(merged.answer_similarity?.fromLabels).toBe(4)
  })

  test('labels beside the cases, stale marked; show lines; no labels leaves agreement as it was', () => {
    const shown = withCaseLabels(cases, index, FILE)
    expect(shown[3]?.labels?.answer_similarity?.stale).toBe(true)
    expect(shown[0]?.labels?.answer_similarity?.stale).toBe(false)
    const lines = labelLines({ runs: [{ file: FILE, cases: shown }] })
    expect(lines[1]).toBe(`${FILE} > qa > case 1 · answer_similarity: judge 4/5 · human 1/5 by alice`)
    expect(lines[3]).toContain('[stale: the case changed since]')
    const none = agreementWithLabels(cases, indexLabels([]), FILE, FILE).answer_similarity
    expect(none?.n).toBe(1)
    expect(none?.fromLabels).toBeUndefined()
  })

  test('export: jsonl objects and csv with the SPEC header, formulas neutralised', () => {
    const rows = [label(cases[0] as ReportCase, 5, { comment: '+cmd, "quoted"' })]
    expect(formatLabels(rows, 'csv')).toBe(
      `case,file,metric,grade,reviewer,comment,at\r\nqa > case 0,${FILE},answer_similarity,5,alice,"'+cmd, ""quoted""",2026-12-07T10:00:00.000Z\r\n`,
    )
    expect(JSON.parse(formatLabels(rows, 'jsonl'))).toEqual({
      case: 'qa > case 0',
      file: FILE,
      metric: 'answer_similarity',
      grade: 5,
      reviewer: 'alice',
      comment: '+cmd, "quoted"',
      at: '2026-12-07T10:00:00.000Z',
    })
  })
})
