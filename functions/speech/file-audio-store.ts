/**
 * @module speech/file-audio-store
 * Audio in the local data folder: `<folder>/audio/<key>.mp3` beside `<key>.json` (its meta).
 * Each file is written to a temporary name and renamed into place, so a reader never sees half an
 * MP3 and a crash leaves at most a stray `.tmp`. Links are path-only and signed:
 * `/audio/<key>.mp3?expires=<unix seconds>&sig=<HMAC-SHA256, base64url>`; the local server's route
 * checks them with `verifyAudioUrl` — the same short-lived, unguessable link S3 presigning gives.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkAudioKey, checkMeta, checkTtl, DEFAULT_URL_TTL_SECONDS, type AudioMeta, type AudioStore } from './audio-store.js';

/** The path the local server serves audio under. */
export const AUDIO_PATH_PREFIX = '/audio/';
/** 256 bits, as the phone-key secret: shorter secrets make guessable signatures. */
const MIN_SECRET_LENGTH = 32;

export interface FileAudioStoreOptions {
  /** The key links are signed with (HMAC-SHA256). */
  secret: string;
  /** The clock links expire by (default: the system's). */
  now?: (() => Date) | undefined;
}

const signatureOf = (key: string, expires: number, secret: string) => createHmac('sha256', secret).update(`audio:${key}:${expires}`).digest('base64url');

/**
 * Whether a link to `key` that says `expires` and `sig` was signed with `secret` and is still
 * live at `now`. Never throws on what a caller sent: a malformed key, expiry or signature is false.
 */
export function verifyAudioUrl(key: string, expires: string | number, sig: string, secret: string, now: Date): boolean {
  if (!/^[0-9a-f]{64}$/.test(key)) return false;
  const expiresAt = typeof expires === 'number' ? expires : /^\d{1,12}$/.test(expires) ? Number(expires) : Number.NaN;
  if (!Number.isSafeInteger(expiresAt)) return false;
  if (Math.floor(now.getTime() / 1000) > expiresAt) return false;
  const expected = Buffer.from(signatureOf(key, expiresAt, secret), 'utf8');
  const given = Buffer.from(sig, 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch says nothing about the secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class FileAudioStore implements AudioStore {
  private readonly dir: string;
  private readonly secret: string;
  private readonly now: () => Date;

  constructor(folder: string, options: FileAudioStoreOptions) {
    if (options.secret.length < MIN_SECRET_LENGTH) throw new RangeError(`The audio link secret needs at least ${MIN_SECRET_LENGTH} characters`);
    this.dir = join(folder, 'audio');
    this.secret = options.secret;
    this.now = options.now ?? (() => new Date());
  }

  private pathOf(key: string, extension: 'mp3' | 'json'): string {
    return join(this.dir, `${checkAudioKey(key)}.${extension}`);
  }

  /** The meta, once the MP3 is in place (a meta file without its MP3 is a put that did not finish). */
  async head(key: string): Promise<AudioMeta | undefined> {
    try {
      const [file, meta] = await Promise.all([stat(this.pathOf(key, 'mp3')), readFile(this.pathOf(key, 'json'), 'utf8')]);
      return file.isFile() ? (JSON.parse(meta) as AudioMeta) : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(key: string, mp3: Uint8Array, meta: AudioMeta): Promise<boolean> {
    checkMeta(meta);
    await mkdir(this.dir, { recursive: true });
    const target = this.pathOf(key, 'mp3');
    // The MP3 goes in with link(), which refuses an existing name: of two puts at once, one keeps
    // its file and the other learns so. Only the one whose MP3 was kept writes the meta, after:
    // until then `head` says there is nothing, never a meta of another put's bytes.
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, mp3, { flag: 'wx' });
    try {
      await link(temporary, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await this.describeLeftover(key, mp3, meta);
      return false;
    } finally {
      await rm(temporary, { force: true });
    }
    await this.writeAtomically(this.pathOf(key, 'json'), JSON.stringify(meta));
    return true;
  }

  /**
   * A kept MP3 without its meta is a put that died between the two (kill -9): when its bytes are
   * this put's, this put's meta describes them, and is written; otherwise it is left to its writer.
   */
  private async describeLeftover(key: string, mp3: Uint8Array, meta: AudioMeta): Promise<void> {
    if (await this.head(key)) return;
    const kept = await readFile(this.pathOf(key, 'mp3'));
    if (Buffer.compare(kept, mp3) === 0) await this.writeAtomically(this.pathOf(key, 'json'), JSON.stringify(meta));
  }

  async get(key: string): Promise<{ mp3: Uint8Array; meta: AudioMeta } | undefined> {
    try {
      const [mp3, meta] = await Promise.all([readFile(this.pathOf(key, 'mp3')), readFile(this.pathOf(key, 'json'), 'utf8')]);
      return { mp3: new Uint8Array(mp3.buffer, mp3.byteOffset, mp3.length), meta: JSON.parse(meta) as AudioMeta };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Whether a link this store signed for `key` says `expires` and `sig` and is live now, by the clock it signs with. */
  verify(key: string, expires: string, sig: string): boolean {
    return verifyAudioUrl(key, expires, sig, this.secret, this.now());
  }

  async url(key: string, ttlSeconds = DEFAULT_URL_TTL_SECONDS): Promise<string> {
    checkAudioKey(key);
    const expires = Math.floor(this.now().getTime() / 1000) + checkTtl(ttlSeconds);
    return `${AUDIO_PATH_PREFIX}${key}.mp3?expires=${expires}&sig=${signatureOf(key, expires, this.secret)}`;
  }

  /** Writes beside the target under a unique name, then renames over it (atomic on one filesystem). */
  private async writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, data, { flag: 'wx' });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
