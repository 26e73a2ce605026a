/**
 * @module domain/evidence
 * Evidence for an activity (台账): photos and scanned sign-in sheets (签到表), JPEG, PNG or PDF up to
 * 10 MB, at most 20 to an activity. What an upload may declare, what its bytes must be (decided by
 * their magic numbers, never by a name), where its objects live, and how big an image may be before
 * it is decoded for a thumbnail. Pure.
 */
import { z } from 'zod';
import { Invalid } from './errors.js';
import { visibleText } from './text.js';

/** 10 MiB: a phone photo or a scanned page with room to spare; the S3 POST policy and the local upload refuse more. */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
/** Enough for the photos and sign-in sheets of one activity; a limit keeps a record (one DynamoDB item) small. */
export const MAX_EVIDENCE_PER_ACTIVITY = 20;
/** How long a presigned upload form stays good. */
export const UPLOAD_TTL_SECONDS = 10 * 60;
/** The long side of a thumbnail, in pixels. */
export const THUMBNAIL_MAX_SIDE = 320;
/**
 * No image over 50 million pixels is decoded (a 50 MP phone camera at full size): decoding takes 4
 * bytes a pixel, so this bounds a thumbnail's memory at 200 MB, whatever a crafted header claims.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;
/**
 * The largest image a thumbnail is made of: decoding takes 4 bytes a pixel and more in the
 * decoders (jpeg-js without subsampling runs out of its 512 MB above some 28 million), and about
 * 0.5 s a million pixels. Larger images (a 600 dpi A4 scan is 35 million) are kept without one.
 */
export const THUMBNAIL_MAX_PIXELS = 16_000_000;

export const evidenceContentTypes = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type EvidenceContentType = (typeof evidenceContentTypes)[number];
export const evidenceKinds = ['photo', 'signin-sheet', 'other'] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

export const evidenceKindLabels: Record<EvidenceKind, string> = { photo: '活动照片', 'signin-sheet': '签到表', other: '其他材料' };
export const fileExtensions: Record<EvidenceContentType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' };
export const isImage = (type: EvidenceContentType) => type !== 'application/pdf';

/** A file name as the uploader's computer called it: shown and used in Content-Disposition, never as a path. */
const fileNameSchema = visibleText(120).refine(
  (name) => !/[\\/"\u0000-\u001f\u202a-\u202e\u2066-\u2069]/.test(name),
  'no slashes, quotes, control characters or direction overrides',
);

/** The name a file is saved under: the uploader's, with the extension of what it really is (a PDF saved as .pdf, never .html). */
export function savedFileName(fileName: string, contentType: EvidenceContentType): string {
  const extension = fileExtensions[contentType];
  const stem = fileName.replace(/\.[^.]*$/, '');
  return `${stem || 'evidence'}.${extension}`;
}

export const evidenceUploadSchema = z.object({
  contentType: z.enum(evidenceContentTypes, { message: 'only image/jpeg, image/png or application/pdf (JPEG, PNG or PDF)' }),
  bytes: z
    .number()
    .int()
    .min(1, 'the file is empty')
    .max(MAX_EVIDENCE_BYTES, `at most ${MAX_EVIDENCE_BYTES} bytes (10 MB)`),
  fileName: fileNameSchema,
  kind: z.enum(evidenceKinds).default('photo'),
});
export type EvidenceUpload = z.infer<typeof evidenceUploadSchema>;

export const evidenceIdSchema = z.string().regex(/^ev_[A-Za-z0-9]{1,40}$/, 'an evidence id (ev_…)');

/** One piece of evidence as kept on its activity's record. */
export const evidenceSchema = z.object({
  id: z.string(),
  kind: z.enum(evidenceKinds),
  contentType: z.enum(evidenceContentTypes),
  bytes: z.number().int(),
  fileName: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  /** Whether a JPEG thumbnail was kept beside it (images only). */
  thumbnail: z.boolean(),
  /** Why an image has none: too large to decode here, or what the decoder said. */
  thumbnailProblem: z.string().optional(),
  addedAt: z.string(),
  addedBy: z.object({ tokenId: z.string(), name: z.string() }),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/**
 * Where an activity's evidence lives in the bucket (or the data folder). An upload lands under
 * `evidence-incoming/`, where nothing is trusted and the bucket's lifecycle rule removes what is
 * never confirmed; a confirmed file is copied to `evidence/`, where only checked bytes are.
 */
export const evidenceKeys = {
  incoming: (county: string, activityId: string, evidenceId: string) => `evidence-incoming/${county}/${activityId}/${evidenceId}`,
  kept: (county: string, activityId: string, evidenceId: string) => `evidence/${county}/${activityId}/${evidenceId}`,
  thumbnail: (county: string, activityId: string, evidenceId: string) => `evidence/${county}/${activityId}/${evidenceId}.thumb.jpg`,
};
/** What an object key may look like: the prefixes above and id characters, never `..`. */
export const EVIDENCE_KEY = /^evidence(-incoming)?\/[a-z0-9-]{2,40}\/[A-Za-z0-9_-]{1,64}\/ev_[A-Za-z0-9]{1,40}(\.thumb\.jpg)?$/;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const PDF_SIGNATURE = [...'%PDF-'].map((character) => character.charCodeAt(0));
/** The first bytes read from an upload to tell its type. */
export const SNIFF_BYTES = 8;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);

/** What the first bytes say the file is, or undefined when it is none of the three. */
export function sniffEvidence(bytes: Uint8Array): EvidenceContentType | undefined {
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, PDF_SIGNATURE)) return 'application/pdf';
  return undefined;
}

/** Why an uploaded file is refused at its confirmation, in Chinese and English, naming `body.key`. */
export function evidenceRefused(zh: string, en: string): Invalid {
  return new Invalid(`${zh} ${en}`, [{ field: 'body.key', message: `${zh} ${en}` }]);
}

/**
 * Checks what was uploaded against what was declared: its size within the limits, its bytes of the
 * declared type. Throws `Invalid` naming `body.key` otherwise.
 */
export function checkUploaded(declared: EvidenceContentType, size: number, head: Uint8Array): void {
  if (size < 1) throw evidenceRefused('文件为空。', 'The file is empty.');
  if (size > MAX_EVIDENCE_BYTES) throw evidenceRefused('文件超过 10 MB。', `The file is over ${MAX_EVIDENCE_BYTES} bytes (10 MB).`);
  const actual = sniffEvidence(head);
  if (actual !== declared) {
    throw evidenceRefused(
      `文件内容${actual ? `是 ${actual}` : '不是 JPEG、PNG 或 PDF'}，与声明的 ${declared} 不符，已删除。`,
      `The bytes are ${actual ?? 'not a JPEG, PNG or PDF'}, not the ${declared} declared; the upload was deleted.`,
    );
  }
}

/** Refuses an image whose header claims more pixels than a thumbnail may decode (a decompression bomb). */
export function checkDecodable(size: { width: number; height: number } | undefined): { width: number; height: number } {
  if (!size || size.width < 1 || size.height < 1) throw evidenceRefused('图片已损坏，读不出宽和高，已删除。', 'The image is damaged: its width and height cannot be read; the upload was deleted.');
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    throw evidenceRefused(`图片像素过多（${size.width}×${size.height}），已删除。`, `The image has too many pixels (${size.width}×${size.height}, over ${MAX_IMAGE_PIXELS}); the upload was deleted.`);
  }
  return size;
}

/** A thumbnail's size: the long side at most `THUMBNAIL_MAX_SIDE`, never enlarged, at least 1 px. */
export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** `Content-Disposition` for a file name in any script (RFC 6266 / 5987): an ASCII fallback and the UTF-8 name. */
export function contentDisposition(disposition: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
