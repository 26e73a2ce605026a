/**
 * @module speech/from-config
 * The speech engine and the audio store, built once per process from validated config: with an
 * audio bucket (PUFA_AUDIO_BUCKET, set by the stack) Amazon Polly in the TTS region
 * (PUFA_TTS_REGION) and S3; without one, espeak-ng and lame with the local data folder, which the
 * local server hands in with the secret its audio links are signed with. Nothing of the AWS SDK
 * is loaded here: each client is imported on its first use.
 */
import { ConfigError, type Config } from '../config.js';
import type { AudioStore } from './audio-store.js';
import type { SpeechEngine } from './engine.js';
import { createEspeakEngine } from './espeak.js';
import { FileAudioStore } from './file-audio-store.js';
import { createPollyEngine } from './polly.js';
import { createS3AudioStore } from './s3-audio-store.js';

export interface Speech {
  engine: SpeechEngine;
  audio: AudioStore;
}

/** What only a local process has: its data folder, and the secret its audio links are signed with. */
export interface LocalSpeech {
  dataDir: string;
  linkSecret: string;
  /** The clock links are signed and checked by: the local system's (its --clock), in every process on the folder. */
  now?: (() => Date) | undefined;
}

export function speechFromConfig(config: Config, local?: LocalSpeech): Speech {
  const { audioBucket, ttsRegion } = config.speech;
  if (audioBucket) {
    return {
      engine: createPollyEngine({ region: ttsRegion }),
      audio: createS3AudioStore({ bucket: audioBucket, region: config.region }),
    };
  }
  if (!local) {
    throw new ConfigError([{ variable: 'PUFA_AUDIO_BUCKET', message: 'is required on AWS (the stack sets it); only a local process keeps audio in its data folder' }]);
  }
  return { engine: createEspeakEngine(), audio: new FileAudioStore(local.dataDir, { secret: local.linkSecret, now: local.now }) };
}
