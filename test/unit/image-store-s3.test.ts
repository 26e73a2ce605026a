/**
 * The S3 image store with the SDK mocked (S3 cannot run here): images under images/<sha256> in the
 * audio bucket, with their own Content-Type and their size as metadata; put only if absent, an
 * image S3 already keeps (412, or 409 while another put writes it) is no failure.
 */
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeImage, ImageRefused } from '../../functions/images/image-store.js';
import { createS3ImageStore } from '../../functions/images/s3-image-store.js';
import { aJpeg, aPng } from '../support/images.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const BUCKET = 'pufa-audio-test';
const aStore = () => createS3ImageStore({ bucket: BUCKET, region: 'cn-north-1', client: new S3Client({ region: 'cn-north-1' }) });
const png = aPng({ width: 40, height: 30 });
const image = describeImage(png);
const metadata = { sha256: image.sha256, bytes: String(png.length), width: '40', height: '30' };

describe('the S3 image store', () => {
  it('puts the image under images/<sha256> with its type and size, only if absent', async () => {
    s3.on(PutObjectCommand).resolves({});
    expect(await aStore().put(png)).toEqual(image);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: `images/${image.sha256}`,
      Body: png,
      ContentType: 'image/png',
      IfNoneMatch: '*',
      CacheControl: 'private, max-age=31536000, immutable',
      Metadata: metadata,
    });
  });

  it('answers an image S3 already keeps (412, or 409 while it is being written) with its description', async () => {
    for (const status of [412, 409]) {
      s3.reset();
      s3.on(PutObjectCommand).rejects(Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: status } }));
      expect(await aStore().put(png)).toEqual(image);
    }
  });

  it('lets any other failure through (a 403 is not "already kept")', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(aStore().put(png)).rejects.toThrow('Access Denied');
  });

  it('refuses what is not an image before sending anything', async () => {
    await expect(aStore().put(new TextEncoder().encode('not an image'))).rejects.toBeInstanceOf(ImageRefused);
    expect(s3.calls()).toEqual([]);
  });

  it('describes a kept image from HeadObject, and nothing when S3 answers 404', async () => {
    s3.on(HeadObjectCommand, { Bucket: BUCKET, Key: `images/${image.sha256}` }).resolves({ ContentType: 'image/png', ContentLength: png.length, Metadata: metadata });
    expect(await aStore().head(image.sha256)).toEqual(image);
    s3.reset();
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    expect(await aStore().head(image.sha256)).toBeUndefined();
  });

  it('reads a kept image back with its description, and nothing for a key S3 does not have', async () => {
    const jpeg = aJpeg({ width: 24, height: 16 });
    const described = describeImage(jpeg);
    s3.on(GetObjectCommand, { Key: `images/${described.sha256}` }).resolves({
      Body: { transformToByteArray: async () => jpeg } as never,
      ContentType: 'image/jpeg',
      Metadata: { sha256: described.sha256, bytes: String(jpeg.length), width: '24', height: '16' },
    });
    expect(await aStore().get(described.sha256)).toEqual({ bytes: jpeg, image: described });
    s3.reset();
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));
    expect(await aStore().get(described.sha256)).toBeUndefined();
  });

  it('refuses a name that is not a SHA-256 before asking S3 (it would become an object key)', async () => {
    await expect(aStore().get('../audio/x')).rejects.toThrow(RangeError);
    await expect(aStore().head('AB'.repeat(32))).rejects.toThrow(RangeError);
    expect(s3.calls()).toEqual([]);
  });
});
