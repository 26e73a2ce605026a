/**
 * @module domain/speech-cache
 * The name under which a script's audio is kept: the same script, voice, engine and pronunciations
 * give the same key, so a repeat broadcast or an unchanged plan does not pay Polly again; any
 * change that could change the audio gives a new one. Pure.
 */
import { createHash } from 'node:crypto';
// Only the version: loading pinyin-pro itself costs ~150 ms and its first call ~250 ms more, which
// a Polly request that only wants its cache key has no need to pay.
import pinyinPro from 'pinyin-pro/package.json' with { type: 'json' };
import { lexiconSegments, type SpeechLexicon } from './speech-lexicon.js';
import { normaliseForSpeech } from './speech-text.js';

export type SpeechEngine = 'polly' | 'espeak-ng';

/**
 * Bump when this code changes what an engine is sent for the same text (a new number rule, a new
 * chunking, a new pinyin spelling): old audio then stops matching instead of being served for text
 * that now reads differently.
 */
export const speechFormatVersion = 1;

/**
 * SHA-256 (hex) of a canonical JSON array of what determines the audio: format version, engine,
 * voice, the normalised text, the lexicon entries the text actually uses (sorted, so the order of
 * the lexicon and its unused words do not matter), and for espeak-ng the pinyin-pro version, whose
 * dictionary decides the polyphones (Polly reads the Hanzi itself).
 */
export function speechCacheKey(input: { engine: SpeechEngine; voice: string; text: string; lexicon: SpeechLexicon }): string {
  const text = normaliseForSpeech(input.text);
  const used = new Map<string, string>();
  for (const segment of lexiconSegments(text, input.lexicon)) if (segment.entry) used.set(segment.entry.word, segment.entry.pinyin);
  const lexicon = [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const reader = input.engine === 'espeak-ng' ? `pinyin-pro@${pinyinPro.version}` : null;
  const canonical = JSON.stringify([speechFormatVersion, input.engine, input.voice, text, lexicon, reader]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
