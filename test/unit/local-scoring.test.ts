import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import {
  LOCAL_JUDGE_DESCRIPTION,
  localCorrectness,
  localFaithfulness,
  localRelevance,
  localSimilarity,
} from '../../src/judges/local-scoring.js'

interface QaRow {
  id: string
  input: string
  expected: string
}

// The shared data lives next to the repository (/work/shared/data); the rows are inlined below when it is absent.
function loadRows(name: string, fallback: QaRow[]): QaRow[] {
  try {
    const path = fileURLToPath(new URL(`../../../shared/data/${name}`, import.meta.url))
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as QaRow)
  } catch {
    return fallback
  }
}

const EN_ROWS = loadRows('factual-qa.jsonl', [
  {
    id: 'relativity',
    input: 'Who developed the theory of relativity?',
    expected: 'Albert Einstein developed the theory of relativity.',
  },
  {
    id: 'liver',
    input: 'What are the main functions of the liver in the human body?',
    expected:
      'The liver helps with detoxification, protein synthesis, ' +
      'and the production of biochemicals needed for digestion.',
  },
  {
    id: 'http-404',
    input: 'Explain what HTTP status code 404 means.',
    expected: "HTTP 404 means 'Not Found': the server cannot find the requested resource.",
  },
  {
    id: 'boiling-point',
    input: 'What is the boiling point of water at sea level in Celsius?',
    expected: 'The boiling point of water at sea level is 100 degrees Celsius.',
  },
  {
    id: 'largest-planet',
    input: 'Name the largest planet in our solar system.',
    expected: 'Jupiter is the largest planet in our solar system.',
  },
  {
    id: 'ios-language',
    input: 'Which programming language is used to develop iOS apps?',
    expected: 'Swift is the main programming language used to develop iOS apps.',
  },
  {
    id: 'mlflow',
    input: 'What is MLflow?',
    expected:
      'MLflow is an open-source platform for managing the end-to-end machine learning lifecycle, ' +
      'including experiment tracking, packaging code and models, and deployment.',
  },
  {
    id: 'spark',
    input: 'What is Spark?',
    expected:
      'Apache Spark is an open-source distributed computing system for big data processing and analytics, ' +
      'with libraries for SQL, streaming and machine learning.',
  },
])

const RU_ROWS = loadRows('factual-qa.ru.jsonl', [
  {
    id: 'relativity',
    input: 'Кто разработал теорию относительности?',
    expected: 'Альберт Эйнштейн разработал теорию относительности.',
  },
  {
    id: 'liver',
    input: 'Каковы основные функции печени в человеческом организме?',
    expected:
      'Печень помогает в детоксикации, синтезе белков и производстве биохимикатов, необходимых для пищеварения.',
  },
  {
    id: 'http-404',
    input: 'Объясните, что означает HTTP статус код 404.',
    expected: "HTTP 404 означает 'Не найдено' — сервер не может найти запрашиваемый ресурс.",
  },
  {
    id: 'boiling-point',
    input: 'Какова температура кипения воды на уровне моря в Цельсиях?',
    expected: 'Температура кипения воды на уровне моря составляет 100 градусов Цельсия.',
  },
  {
    id: 'largest-planet',
    input: 'Назовите крупнейшую планету в нашей солнечной системе.',
    expected: 'Юпитер — крупнейшая планета в нашей солнечной системе.',
  },
  {
    id: 'ios-language',
    input: 'Какой язык программирования используется для разработки приложений iOS?',
    expected: 'Swift — основной язык программирования, используемый для разработки приложений iOS.',
  },
])

// Paraphrases as a model might answer: reordered, other word forms, some words swapped or dropped.
const EN_PARAPHRASES: Record<string, string> = {
  relativity: 'The theory of relativity was developed by Albert Einstein.',
  liver:
    "The liver's main jobs are detoxifying the body, synthesizing proteins, " +
    'and producing the biochemicals that digestion needs.',
  'http-404': 'A 404 status code means the requested resource was not found: the server could not find it.',
  'boiling-point': 'At sea level, water boils at 100 degrees Celsius.',
  'largest-planet': 'The biggest planet in our solar system is Jupiter.',
  'ios-language': 'iOS apps are mainly developed in the Swift programming language.',
  mlflow:
    'MLflow is an open source platform that manages the whole machine learning lifecycle, ' +
    'from tracking experiments to packaging code and models and deploying them.',
  spark:
    'Apache Spark is an open-source distributed system for processing and analyzing big data; ' +
    'it includes libraries for SQL, streaming, and machine learning.',
}

const RU_PARAPHRASES: Record<string, string> = {
  relativity: 'Теорию относительности разработал Альберт Эйнштейн.',
  liver: 'Основные функции печени — детоксикация, синтез белка и выработка биохимических веществ для пищеварения.',
  'http-404': 'Код 404 в HTTP значит «не найдено»: сервер не нашёл запрошенный ресурс.',
  'boiling-point': 'На уровне моря вода закипает при 100 градусах Цельсия.',
  'largest-planet': 'Самая большая планета Солнечной системы — Юпитер.',
  'ios-language': 'Для создания iOS-приложений в основном используют язык Swift.',
}

function paraphraseOf(table: Record<string, string>, id: string): string {
  const text = table[id]
  if (text === undefined) throw new Error(`no paraphrase written for ${id}`)
  return text
}

describe('localSimilarity on factual QA', () => {
  test('the data has the expected rows', () => {
    expect(EN_ROWS.map((row) => row.id)).toEqual(Object.keys(EN_PARAPHRASES))
    expect(RU_ROWS.map((row) => row.id)).toEqual(Object.keys(RU_PARAPHRASES))
  })

  test.each(EN_ROWS)('a paraphrase of $id scores 4 or 5', (row) => {
    const verdict = localSimilarity(paraphraseOf(EN_PARAPHRASES, row.id), row.expected)
    expect(verdict.score, verdict.justification).toBeGreaterThanOrEqual(4)
  })

  test.each(EN_ROWS)('the answer to another question scores at most 2 against $id', (row) => {
    for (const other of EN_ROWS.filter((candidate) => candidate.id !== row.id)) {
      const verdict = localSimilarity(other.expected, row.expected)
      expect(verdict.score, `${other.id}: ${verdict.justification}`).toBeLessThanOrEqual(2)
    }
  })

  test.each(RU_ROWS)('a Russian paraphrase of $id scores higher against its own reference', (row) => {
    const paraphrase = paraphraseOf(RU_PARAPHRASES, row.id)
    const own = localSimilarity(paraphrase, row.expected)
    expect(own.score).toBeGreaterThanOrEqual(3)
    for (const other of RU_ROWS.filter((candidate) => candidate.id !== row.id)) {
      const verdict = localSimilarity(paraphrase, other.expected)
      expect(verdict.score, other.id).toBeLessThan(own.score)
      expect(verdict.signal).toBeLessThan(own.signal)
    }
  })

  test('correctness agrees on the paraphrases and the unrelated answers', () => {
    for (const row of EN_ROWS) {
      expect(localCorrectness(paraphraseOf(EN_PARAPHRASES, row.id), row.expected).score).toBeGreaterThanOrEqual(4)
      for (const other of EN_ROWS.filter((candidate) => candidate.id !== row.id)) {
        expect(localCorrectness(other.expected, row.expected).score).toBeLessThanOrEqual(2)
      }
    }
  })
})

describe('localSimilarity', () => {
  test('word order does not matter', () => {
    expect(localSimilarity('Paris is the capital of France.', 'The capital of France is Paris.').score).toBe(5)
  })

  test('identical texts score 5, in any language and without content words', () => {
    for (const text of [
      'Trees are plants.',
      'Юпитер — крупнейшая планета.',
      'It is what it is.',
      '',
      EN_ROWS[6]?.expected ?? 'x',
    ]) {
      expect(localSimilarity(text, text).score, text).toBe(5)
    }
  })

  test('a wrong claim scores lower than a correct one with extra words', () => {
    const wrong = localSimilarity('Trees are animals.', 'Trees are plants.')
    const right = localSimilarity('Trees are plants, not animals.', 'Trees are plants.')
    expect(wrong.score).toBeLessThan(right.score)
    expect(right.score).toBeGreaterThanOrEqual(4)
  })

  test('a negated claim is penalized', () => {
    const verdict = localSimilarity('Trees are not plants.', 'Trees are plants.')
    expect(verdict.score).toBeLessThanOrEqual(2)
    expect(verdict.justification).toContain('contradicts')
  })

  test('a different number pulls the score down', () => {
    const reference = 'The boiling point of water at sea level is 100 degrees Celsius.'
    const same = localSimilarity('At sea level water boils at 100 degrees Celsius.', reference)
    const wrong = localSimilarity('The boiling point of water at sea level is 90 degrees Celsius.', reference)
    expect(same.score).toBeGreaterThanOrEqual(4)
    expect(wrong.score).toBeLessThanOrEqual(2)
    expect(wrong.justification).toContain('numbers differ (90 vs 100)')
  })

  test('another name in the same sentence frame is not similar', () => {
    const reference = 'Jupiter is the largest planet in our solar system.'
    expect(localSimilarity('Saturn is the largest planet in our solar system.', reference).score).toBeLessThanOrEqual(2)
    expect(
      localSimilarity('Isaac Newton developed the theory of relativity.', EN_ROWS[0]?.expected ?? '').score,
    ).toBeLessThanOrEqual(2)
  })

  test('a sentence opener is not taken for a name', () => {
    expect(
      localSimilarity(
        'Basically, Einstein developed relativity theory.',
        'Albert Einstein developed the theory of relativity.',
      ).score,
    ).toBeGreaterThanOrEqual(4)
  })

  test('character trigrams give credit to compounds written together', () => {
    const verdict = localSimilarity(
      'An opensource platform for dataprocessing.',
      'An open-source platform for data processing.',
    )
    // Word overlap alone is 1 of 3 vs 1 of 5 words (F1 0.25, a 2); the shared trigrams lift it to 3.
    expect(verdict.score).toBe(3)
  })

  test('a typo in a name is not a different name', () => {
    const verdict = localSimilarity(
      'The theory of relativty was developped by Albert Einstien.',
      'Albert Einstein developed the theory of relativity.',
    )
    expect(verdict.score).toBe(5)
    expect(verdict.justification).not.toContain('names differ')
  })

  test('empty or content-free against real text scores 1', () => {
    expect(localSimilarity('', 'Paris').score).toBe(1)
    expect(localSimilarity('I do not know.', 'Albert Einstein developed the theory of relativity.').score).toBe(1)
  })

  test('the justification names shared and missing words and stays short', () => {
    const verdict = localSimilarity(
      'Einstein developed relativity.',
      'Albert Einstein developed the theory of relativity.',
    )
    expect(verdict.justification).toMatch(/shared: .*einstein/)
    expect(verdict.justification).toMatch(/missing: .*albert/)
    const long = localSimilarity(
      Array.from({ length: 80 }, (_, i) => `alpha${i}`).join(' '),
      Array.from({ length: 80 }, (_, i) => `beta${i}`).join(' '),
    )
    expect(long.justification.length).toBeLessThanOrEqual(200)
  })

  test('is deterministic', () => {
    const a = localSimilarity(EN_PARAPHRASES.liver ?? '', EN_ROWS[1]?.expected ?? '')
    const b = localSimilarity(EN_PARAPHRASES.liver ?? '', EN_ROWS[1]?.expected ?? '')
    expect(a).toEqual(b)
  })
})

describe('localCorrectness', () => {
  test('missing key facts cost more than extra words', () => {
    const reference = 'Darth Vader is a fictional villain in the Star Wars films, formerly the Jedi Anakin Skywalker.'
    const partial = 'Darth Vader is a character in Star Wars.'
    expect(localCorrectness(partial, reference).signal).toBeLessThan(localSimilarity(partial, reference).signal)
    expect(localCorrectness(partial, reference).score).toBeLessThanOrEqual(3)
  })

  test('a reference number left out lowers the score', () => {
    const reference = 'The boiling point of water at sea level is 100 degrees Celsius.'
    const without = localCorrectness(
      'The boiling point of water at sea level is measured in degrees Celsius.',
      reference,
    )
    const withNumber = localCorrectness(
      'The boiling point of water at sea level is 100 degrees Celsius exactly.',
      reference,
    )
    expect(without.signal).toBeLessThan(withNumber.signal)
    expect(without.justification).toContain('missing numbers: 100')
  })
})

describe('localRelevance', () => {
  test.each(EN_ROWS)('the reference answer to $id is relevant, another answer is not', (row) => {
    expect(localRelevance(row.expected, row.input).score).toBeGreaterThanOrEqual(4)
    const other = EN_ROWS[(EN_ROWS.indexOf(row) + 1) % EN_ROWS.length]
    expect(localRelevance(other?.expected ?? '', row.input).score).toBeLessThanOrEqual(2)
  })

  test('question words are not required in the answer', () => {
    const verdict = localRelevance('MLflow is a platform for the machine learning lifecycle.', 'What is MLflow?')
    expect(verdict.score).toBe(5)
    expect(verdict.justification).not.toContain('what')
  })

  test('a short answer is relevant when the context links it to the question', () => {
    const question = 'Who developed the theory of relativity?'
    const context = 'Albert Einstein developed the theory of relativity in 1905. Newton described gravity.'
    expect(localRelevance('Einstein.', question).score).toBe(1)
    expect(localRelevance('Einstein.', question, context).score).toBe(5)
    expect(localRelevance('I like pizza.', question, context).score).toBe(1)
  })

  test('an empty answer scores 1', () => {
    expect(localRelevance('', 'What is MLflow?').score).toBe(1)
  })

  test('works in Russian', () => {
    const row = RU_ROWS[4]
    expect(localRelevance(row?.expected ?? '', row?.input ?? '').score).toBeGreaterThanOrEqual(4)
    expect(localRelevance(RU_ROWS[0]?.expected ?? '', row?.input ?? '').score).toBeLessThanOrEqual(2)
  })
})

describe('localFaithfulness', () => {
  const context = 'Albert Einstein developed the theory of relativity in 1905. It changed physics.'

  test('a supported answer scores 5', () => {
    expect(localFaithfulness('Einstein developed relativity in 1905.', context).score).toBe(5)
  })

  test('an unsupported number, name or negation lowers the score', () => {
    for (const answer of [
      'Einstein developed relativity in 1915.',
      'Newton developed relativity.',
      'Einstein did not develop relativity.',
    ]) {
      const verdict = localFaithfulness(answer, context)
      expect(verdict.score, answer).toBeLessThanOrEqual(2)
      expect(verdict.justification, answer).toContain('unsupported')
    }
  })

  test('unsupported extra claims score between the two', () => {
    const verdict = localFaithfulness(
      'Einstein developed relativity. He also invented the telephone and won the Tour de France.',
      context,
    )
    expect(verdict.score).toBeGreaterThanOrEqual(2)
    expect(verdict.score).toBeLessThanOrEqual(3)
    expect(verdict.justification).toContain('1 of 2 sentences supported')
  })

  test('an empty answer scores 1', () => {
    expect(localFaithfulness('', context).score).toBe(1)
  })
})

test('LOCAL_JUDGE_DESCRIPTION is a few sentences', () => {
  const sentences = LOCAL_JUDGE_DESCRIPTION.split(/(?<=\.)\s+/)
  expect(sentences.length).toBeGreaterThanOrEqual(2)
  expect(sentences.length).toBeLessThanOrEqual(4)
})
