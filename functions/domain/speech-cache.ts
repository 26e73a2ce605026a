/**
 * @module domain/speech-cache
 * The name under which a script's audio is kept: the same script, voice, engine and pronunciations
 * give the same key, so a repeat broadcast or an unchanged plan does not pay Polly again; any
 * change that could change the audio gives a new one. Pure.
 */
import { createHash } from 'node:crypto';
import { lexiconSegments, type SpeechLexicon } from './speech-lexicon.js';
import { toPinyin } from './speech-pinyin.js';
import { pollySsml } from './speech-ssml.js';
import { normaliseForSpeech } from './speech-text.js';

export type SpeechEngine = 'polly' | 'espeak-ng';

/**
 * Bump when the text pipeline changes what it sends (a new number rule, a new chunking): old audio
 * then stops matching instead of being served for text that now reads differently.
 */
export const speechFormatVersion = 1;

/**
 * SHA-256 (hex) of a canonical JSON array: format version, engine, voice, the normalised text, the
 * lexicon entries that the text actually uses (sorted, so the lexicon's order and its unused words
 * do not matter), and what the engine is really sent (the pinyin for espeak-ng, the SSML chunks
 * for Polly), which also catches a pinyin-pro upgrade that reads a word differently.
 */
export function speechCacheKey(input: { engine: SpeechEngine; voice: string; text: string; lexicon: SpeechLexicon }): string {
  const text = normaliseForSpeech(input.text);
  const used = new Map<string, string>();
  for (const segment of lexiconSegments(text, input.lexicon)) if (segment.entry) used.set(segment.entry.word, segment.entry.pinyin);
  const lexicon = [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sent = input.engine === 'espeak-ng' ? [toPinyin(text, input.lexicon)] : pollySsml(text, input.lexicon);
  const canonical = JSON.stringify([speechFormatVersion, input.engine, input.voice, text, lexicon, sent]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
