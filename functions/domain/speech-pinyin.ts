/**
 * @module domain/speech-pinyin
 * A script as espeak-ng's `cmn-latn-pinyin` voice wants it: space-separated pinyin with tone
 * numbers, punctuation kept as `,` and `.` so it pauses. Pure.
 *
 * Polyphones come from pinyin-pro, which reads a character in its word (银行 yin2 hang2, 行长
 * hang2 zhang3, 重庆 chong2 qing4, 长大 zhang3 da4) and applies 一/不 tone sandhi (一个 yi2 ge4,
 * 不对 bu2 dui4), which espeak-ng does not do by itself; 3-3 sandhi (你好) espeak-ng does, so the
 * written tones go through. The plan's lexicon wins over pinyin-pro: its words are cut out first.
 * pinyin-pro's custom dictionary (`customPinyin`) is process-wide state and is not used.
 *
 * What espeak-ng 1.51 does with the spelling (checked with `espeak-ng -v cmn-latn-pinyin -x`):
 * - ü: `lv4` and `lü4` both speak /ly/; `lu:4` is read as two syllables and `jv4` loses its
 *   vowel. So ü is written `v`, and only after l and n (pinyin-pro already writes ju, que, xue).
 * - the neutral tone: `ma5` is spoken low and short; `ma0` and a bare `ma` are spoken as tone 1.
 *   pinyin-pro writes the neutral tone 0, so it becomes 5 here.
 * - Latin letters are spelled out in English (`APP` → A P P), which suits abbreviations.
 *
 * Cost: pinyin-pro is ~460 KB minified; importing it takes ~150 ms here and its first call ~250 ms
 * more (it builds its dictionary matcher), later calls well under a millisecond a sentence. Import
 * this module only where espeak-ng runs (locally), not in the Lambda that calls Polly.
 */
import { pinyin } from 'pinyin-pro';
import { lexiconSegments, syllablesOf, type SpeechLexicon } from './speech-lexicon.js';
import { normaliseForSpeech } from './speech-text.js';

type Token = { kind: 'word'; text: string } | { kind: 'pause'; text: ',' | '.' };

/** Marks after which a speaker stops: a sentence pause. */
const SENTENCE_END = /[。！？；!?;…\n]/u;
/** Marks after which a speaker breathes: a short pause. */
const CLAUSE_BREAK = /[，、,：:—（）()【】［］\[\]｜|/／~～-]/u;

/** pinyin-pro's tone 0 (neutral) is espeak-ng's 5. */
function forEspeak(syllable: string): string {
  return syllable.replace(/0$/, '5');
}

/** What is not Hanzi: letters go through as words, punctuation becomes a pause, the rest is dropped. */
function otherTokens(text: string): Token[] {
  const tokens: Token[] = [];
  for (const [piece] of text.matchAll(/[A-Za-z]+(?:'[A-Za-z]+)?|[^A-Za-z]/gu)) {
    if (/^[A-Za-z]/.test(piece)) tokens.push({ kind: 'word', text: piece });
    else if (SENTENCE_END.test(piece)) tokens.push({ kind: 'pause', text: '.' });
    else if (CLAUSE_BREAK.test(piece)) tokens.push({ kind: 'pause', text: ',' });
    // Quotes, book-title marks, spaces, symbols and emoji: nothing to say, no pause needed.
  }
  return tokens;
}

function plainTokens(text: string): Token[] {
  return pinyin(text, { toneType: 'num', type: 'all', v: true, nonZh: 'consecutive' }).flatMap((item): Token[] =>
    item.isZh && item.pinyin !== '' ? [{ kind: 'word', text: forEspeak(item.pinyin) }] : otherTokens(item.origin),
  );
}

/** Words separated by spaces, a pause glued to the word before it; a run of pauses keeps the strongest. */
function render(tokens: Token[]): string {
  const words: string[] = [];
  let pause: ',' | '.' | '' = '';
  for (const token of tokens) {
    if (token.kind === 'pause') {
      if (words.length > 0 && pause !== '.') pause = token.text;
      continue;
    }
    if (pause !== '') words[words.length - 1] += pause;
    pause = '';
    words.push(token.text);
  }
  if (pause !== '' && words.length > 0) words[words.length - 1] += pause;
  return words.join(' ');
}

/** The script (digits and all) as tone-numbered pinyin for espeak-ng: 拨打12348 → "bo1 da3 yi1 er4 san1 si4 ba1". */
export function toPinyin(text: string, lexicon: SpeechLexicon): string {
  const tokens = lexiconSegments(normaliseForSpeech(text), lexicon).flatMap((segment): Token[] =>
    segment.entry ? syllablesOf(segment.entry).map((syllable) => ({ kind: 'word', text: syllable })) : plainTokens(segment.text),
  );
  return render(tokens);
}
