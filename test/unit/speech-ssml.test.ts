import { describe, expect, it } from 'vitest';
import { speechLexiconSchema } from '../../functions/domain/speech-lexicon.js';
import { pollyLimits, pollySsml, speechCharacters } from '../../functions/domain/speech-ssml.js';
import { normaliseForSpeech } from '../../functions/domain/speech-text.js';

const lexicon = speechLexiconSchema.parse([
  { word: '银行', pinyin: 'yin2 hang2' },
  { word: '我们', pinyin: 'wo3 men5' },
]);

/** What Polly bills for one document: its text without tags, entities counted as one character. */
const billed = (ssml: string) =>
  Array.from(
    ssml
      .replace(/<[^>]+>/g, '')
      .replace(/&(?:lt|gt|amp|quot|apos);/g, '_'),
  ).length;
const total = (ssml: string) => Array.from(ssml).length;
/** The text a document reads, tags and entities undone. */
const spoken = (ssml: string) =>
  ssml
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

const sentence = (index: number) => `第${index}条，村民应当遵守宪法和法律，依法办事，维护社会秩序和公共利益。`;
/** A script of whole sentences, at least `characters` long, a paragraph break now and then. */
const aLongScript = (characters: number) => {
  let script = '';
  for (let index = 1; script.length < characters; index += 1) script += sentence(index) + (index % 7 === 0 ? '\n' : '');
  return script;
};

describe('pollySsml', () => {
  it('makes one document of a short script, normalised, with lexicon words in phoneme tags', () => {
    expect(pollySsml('我们去银行，拨打12348。', lexicon)).toEqual([
      '<speak><phoneme alphabet="x-amazon-pinyin" ph="wo3-men0">我们</phoneme>去' +
        '<phoneme alphabet="x-amazon-pinyin" ph="yin2-hang2">银行</phoneme>，拨打一二三四八。</speak>',
    ]);
  });

  it('escapes the five XML special characters in the text', () => {
    expect(pollySsml(`A<B & "C" 'D'>`, [])).toEqual(['<speak>A&lt;B &amp; &quot;C&quot; &apos;D&apos;&gt;</speak>']);
  });

  it('keeps every document of a 10,000-character script within SynthesizeSpeech limits, losing and reordering nothing', () => {
    const script = aLongScript(10_000).replace(/宪法/g, '银行 & <宪法>');
    const documents = pollySsml(script, lexicon);
    expect(documents.length).toBeGreaterThan(3);
    for (const ssml of documents) {
      expect(ssml).toMatch(/^<speak>.*<\/speak>$/su);
      expect(billed(ssml)).toBeLessThanOrEqual(pollyLimits.billedCharacters);
      expect(total(ssml)).toBeLessThanOrEqual(pollyLimits.totalCharacters);
    }
    // Compared as a boolean: a failing diff of 10,000 characters helps nobody.
    expect(documents.map(spoken).join('').replace(/\s/g, '') === normaliseForSpeech(script).replace(/\s/g, '')).toBe(true);
    expect(documents.reduce((sum, ssml) => sum + billed(ssml), 0)).toBe(speechCharacters(script, lexicon));
  });

  it('ends every document of a script of whole sentences at a sentence end', () => {
    const documents = pollySsml(aLongScript(10_000), []);
    for (const ssml of documents) expect(ssml).toMatch(/。<\/speak>$/u);
    for (const ssml of documents.slice(1)) expect(ssml).toMatch(/^<speak>第/u);
  });

  it('takes a closing quote with the sentence it closes', () => {
    for (const ssml of pollySsml('他说：“请遵守法律！”'.repeat(400), [])) expect(ssml).toMatch(/^<speak>他说.*！”<\/speak>$/u);
  });

  it('cuts a sentence too long for one request at a comma, and a clause too long at any character', () => {
    const longSentence = '依法办事，'.repeat(1000) + '完。';
    const documents = pollySsml(longSentence, []);
    expect(documents.length).toBeGreaterThan(1);
    for (const ssml of documents.slice(0, -1)) expect(ssml).toMatch(/，<\/speak>$/u);

    const noPauses = '法'.repeat(7000);
    const hard = pollySsml(noPauses, []);
    expect(hard.map(billed)).toEqual([3000, 3000, 1000]);
  });

  it('never cuts inside a lexicon word or an entity when a clause has to be cut anywhere', () => {
    const documents = pollySsml('银行&'.repeat(4000), lexicon);
    for (const ssml of documents) {
      expect(total(ssml)).toBeLessThanOrEqual(pollyLimits.totalCharacters);
      expect(ssml).toMatch(/^<speak>(?:<phoneme alphabet="x-amazon-pinyin" ph="yin2-hang2">银行<\/phoneme>&amp;)*(?:<phoneme[^>]*>银行<\/phoneme>)?<\/speak>$/u);
    }
    expect(documents.map(spoken).join('')).toBe('银行&'.repeat(4000));
  });

  it('leaves out what XML cannot carry: control characters and lone surrogates', () => {
    expect(pollySsml('宪\u0000法\u000b宣\ud800传\uffff', [])).toEqual(['<speak>宪法宣传</speak>']);
    expect(speechCharacters('宪\u0000法', [])).toBe(2);
  });

  it('has nothing to send for a blank script', () => {
    expect(pollySsml('', [])).toEqual([]);
    expect(pollySsml(' \n ', [])).toEqual([]);
  });
});

describe('speechCharacters', () => {
  it('counts the text Polly bills, after numbers are written out, tags not counted', () => {
    expect(speechCharacters('银行95%', [])).toBe(8); // 银行百分之九十五
    expect(speechCharacters('银行95%', lexicon)).toBe(8);
    expect(speechCharacters('A & B', [])).toBe(5);
  });
});
