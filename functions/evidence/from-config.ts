/**
 * @module evidence/from-config
 * The evidence store, built once per process from validated config: the audio bucket when there
 * is one (PUFA_AUDIO_BUCKET, set by the stack; evidence goes under `evidence-incoming/` and
 * `evidence/`), else the local data folder, which only a local process has.
 */
import { ConfigError, type Config } from '../config.js';
import type { EvidenceStore } from './evidence-store.js';
import { FileEvidenceStore } from './file-evidence-store.js';
import { createS3EvidenceStore } from './s3-evidence-store.js';

export function evidenceFromConfig(config: Pick<Config, 'region' | 'speech'>, local?: { dataDir: string; uploadSecret: string }): EvidenceStore {
  const bucket = config.speech.audioBucket;
  if (bucket) return createS3EvidenceStore({ bucket, region: config.region });
  if (!local) {
    throw new ConfigError([{ variable: 'PUFA_AUDIO_BUCKET', message: 'is required on AWS (the stack sets it); only a local process keeps evidence in its data folder' }]);
  }
  return new FileEvidenceStore(local.dataDir, local.uploadSecret);
}
