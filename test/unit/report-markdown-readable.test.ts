/**
 * The markdown summary is read raw too (terminals, job logs): metric names in code spans, and no
 * entity where markdown gives a character no meaning, while everything stays inert once rendered
 * (checked with `marked`, a GitHub-flavoured markdown renderer).
 */
import { marked } from 'marked'
import { describe, expect, test } from 'vitest'
import { escapeMarkdown, markdownName, renderMarkdown } from '../../src/report/markdown.js'
import type { JsonReport } from '../../src/report/types.js'

const render = (md: string) => marked.parse(md, { gfm: true, async: false })

describe('escapeMarkdown', () => {
  test('leaves what markdown gives no meaning readable', () => {
    expect(escapeMarkdown('answer_similarity p=<0.001 a -> b & c "q" 3 < 4')).toBe(
      'answer_similarity p=<0.001 a -> b & c "q" 3 < 4',
    )
  })

  test('still escapes what would render', () => {
    expect(escapeMarkdown('_em_ __init__ *b* <script> <!-- &amp; [x](javascript:y) ~~s~~ $x$ `c` a|b')).toBe(
      '&#95;em&#95; &#95;&#95;init&#95;&#95; &#42;b&#42; &lt;script> &lt;!-- &amp;amp; &#91;x&#93;(javascript:y) &#126;&#126;s&#126;&#126; &#36;x&#36; &#96;c&#96; a&#124;b',
    )
    expect(escapeMarkdown('> quoted')).toBe('&gt; quoted')
  })

  test('what it leaves raw renders as the same text', () => {
    const text = 'answer_similarity p=<0.001 a -> b & c 3 < 4'
    expect(render(escapeMarkdown(text))).toBe(
      `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>\n`,
    )
    expect(render(`- ${escapeMarkdown('> x _y_ <b>z</b>')}`)).not.toMatch(/<(blockquote|em|b)>/)
  })
})

describe('markdownName', () => {
  test('a code span when it shows the name as it is, else escaped', () => {
    expect(markdownName('answer_similarity')).toBe('`answer_similarity`')
    expect(markdownName('answer_similarity#2')).toBe('`answer_similarity#2`')
    expect(markdownName('a|b')).toBe('a&#124;b')
    expect(markdownName('a`b')).toBe('a&#96;b')
    expect(render(`| ${markdownName('@octocat_x')} |\n| --- |\n`)).toContain('<code>@octocat_x</code>')
  })
})

describe('renderMarkdown read raw', () => {
  const report: JsonReport = {
    version: 1,
    invocation: { id: 'i', startedAt: '2026-12-01T00:00:00Z', git: { commit: null, branch: null }, params: {} },
    runs: [
      {
        id: 'r',
        file: 'evals/qa_bot.eval.ts',
        cases: [
          {
            name: 'qa > capital',
            pass: false,
            scores: { answer_similarity: 0.25 },
            judgeErrors: 0,
            metrics: { answer_similarity: { score: 0.25, kind: 'score', threshold: 0.75, pass: false } },
          },
        ],
        aggregates: {
          answer_similarity: {
            n: 1,
            mean: 0.25,
            variance: 0,
            p90: 0.25,
            min: 0.25,
            max: 0.25,
            median: 0.25,
            pass_rate: 0,
          },
        },
        judgeErrors: 0,
        cache: { hits: 0, misses: 1 },
        tokens: { input: 0, output: 0 },
      },
    ],
    comparison: null,
  }
  const md = renderMarkdown(report, { notes: ['gate: answer_similarity p=<0.001 -> dropped'] })

  test('metric names in code spans, no entity for `_`, `<` or `>` where they mean nothing', () => {
    expect(md).toContain('| `answer_similarity` | 1 | 0.250 |')
    expect(md).toContain('evals/qa_bot.eval.ts')
    expect(md).toContain('answer_similarity 0.250 < 0.750')
    expect(md).toContain('> gate: answer_similarity p=<0.001 -> dropped')
    expect(md).not.toMatch(/&#95;|&lt;0|&gt;/)
  })
})
