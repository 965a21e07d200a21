/**
 * The built-in metrics' kind and direction are written once (src/metrics/built-in.ts): every
 * metric the `metrics` namespace builds says the same as the table the comparison falls back on.
 */
import { expect, test } from 'vitest'
import { z } from 'zod'
import { builtInNature } from '../../src/metrics/built-in.js'
import { metrics } from '../../src/metrics/index.js'
import type { Metric } from '../../src/metrics/types.js'

/** Every metric the namespace builds with its simplest options. */
function builtIns(): Metric[] {
  const out: Metric[] = []
  for (const [name, factory] of Object.entries(metrics)) {
    if (name === 'presets') continue
    const args: Record<string, unknown[]> = {
      matchesSchema: [z.object({})],
      preference: [{ against: 'baseline' }],
      embeddingSimilarity: [{ judge: 'openai:text-embedding-3-small' }],
    }
    out.push((factory as (...a: unknown[]) => Metric)(...(args[name] ?? [])))
  }
  for (const preset of Object.values(metrics.presets)) out.push(...(preset as () => Metric[])())
  return out
}

test('every built-in metric has the kind and direction the comparison assumes for old reports', () => {
  const seen = builtIns()
  expect(seen.length).toBeGreaterThan(20)
  for (const metric of seen) {
    expect({ name: metric.name, kind: metric.kind, greaterIsBetter: metric.greaterIsBetter }).toEqual({
      name: metric.name,
      ...builtInNature(metric.name),
    })
  }
  // The table names only metrics that exist.
  const names = new Set(seen.map((m) => m.name))
  for (const name of ['latency', 'token_count', 'flesch_kincaid_grade', 'ari_grade', 'toxicity'])
    expect(names).toContain(name)
})
