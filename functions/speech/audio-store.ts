/**
 * @module speech/audio-store
 * Where a notice's MP3 is kept and how a listener gets it: behind one small interface, S3 on AWS
 * (speech/s3-audio-store.ts), the local data folder otherwise (speech/file-audio-store.ts). Audio
 * is keyed by a SHA-256 of what was synthesized (text, engine, voice), so the same script is made
 * once and a key names its sound for good.
 */

export interface AudioMeta {
  durationSeconds: number;
  engine: string;
  voice: string;
  /** SHA-256 (hex) of the MP3: what the reviewer approves and a station checks its download against. */
  sha256: string;
  bytes: number;
}

/** Handing out links to kept recordings: all the dispatcher needs of a store. */
export interface AudioLinks {
  /** A URL that fetches the MP3 for `ttlSeconds`, then no longer. */
  url(key: string, ttlSeconds?: number): Promise<string>;
}

export interface AudioStore extends AudioLinks {
  /** The kept file's meta, or undefined when there is none under the key. */
  head(key: string): Promise<AudioMeta | undefined>;
  /**
   * Keeps the MP3 unless a file is already kept under the key (two submits of one script at
   * once): true when this call's file is the one kept. A key's bytes never change once kept.
   */
  put(key: string, mp3: Uint8Array, meta: AudioMeta): Promise<boolean>;
  /** The MP3 and its meta, or undefined: for serving it locally (and tests). */
  get(key: string): Promise<{ mp3: Uint8Array; meta: AudioMeta } | undefined>;
}

/** A listener's link lasts this long unless asked otherwise: a reviewer's page view, a station's fetch. */
export const DEFAULT_URL_TTL_SECONDS = 15 * 60;
/** The longest link handed out: SigV4 presigned URLs allow 7 days; nobody here needs more than one. */
export const MAX_URL_TTL_SECONDS = 24 * 60 * 60;

const AUDIO_KEY = /^[0-9a-f]{64}$/;

/** Refuses anything but a 64-hex SHA-256 (lowercase): keys become object names and file names. */
export function checkAudioKey(key: string): string {
  if (!AUDIO_KEY.test(key)) throw new RangeError(`An audio key is a SHA-256 as 64 lowercase hex digits; got ${JSON.stringify(key.slice(0, 80))}`);
  return key;
}

export function checkTtl(ttlSeconds: number): number {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_URL_TTL_SECONDS) {
    throw new RangeError(`An audio URL lives 1 to ${MAX_URL_TTL_SECONDS} whole seconds; got ${ttlSeconds}`);
  }
  return ttlSeconds;
}

export function checkMeta(meta: AudioMeta): AudioMeta {
  if (!Number.isFinite(meta.durationSeconds) || meta.durationSeconds < 0) throw new RangeError(`durationSeconds must be a finite number of seconds, at least 0; got ${meta.durationSeconds}`);
  if (meta.engine === '' || meta.voice === '') throw new RangeError('An audio file records the engine and voice that made it');
  if (!/^[0-9a-f]{64}$/.test(meta.sha256)) throw new RangeError('An audio file records its SHA-256 as 64 lowercase hex digits');
  if (!Number.isSafeInteger(meta.bytes) || meta.bytes < 0) throw new RangeError(`bytes must be a whole number, at least 0; got ${meta.bytes}`);
  return meta;
}

/**
 * Fresh links to the recordings a page or an answer shows, one per recording (the scripts of one
 * notice share it), by key. The speech store is built only when there is a recording to link.
 */
export async function recordingLinks(speech: () => Promise<{ audio: AudioLinks }>, recordings: readonly ({ key: string } | undefined)[]): Promise<Map<string, string>> {
  const keys = [...new Set(recordings.flatMap((recording) => (recording ? [recording.key] : [])))];
  if (keys.length === 0) return new Map();
  const { audio } = await speech();
  return new Map(await Promise.all(keys.map(async (key) => [key, await audio.url(key)] as const)));
}
