/**
 * @module speech/s3-audio-links
 * Presigned GetObject links to recordings in the audio bucket, and nothing else: what the
 * dispatcher needs to put a link in each pushed script, without the right (or the code) to write
 * or synthesize. The S3 store (speech/s3-audio-store) hands out its links through this too.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { onFirstUse } from '../on-first-use.js';
import { checkAudioKey, checkTtl, DEFAULT_URL_TTL_SECONDS, type AudioLinks } from './audio-store.js';

export const AUDIO_PREFIX = 'audio/';

export const objectKeyOf = (key: string) => `${AUDIO_PREFIX}${checkAudioKey(key)}.mp3`;

export interface S3AudioOptions {
  bucket: string;
  /** The bucket's region (the stack's). */
  region: string;
  /** A client to use instead of building one (tests). */
  client?: S3Client | undefined;
  /** Set only locally and in tests: an S3-compatible endpoint. */
  endpoint?: string | undefined;
}

/** The S3 client for these options, built on first use (the SDK is imported then, not at start). */
export function s3ClientFor(options: S3AudioOptions): () => Promise<{ client: S3Client; s3: typeof import('@aws-sdk/client-s3') }> {
  return onFirstUse(async () => {
    const s3 = await import('@aws-sdk/client-s3');
    const client =
      options.client ?? new s3.S3Client({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}) });
    return { client, s3 };
  });
}

export function createS3AudioLinks(options: S3AudioOptions, loaded = s3ClientFor(options)): AudioLinks {
  return {
    async url(key, ttlSeconds = DEFAULT_URL_TTL_SECONDS) {
      const Key = objectKeyOf(key);
      const expiresIn = checkTtl(ttlSeconds);
      const [{ client, s3 }, { getSignedUrl }] = await Promise.all([loaded(), import('@aws-sdk/s3-request-presigner')]);
      // The command class by name: test/infra/grants.test.ts finds `new <Name>Command(` in the code a handler reaches.
      const { GetObjectCommand } = s3;
      return getSignedUrl(client, new GetObjectCommand({ Bucket: options.bucket, Key }), { expiresIn });
    },
  };
}

/** The dispatcher's links: the stack's audio bucket (PUFA_AUDIO_BUCKET), in the function's region. */
export function audioLinksFromConfig(config: { region: string; speech: { audioBucket?: string | undefined } }): AudioLinks | undefined {
  const bucket = config.speech.audioBucket;
  return bucket ? createS3AudioLinks({ bucket, region: config.region }) : undefined;
}
