/**
 * Which engine and store a process gets from its config: Polly and S3 where the stack set an
 * audio bucket, espeak-ng and the data folder locally; and the settings' validation.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';
import { FileAudioStore } from '../../functions/speech/file-audio-store.js';
import { speechFromConfig } from '../../functions/speech/from-config.js';

const local = { PUFA_TABLE_NAME: 'pufa', PUFA_DYNAMODB_ENDPOINT: 'http://localhost:8000' };
const linkSecret = 'x'.repeat(43);

describe('speech from config', () => {
  it('uses Polly in the TTS region and S3 when an audio bucket is set', () => {
    const config = loadConfig({ ...local, AWS_REGION: 'cn-north-1', PUFA_AUDIO_BUCKET: 'pufa-audio-1', PUFA_TTS_REGION: 'cn-northwest-1' });
    expect(config.speech).toEqual({ audioBucket: 'pufa-audio-1', ttsRegion: 'cn-northwest-1' });
    const speech = speechFromConfig(config);
    expect(speech.engine).toMatchObject({ name: 'polly', voice: 'Zhiyu', region: 'cn-northwest-1' });
    expect(speech.audio).not.toBeInstanceOf(FileAudioStore);
  });

  it("calls Polly in the function's own region when no TTS region is set", () => {
    const config = loadConfig({ ...local, AWS_REGION: 'ap-southeast-1', PUFA_AUDIO_BUCKET: 'pufa-audio-1' });
    expect(speechFromConfig(config).engine).toMatchObject({ name: 'polly', region: 'ap-southeast-1' });
  });

  it('uses espeak-ng and the data folder without a bucket, and refuses to start without either', () => {
    const config = loadConfig(local);
    const speech = speechFromConfig(config, { dataDir: '/tmp/pufa-data', linkSecret });
    expect(speech.engine).toMatchObject({ name: 'espeak-ng', voice: 'cmn-latn-pinyin' });
    expect(speech.audio).toBeInstanceOf(FileAudioStore);
    expect(() => speechFromConfig(config)).toThrow(/PUFA_AUDIO_BUCKET/);
  });

  it('refuses a malformed bucket or TTS region, naming the variable', () => {
    for (const [variable, value] of [
      ['PUFA_AUDIO_BUCKET', 'Not_A_Bucket'],
      ['PUFA_AUDIO_BUCKET', 'a..b'],
      ['PUFA_TTS_REGION', 'ningxia'],
    ] as const) {
      const failure = (() => {
        try {
          loadConfig({ ...local, [variable]: value });
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).problems.map((problem) => problem.variable)).toEqual([variable]);
    }
  });
});
