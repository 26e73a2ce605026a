/**
 * @module evidence/file-evidence-store
 * Evidence in the local data folder: an object `evidence/<county>/<activity>/<id>` is the file
 * `<folder>/evidence/<county>/<activity>/<id>`, with `<…>.json` beside it (its Content-Type, kind and
 * file name). The upload form points at this app's `POST /evidence-uploads`, its fields signed
 * with an HMAC, so the browser does exactly what it does against S3; `acceptUpload` checks the
 * fields and the limits as S3 checks a POST policy, and writes the file.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Conflict, Invalid } from '../domain/errors.js';
import { EVIDENCE_KEY, evidenceContentTypes, UPLOAD_TTL_SECONDS, type EvidenceContentType } from '../domain/evidence.js';
import { decodeFileName, encodeFileName, META_FILE_NAME, META_KIND, type EvidenceStore, type OpenedFile, type ReadObject, type UploadForm, type UploadRequest } from './evidence-store.js';

/** The local upload route (routes/evidence-uploads). */
export const LOCAL_UPLOAD_PATH = '/evidence-uploads';
/** 256 bits, as the phone-key secret. */
const MIN_SECRET_LENGTH = 32;

interface Sidecar {
  contentType: string;
  kind?: string | undefined;
  /** Percent-encoded, as S3 keeps it in metadata. */
  fileName?: string | undefined;
}

/** The signed fields, in a fixed order: what the signature covers. */
const SIGNED = ['key', 'Content-Type', META_KIND, META_FILE_NAME, 'max-bytes', 'expires'] as const;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const refuse = (field: string, zh: string, en: string) => new Invalid(`${zh} ${en}`, [{ field, message: `${zh} ${en}` }]);

export class FileEvidenceStore implements EvidenceStore {
  private readonly folder: string;

  constructor(
    folder: string,
    private readonly secret: string,
  ) {
    if (secret.length < MIN_SECRET_LENGTH) throw new RangeError(`The evidence upload secret needs at least ${MIN_SECRET_LENGTH} characters`);
    this.folder = folder;
  }

  private pathOf(key: string): string {
    if (!EVIDENCE_KEY.test(key)) throw new RangeError(`Not an evidence key: ${JSON.stringify(key.slice(0, 120))}`);
    return join(this.folder, ...key.split('/'));
  }

  private signatureOf(fields: Record<string, string>): string {
    return createHmac('sha256', this.secret)
      .update(`evidence-upload\n${SIGNED.map((name) => `${name}=${fields[name] ?? ''}`).join('\n')}`)
      .digest('base64url');
  }

  async presign(request: UploadRequest): Promise<UploadForm> {
    this.pathOf(request.key);
    const expires = Math.floor(request.now.getTime() / 1000) + UPLOAD_TTL_SECONDS;
    const fields: Record<string, string> = {
      key: request.key,
      'Content-Type': request.contentType,
      [META_KIND]: request.kind,
      [META_FILE_NAME]: encodeFileName(request.fileName),
      'max-bytes': String(request.maxBytes),
      expires: String(expires),
    };
    fields.signature = this.signatureOf(fields);
    return { url: `${request.origin}${LOCAL_UPLOAD_PATH}`, fields, key: request.key, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /**
   * What S3 does with a POST to a presigned form: the fields must be those signed, unaltered and
   * live; the file 1 byte up to the signed limit; then it is written under the key (replacing an
   * earlier upload to the same key, as S3 would). Refusals are `Invalid` naming the form field.
   */
  async acceptUpload(fields: Record<string, string | undefined>, file: Uint8Array | undefined, now: Date): Promise<{ key: string }> {
    const signed = Object.fromEntries(SIGNED.map((name) => [name, fields[name] ?? '']));
    const expected = Buffer.from(this.signatureOf(signed), 'utf8');
    const given = Buffer.from(fields.signature ?? '', 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || !EVIDENCE_KEY.test(signed.key ?? '')) {
      throw refuse('signature', '上传表单无效或被改动过：请重新申请上传。', 'The upload form is not valid or was altered: ask for a new one.');
    }
    if (Math.floor(now.getTime() / 1000) > Number(signed.expires)) throw refuse('expires', '上传表单已过期：请重新申请上传。', 'The upload form has expired: ask for a new one.');
    if (!file || file.length < 1) throw refuse('file', '没有收到文件。', 'No file was sent (a form field "file").');
    const maxBytes = Number(signed['max-bytes']);
    if (file.length > maxBytes) throw refuse('file', `文件超过 ${maxBytes} 字节（10 MB）。`, `The file is over ${maxBytes} bytes (10 MB): EntityTooLarge.`);
    const key = signed.key ?? '';
    const sidecar: Sidecar = { contentType: signed['Content-Type'] ?? '', kind: signed[META_KIND], fileName: signed[META_FILE_NAME] };
    await this.write(key, file, sidecar);
    return { key };
  }

  private async write(key: string, bytes: Uint8Array, sidecar: Sidecar): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // The file, then its description, each under a temporary name moved into place.
    await this.writeInPlace(path, bytes);
    await this.writeInPlace(`${path}.json`, JSON.stringify(sidecar));
  }

  private async writeInPlace(target: string, data: Uint8Array | string): Promise<void> {
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, data, { flag: 'wx' });
      await rename(temporary, target);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async read(key: string, firstBytes?: number): Promise<ReadObject | undefined> {
    const path = this.pathOf(key);
    try {
      const [bytes, sidecar] = await Promise.all([readFile(path), readFile(`${path}.json`, 'utf8').then((text) => JSON.parse(text) as Sidecar)]);
      const shown = firstBytes === undefined ? bytes : bytes.subarray(0, firstBytes);
      return {
        size: bytes.length,
        etag: createHash('sha256').update(bytes).digest('hex'),
        contentType: sidecar.contentType,
        kind: sidecar.kind,
        fileName: decodeFileName(sidecar.fileName),
        bytes: new Uint8Array(shown.buffer, shown.byteOffset, shown.length),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async keep(uploadKey: string, keptKey: string, etag: string, contentType: EvidenceContentType): Promise<void> {
    const upload = await this.read(uploadKey);
    if (!upload || upload.etag !== etag) throw new Conflict('The upload changed while it was checked: confirm it again.');
    if (!evidenceContentTypes.includes(contentType)) throw new RangeError(`not an evidence type: ${contentType}`);
    await this.write(keptKey, upload.bytes, { contentType, kind: upload.kind, fileName: upload.fileName === undefined ? undefined : encodeFileName(upload.fileName) });
    await this.remove([uploadKey]);
  }

  async put(key: string, bytes: Uint8Array, contentType: 'image/jpeg'): Promise<void> {
    await this.write(key, bytes, { contentType });
  }

  async open(key: string): Promise<OpenedFile | undefined> {
    const read = await this.read(key);
    return read ? { bytes: read.bytes } : undefined;
  }

  async remove(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.flatMap((key) => [rm(this.pathOf(key), { force: true }), rm(`${this.pathOf(key)}.json`, { force: true })]));
  }
}
