/**
 * @module domain/mp3
 * What an MP3 holds (frames, duration, bitrate, sample rate), and several MP3s joined into one,
 * which is how the Polly engine puts a long script's chunk audio together. Pure.
 *
 * A frame walker rather than a package: music-metadata (the maintained choice, 12.1, MIT) is
 * 606 KB unpacked with ten dependencies of its own (file-type, strtok3, debug …), reads many
 * containers we never see, and is asynchronous; the engines here emit plain
 * MPEG Layer III frames, whose 4-byte header is fully specified (ISO/IEC 11172-3, 13818-3 and the
 * MPEG 2.5 extension) and fits in a page. What is checked:
 * - an ID3v2 tag at the start is skipped (its size is syncsafe, plus 10 bytes of footer if flagged);
 * - frames must follow each other with no gap, each header having the 11-bit sync, a known
 *   version, Layer III, a bitrate index 1-14 (no free format), a sample-rate index 0-2, and the
 *   same version and sample rate as the first; at least two frames;
 * - an ID3v1 `TAG` (128 bytes) after the last frame is allowed; anything else is not an MP3;
 * - a Xing/Info/VBRI frame (LAME writes one first when a frame is big enough to hold it, e.g. at
 *   44.1 kHz, not at espeak-ng's 22.05 kHz 32 kb/s) is metadata, not audio: it is not counted in
 *   the frames or the duration, and `joinMp3` drops it (its totals would describe one part only).
 * Not handled, as neither engine makes them: CRC-protected frames' info headers (2 bytes later),
 * free-format bitrates, Layer I/II, APE tags.
 */
import { Invalid } from './errors.js';

export interface Mp3Info {
  /** Audio frames, without a Xing/Info/VBRI frame. */
  frames: number;
  durationSeconds: number;
  /** Mean of the audio frames' bitrates, rounded. */
  bitrateKbps: number;
  sampleRate: number;
}

type Version = 1 | 2 | 2.5;

interface FrameHeader {
  version: Version;
  bitrateKbps: number;
  sampleRate: number;
  length: number;
  samples: number;
  mono: boolean;
}

const BITRATES: Record<'mpeg1' | 'mpeg2', readonly number[]> = {
  mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<Version, readonly number[]> = {
  1: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  2.5: [11025, 12000, 8000],
};
const VERSIONS: Record<number, Version | undefined> = { 0: 2.5, 2: 2, 3: 1 };
const LAYER_III = 1;
const ID3V1_LENGTH = 128;

/** Bytes taken by an ID3v2 tag at `offset`, or 0 when there is none. */
export function id3v2Length(bytes: Uint8Array, offset = 0): number {
  if (bytes.length < offset + 10 || bytes[offset] !== 0x49 || bytes[offset + 1] !== 0x44 || bytes[offset + 2] !== 0x33) return 0;
  const size = [6, 7, 8, 9].reduce((sum, at) => sum * 128 + ((bytes[offset + at] ?? 0) & 0x7f), 0);
  const footer = ((bytes[offset + 5] ?? 0) & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/** The Layer III frame header at `offset`, or undefined if those 4 bytes are not one. */
export function frameHeader(bytes: Uint8Array, offset: number): FrameHeader | undefined {
  if (offset + 4 > bytes.length) return undefined;
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = bytes.subarray(offset, offset + 4);
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = VERSIONS[(b1 >> 3) & 0b11];
  if (version === undefined || ((b1 >> 1) & 0b11) !== LAYER_III) return undefined;
  const bitrateKbps = BITRATES[version === 1 ? 'mpeg1' : 'mpeg2'][b2 >> 4] ?? 0;
  const sampleRate = SAMPLE_RATES[version][(b2 >> 2) & 0b11];
  if (bitrateKbps === 0 || sampleRate === undefined) return undefined;
  const padding = (b2 >> 1) & 1;
  const samples = version === 1 ? 1152 : 576;
  // samples / 8 bits per byte * bitrate / rate: 144 000 for MPEG-1, 72 000 for MPEG-2 and 2.5.
  const length = Math.floor(((samples / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  return { version, bitrateKbps, sampleRate, length, samples, mono: b3 >> 6 === 0b11 };
}

/** Does the frame at `offset` carry a Xing, Info or VBRI header instead of audio? */
function isInfoFrame(bytes: Uint8Array, offset: number, header: FrameHeader): boolean {
  const sideInfo = header.version === 1 ? (header.mono ? 17 : 32) : header.mono ? 9 : 17;
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  const xing = tag(offset + 4 + sideInfo);
  return xing === 'Xing' || xing === 'Info' || tag(offset + 36) === 'VBRI';
}

interface Walk {
  info: Mp3Info;
  /** Byte ranges of the audio frames, in order, contiguous except where an info frame was left out. */
  audio: Array<[number, number]>;
}

function walk(bytes: Uint8Array): Walk {
  let offset = id3v2Length(bytes);
  const first = frameHeader(bytes, offset);
  if (!first) throw new Invalid(`not an MP3: no MPEG Layer III frame at byte ${offset}`);
  let frames = 0;
  let seconds = 0;
  let bitrates = 0;
  let seen = 0;
  const audio: Array<[number, number]> = [];
  while (offset < bytes.length) {
    const header = frameHeader(bytes, offset);
    if (!header) {
      const rest = bytes.length - offset;
      const id3v1 = rest === ID3V1_LENGTH && bytes[offset] === 0x54 && bytes[offset + 1] === 0x41 && bytes[offset + 2] === 0x47;
      if (id3v1) break;
      throw new Invalid(`not an MP3: ${rest} bytes at byte ${offset} after frame ${seen} are not a frame`);
    }
    if (header.version !== first.version || header.sampleRate !== first.sampleRate) {
      throw new Invalid(`not one MP3 stream: frame ${seen + 1} at byte ${offset} is ${header.sampleRate} Hz, the first ${first.sampleRate} Hz`);
    }
    if (offset + header.length > bytes.length) {
      throw new Invalid(`truncated MP3: frame ${seen + 1} at byte ${offset} needs ${header.length} bytes, ${bytes.length - offset} left`);
    }
    if (!(seen === 0 && isInfoFrame(bytes, offset, header))) {
      frames += 1;
      seconds += header.samples / header.sampleRate;
      bitrates += header.bitrateKbps;
      const last = audio.at(-1);
      if (last && last[1] === offset) last[1] += header.length;
      else audio.push([offset, offset + header.length]);
    }
    seen += 1;
    offset += header.length;
  }
  if (seen < 2) throw new Invalid(`not an MP3: ${seen} frame found, at least 2 expected`);
  return {
    info: { frames, durationSeconds: seconds, bitrateKbps: frames === 0 ? 0 : Math.round(bitrates / frames), sampleRate: first.sampleRate },
    audio,
  };
}

/** Frames, duration, mean bitrate and sample rate of an MP3; throws `Invalid` for anything else. */
export function mp3Info(bytes: Uint8Array): Mp3Info {
  return walk(bytes).info;
}

/**
 * The parts' audio frames one after another, as one MP3: ID3 tags and Xing/Info frames dropped.
 * Throws `Invalid` if a part is not an MP3 or the parts differ in sample rate (a player would
 * play the later ones at the wrong speed).
 */
export function joinMp3(parts: readonly Uint8Array[]): Uint8Array {
  const walks = parts.map((part, index) => {
    try {
      return walk(part);
    } catch (error) {
      throw error instanceof Invalid ? new Invalid(`part ${index + 1}: ${error.message}`) : error;
    }
  });
  const rates = new Set(walks.map((each) => each.info.sampleRate));
  if (rates.size > 1) throw new Invalid(`parts differ in sample rate (${[...rates].join(', ')} Hz): cannot be joined`);
  const ranges = walks.flatMap((each, index) => each.audio.map(([from, to]) => ({ part: parts[index] ?? new Uint8Array(), from, to })));
  const joined = new Uint8Array(ranges.reduce((sum, range) => sum + range.to - range.from, 0));
  let at = 0;
  for (const range of ranges) {
    joined.set(range.part.subarray(range.from, range.to), at);
    at += range.to - range.from;
  }
  return joined;
}
