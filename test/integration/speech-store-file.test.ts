/**
 * The local audio store on a real folder: what goes in comes out, a write is never seen half
 * done, and its links verify until they lapse, and never once touched.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAudioStore, verifyAudioUrl } from '../../functions/speech/file-audio-store.js';

const dirs: string[] = [];
const aFolder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pufa-audio-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'a-test-secret-of-at-least-32-characters-0123456789';
const NOW = new Date('2026-12-01T08:00:00Z');
const KEY = 'ab'.repeat(32);
const meta = { durationSeconds: 12.5, engine: 'espeak-ng', voice: 'cmn-latn-pinyin', sha256: 'ef'.repeat(32), bytes: 8 };
/** A few bytes that start like an MP3 frame; the store does not read them. */
const mp3 = new Uint8Array([0xff, 0xf3, 0x60, 0xc4, 1, 2, 3, 4]);

const aStore = (folder = aFolder(), now = () => NOW) => new FileAudioStore(folder, { secret: SECRET, now });

/** The parts of a path-only signed link. */
function partsOf(url: string): { key: string; expires: string; sig: string } {
  const parsed = new URL(url, 'http://local');
  const [, key] = parsed.pathname.match(/^\/audio\/([0-9a-f]{64})\.mp3$/) ?? [];
  return { key: key ?? '', expires: parsed.searchParams.get('expires') ?? '', sig: parsed.searchParams.get('sig') ?? '' };
}

describe('the file audio store', () => {
  it('keeps an MP3 and its meta under the key, and says what it has', async () => {
    const store = aStore();
    expect(await store.head(KEY)).toBeUndefined();
    expect(await store.get(KEY)).toBeUndefined();
    expect(await store.put(KEY, mp3, meta)).toBe(true);
    expect(await store.head(KEY)).toEqual(meta);
    expect(await store.get(KEY)).toEqual({ mp3, meta });
  });

  it('keeps the first file under a key: a second put, or one of two at once, changes nothing and says so', async () => {
    const folder = aFolder();
    const store = aStore(folder);
    expect(await store.put(KEY, mp3, meta)).toBe(true);
    expect(await store.put(KEY, mp3, { ...meta, durationSeconds: 13 })).toBe(false);
    expect((await store.head(KEY))?.durationSeconds).toBe(12.5);
    const other = 'cd'.repeat(32);
    const both = await Promise.all([store.put(other, mp3, meta), aStore(folder).put(other, mp3, meta)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    // Two puts at once of different bytes: the meta kept describes the MP3 kept, never the other one's.
    for (let round = 0; round < 20; round += 1) {
      const key = round.toString(16).padStart(2, '0').repeat(32);
      const a = { bytes: new Uint8Array([0xff, 0xf3, 1, round]), meta: { ...meta, sha256: 'a1'.repeat(32) } };
      const b = { bytes: new Uint8Array([0xff, 0xf3, 2, round, 9]), meta: { ...meta, sha256: 'b2'.repeat(32), bytes: 5 } };
      const kept = await Promise.all([store.put(key, a.bytes, a.meta), aStore(folder).put(key, b.bytes, b.meta)]);
      expect(kept.filter(Boolean)).toHaveLength(1);
      const file = await store.get(key);
      expect(file?.meta.sha256).toBe(Buffer.compare(Buffer.from(file?.mp3 ?? []), Buffer.from(a.bytes)) === 0 ? a.meta.sha256 : b.meta.sha256);
    }
    expect(readdirSync(join(folder, 'audio')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(folder, 'audio'))).toEqual(expect.arrayContaining([`${KEY}.json`, `${KEY}.mp3`, `${other}.json`, `${other}.mp3`]));
  });

  it('never shows a file half written: a temporary left by a crash, or a meta without its MP3, is not audio', async () => {
    const folder = aFolder();
    const store = aStore(folder);
    await store.put(KEY, mp3, meta);
    const other = 'cd'.repeat(32);
    writeFileSync(join(folder, 'audio', `${other}.mp3.0123456789ab.tmp`), mp3.subarray(0, 3));
    writeFileSync(join(folder, 'audio', `${other}.json`), JSON.stringify(meta));
    expect(await store.head(other)).toBeUndefined();
    // …and the key can still be kept.
    expect(await store.put(other, mp3, meta)).toBe(true);
    // An MP3 whose put died before its meta (kill -9 between the two): a put of the same bytes describes it.
    const third = 'ef'.repeat(32);
    writeFileSync(join(folder, 'audio', `${third}.mp3`), mp3);
    expect(await store.head(third)).toBeUndefined();
    expect(await store.put(third, mp3, meta)).toBe(false);
    expect(await store.head(third)).toEqual(meta);
  });

  it('refuses keys that are not a SHA-256 in hex, before touching the folder', async () => {
    const store = aStore();
    for (const key of ['../../etc/passwd', 'AB'.repeat(32), 'ab'.repeat(31), `${KEY}.mp3`]) {
      await expect(store.head(key)).rejects.toThrow(RangeError);
      await expect(store.put(key, mp3, meta)).rejects.toThrow(RangeError);
      await expect(store.url(key)).rejects.toThrow(RangeError);
    }
  });

  it('hands out path-only links that verify for their lifetime (15 minutes by default)', async () => {
    const url = await aStore().url(KEY);
    expect(url).toMatch(new RegExp(`^/audio/${KEY}\\.mp3\\?expires=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const { key, expires, sig } = partsOf(url);
    expect(Number(expires)).toBe(NOW.getTime() / 1000 + 15 * 60);
    expect(verifyAudioUrl(key, expires, sig, SECRET, NOW)).toBe(true);
    expect(verifyAudioUrl(key, expires, sig, SECRET, new Date(NOW.getTime() + 15 * 60 * 1000))).toBe(true);
  });

  it('refuses a link once it has expired', async () => {
    const { key, expires, sig } = partsOf(await aStore().url(KEY, 60));
    expect(verifyAudioUrl(key, expires, sig, SECRET, new Date(NOW.getTime() + 61 * 1000))).toBe(false);
  });

  it('refuses a link whose key, expiry or signature was changed, or that another secret signed', async () => {
    const { key, expires, sig } = partsOf(await aStore().url(KEY, 60));
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyAudioUrl('cd'.repeat(32), expires, sig, SECRET, NOW)).toBe(false);
    expect(verifyAudioUrl(key, String(Number(expires) + 3600), sig, SECRET, NOW)).toBe(false);
    expect(verifyAudioUrl(key, expires, flipped, SECRET, NOW)).toBe(false);
    expect(verifyAudioUrl(key, expires, sig.slice(0, 10), SECRET, NOW)).toBe(false);
    expect(verifyAudioUrl(key, expires, sig, `${SECRET}-other`, NOW)).toBe(false);
    expect(verifyAudioUrl(key, `${expires}.5`, sig, SECRET, NOW)).toBe(false);
    expect(verifyAudioUrl('../x', expires, sig, SECRET, NOW)).toBe(false);
  });

  it('refuses a short secret, a bad lifetime and meta without its engine', async () => {
    expect(() => new FileAudioStore(aFolder(), { secret: 'short' })).toThrow(/at least 32/);
    await expect(aStore().url(KEY, 0)).rejects.toThrow(RangeError);
    await expect(aStore().url(KEY, 2 * 24 * 3600)).rejects.toThrow(RangeError);
    await expect(aStore().put(KEY, mp3, { ...meta, engine: '' })).rejects.toThrow(RangeError);
    await expect(aStore().put(KEY, mp3, { ...meta, durationSeconds: Number.NaN })).rejects.toThrow(RangeError);
  });
});
