/**
 * The local speech engine against the real espeak-ng and lame (Debian packages; .ci/run installs
 * them): pinyin in, an MP3 out, and every way it can fail said plainly.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SpeechError } from '../../functions/speech/engine.js';
import { createEspeakEngine } from '../../functions/speech/espeak.js';

const dirs: string[] = [];
const aDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pufa-espeak-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.unstubAllEnvs());

/** An MP3 starts with a frame sync (11 set bits) or an ID3v2 tag. */
const looksLikeMp3 = (bytes: Uint8Array) =>
  (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0) || Buffer.from(bytes.subarray(0, 3)).toString('latin1') === 'ID3';

/** A folder holding only the named commands (links to the real ones), to stand for a PATH without the others. */
function pathWithOnly(...commands: string[]): string {
  const dir = aDir();
  for (const command of commands) symlinkSync(`/usr/bin/${command}`, join(dir, command));
  return dir;
}

const engine = createEspeakEngine();

describe('the espeak-ng engine', () => {
  it('says tone-numbered pinyin as an MP3', async () => {
    const mp3 = await engine.synthesize({ pinyin: 'ni3 hao3 , fa3 zhi4 xuan1 chuan2 .' });
    expect(mp3.length).toBeGreaterThan(1000);
    expect(looksLikeMp3(mp3)).toBe(true);
    expect(engine).toMatchObject({ name: 'espeak-ng', voice: 'cmn-latn-pinyin', takes: 'pinyin' });
  });

  it('makes a longer file of a longer script', async () => {
    const short = await engine.synthesize({ pinyin: 'fa3 zhi4 xuan1 chuan2 .' });
    const long = await engine.synthesize({ pinyin: Array.from({ length: 6 }, () => 'cun1 min2 peng2 you3 men2 , fa3 zhi4 xuan1 chuan2 ri4 kuai4 dao4 le5 .').join(' ') });
    expect(long.length).toBeGreaterThan(short.length * 3);
  });

  it('takes text that looks like options or shell as plain words (no shell, text on stdin)', async () => {
    const marker = join(aDir(), 'pwned');
    const mp3 = await engine.synthesize({ pinyin: `--version ; $(touch ${marker}) \`touch ${marker}\` ni3 hao3` });
    expect(looksLikeMp3(mp3)).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses SSML and empty pinyin, naming what it reads', async () => {
    await expect(engine.synthesize({ ssml: ['<speak>你好</speak>'] })).rejects.toThrow(/tone-numbered pinyin/);
    await expect(engine.synthesize({ pinyin: '  ' })).rejects.toMatchObject({ code: 'EmptyInput' });
  });

  it('names the Debian package when espeak-ng is not on PATH', async () => {
    vi.stubEnv('PATH', pathWithOnly('lame'));
    const failure = await engine.synthesize({ pinyin: 'ni3 hao3' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SpeechError);
    expect(failure).toMatchObject({ code: 'MissingCommand', message: expect.stringMatching(/espeak-ng was not found.*apt-get install espeak-ng/) });
  });

  it('names the Debian package when lame is not on PATH', async () => {
    vi.stubEnv('PATH', pathWithOnly('espeak-ng'));
    await expect(engine.synthesize({ pinyin: 'ni3 hao3' })).rejects.toMatchObject({ code: 'MissingCommand', message: expect.stringMatching(/apt-get install lame/) });
  });

  it('reports a failing exit with what the command wrote to stderr', async () => {
    const failure = await createEspeakEngine({ voice: 'nosuchvoice' }).synthesize({ pinyin: 'ni3 hao3' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'CommandFailed', message: expect.stringMatching(/espeak-ng exited with 1: .*voice does not exist/) });
  });

  it('kills both processes when synthesis takes too long', async () => {
    const dir = aDir();
    const stuck = join(dir, 'espeak-ng');
    writeFileSync(stuck, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(stuck, 0o755);
    const started = Date.now();
    const failure = await createEspeakEngine({ espeakCommand: stuck, timeoutMs: 300 }).synthesize({ pinyin: 'ni3 hao3' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'Timeout', message: expect.stringMatching(/took longer than 300 ms/) });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
