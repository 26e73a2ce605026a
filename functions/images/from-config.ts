/**
 * @module images/from-config
 * The image store, built once per process from validated config: the audio bucket when there is
 * one (PUFA_AUDIO_BUCKET, set by the stack; images go under `images/`), else the local data folder,
 * which only a local process has.
 */
import { ConfigError, type Config } from '../config.js';
import { FileImageStore } from './file-image-store.js';
import type { ImageStore } from './image-store.js';
import { createS3ImageStore } from './s3-image-store.js';

export function imagesFromConfig(config: Pick<Config, 'region' | 'speech'>, local?: { dataDir: string }): ImageStore {
  const bucket = config.speech.audioBucket;
  if (bucket) return createS3ImageStore({ bucket, region: config.region });
  if (!local) {
    throw new ConfigError([{ variable: 'PUFA_AUDIO_BUCKET', message: 'is required on AWS (the stack sets it); only a local process keeps images in its data folder' }]);
  }
  return new FileImageStore(local.dataDir);
}
