import { describe, expect, it } from 'vitest';
import { speechLexiconSchema } from '../../functions/domain/speech-lexicon.js';
import { toPinyin } from '../../functions/domain/speech-pinyin.js';

describe('toPinyin', () => {
  it.each([
    ['银行', 'yin2 hang2'],
    ['重庆', 'chong2 qing4'],
    ['长大', 'zhang3 da4'],
    ['行长', 'hang2 zhang3'],
    ['音乐', 'yin1 yue4'],
    ['了解', 'liao3 jie3'],
    ['银行行长在重庆长大', 'yin2 hang2 hang2 zhang3 zai4 chong2 qing4 zhang3 da4'],
  ])('reads the polyphones in %s by their word', (text, pinyin) => {
    expect(toPinyin(text, [])).toBe(pinyin);
  });

  it('writes the neutral tone 5, the tone espeak-ng speaks short and low (0 it speaks as tone 1)', () => {
    expect(toPinyin('我们的', [])).toBe('wo3 men5 de5');
  });

  it('writes ü as v after l and n, the spelling espeak-ng reads as ü (and u after j, q, x)', () => {
    expect(toPinyin('女儿去旅游学习', [])).toBe('nv3 er2 qu4 lv3 you2 xue2 xi2');
  });

  it('changes the tone of 一 and 不 before another syllable, which espeak-ng does not', () => {
    expect(toPinyin('一个不对', [])).toBe('yi2 ge4 bu2 dui4');
  });

  it('lets a lexicon word override the reading pinyin-pro would give', () => {
    const lexicon = speechLexiconSchema.parse([{ word: '长大', pinyin: 'chang2 da4' }]);
    expect(toPinyin('重庆长大', lexicon)).toBe('chong2 qing4 chang2 da4');
  });

  it('keeps punctuation as pauses: sentence ends as "." and clause breaks as ","', () => {
    expect(toPinyin('宪法，是根本大法。请遵守！好吗？', [])).toBe('xian4 fa3, shi4 gen1 ben3 da4 fa3. qing3 zun1 shou3. hao3 ma5.');
    expect(toPinyin('第一、第二：完', [])).toBe('di4 yi1, di4 er4, wan2');
  });

  it('drops quotes and book-title marks, a leading pause, and folds a run of pauses into the strongest', () => {
    expect(toPinyin('，“民法典”……《宪法》！', [])).toBe('min2 fa3 dian3. xian4 fa3.');
  });

  it('reads the digits as the announcer does, then in pinyin', () => {
    expect(toPinyin('请拨打12348', [])).toBe('qing3 bo1 da3 yi1 er4 san1 si4 ba1');
    expect(toPinyin('2021年', [])).toBe('er4 ling2 er4 yi1 nian2');
  });

  it('passes Latin letters through as words, which espeak-ng spells out', () => {
    expect(toPinyin('下载APP，扫码', [])).toBe('xia4 zai4 APP, sao3 ma3');
  });

  it('gives nothing for nothing to say', () => {
    expect(toPinyin('', [])).toBe('');
    expect(toPinyin('。，“”', [])).toBe('');
  });
});
