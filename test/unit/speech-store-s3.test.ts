/**
 * The S3 audio store with the SDK mocked (S3 cannot run here): objects under audio/<key>.mp3 as
 * audio/mpeg, a missing object is "no" (not an error), links are SigV4 presigned and lapse.
 */
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3AudioStore } from '../../functions/speech/s3-audio-store.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const KEY = '0f'.repeat(32);
const BUCKET = 'pufa-audio-test';
const meta = { durationSeconds: 31.2, engine: 'polly', voice: 'Zhiyu', sha256: '1a'.repeat(32), bytes: 3 };
const metadata = { 'duration-seconds': '31.2', engine: 'polly', voice: 'Zhiyu', sha256: '1a'.repeat(32), bytes: '3' };
/** Fixed credentials, so presigning needs no credential chain. */
const client = () => new S3Client({ region: 'cn-north-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
const aStore = () => createS3AudioStore({ bucket: BUCKET, region: 'cn-north-1', client: client() });

describe('the S3 audio store', () => {
  it('puts the MP3 under audio/<key>.mp3 as audio/mpeg, with its meta', async () => {
    s3.on(PutObjectCommand).resolves({});
    const mp3 = new Uint8Array([0xff, 0xf3, 1]);
    expect(await aStore().put(KEY, mp3, meta)).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: `audio/${KEY}.mp3`,
      Body: mp3,
      ContentType: 'audio/mpeg',
      IfNoneMatch: '*',
      CacheControl: 'private, max-age=31536000, immutable',
      Metadata: metadata,
    });
  });

  it('keeps the first file under a key: a put S3 refuses as already there (412, or 409 while another is written) is false', async () => {
    for (const status of [412, 409]) {
      s3.reset();
      s3.on(PutObjectCommand).rejects(Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: status } }));
      expect(await aStore().put(KEY, new Uint8Array([0xff, 0xf3, 1]), meta)).toBe(false);
    }
    s3.reset();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(aStore().put(KEY, new Uint8Array([0xff, 0xf3, 1]), meta)).rejects.toThrow('Access Denied');
  });

  it("gives a key's meta when HeadObject finds it, and nothing when S3 answers 404", async () => {
    s3.on(HeadObjectCommand, { Key: `audio/${KEY}.mp3` }).resolves({ ContentLength: 3, Metadata: metadata });
    expect(await aStore().head(KEY)).toEqual(meta);
    s3.reset();
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    expect(await aStore().head(KEY)).toBeUndefined();
  });

  it('lets any other failure through (a 403 is not "missing")', async () => {
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }));
    await expect(aStore().head(KEY)).rejects.toThrow('Forbidden');
  });

  it('reads an MP3 back with its meta', async () => {
    s3.on(GetObjectCommand).resolves({
      Body: { transformToByteArray: async () => new Uint8Array([0xff, 0xf3]) } as never,
      Metadata: metadata,
    });
    expect(await aStore().get(KEY)).toEqual({ mp3: new Uint8Array([0xff, 0xf3]), meta });
    s3.reset();
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));
    expect(await aStore().get(KEY)).toBeUndefined();
  });

  it('presigns a GetObject URL for the key that lapses (15 minutes unless asked)', async () => {
    const url = new URL(await aStore().url(KEY));
    expect(url.hostname).toBe(`${BUCKET}.s3.cn-north-1.amazonaws.com.cn`);
    expect(url.pathname).toBe(`/audio/${KEY}.mp3`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(new URL(await aStore().url(KEY, 60)).searchParams.get('X-Amz-Expires')).toBe('60');
    // Presigning is local: nothing was sent.
    expect(s3.calls()).toEqual([]);
  });

  it('refuses a key that is not a SHA-256 in hex, and a lifetime past a day', async () => {
    await expect(aStore().head('../secrets')).rejects.toThrow(RangeError);
    await expect(aStore().url(KEY, 8 * 24 * 3600)).rejects.toThrow(RangeError);
    expect(s3.calls()).toEqual([]);
  });
});
