/**
 * @module workflows/recordings
 * A broadcast's recording (text-to-speech), made when the notice is submitted for review: the
 * script is read by the deployment's engine (Amazon Polly on AWS, espeak-ng locally) with the
 * year's pronunciation lexicon, kept under a key made of what decides the sound (text, engine,
 * voice, the lexicon words it uses), so the same script is synthesized once. The reviewer hears
 * exactly that file, and its SHA-256 is part of what they approve (domain/approval).
 */
import { createHash } from 'node:crypto';
import { Unavailable } from '../domain/errors.js';
import { mp3Info } from '../domain/mp3.js';
import type { NoticeAudio } from '../domain/planning.js';
import { speechCacheKey } from '../domain/speech-cache.js';
import type { SpeechLexicon } from '../domain/speech-lexicon.js';
import { pollySsml, speechCharacters } from '../domain/speech-ssml.js';
import type { AudioMeta } from '../speech/audio-store.js';
import type { Speech } from '../speech/from-config.js';

export interface Recording {
  audio: NoticeAudio;
  /** True when the engine read the script now (and Polly billed it), even if another writer's file was kept; false when a kept recording was found. */
  made: boolean;
}

/** The script's recording: the kept one when the same text was read before, else a new one. */
export async function recordScript(speech: Speech, script: string, lexicon: SpeechLexicon, now: Date): Promise<Recording> {
  const { engine, audio } = speech;
  const key = speechCacheKey({ engine: engine.name, voice: engine.voice, text: script, lexicon });
  const characters = speechCharacters(script, lexicon);
  const describe = (meta: { durationSeconds: number; sha256: string; bytes: number }, made: boolean): Recording => ({
    audio: { key, sha256: meta.sha256, durationSeconds: meta.durationSeconds, bytes: meta.bytes, characters, engine: engine.name, voice: engine.voice, madeAt: now.toISOString() },
    made,
  });
  const kept = await audio.head(key);
  if (kept) return describe(kept, false);

  let mp3: Uint8Array;
  let info: ReturnType<typeof mp3Info>;
  try {
    // pinyin-pro costs ~400 ms to load and warm: only the engine that reads pinyin pays it.
    const input = engine.takes === 'ssml' ? { ssml: pollySsml(script, lexicon) } : { pinyin: (await import('../domain/speech-pinyin.js')).toPinyin(script, lexicon) };
    mp3 = await engine.synthesize(input);
    info = mp3Info(mp3);
  } catch (error) {
    // The engine's failure (Polly throttled or down, espeak-ng missing) or output that is not MP3:
    // nothing the writer did; the submit can be tried again.
    throw new Unavailable(`The broadcast could not be recorded (${engine.name}): ${error instanceof Error ? error.message : String(error)}. Submit it again in a moment.`, 30, { cause: error });
  }
  const meta = { durationSeconds: info.durationSeconds, engine: engine.name, voice: engine.voice, sha256: createHash('sha256').update(mp3).digest('hex'), bytes: mp3.byteLength };
  // Two submits of the same script at once: the first file kept is the one both describe.
  const created = await audio.put(key, mp3, meta);
  return describe(created ? meta : await keptMeta(audio, key), true);
}

/** The meta of a file another put kept: written just after its MP3, so it may be a moment away. */
async function keptMeta(audio: Speech['audio'], key: string): Promise<AudioMeta> {
  for (let attempt = 0; attempt < KEPT_META_ATTEMPTS; attempt += 1) {
    const meta = await audio.head(key);
    if (meta) return meta;
    await new Promise((wake) => setTimeout(wake, 50 * (attempt + 1)));
  }
  throw new Unavailable('Another submit of the same script is still keeping its recording. Submit again in a moment.', 5);
}

/** About 2.5 s of waiting in all. */
const KEPT_META_ATTEMPTS = 10;
