import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { speechCacheKey, type SpeechEngine } from '../../functions/domain/speech-cache.js';
import { speechLexiconSchema, type SpeechLexicon } from '../../functions/domain/speech-lexicon.js';
import { normaliseForSpeech } from '../../functions/domain/speech-text.js';

const lexicon = speechLexiconSchema.parse([
  { word: '银行', pinyin: 'yin2 hang2' },
  { word: '长大', pinyin: 'zhang3 da4' },
]);
const aRequest = (overrides: Partial<Parameters<typeof speechCacheKey>[0]> = {}) => ({
  engine: 'polly' as SpeechEngine,
  voice: 'Zhiyu',
  text: '请到银行办理，拨打12348咨询。',
  lexicon,
  ...overrides,
});

const script = fc.stringMatching(/^[宪法银行长大重庆一二三，。0-9a ]{1,30}$/u);
const engine = fc.constantFrom<SpeechEngine>('polly', 'espeak-ng');
const voice = fc.constantFrom('Zhiyu', 'cmn-latn-pinyin', 'Zhiyu-neural');

describe('speechCacheKey', () => {
  it('is a SHA-256 hex digest', () => {
    expect(speechCacheKey(aRequest())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same key for the same request, however often it is asked', () => {
    fc.assert(
      fc.property(engine, voice, script, (engineName, voiceName, text) => {
        const request = { engine: engineName, voice: voiceName, text, lexicon };
        expect(speechCacheKey(request)).toBe(speechCacheKey(structuredClone(request)));
      }),
    );
  });

  it('gives a different key when the text, the voice or the engine changes', () => {
    fc.assert(
      fc.property(engine, voice, script, script, (engineName, voiceName, text, other) => {
        fc.pre(text !== other);
        const key = speechCacheKey({ engine: engineName, voice: voiceName, text, lexicon });
        // Two spellings of one reading (12 and 十二) are the same audio: only a different reading changes the key.
        if (normaliseForSpeech(text) !== normaliseForSpeech(other)) {
          expect(speechCacheKey({ engine: engineName, voice: voiceName, text: other, lexicon })).not.toBe(key);
        }
        expect(speechCacheKey({ engine: engineName, voice: `${voiceName}-x`, text, lexicon })).not.toBe(key);
        expect(speechCacheKey({ engine: engineName === 'polly' ? 'espeak-ng' : 'polly', voice: voiceName, text, lexicon })).not.toBe(key);
      }),
    );
  });

  it('gives the same key for digits and the Hanzi they are read as', () => {
    expect(speechCacheKey(aRequest({ text: '拨打12348' }))).toBe(speechCacheKey(aRequest({ text: '拨打一二三四八' })));
  });

  it('changes with the pinyin of a lexicon word the text uses', () => {
    const changed = speechLexiconSchema.parse([
      { word: '银行', pinyin: 'yin2 xing2' },
      { word: '长大', pinyin: 'zhang3 da4' },
    ]);
    for (const engineName of ['polly', 'espeak-ng'] as const) {
      expect(speechCacheKey(aRequest({ engine: engineName, lexicon: changed }))).not.toBe(speechCacheKey(aRequest({ engine: engineName })));
    }
  });

  it('ignores lexicon words the text does not use, and the order of the entries', () => {
    const unused: SpeechLexicon = [...lexicon, ...speechLexiconSchema.parse([{ word: '重庆', pinyin: 'chong2 qing4' }])];
    expect(speechCacheKey(aRequest({ lexicon: unused }))).toBe(speechCacheKey(aRequest()));
    expect(speechCacheKey(aRequest({ lexicon: [...lexicon].reverse() }))).toBe(speechCacheKey(aRequest()));
    const withoutUnused = speechLexiconSchema.parse([{ word: '银行', pinyin: 'yin2 hang2' }]);
    expect(speechCacheKey(aRequest({ lexicon: withoutUnused }))).toBe(speechCacheKey(aRequest()));
  });

  it('changes when a lexicon word the text uses is added or removed', () => {
    expect(speechCacheKey(aRequest({ lexicon: [] }))).not.toBe(speechCacheKey(aRequest()));
  });
});
