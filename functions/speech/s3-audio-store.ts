/**
 * @module speech/s3-audio-store
 * Audio in the stack's audio bucket: object `audio/<key>.mp3`, `Content-Type: audio/mpeg`, its
 * meta as object metadata; listeners get presigned GetObject URLs that lapse (15 minutes unless
 * asked). The S3 client and the presigner are imported on first use, so the API's cold start does
 * not load them.
 */
import { checkMeta, type AudioMeta, type AudioStore } from './audio-store.js';
import { createS3AudioLinks, objectKeyOf, s3ClientFor, type S3AudioOptions } from './s3-audio-links.js';

export { AUDIO_PREFIX, objectKeyOf } from './s3-audio-links.js';
export const AUDIO_CONTENT_TYPE = 'audio/mpeg';
export type S3AudioStoreOptions = S3AudioOptions;

/** S3 answers HeadObject on a missing key with 404 (NotFound), given s3:ListBucket; else 403. */
const isNotFound = (error: unknown) => {
  const failed = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return failed.name === 'NotFound' || failed.name === 'NoSuchKey' || failed.$metadata?.httpStatusCode === 404;
};

/** The meta put beside the object (S3 user metadata comes back with lower-case names). */
const metaOf = (metadata: Record<string, string> | undefined): AudioMeta => ({
  durationSeconds: Number(metadata?.['duration-seconds'] ?? 0),
  engine: metadata?.engine ?? '',
  voice: metadata?.voice ?? '',
  sha256: metadata?.sha256 ?? '',
  bytes: Number(metadata?.bytes ?? 0),
});

export function createS3AudioStore(options: S3AudioStoreOptions): AudioStore {
  const client = s3ClientFor(options);
  const links = createS3AudioLinks(options, client);
  const { bucket } = options;
  // The command classes by name: test/infra/grants.test.ts finds `new <Name>Command(` in the code a handler reaches.
  const loaded = async () => {
    const { client: s3Client, s3 } = await client();
    return { client: s3Client, HeadObjectCommand: s3.HeadObjectCommand, PutObjectCommand: s3.PutObjectCommand, GetObjectCommand: s3.GetObjectCommand };
  };

  return {
    async head(key) {
      const Key = objectKeyOf(key);
      const { client, HeadObjectCommand } = await loaded();
      try {
        const object = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
        return metaOf(object.Metadata);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async put(key, mp3, meta) {
      const Key = objectKeyOf(key);
      checkMeta(meta);
      const { client, PutObjectCommand } = await loaded();
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key,
            Body: mp3,
            ContentType: AUDIO_CONTENT_TYPE,
            // Put only if absent (S3 conditional write): the first file kept under a key stays.
            IfNoneMatch: '*',
            // Content-addressed: the bytes under a key never change, so caches may keep them.
            CacheControl: 'private, max-age=31536000, immutable',
            Metadata: { 'duration-seconds': String(meta.durationSeconds), engine: meta.engine, voice: meta.voice, sha256: meta.sha256, bytes: String(meta.bytes) },
          }),
        );
        return true;
      } catch (error) {
        // 412: another put kept its file first; 409: one is being kept right now.
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412 || status === 409) return false;
        throw error;
      }
    },

    async get(key) {
      const Key = objectKeyOf(key);
      const { client, GetObjectCommand } = await loaded();
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
        if (!object.Body) return undefined;
        return { mp3: await object.Body.transformToByteArray(), meta: metaOf(object.Metadata) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    url: (key, ttlSeconds) => links.url(key, ttlSeconds),
  };
}
