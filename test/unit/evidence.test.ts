/**
 * Evidence for activities, without I/O: the type told by magic bytes, never by name; the checks at
 * confirmation (size, declared type, pixels before decoding); the thumbnail's size; the S3 POST
 * policy the presigner writes (decoded from its base64 `Policy` field: the SDK computes it
 * locally, no AWS needed); the S3 store's copy that takes only the bytes that were checked; and
 * the local form's signature, which refuses any altered field.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkDecodable,
  checkUploaded,
  contentDisposition,
  evidenceKeys,
  EVIDENCE_KEY,
  MAX_EVIDENCE_BYTES,
  sniffEvidence,
  thumbnailSize,
} from '../../functions/domain/evidence.js';
import { Conflict, Invalid } from '../../functions/domain/errors.js';
import { FileEvidenceStore } from '../../functions/evidence/file-evidence-store.js';
import { createS3EvidenceStore } from '../../functions/evidence/s3-evidence-store.js';
import { shrink } from '../../functions/evidence/thumbnail.js';
import { aJpeg, aPng } from '../support/images.js';

const bytesOf = (text: string) => new TextEncoder().encode(text);
const NOW = new Date('2026-12-01T08:00:00Z');

describe('telling evidence files apart by their first bytes', () => {
  it('knows a JPEG, a PNG and a PDF by their magic numbers', () => {
    expect(sniffEvidence(aJpeg())).toBe('image/jpeg');
    expect(sniffEvidence(aPng())).toBe('image/png');
    expect(sniffEvidence(bytesOf('%PDF-1.7\n'))).toBe('application/pdf');
  });

  it('knows nothing else, however it is named: text, HTML, a GIF, a half signature, nothing', () => {
    for (const bytes of [bytesOf('photo.png'), bytesOf('<html><script>'), bytesOf('GIF89a'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]), new Uint8Array([0xff, 0xd8]), bytesOf('%PDF'), new Uint8Array()]) {
      expect(sniffEvidence(bytes)).toBeUndefined();
    }
  });

  it('refuses at confirmation a file that is not the declared type, or empty, or over 10 MB, naming body.key', () => {
    expect(() => checkUploaded('image/png', 100, aPng())).not.toThrow();
    const refusal = (run: () => void) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(Invalid);
        return (error as Invalid).fields;
      }
      throw new Error('not refused');
    };
    expect(refusal(() => checkUploaded('image/png', 100, bytesOf('not an image')))).toEqual([{ field: 'body.key', message: expect.stringContaining('not a JPEG, PNG or PDF, not the image/png declared') }]);
    expect(refusal(() => checkUploaded('image/jpeg', 100, aPng()))[0]?.message).toContain('The bytes are image/png, not the image/jpeg declared');
    expect(refusal(() => checkUploaded('image/png', 0, aPng()))[0]?.message).toContain('empty');
    expect(refusal(() => checkUploaded('image/png', MAX_EVIDENCE_BYTES + 1, aPng()))[0]?.message).toContain('over 10485760 bytes');
  });

  it('refuses to decode an image whose header claims more than 50 million pixels, or no size', () => {
    expect(checkDecodable({ width: 8000, height: 6000 })).toEqual({ width: 8000, height: 6000 });
    expect(() => checkDecodable({ width: 65_535, height: 65_535 })).toThrow(/too many pixels/);
    expect(() => checkDecodable(undefined)).toThrow(/width and height/);
  });
});

describe('thumbnails', () => {
  it('are at most 320 px on the long side, keep the shape, and never enlarge', () => {
    expect(thumbnailSize(4000, 3000)).toEqual({ width: 320, height: 240 });
    expect(thumbnailSize(1000, 4000)).toEqual({ width: 80, height: 320 });
    expect(thumbnailSize(100, 50)).toEqual({ width: 100, height: 50 });
    expect(thumbnailSize(10_000, 1)).toEqual({ width: 320, height: 1 });
  });

  it('average each box of pixels, over white where the image is transparent', () => {
    // Two pixels: opaque black, and transparent (shown as white) — one grey pixel.
    const source = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 0, 0, 0, 0]) };
    expect([...shrink(source, 1, 1).data]).toEqual([128, 128, 128, 255]);
  });

  it('name a file in any script in Content-Disposition, with an ASCII fallback', () => {
    expect(contentDisposition('attachment', '签到表 3月.pdf')).toBe(`attachment; filename="___ 3_.pdf"; filename*=UTF-8''${encodeURIComponent('签到表 3月.pdf')}`);
  });
});

describe('the S3 presigned POST', () => {
  const client = new S3Client({ region: 'cn-north-1', credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE01', secretAccessKey: 'example-secret-access-key-not-a-real-one' } });
  const store = createS3EvidenceStore({ bucket: 'pufa-audio-test', region: 'cn-north-1', client });
  const key = evidenceKeys.incoming('tianquan', 'act-315', 'ev_abc123');

  it('fixes the key, the type, the kind and file name, 1 byte to 10 MB and ten minutes in its policy', async () => {
    const form = await store.presign({ key, contentType: 'image/jpeg', kind: 'signin-sheet', fileName: '签到表.jpg', maxBytes: MAX_EVIDENCE_BYTES, origin: 'https://app.example', now: NOW });
    expect(form.url).toBe('https://pufa-audio-test.s3.cn-north-1.amazonaws.com.cn/');
    expect(form.fields).toMatchObject({ key, 'Content-Type': 'image/jpeg', 'x-amz-meta-kind': 'signin-sheet', 'x-amz-meta-filename': encodeURIComponent('签到表.jpg') });
    const policy = JSON.parse(Buffer.from(form.fields.Policy ?? '', 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, MAX_EVIDENCE_BYTES],
        ['eq', '$Content-Type', 'image/jpeg'],
        ['eq', '$x-amz-meta-kind', 'signin-sheet'],
        ['eq', '$x-amz-meta-filename', encodeURIComponent('签到表.jpg')],
        { bucket: 'pufa-audio-test' },
        { key },
      ]),
    );
    // Signed with the policy's own expiry, ten minutes after it was asked for (the SDK reads the real clock).
    const minutes = (Date.parse(policy.expiration) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(9);
    expect(minutes).toBeLessThanOrEqual(10);
    expect(form.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a key outside the evidence prefixes before signing anything', async () => {
    await expect(store.presign({ key: 'audio/../images/x', contentType: 'image/png', kind: 'photo', fileName: 'a.png', maxBytes: 1, origin: '', now: NOW })).rejects.toThrow(RangeError);
  });

  it('copies an upload only while it is the version that was checked (CopySourceIfMatch), then deletes the upload; a changed one is a Conflict', async () => {
    const s3 = mockClient(client);
    try {
      s3.on(CopyObjectCommand).resolves({});
      s3.on(DeleteObjectCommand).resolves({});
      const kept = evidenceKeys.kept('tianquan', 'act-315', 'ev_abc123');
      await store.keep(key, kept, '"etag-1"', 'image/jpeg');
      expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: 'pufa-audio-test',
        Key: kept,
        CopySource: `pufa-audio-test/${key}`,
        CopySourceIfMatch: '"etag-1"',
        ContentType: 'image/jpeg',
        MetadataDirective: 'REPLACE',
      });
      expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'pufa-audio-test', Key: key });

      s3.reset();
      s3.on(CopyObjectCommand).rejects(Object.assign(new Error('PreconditionFailed'), { $metadata: { httpStatusCode: 412 } }));
      await expect(store.keep(key, kept, '"etag-1"', 'image/jpeg')).rejects.toBeInstanceOf(Conflict);
      expect(s3.commandCalls(DeleteObjectCommand)).toEqual([]);
    } finally {
      s3.restore();
    }
  });
});

describe('the local upload form', () => {
  const folder = mkdtempSync(join(tmpdir(), 'pufa-evidence-unit-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const store = new FileEvidenceStore(folder, 'a-test-secret-of-at-least-thirty-two-characters');
  const key = evidenceKeys.incoming('tianquan', 'act-315', 'ev_local1');

  it('takes the file with the fields it was signed with, and refuses any field altered', async () => {
    const form = await store.presign({ key, contentType: 'application/pdf', kind: 'other', fileName: 'a.pdf', maxBytes: MAX_EVIDENCE_BYTES, origin: 'http://localhost:8787', now: NOW });
    expect(form.url).toBe('http://localhost:8787/evidence-uploads');
    expect(form.expiresAt).toBe('2026-12-01T08:10:00.000Z');
    const pdf = bytesOf('%PDF-1.4\n');
    for (const [name, value] of [
      ['Content-Type', 'text/html'],
      ['max-bytes', String(MAX_EVIDENCE_BYTES * 100)],
      ['expires', String(Number(form.fields.expires) + 3600)],
      ['key', evidenceKeys.kept('tianquan', 'act-315', 'ev_local1')],
    ] as const) {
      await expect(store.acceptUpload({ ...form.fields, [name]: value }, pdf, NOW)).rejects.toThrow(/not valid or was altered/);
    }
    expect(await store.read(key)).toBeUndefined();
    expect(await store.acceptUpload(form.fields, pdf, NOW)).toEqual({ key });
    expect(await store.read(key, 4)).toMatchObject({ size: pdf.length, contentType: 'application/pdf', kind: 'other', fileName: 'a.pdf', bytes: pdf.subarray(0, 4) });
  });

  it('names only keys under the evidence prefixes, never a path out of its folder', () => {
    expect(EVIDENCE_KEY.test(key)).toBe(true);
    for (const bad of ['evidence/../../etc/passwd', 'evidence/tianquan/act/ev_x/..', 'images/abc', 'evidence/tianquan/act-315/ev_x.json']) expect(EVIDENCE_KEY.test(bad)).toBe(false);
  });
});

describe('a PNG whose data unpacks past its header (a decompression bomb)', () => {
  it('is refused before pngjs sees it, interlaced or not; a true PNG, interlaced too, passes', async () => {
    const { checkPngInflates, PngBomb } = await import('../../functions/evidence/thumbnail.js');
    // 1×1 in the header, a megabyte of zeros inside: pngjs would unpack an interlaced one uncapped.
    const bomb = { width: 1, height: 1, data: new Uint8Array(1_000_000) };
    expect(() => checkPngInflates(aPng({ ...bomb, interlaced: true }))).toThrow(PngBomb);
    expect(() => checkPngInflates(aPng(bomb))).toThrow(PngBomb);
    expect(() => checkPngInflates(aPng({ width: 40, height: 30 }))).not.toThrow();
    // An interlaced 2×2 RGB image's real data: pass 1 (1 px), pass 6 (1 px), pass 7 (2 px), each row a filter byte.
    const adam7 = new Uint8Array([0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12]);
    expect(() => checkPngInflates(aPng({ width: 2, height: 2, interlaced: true, data: adam7 }))).not.toThrow();
  });
});

describe('the name a file is saved under', () => {
  it('carries the extension of what the file is, whatever the uploader called it, and no direction overrides', async () => {
    const { savedFileName, evidenceUploadSchema } = await import('../../functions/domain/evidence.js');
    expect(savedFileName('minutes.html', 'application/pdf')).toBe('minutes.pdf');
    expect(savedFileName('签到表', 'image/jpeg')).toBe('签到表.jpg');
    expect(savedFileName('scan.final.PNG', 'image/png')).toBe('scan.final.png');
    const spoofed = evidenceUploadSchema.safeParse({ contentType: 'application/pdf', bytes: 10, fileName: 'x\u202Efdp.exe' });
    expect(spoofed.success).toBe(false);
  });
});
