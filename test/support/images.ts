/**
 * Real, tiny images made here, byte by byte, so a test says exactly what it sends: a PNG (IHDR,
 * one zlib-compressed IDAT, IEND, each chunk with its CRC) and a baseline JPEG (quantization and
 * Huffman tables, a frame header, one scan of flat grey blocks). Both open in an image viewer.
 */
import { crc32, deflateSync } from 'node:zlib';

const be16 = (value: number) => [(value >> 8) & 0xff, value & 0xff];
const be32 = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([Buffer.from(be32(data.length)), typed, Buffer.from(be32(crc32(typed)))]);
}

/**
 * An RGB PNG of `width` × `height`, its pixels made from `seed` (another seed, other bytes);
 * `padTo` adds a private ancillary chunk until the file is at least that many bytes. `interlaced`
 * marks it Adam7 in the header, and `data` replaces the image data (before compression) with
 * what the caller gives, true to the header or not.
 */
export function aPng(options: { width?: number; height?: number; seed?: number; padTo?: number; interlaced?: boolean; data?: Uint8Array } = {}): Uint8Array {
  const { width = 3, height = 2, seed = 1 } = options;
  const rows = options.data ? Buffer.from(options.data) : Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < (options.data ? 0 : height); y += 1) {
    const row = y * (1 + width * 3);
    rows[row] = 0; // filter: none
    for (let x = 0; x < width * 3; x += 1) rows[row + 1 + x] = (seed * 37 + x * 11 + y * 5) & 0xff;
  }
  const header = Buffer.from([...be32(width), ...be32(height), 8, 2, 0, 0, options.interlaced ? 1 : 0]);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows))];
  const size = parts.reduce((sum, part) => sum + part.length, 0) + 12;
  // 12 bytes of chunk framing for the pad, and 12 for IEND.
  if (options.padTo && options.padTo > size + 12) parts.push(pngChunk('puFa', Buffer.alloc(options.padTo - size - 12, 0x2a)));
  parts.push(pngChunk('IEND', new Uint8Array()));
  return new Uint8Array(Buffer.concat(parts));
}

const segment = (marker: number, data: number[]) => [0xff, marker, ...be16(data.length + 2), ...data];

/**
 * A greyscale baseline JPEG of `width` × `height`: every 8×8 block is flat grey (DC difference 0,
 * then end-of-block), which with one-symbol Huffman tables is two 0 bits a block. `comment` goes in
 * a COM segment before the frame header (other bytes, and a segment the reader must step over);
 * `frame` picks the start-of-frame marker (0xC0 baseline, 0xC2 progressive).
 */
export function aJpeg(options: { width?: number; height?: number; comment?: string; frame?: number } = {}): Uint8Array {
  const { width = 16, height = 8, comment = 'pufa', frame = 0xc0 } = options;
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = '00'.repeat(blocks);
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '1');
  const scan = Array.from({ length: padded.length / 8 }, (_, index) => Number.parseInt(padded.slice(index * 8, index * 8 + 8), 2));
  const oneCode = (tableClassAndId: number, symbol: number) => [tableClassAndId, 1, ...new Array<number>(15).fill(0), symbol];
  return new Uint8Array([
    0xff, 0xd8,
    ...segment(0xe0, [...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xfe, [...Buffer.from(comment, 'utf8')]),
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(frame, [8, ...be16(height), ...be16(width), 1, 1, 0x11, 0]),
    ...segment(0xc4, [...oneCode(0x00, 0), ...oneCode(0x10, 0x00)]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...scan,
    0xff, 0xd9,
  ]);
}
