// What the two HTML report benches share: a seeded case generator (texts of random words) and the
// headless Chromium they open the page in (Debian's /usr/bin/chromium; never a download).

/** A generator of case records (`task.meta.vitestJudge`) from a seed: the same seed, the same cases. */
export function caseGenerator(seed) {
  let state = seed
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const WORDS =
    'the model answered question about refund policy shipping order account password invoice delivery'.split(' ')
  const text = (n) => Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ')
  /** Case `i`; `lift` raises its 1-5 grade (at most 5); `extra` fields are added to the record. */
  const caseMeta = (i, lift = 0, extra = {}) => {
    const raw = Math.max(1, Math.min(5, 1 + Math.floor(random() * 5) + lift))
    const score = (raw - 1) / 4
    return {
      v: 1,
      id: `c${i}`,
      input: text(30),
      output: text(50),
      expected: text(25),
      metrics: {
        answer_similarity: {
          score,
          raw,
          kind: 'score',
          threshold: 0.5,
          pass: score >= 0.5,
          judge: 'openai:gpt-4.1-mini',
          justification: text(25),
        },
        exact_match: { score: random() < 0.6 ? 1 : 0, kind: 'score', pass: null },
        latency: { score: Math.round(200 + random() * 800), kind: 'measurement', pass: null, greaterIsBetter: false },
      },
      judgeErrors: 0,
      cache: { hits: 1, misses: 0 },
      judgeTokens: { input: 300, output: 40 },
      tokens: { input: 120, output: 80 },
      latencyMs: Math.round(200 + random() * 800),
      ...extra,
    }
  }
  return { random, text, caseMeta }
}

/** Headless Chromium as the tests launch it. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}
