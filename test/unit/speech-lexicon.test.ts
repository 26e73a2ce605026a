import { describe, expect, it } from 'vitest';
import { lexiconSegments, maxLexiconEntries, speechLexiconSchema } from '../../functions/domain/speech-lexicon.js';

const issues = (value: unknown) =>
  speechLexiconSchema.safeParse(value).error?.issues.map((issue) => ({ path: issue.path, message: issue.message })) ?? [];

describe('a speech lexicon', () => {
  it('takes words with one tone-numbered syllable per character, tidied to lower case with ü as v', () => {
    expect(
      speechLexiconSchema.parse([
        { word: '银行', pinyin: 'yin2 hang2' },
        { word: '女儿', pinyin: ' Nü3   ER2 ' },
        { word: '东西', pinyin: 'dong1 xi5' },
      ]),
    ).toEqual([
      { word: '银行', pinyin: 'yin2 hang2' },
      { word: '女儿', pinyin: 'nv3 er2' },
      { word: '东西', pinyin: 'dong1 xi5' },
    ]);
  });

  it('names the pinyin field when the syllables and the characters do not pair up', () => {
    expect(issues([{ word: '银行', pinyin: 'yin2' }])).toEqual([
      { path: [0, 'pinyin'], message: 'must have one syllable for each character of word: 银行 has 2, pinyin has 1' },
    ]);
  });

  it('names the pinyin field and the syllables that are not pinyin with a tone 1-5', () => {
    expect(issues([{ word: '银行', pinyin: 'yin2 hang6' }])).toEqual([
      { path: [0, 'pinyin'], message: 'must be pinyin syllables with tone numbers 1-5 separated by spaces, like "yin2 hang2"; not pinyin: hang6' },
    ]);
    expect(issues([{ word: '银行', pinyin: 'yinhang' }])[0]?.path).toEqual([0, 'pinyin']);
    expect(issues([{ word: '银行', pinyin: 'qv2 hang2' }])[0]?.path).toEqual([0, 'pinyin']);
    expect(issues([{ word: '银', pinyin: '' }])[0]?.path).toEqual([0, 'pinyin']);
  });

  it('names the word field for a word that is not Chinese characters, is blank or too long', () => {
    expect(issues([{ word: 'APP', pinyin: 'ai1 pi1 pi1' }])).toEqual([{ path: [0, 'word'], message: 'must be Chinese characters only, such as 银行' }]);
    expect(issues([{ word: '\u200b', pinyin: 'a1' }])[0]?.path).toEqual([0, 'word']);
    expect(issues([{ word: '法'.repeat(21), pinyin: Array(21).fill('fa3').join(' ') }])[0]?.path).toEqual([0, 'word']);
  });

  it('refuses a word listed twice, naming the second', () => {
    expect(issues([{ word: '行长', pinyin: 'hang2 zhang3' }, { word: '行长', pinyin: 'xing2 zhang3' }])).toEqual([
      { path: [1, 'word'], message: 'lists 行长 twice' },
    ]);
  });

  it(`holds at most ${maxLexiconEntries} words`, () => {
    const words = Array.from({ length: maxLexiconEntries + 1 }, (_, index) => ({ word: String.fromCodePoint(0x4e00 + index), pinyin: 'yi1' }));
    expect(issues(words.slice(0, maxLexiconEntries))).toEqual([]);
    expect(issues(words)).toEqual([{ path: [], message: 'must have at most 500 words' }]);
  });
});

describe('lexiconSegments', () => {
  const lexicon = speechLexiconSchema.parse([
    { word: '中华', pinyin: 'zhong1 hua2' },
    { word: '中华人民共和国', pinyin: 'zhong1 hua2 ren2 min2 gong4 he2 guo2' },
  ]);

  it('cuts out the longest lexicon word at each place and keeps the text between', () => {
    expect(lexiconSegments('《中华人民共和国宪法》与中华文化', lexicon).map((segment) => [segment.text, Boolean(segment.entry)])).toEqual([
      ['《', false],
      ['中华人民共和国', true],
      ['宪法》与', false],
      ['中华', true],
      ['文化', false],
    ]);
  });

  it('gives the text back whole without a lexicon, and nothing for nothing', () => {
    expect(lexiconSegments('宪法', [])).toEqual([{ text: '宪法' }]);
    expect(lexiconSegments('', lexicon)).toEqual([]);
  });
});
