/**
 * @module evidence/evidence-store
 * Where evidence files live, behind one small interface: the stack's bucket on AWS
 * (evidence/s3-evidence-store.ts), the local data folder otherwise (evidence/file-evidence-store.ts).
 * Both hand the browser the same thing to upload with: a form to POST the file to, whose fields
 * (signed) fix the object's key, its Content-Type, its kind and file name, a size of 1 byte to
 * 10 MB and a time limit. S3 enforces that through the POST policy; the local server's
 * `POST /evidence-uploads` enforces the same from an HMAC over the same fields.
 */
import type { EvidenceContentType, EvidenceKind } from '../domain/evidence.js';

/** What the browser POSTs as `multipart/form-data`: these fields, then the file as `file`. */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  key: string;
  expiresAt: string;
}

export interface UploadRequest {
  key: string;
  contentType: EvidenceContentType;
  kind: EvidenceKind;
  fileName: string;
  maxBytes: number;
  /** This app's origin (the local upload route is on it). */
  origin: string;
  now: Date;
}

/** An uploaded object as it was read: its whole size, its version (ETag), what the form fixed, and the bytes read. */
export interface ReadObject {
  size: number;
  etag: string;
  contentType: string | undefined;
  kind: string | undefined;
  fileName: string | undefined;
  bytes: Uint8Array;
}

/** A kept file to hand out: its bytes (local), or a short-lived link that answers with the type and disposition asked (S3). */
export type OpenedFile = { bytes: Uint8Array } | { url: string };

export interface EvidenceStore {
  presign(request: UploadRequest): Promise<UploadForm>;
  /** The object under `key` with its first `firstBytes` bytes (all when undefined); undefined when there is none. */
  read(key: string, firstBytes?: number): Promise<ReadObject | undefined>;
  /** Copies an upload to where checked files live, only while it is still the version that was read (else `Conflict`); the upload goes. */
  keep(uploadKey: string, keptKey: string, etag: string, contentType: EvidenceContentType): Promise<void>;
  /** Writes a file pufa made (a thumbnail). */
  put(key: string, bytes: Uint8Array, contentType: 'image/jpeg'): Promise<void>;
  open(key: string, answer: { contentType: string; disposition: string }): Promise<OpenedFile | undefined>;
  /** Removes these objects; a missing one is fine. */
  remove(keys: readonly string[]): Promise<void>;
}

/** The metadata names the form fixes (S3's `x-amz-meta-*`, kept by the local store alike). */
export const META_KIND = 'x-amz-meta-kind';
export const META_FILE_NAME = 'x-amz-meta-filename';
/** S3 keeps user metadata in ASCII: the file name goes percent-encoded. */
export const encodeFileName = (name: string) => encodeURIComponent(name);
export function decodeFileName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
