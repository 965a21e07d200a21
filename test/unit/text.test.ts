import { describe, expect, test } from 'vitest'
import {
  contentWords,
  countSyllables,
  isNumberToken,
  isStopWord,
  splitSentences,
  stem,
  tokenize,
} from '../../src/text/words.js'

describe('tokenize', () => {
  test('lowercases words, keeps numbers, drops punctuation', () => {
    expect(tokenize('Don’t panic: 42 end-to-end tests!')).toEqual(["don't", 'panic', '42', 'end-to-end', 'tests'])
  })

  test('keeps decimal numbers whole but not a sentence-final dot', () => {
    expect(tokenize('Pi is 3.14, and 2+2 equals 4.')).toEqual(['pi', 'is', '3.14', 'and', '2', '2', 'equals', '4'])
  })

  test('strips quotes around words and trailing hyphens', () => {
    expect(tokenize("HTTP 404 means 'Not Found' - well-")).toEqual(['http', '404', 'means', 'not', 'found', 'well'])
  })

  test('a run of hyphens or a dash separates words; one hyphen between letters joins them', () => {
    expect(tokenize('packages--typically libraries')).toEqual(['packages', 'typically', 'libraries'])
    expect(tokenize('state-of-the-art -- and rock’n’roll')).toEqual(['state-of-the-art', 'and', "rock'n'roll"])
  })

  test('handles Cyrillic and other scripts', () => {
    expect(tokenize('Юпитер — крупнейшая планета.')).toEqual(['юпитер', 'крупнейшая', 'планета'])
    expect(tokenize('Ελληνικά κείμενα')).toEqual(['ελληνικά', 'κείμενα'])
  })

  test('returns nothing for text without words', () => {
    expect(tokenize('  ... !!! — ')).toEqual([])
  })
})

describe('isNumberToken and isStopWord', () => {
  test('recognizes numbers', () => {
    expect(isNumberToken('404')).toBe(true)
    expect(isNumberToken('3.14')).toBe(true)
    expect(isNumberToken('v2')).toBe(false)
  })

  test('knows English and Russian stop words, not content words', () => {
    expect(isStopWord('the')).toBe(true)
    expect(isStopWord('which')).toBe(true)
    expect(isStopWord('для')).toBe(true)
    expect(isStopWord('её')).toBe(true)
    expect(isStopWord('planet')).toBe(false)
    expect(isStopWord('планета')).toBe(false)
  })
})

describe('stem', () => {
  test('brings English inflections and derivations together', () => {
    for (const word of ['develop', 'developed', 'develops', 'developing', 'development', 'developer']) {
      expect(stem(word), word).toBe('develop')
    }
    expect(stem('making')).toBe(stem('make'))
    expect(stem('used')).toBe(stem('use'))
    expect(stem('using')).toBe(stem('uses'))
    expect(stem('studies')).toBe(stem('study'))
    expect(stem('biggest')).toBe('big')
    expect(stem('processes')).toBe('process')
    expect(stem("einstein's")).toBe('einstein')
  })

  test('does not over-strip short words or -ss/-us/-is endings', () => {
    expect(stem('need')).toBe('need')
    expect(stem('water')).toBe('water')
    expect(stem('status')).toBe('status')
    expect(stem('analysis')).toBe('analysis')
    expect(stem('class')).toBe('class')
    expect(stem('thing')).toBe('thing')
  })

  test('strips common Russian endings and keeps Cyrillic intact', () => {
    expect(stem('теорию')).toBe('теор')
    expect(stem('теория')).toBe('теор')
    expect(stem('теории')).toBe('теор')
    expect(stem('приложений')).toBe(stem('приложения'))
    expect(stem('ёлка')).toBe('елк')
    expect(stem('юпитер')).toBe('юпитер')
  })

  test('leaves numbers and other scripts unchanged', () => {
    expect(stem('404')).toBe('404')
    expect(stem('κείμενα')).toBe('κείμενα')
  })
})

describe('contentWords', () => {
  test('drops stop words and one-letter words, splits compounds, stems', () => {
    expect(contentWords('MLflow is an open-source platform for managing the end-to-end lifecycle')).toEqual([
      'mlflow',
      'open',
      'sourc',
      'platform',
      'manag',
      'end',
      'end',
      'lifecycl',
    ])
  })

  test('keeps numbers as written', () => {
    expect(contentWords('Water boils at 100 °C')).toEqual(['water', 'boil', '100'])
  })
})

describe('splitSentences', () => {
  test('splits at terminal punctuation and line breaks', () => {
    expect(splitSentences('He was tired! Was he? Yes… Done.\nNew line')).toEqual([
      'He was tired!',
      'Was he?',
      'Yes…',
      'Done.',
      'New line',
    ])
  })

  test('does not split after abbreviations, initials or inside numbers', () => {
    expect(splitSentences('Dr. Smith paid 3.50 dollars, e.g. for tea. J. R. R. Tolkien wrote it.')).toEqual([
      'Dr. Smith paid 3.50 dollars, e.g. for tea.',
      'J. R. R. Tolkien wrote it.',
    ])
  })

  test('keeps a closing quote with its sentence and drops empty pieces', () => {
    expect(splitSentences('He said "Stop." Then left. ...')).toEqual(['He said "Stop."', 'Then left.'])
    expect(splitSentences('   ')).toEqual([])
  })
})

describe('countSyllables', () => {
  test('counts English syllables by vowel groups', () => {
    expect(countSyllables('the')).toBe(1)
    expect(countSyllables('cat')).toBe(1)
    expect(countSyllables('table')).toBe(2) // -le is kept
    expect(countSyllables('simple')).toBe(2)
    expect(countSyllables('make')).toBe(1) // silent e
    expect(countSyllables('created')).toBe(2) // -ted is not dropped; "ea" is one group
    expect(countSyllables('important')).toBe(3)
    expect(countSyllables('readability')).toBe(5)
  })

  test('counts Russian vowels and gives one to numbers', () => {
    expect(countSyllables('молоко')).toBe(3)
    expect(countSyllables('Юпитер')).toBe(3)
    expect(countSyllables('404')).toBe(1)
  })
})
