/**
 * @module images/image-store
 * Images for WeChat articles (a cover, pictures in the body), kept by the SHA-256 of their bytes:
 * behind one small interface, S3 on AWS (images/s3-image-store.ts), the local data folder otherwise
 * (images/file-image-store.ts). An article names an image as `cover: <sha256>` or
 * `<img src="pufa-image:<sha256>">`; what is kept under a SHA-256 never changes.
 *
 * Only what WeChat takes for a body image is kept: a JPEG or a PNG under 1 MB. `describeImage`
 * decides that from the bytes alone (their magic numbers and the header that gives the size).
 */
import { createHash } from 'node:crypto';
import { Invalid } from '../domain/errors.js';

export type ImageContentType = 'image/jpeg' | 'image/png';

export interface StoredImage {
  sha256: string;
  contentType: ImageContentType;
  bytes: number;
  width: number;
  height: number;
}

export interface ImageStore {
  /** Keeps the image unless already kept (content-addressed); returns its description. */
  put(bytes: Uint8Array): Promise<StoredImage>;
  get(sha256: string): Promise<{ bytes: Uint8Array; image: StoredImage } | undefined>;
  head(sha256: string): Promise<StoredImage | undefined>;
}

/** WeChat's limit for an image in an article's body (uploadimg): under 1 MB, counted in bytes. */
export const MAX_IMAGE_BYTES = 1_000_000;
/** How an article's HTML names a kept image before it is uploaded to WeChat. */
export const IMAGE_SOURCE_PREFIX = 'pufa-image:';
export const imageSource = (sha256: string) => `${IMAGE_SOURCE_PREFIX}${sha256}`;
export const fileExtensionOf: Record<ImageContentType, 'jpg' | 'png'> = { 'image/jpeg': 'jpg', 'image/png': 'png' };

const SHA256 = /^[0-9a-f]{64}$/;

export function isImageSha(value: string): boolean {
  return SHA256.test(value);
}

/** Refuses anything but a 64-hex SHA-256 (lowercase): it becomes an object name and a file name. */
export function checkImageSha(sha256: string): string {
  if (!SHA256.test(sha256)) throw new RangeError(`An image is named by its SHA-256 as 64 lowercase hex digits; got ${JSON.stringify(sha256.slice(0, 80))}`);
  return sha256;
}

export type ImageRefusal = 'empty' | 'too-large' | 'not-jpeg-or-png' | 'unreadable';

const refusalText: Record<ImageRefusal, { zh: string; en: string }> = {
  empty: { zh: '图片为空。', en: 'The image is empty.' },
  'too-large': { zh: '图片须小于 1 MB（1,000,000 字节），微信正文图片不接受更大的文件。', en: 'The image must be under 1 MB (1,000,000 bytes): WeChat takes no larger body image.' },
  'not-jpeg-or-png': { zh: '只接受 JPEG 或 PNG 图片。', en: 'Only a JPEG or a PNG image is accepted.' },
  unreadable: { zh: '图片已损坏，读不出宽和高。', en: 'The image is damaged: its width and height cannot be read.' },
};

/**
 * Bytes that are not an image pufa keeps: an `Invalid` naming `body`, so the API answers it as a
 * 400 (the route makes `too-large` a 413). Its message is in Chinese and in English.
 */
export class ImageRefused extends Invalid {
  readonly zh: string;
  readonly en: string;

  constructor(readonly reason: ImageRefusal) {
    const { zh, en } = refusalText[reason];
    super(`${zh} ${en}`, [{ field: 'body', message: `${zh} ${en}` }]);
    this.zh = zh;
    this.en = en;
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((byte, index) => bytes[index] === byte);
const uint16 = (bytes: Uint8Array, at: number) => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
const uint32 = (bytes: Uint8Array, at: number) => uint16(bytes, at) * 0x10000 + uint16(bytes, at + 2);

/** A PNG's size is in its first chunk, which must be IHDR: width and height, 4 bytes each, big-endian. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || ihdr !== 'IHDR') return undefined;
  return { width: uint32(bytes, 16), height: uint32(bytes, 20) };
}

/** The start-of-frame markers that carry the size: C0–CF, but not C4 (DHT), C8 (JPG) or CC (DAC). */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** Markers that stand alone, without a length: TEM, RST0–7, SOI. */
const standsAlone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);

/**
 * A JPEG's size is in its frame header (SOFn): walk the marker segments from the start until one,
 * each segment's length telling where the next begins. The scan (SOS) or the end (EOI) before a
 * frame header means there is none to read.
 */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (standsAlone(marker)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = uint16(bytes, at + 2);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      if (length < 7 || at + 9 > bytes.length) return undefined;
      return { height: uint16(bytes, at + 5), width: uint16(bytes, at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}

/** The width and height a JPEG's or PNG's header gives, read without decoding anything; undefined when it gives none. */
export function imageSize(bytes: Uint8Array, contentType: ImageContentType): { width: number; height: number } | undefined {
  return contentType === 'image/png' ? pngSize(bytes) : jpegSize(bytes);
}

/**
 * What the bytes are, or `ImageRefused`: a JPEG (FF D8 FF) or a PNG (its 8-byte signature) under
 * 1 MB whose header gives a width and a height of at least one pixel. Pure: nothing is kept.
 */
export function describeImage(bytes: Uint8Array): StoredImage {
  if (bytes.length === 0) throw new ImageRefused('empty');
  if (bytes.length >= MAX_IMAGE_BYTES) throw new ImageRefused('too-large');
  const contentType: ImageContentType | undefined = startsWith(bytes, PNG_SIGNATURE) ? 'image/png' : startsWith(bytes, [0xff, 0xd8, 0xff]) ? 'image/jpeg' : undefined;
  if (!contentType) throw new ImageRefused('not-jpeg-or-png');
  const size = contentType === 'image/png' ? pngSize(bytes) : jpegSize(bytes);
  if (!size || size.width < 1 || size.height < 1) throw new ImageRefused('unreadable');
  return { sha256: createHash('sha256').update(bytes).digest('hex'), contentType, bytes: bytes.length, ...size };
}
