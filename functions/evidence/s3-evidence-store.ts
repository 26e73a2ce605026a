/**
 * @module evidence/s3-evidence-store
 * Evidence in the stack's bucket (the audio bucket, under `evidence-incoming/` and `evidence/`).
 * The browser uploads straight to S3 with a presigned POST whose policy fixes the key, the
 * Content-Type, the kind and file name (metadata), a size of 1 byte to 10 MB and ten minutes; the
 * API only signs (no bytes pass through the Lambda on the way in). Confirming reads the upload
 * (a ranged GET for its first bytes), copies it under `evidence/` if it is still the version that
 * was read (CopySourceIfMatch), and deletes the upload; the bucket's lifecycle rule removes uploads
 * never confirmed. Kept files are handed out by presigned GETs that answer with pufa's own
 * Content-Type and Content-Disposition. The SDK is imported on first use.
 */
import { Conflict } from '../domain/errors.js';
import { EVIDENCE_KEY, UPLOAD_TTL_SECONDS } from '../domain/evidence.js';
import { s3ClientFor, type S3AudioOptions } from '../speech/s3-audio-links.js';
import { decodeFileName, encodeFileName, META_FILE_NAME, META_KIND, type EvidenceStore, type ReadObject } from './evidence-store.js';

/** How long a link to a kept file lives: long enough to open it, short enough not to be shared. */
const LINK_TTL_SECONDS = 5 * 60;

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isNotFound = (error: unknown) => ['NotFound', 'NoSuchKey'].includes((error as { name?: string }).name ?? '') || statusOf(error) === 404;
const checkKey = (key: string) => {
  if (!EVIDENCE_KEY.test(key)) throw new RangeError(`Not an evidence key: ${JSON.stringify(key.slice(0, 120))}`);
  return key;
};
/** `bytes 0-7/12345` → 12345. */
const totalOf = (contentRange: string | undefined, contentLength: number | undefined) => {
  const total = contentRange?.match(/\/(\d+)$/)?.[1];
  return total !== undefined ? Number(total) : (contentLength ?? 0);
};

export function createS3EvidenceStore(options: S3AudioOptions): EvidenceStore {
  const loaded = s3ClientFor(options);
  const { bucket: Bucket } = options;

  return {
    async presign(request) {
      const Key = checkKey(request.key);
      const [{ client }, { createPresignedPost }] = await Promise.all([loaded(), import('@aws-sdk/s3-presigned-post')]);
      const Fields = { 'Content-Type': request.contentType, [META_KIND]: request.kind, [META_FILE_NAME]: encodeFileName(request.fileName) };
      const post = await createPresignedPost(client, {
        Bucket,
        Key,
        Fields,
        // The policy: this key (added by the presigner), exactly these fields, and a size S3 checks as the bytes arrive.
        Conditions: [
          ['content-length-range', 1, request.maxBytes],
          ['eq', '$Content-Type', request.contentType],
          ['eq', `$${META_KIND}`, request.kind],
          ['eq', `$${META_FILE_NAME}`, Fields[META_FILE_NAME]],
        ],
        Expires: UPLOAD_TTL_SECONDS,
      });
      return { url: post.url, fields: post.fields, key: Key, expiresAt: new Date(request.now.getTime() + UPLOAD_TTL_SECONDS * 1000).toISOString() };
    },

    async read(key, firstBytes): Promise<ReadObject | undefined> {
      const { client, s3 } = await loaded();
      // The command class by name: test/infra/grants.test.ts finds `new <Name>Command(` in the code a handler reaches.
      const { GetObjectCommand } = s3;
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: checkKey(key), ...(firstBytes !== undefined ? { Range: `bytes=0-${firstBytes - 1}` } : {}) }));
        const bytes = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
        return {
          size: totalOf(object.ContentRange, object.ContentLength),
          etag: object.ETag ?? '',
          contentType: object.ContentType,
          kind: object.Metadata?.kind,
          fileName: decodeFileName(object.Metadata?.filename),
          bytes,
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async keep(uploadKey, keptKey, etag, contentType) {
      const { client, s3 } = await loaded();
      const { CopyObjectCommand, DeleteObjectCommand } = s3;
      try {
        await client.send(
          new CopyObjectCommand({
            Bucket,
            Key: checkKey(keptKey),
            CopySource: `${Bucket}/${checkKey(uploadKey)}`,
            // Only the bytes that were checked: a second POST to the form meanwhile is not copied.
            CopySourceIfMatch: etag,
            ContentType: contentType,
            MetadataDirective: 'REPLACE',
          }),
        );
      } catch (error) {
        // 412: another POST to the form replaced it; 404: another confirmation of it took it first.
        if (statusOf(error) === 412 || isNotFound(error)) throw new Conflict('The upload changed or was taken while it was checked: confirm it again.');
        throw error;
      }
      await client.send(new DeleteObjectCommand({ Bucket, Key: uploadKey }));
    },

    async put(key, bytes, contentType) {
      const { client, s3 } = await loaded();
      const { PutObjectCommand } = s3;
      await client.send(new PutObjectCommand({ Bucket, Key: checkKey(key), Body: bytes, ContentType: contentType }));
    },

    async open(key, answer) {
      const [{ client, s3 }, { getSignedUrl }] = await Promise.all([loaded(), import('@aws-sdk/s3-request-presigner')]);
      const { GetObjectCommand } = s3;
      const command = new GetObjectCommand({ Bucket, Key: checkKey(key), ResponseContentType: answer.contentType, ResponseContentDisposition: answer.disposition });
      return { url: await getSignedUrl(client, command, { expiresIn: LINK_TTL_SECONDS }) };
    },

    async remove(keys) {
      const { client, s3 } = await loaded();
      const { DeleteObjectCommand } = s3;
      // A delete of a missing key succeeds in S3: nothing to tell apart.
      await Promise.all(keys.map((key) => client.send(new DeleteObjectCommand({ Bucket, Key: checkKey(key) }))));
    },
  };
}
