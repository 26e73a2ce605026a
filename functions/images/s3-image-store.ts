/**
 * @module images/s3-image-store
 * Images in the stack's audio bucket, beside the recordings: object `images/<sha256>` with the
 * image's own Content-Type, its size in object metadata. Put only if absent (S3 conditional
 * write): what is kept under a SHA-256 stays. The S3 client is imported on first use, so the API's
 * cold start does not load it.
 */
import { s3ClientFor, type S3AudioOptions } from '../speech/s3-audio-links.js';
import { checkImageSha, describeImage, type ImageContentType, type ImageStore, type StoredImage } from './image-store.js';

export const IMAGES_PREFIX = 'images/';
export const imageObjectKey = (sha256: string) => `${IMAGES_PREFIX}${checkImageSha(sha256)}`;
export type S3ImageStoreOptions = S3AudioOptions;

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
/** S3 answers a missing key with 404 (NotFound, NoSuchKey), given s3:ListBucket; else 403. */
const isNotFound = (error: unknown) => ['NotFound', 'NoSuchKey'].includes((error as { name?: string }).name ?? '') || statusOf(error) === 404;

/** The description kept beside the object (S3 gives user metadata back with lower-case names). */
function imageOf(sha256: string, contentType: string | undefined, metadata: Record<string, string> | undefined): StoredImage {
  if (contentType !== 'image/jpeg' && contentType !== 'image/png') throw new Error(`The object ${imageObjectKey(sha256)} is ${contentType ?? 'untyped'}, not a kept image`);
  const number = (name: string) => {
    const value = Number(metadata?.[name]);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`The object ${imageObjectKey(sha256)} has no ${name} in its metadata`);
    return value;
  };
  return { sha256, contentType: contentType satisfies ImageContentType, bytes: number('bytes'), width: number('width'), height: number('height') };
}

export function createS3ImageStore(options: S3ImageStoreOptions): ImageStore {
  const client = s3ClientFor(options);
  const { bucket } = options;
  // The command classes by name: test/infra/grants.test.ts finds `new <Name>Command(` in the code a handler reaches.
  const loaded = async () => {
    const { client: s3Client, s3 } = await client();
    return { client: s3Client, HeadObjectCommand: s3.HeadObjectCommand, PutObjectCommand: s3.PutObjectCommand, GetObjectCommand: s3.GetObjectCommand };
  };

  return {
    async head(sha256) {
      const Key = imageObjectKey(sha256);
      const { client, HeadObjectCommand } = await loaded();
      try {
        const object = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
        return imageOf(sha256, object.ContentType, object.Metadata);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async put(bytes) {
      const image = describeImage(bytes);
      const { client, PutObjectCommand } = await loaded();
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: imageObjectKey(image.sha256),
            Body: bytes,
            ContentType: image.contentType,
            // Put only if absent: the first image kept under a SHA-256 stays (and it has these bytes).
            IfNoneMatch: '*',
            CacheControl: 'private, max-age=31536000, immutable',
            Metadata: { sha256: image.sha256, bytes: String(image.bytes), width: String(image.width), height: String(image.height) },
          }),
        );
      } catch (error) {
        // 412: already kept; 409: another put of it is being written right now. Either way these bytes.
        const status = statusOf(error);
        if (status !== 412 && status !== 409) throw error;
      }
      return image;
    },

    async get(sha256) {
      const Key = imageObjectKey(sha256);
      const { client, GetObjectCommand } = await loaded();
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
        if (!object.Body) return undefined;
        return { bytes: await object.Body.transformToByteArray(), image: imageOf(sha256, object.ContentType, object.Metadata) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
  };
}
