/**
 * @module evidence/thumbnail
 * A JPEG thumbnail of a photo or a scanned sheet, at most 320 px on its long side, for the activity
 * page. Pure JavaScript (jpeg-js, pngjs: no native binaries to bundle into Lambda), imported here on
 * first use so the API's cold start never loads them. The caller decodes only images whose header
 * gives at most `THUMBNAIL_MAX_PIXELS`; jpeg-js is told the limit in case a header lies, and a PNG's
 * compressed data is inflated here first with its output capped at what the header allows (pngjs
 * does not cap an interlaced image's), so a small file cannot unpack into gigabytes.
 */
import { inflateSync } from 'node:zlib';
import { THUMBNAIL_MAX_PIXELS, thumbnailSize } from '../domain/evidence.js';

interface Pixels {
  width: number;
  height: number;
  /** RGBA, 8 bits a channel. */
  data: Uint8Array;
}

const JPEG_QUALITY = 80;

async function decode(bytes: Uint8Array, contentType: 'image/jpeg' | 'image/png'): Promise<Pixels> {
  if (contentType === 'image/jpeg') {
    const jpeg = (await import('jpeg-js')).default;
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: THUMBNAIL_MAX_PIXELS / 1_000_000, maxMemoryUsageInMB: 512 });
    return { width: decoded.width, height: decoded.height, data: decoded.data };
  }
  checkPngInflates(bytes);
  const { PNG } = (await import('pngjs')).default;
  const decoded = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  return { width: decoded.width, height: decoded.height, data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length) };
}

/** A PNG whose image data unpacks to more than its width, height and pixel format can hold. */
export class PngBomb extends Error {}

/** Bits a pixel by PNG colour type: grey, RGB, palette, grey+alpha, RGBA (channels × bit depth). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Inflates a PNG's image data (its IDAT chunks) with the output capped at what the header allows:
 * each row its filter byte and its pixels, plus an interlaced image's extra rows and rounding (at
 * most 7 passes, each a filter byte and a partial byte a row). More is refused as a `PngBomb`.
 */
export function checkPngInflates(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24] ?? 8;
  const channels = PNG_CHANNELS[bytes[25] ?? 6] ?? 4;
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
  const interlaced = bytes[28] === 1;
  const allowed = height * (rowBytes + 1) + (interlaced ? 7 * (height + 8) * 2 : 0);
  const parts: Uint8Array[] = [];
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(parts), { maxOutputLength: Math.max(1, allowed) });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PngBomb(`The PNG's image data unpacks to more than its ${width}×${height} pixels can hold (${allowed} bytes)`);
    }
    throw error;
  }
}

/**
 * Shrinks by averaging each target pixel's whole box of source pixels (no aliasing on a large
 * downscale), over white where the source is transparent (a JPEG has no alpha).
 */
export function shrink(source: Pixels, width: number, height: number): Pixels {
  const sums = new Float64Array(width * height * 4);
  const xScale = width / source.width;
  const yScale = height / source.height;
  for (let y = 0; y < source.height; y += 1) {
    const row = Math.min(height - 1, Math.floor(y * yScale)) * width;
    for (let x = 0; x < source.width; x += 1) {
      const from = (y * source.width + x) * 4;
      const to = (row + Math.min(width - 1, Math.floor(x * xScale))) * 4;
      const alpha = (source.data[from + 3] ?? 255) / 255;
      for (let channel = 0; channel < 3; channel += 1) sums[to + channel] = (sums[to + channel] ?? 0) + (source.data[from + channel] ?? 0) * alpha + 255 * (1 - alpha);
      sums[to + 3] = (sums[to + 3] ?? 0) + 1;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let at = 0; at < data.length; at += 4) {
    const count = sums[at + 3] || 1;
    for (let channel = 0; channel < 3; channel += 1) data[at + channel] = Math.round((sums[at + channel] ?? 0) / count);
    data[at + 3] = 255;
  }
  return { width, height, data };
}

/** The thumbnail as JPEG bytes, with its size. Throws if the image cannot be decoded. */
export async function makeThumbnail(bytes: Uint8Array, contentType: 'image/jpeg' | 'image/png'): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  const pixels = await decode(bytes, contentType);
  const size = thumbnailSize(pixels.width, pixels.height);
  const small = shrink(pixels, size.width, size.height);
  const jpeg = (await import('jpeg-js')).default;
  const encoded = jpeg.encode({ width: small.width, height: small.height, data: small.data }, JPEG_QUALITY);
  return { bytes: new Uint8Array(encoded.data.buffer, encoded.data.byteOffset, encoded.data.length), ...size };
}
