import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Invalid } from '../../functions/domain/errors.js';
import { frameHeader, id3v2Length, joinMp3, mp3Info } from '../../functions/domain/mp3.js';

const installed = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const canEncode = installed('espeak-ng') && installed('lame');
if (!canEncode) console.warn('mp3.test: espeak-ng or lame is not installed: the tests on real MP3s are skipped');

const folder = mkdtempSync(join(tmpdir(), 'pufa-mp3-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Speech from espeak-ng encoded by lame, as the local engine will make it. */
function spokenMp3(pinyin: string, lameOptions: string[] = []): Uint8Array {
  const out = join(folder, `${Math.random().toString(36).slice(2)}.mp3`);
  const wav = execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '--stdout', pinyin]);
  execFileSync('lame', ['--quiet', ...lameOptions, '-', out], { input: wav });
  return new Uint8Array(readFileSync(out));
}

/** Samples in the WAV espeak-ng makes for the same text, and its rate: the duration to expect. */
function wavSeconds(pinyin: string): number {
  const wav = execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '--stdout', pinyin]);
  const rate = wav.readUInt32LE(24);
  const bytesPerSample = wav.readUInt16LE(32);
  // espeak-ng streams with an unknown length in the header: the data runs to the end.
  return (wav.length - 44) / bytesPerSample / rate;
}

/** One hand-built Layer III frame: header fields in, a zero payload of the right length. */
function aFrame(options: { version?: 1 | 2 | 2.5; bitrateIndex?: number; rateIndex?: number; padding?: 0 | 1; layer?: number } = {}): Uint8Array {
  const { version = 1, bitrateIndex = 9, rateIndex = 0, padding = 0, layer = 0b01 } = options;
  const versionBits = { 1: 0b11, 2: 0b10, 2.5: 0b00 }[version];
  const header = [0xff, 0xe0 | (versionBits << 3) | (layer << 1) | 1, (bitrateIndex << 4) | (rateIndex << 2) | (padding << 1), 0xc0];
  const parsed = frameHeader(new Uint8Array(header), 0);
  const frame = new Uint8Array(parsed?.length ?? 4);
  frame.set(header);
  return frame;
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const repeat = (part: Uint8Array, times: number) => concat(...Array<Uint8Array>(times).fill(part));
/** An ID3v2.4 tag of `size` bytes after its 10-byte header (size written syncsafe). */
const anId3v2 = (size: number) =>
  concat(new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]), new Uint8Array(size));
const anId3v1 = () => concat(new TextEncoder().encode('TAG'), new Uint8Array(125));

describe('frameHeader', () => {
  it('reads the frame length from bitrate, sample rate and padding for each MPEG version', () => {
    // MPEG-1 128 kb/s 44.1 kHz: 144000 * 128 / 44100 = 417.96 → 417, 418 with padding
    expect(frameHeader(aFrame(), 0)).toMatchObject({ version: 1, bitrateKbps: 128, sampleRate: 44100, length: 417, samples: 1152 });
    expect(frameHeader(aFrame({ padding: 1 }), 0)?.length).toBe(418);
    // MPEG-2 64 kb/s 22.05 kHz: 72000 * 64 / 22050 = 208.98 → 208
    expect(frameHeader(aFrame({ version: 2, bitrateIndex: 8, rateIndex: 0 }), 0)).toMatchObject({ bitrateKbps: 64, sampleRate: 22050, length: 208, samples: 576 });
    // MPEG-2.5 8 kb/s 8 kHz: 72000 * 8 / 8000 = 72
    expect(frameHeader(aFrame({ version: 2.5, bitrateIndex: 1, rateIndex: 2 }), 0)).toMatchObject({ bitrateKbps: 8, sampleRate: 8000, length: 72, samples: 576 });
  });

  it('refuses free-format and bad bitrates, a reserved sample rate, and layers other than III', () => {
    expect(frameHeader(aFrame({ bitrateIndex: 0 }), 0)).toBeUndefined();
    expect(frameHeader(aFrame({ bitrateIndex: 15 }), 0)).toBeUndefined();
    expect(frameHeader(aFrame({ rateIndex: 3 }), 0)).toBeUndefined();
    expect(frameHeader(aFrame({ layer: 0b10 }), 0)).toBeUndefined();
    expect(frameHeader(new Uint8Array([0xff, 0xfb]), 0)).toBeUndefined();
  });
});

describe('mp3Info', () => {
  it('counts hand-built frames and their duration', () => {
    expect(mp3Info(repeat(aFrame(), 100))).toEqual({ frames: 100, durationSeconds: (100 * 1152) / 44100, bitrateKbps: 128, sampleRate: 44100 });
  });

  it('skips an ID3v2 tag at the start and an ID3v1 tag at the end', () => {
    const bytes = concat(anId3v2(300), repeat(aFrame({ version: 2, bitrateIndex: 8 }), 10), anId3v1());
    expect(id3v2Length(bytes)).toBe(310);
    expect(mp3Info(bytes)).toMatchObject({ frames: 10, sampleRate: 22050 });
  });

  it('averages the bitrate of a variable-bitrate stream', () => {
    expect(mp3Info(concat(aFrame({ bitrateIndex: 9 }), aFrame({ bitrateIndex: 11 }))).bitrateKbps).toBe(160);
  });

  it.each([
    ['empty', new Uint8Array()],
    ['text', new TextEncoder().encode('<speak>not audio</speak>')],
    ['a WAV header', new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WAVEfmt ')],
    ['one frame only', aFrame()],
    ['a truncated last frame', concat(repeat(aFrame(), 3), aFrame().subarray(0, 100))],
    ['junk after the frames', concat(repeat(aFrame(), 3), new Uint8Array(50).fill(7))],
    ['a change of sample rate mid-stream', concat(repeat(aFrame(), 3), repeat(aFrame({ rateIndex: 1 }), 3))],
    ['only an ID3v2 tag', anId3v2(100)],
  ])('refuses %s as not an MP3', (_case, bytes) => {
    expect(() => mp3Info(bytes)).toThrow(Invalid);
  });

  it.skipIf(!canEncode)('measures an MP3 lame made from espeak-ng speech, not counting its Info frame', () => {
    const pinyin = 'fa3 zhi4 xuan1 chuan2, qing3 bo1 da3 yi1 er4 san1 si4 ba1.';
    const info = mp3Info(spokenMp3(pinyin));
    expect(info.sampleRate).toBe(22050);
    expect(info.bitrateKbps).toBe(32);
    // lame pads the start and end by less than a frame or two each (576 samples = 26 ms at 22.05 kHz)
    expect(info.durationSeconds).toBeGreaterThanOrEqual(wavSeconds(pinyin));
    expect(info.durationSeconds).toBeLessThan(wavSeconds(pinyin) + 0.2);
    expect(info.durationSeconds).toBeCloseTo((info.frames * 576) / 22050, 9);
  });

  it.skipIf(!canEncode)('leaves out the Info frame lame writes first, which holds no audio', () => {
    // At espeak-ng's 22.05 kHz and 32 kb/s a frame is too small for lame's tag; at 44.1 kHz it writes one.
    const bytes = spokenMp3('ni3 hao3.', ['--resample', '44.1']);
    const headers: number[] = [];
    for (let at = 0, header = frameHeader(bytes, 0); header; header = frameHeader(bytes, at)) {
      headers.push(at);
      at += header.length;
    }
    expect(new TextDecoder().decode(bytes.subarray(0, 64))).toMatch(/Info|Xing/);
    expect(mp3Info(bytes).frames).toBe(headers.length - 1);
  });

  it.skipIf(!canEncode)('measures a variable-bitrate MP3 with an ID3v2 tag', () => {
    const bytes = spokenMp3('xian4 fa3 shi4 gen1 ben3 da4 fa3.', ['-V', '4', '--resample', '44.1', '--add-id3v2', '--tt', '宪法宣传']);
    expect(id3v2Length(bytes)).toBeGreaterThan(10);
    expect(new TextDecoder().decode(bytes.subarray(id3v2Length(bytes), id3v2Length(bytes) + 64))).toMatch(/Xing/);
    const info = mp3Info(bytes);
    expect(info).toMatchObject({ sampleRate: 44100 });
    expect(info.frames).toBeGreaterThan(20);
  });
});

describe('joinMp3', () => {
  it('concatenates the frames of each part, dropping their ID3 tags', () => {
    const part = repeat(aFrame(), 4);
    const joined = joinMp3([concat(anId3v2(50), part), concat(part, anId3v1())]);
    expect(joined).toEqual(concat(part, part));
    expect(mp3Info(joined).frames).toBe(8);
  });

  it('refuses parts that are not MP3 or differ in sample rate, naming the part', () => {
    expect(() => joinMp3([repeat(aFrame(), 2), new Uint8Array(10)])).toThrow(/part 2: not an MP3/);
    expect(() => joinMp3([repeat(aFrame(), 2), repeat(aFrame({ rateIndex: 1 }), 2)])).toThrow(/differ in sample rate/);
  });

  it.skipIf(!canEncode)('joins real MP3s into one whose duration is the sum of theirs', () => {
    for (const options of [[], ['--resample', '44.1', '--add-id3v2', '--tt', '普法']]) {
      const parts = ['ni3 hao3.', 'fa3 zhi4 xuan1 chuan2.', 'zai4 jian4.'].map((pinyin) => spokenMp3(pinyin, options));
      const joinedBytes = joinMp3(parts);
      const joined = mp3Info(joinedBytes);
      const each = parts.map(mp3Info);
      expect(joined.frames).toBe(each.reduce((sum, info) => sum + info.frames, 0));
      expect(joined.durationSeconds).toBeCloseTo(each.reduce((sum, info) => sum + info.durationSeconds, 0), 6);
      // No part's ID3 or Info frame is left inside the joined stream.
      expect(new TextDecoder('latin1').decode(joinedBytes)).not.toMatch(/ID3|Info|Xing/);
    }
  });
});
