/**
 * @module evidence/thumbnail
 * A JPEG thumbnail of a photo or a scanned sheet, at most 320 px on its long side, for the activity
 * page. Pure JavaScript (jpeg-js, pngjs: no native binaries to bundle into Lambda), imported here on
 * first use so the API's cold start never loads them. The caller has already checked the header's
 * dimensions (domain/evidence `checkDecodable`), so nothing larger than 50 million pixels is decoded;
 * jpeg-js is told the same limit in case a header lies.
 */
import { MAX_IMAGE_PIXELS, thumbnailSize } from '../domain/evidence.js';

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
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000, maxMemoryUsageInMB: 512 });
    return { width: decoded.width, height: decoded.height, data: decoded.data };
  }
  const { PNG } = (await import('pngjs')).default;
  const decoded = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  return { width: decoded.width, height: decoded.height, data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length) };
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
