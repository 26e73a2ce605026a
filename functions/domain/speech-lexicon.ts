/**
 * @module domain/speech-lexicon
 * A plan's pronunciation lexicon: words the engines must not guess (place names, 行长 in a bank
 * notice), each with its pinyin, one tone-numbered syllable per character. Both engines use it:
 * espeak-ng gets the syllables, Polly gets `<phoneme>` tags. Pure.
 */
import { z } from 'zod';
import { visibleText } from './text.js';

/** A plan lists the words its scripts need; 500 is far beyond any county's and keeps matching cheap. */
export const maxLexiconEntries = 500;

const INITIALS = '(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?';
const FINALS =
  '(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn|ia|ie|io|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v|ê)';
/** One pinyin syllable with its tone, 5 for the neutral tone; ü is written v. */
const SYLLABLE = new RegExp(`^${INITIALS}${FINALS}[1-5]$`);
const HAN = /^\p{Script=Han}+$/u;

/** Pinyin writes ü (v here) only after l and n; after j, q, x and y it is written u. */
const isSyllable = (syllable: string) => SYLLABLE.test(syllable) && (!syllable.includes('v') || /^[ln]v/.test(syllable));

/** Lower case, ü as v, single spaces: how a syllable list is compared and stored. */
function tidyPinyin(pinyin: string): string {
  return pinyin.trim().toLowerCase().replace(/ü|u:/g, 'v').replace(/\s+/g, ' ');
}

export const speechLexiconEntrySchema = z
  .object({
    word: visibleText(20).refine((word) => HAN.test(word), 'must be Chinese characters only, such as 银行'),
    pinyin: z
      .string()
      .transform(tidyPinyin)
      .superRefine((pinyin, context) => {
        const bad = pinyin.split(' ').filter((syllable) => !isSyllable(syllable));
        if (pinyin === '' || bad.length > 0) {
          context.addIssue({
            code: 'custom',
            message: `must be pinyin syllables with tone numbers 1-5 separated by spaces, like "yin2 hang2"${bad.length > 0 && pinyin !== '' ? `; not pinyin: ${bad.join(', ')}` : ''}`,
          });
        }
      }),
  })
  .superRefine((entry, context) => {
    const characters = Array.from(entry.word).length;
    const syllables = entry.pinyin.split(' ').length;
    if (characters !== syllables) {
      context.addIssue({
        code: 'custom',
        path: ['pinyin'],
        message: `must have one syllable for each character of word: ${entry.word} has ${characters}, pinyin has ${syllables}`,
      });
    }
  });
export type SpeechLexiconEntry = z.infer<typeof speechLexiconEntrySchema>;

export const speechLexiconSchema = z
  .array(speechLexiconEntrySchema)
  .max(maxLexiconEntries, `must have at most ${maxLexiconEntries} words`)
  .superRefine((entries, context) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.word)) context.addIssue({ code: 'custom', path: [index, 'word'], message: `lists ${entry.word} twice` });
      seen.add(entry.word);
    });
  });
export type SpeechLexicon = z.infer<typeof speechLexiconSchema>;

/** A stretch of text, with its pinyin syllables when a lexicon word covers it. */
export type LexiconSegment = { text: string; entry?: undefined } | { text: string; entry: SpeechLexiconEntry };

/**
 * The text cut into lexicon words and the text between them, longest word first at each position
 * (so 中华人民共和国 beats 中华). Entries are taken as parsed: their pinyin is tidy.
 */
export function lexiconSegments(text: string, lexicon: readonly SpeechLexiconEntry[]): LexiconSegment[] {
  if (lexicon.length === 0) return text === '' ? [] : [{ text }];
  const byWord = new Map(lexicon.map((entry) => [entry.word, entry]));
  const lengths = [...new Set(lexicon.map((entry) => entry.word.length))].sort((a, b) => b - a);
  const segments: LexiconSegment[] = [];
  let plain = '';
  let index = 0;
  while (index < text.length) {
    let entry: SpeechLexiconEntry | undefined;
    for (const length of lengths) {
      entry = byWord.get(text.slice(index, index + length));
      if (entry) break;
    }
    if (entry) {
      if (plain !== '') segments.push({ text: plain });
      plain = '';
      segments.push({ text: entry.word, entry });
      index += entry.word.length;
    } else {
      plain += text[index];
      index += 1;
    }
  }
  if (plain !== '') segments.push({ text: plain });
  return segments;
}

/** A lexicon entry's syllables. */
export function syllablesOf(entry: SpeechLexiconEntry): string[] {
  return entry.pinyin.split(' ');
}
