/**
 * What `describeImage` lets in: a JPEG or a PNG under 1 MB, named by its SHA-256, with the width
 * and height its own header gives; anything else is refused naming `body`, in Chinese and English.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeImage, ImageRefused, MAX_IMAGE_BYTES, type ImageRefusal } from '../../functions/images/image-store.js';
import { aJpeg, aPng } from '../support/images.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function refusal(bytes: Uint8Array): ImageRefused {
  try {
    describeImage(bytes);
  } catch (error) {
    if (error instanceof ImageRefused) return error;
    throw error;
  }
  throw new Error('describeImage let the bytes in');
}

describe('describeImage', () => {
  it('reads a PNG’s width and height from its IHDR chunk', () => {
    const png = aPng({ width: 300, height: 17 });
    expect(describeImage(png)).toEqual({ sha256: sha256(png), contentType: 'image/png', bytes: png.length, width: 300, height: 17 });
  });

  it('reads a JPEG’s width and height from its frame header, stepping over the segments before it', () => {
    const jpeg = aJpeg({ width: 640, height: 33, comment: '普法 — a comment segment first' });
    expect(describeImage(jpeg)).toEqual({ sha256: sha256(jpeg), contentType: 'image/jpeg', bytes: jpeg.length, width: 640, height: 33 });
    expect(describeImage(aJpeg({ width: 9, height: 1000, frame: 0xc2 }))).toMatchObject({ contentType: 'image/jpeg', width: 9, height: 1000 });
  });

  it('names different images by different SHA-256s and the same bytes by the same', () => {
    expect(describeImage(aPng({ seed: 1 })).sha256).not.toBe(describeImage(aPng({ seed: 2 })).sha256);
    expect(describeImage(aPng({ seed: 3 })).sha256).toBe(describeImage(aPng({ seed: 3 })).sha256);
  });

  it('takes 999,999 bytes and refuses 1,000,000 as too large', () => {
    const largest = aPng({ padTo: MAX_IMAGE_BYTES - 1 });
    expect(largest.length).toBe(MAX_IMAGE_BYTES - 1);
    expect(describeImage(largest).bytes).toBe(MAX_IMAGE_BYTES - 1);
    const over = aPng({ padTo: MAX_IMAGE_BYTES });
    expect(over.length).toBe(MAX_IMAGE_BYTES);
    expect(refusal(over).reason).toBe('too-large');
  });

  const refused: [string, Uint8Array, ImageRefusal][] = [
    ['nothing', new Uint8Array(), 'empty'],
    ['a GIF', new Uint8Array([...Buffer.from('GIF89a'), 1, 0, 1, 0, 0, 0, 0]), 'not-jpeg-or-png'],
    ['text that says it is an image', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'not-jpeg-or-png'],
    ['a PNG cut short inside its header', aPng().subarray(0, 20), 'unreadable'],
    ['a PNG whose first chunk is not IHDR', (() => { const png = aPng(); png.set(Buffer.from('IDAT'), 12); return png; })(), 'unreadable'],
    ['a PNG of width 0', aPng({ width: 0 }), 'unreadable'],
    ['a JPEG without a frame header', new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0, 4, 0x61, 0x62, 0xff, 0xd9]), 'unreadable'],
    ['a JPEG whose scan comes before any frame header', new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0xff, 0xd9]), 'unreadable'],
    ['a JPEG whose segment length runs past the end', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xf0, 0]), 'unreadable'],
    ['a JPEG of height 0', aJpeg({ height: 0 }), 'unreadable'],
  ];
  it.each(refused)('refuses %s', (_what, bytes, reason) => {
    const error = refusal(bytes);
    expect(error.reason).toBe(reason);
    expect(error.fields).toEqual([{ field: 'body', message: error.message }]);
    expect(error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(error.message).toMatch(/[A-Za-z]{4,} /);
  });
});
