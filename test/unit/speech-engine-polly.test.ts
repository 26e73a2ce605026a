/**
 * The Polly engine with the SDK mocked (Polly cannot run here): one SynthesizeSpeech per SSML
 * chunk, in order, as Zhiyu in SSML to MP3, in the configured region; neural where Polly offers
 * it, standard from the first refusal on.
 */
import { EngineNotSupportedException, PollyClient, SynthesizeSpeechCommand, type SynthesizeSpeechCommandOutput } from '@aws-sdk/client-polly';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FileAudioStore } from '../../functions/speech/file-audio-store.js';
import { createPollyEngine } from '../../functions/speech/polly.js';
import { recordScript } from '../../functions/workflows/recordings.js';

const polly = mockClient(PollyClient);
afterEach(() => polly.reset());

/**
 * Three MPEG-2 Layer III frames (22,050 Hz, 32 kbit/s, mono: 104 bytes each) whose payload is
 * `marker`, so the parts of a joined recording can be told apart.
 */
const frames = (marker: number) => {
  const frame = new Uint8Array(104).fill(marker);
  frame.set([0xff, 0xf3, 0x40, 0xc0]);
  return new Uint8Array([...frame, ...frame, ...frame]);
};
/** What the SDK hands back: a stream the engine reads with transformToByteArray. */
const audio = (marker: number): SynthesizeSpeechCommandOutput =>
  ({ AudioStream: { transformToByteArray: async () => frames(marker) }, ContentType: 'audio/mpeg', $metadata: {} }) as unknown as SynthesizeSpeechCommandOutput;

const chunks = ['<speak>第一段</speak>', '<speak>第二段</speak>', '<speak>第三段</speak>'];
const sent = () => polly.commandCalls(SynthesizeSpeechCommand).map((call) => call.args[0].input);

describe('the Polly engine', () => {
  it('asks Polly once per chunk, in order, as Zhiyu reading SSML into MP3, and joins the audio', async () => {
    polly
      .on(SynthesizeSpeechCommand, { Text: chunks[0] })
      .resolves(audio(1))
      .on(SynthesizeSpeechCommand, { Text: chunks[1] })
      .resolves(audio(2))
      .on(SynthesizeSpeechCommand, { Text: chunks[2] })
      .resolves(audio(3));
    const engine = createPollyEngine({ region: 'cn-northwest-1' });
    const mp3 = await engine.synthesize({ ssml: chunks });
    expect([...mp3]).toEqual([...frames(1), ...frames(2), ...frames(3)]);
    expect(sent()).toEqual(
      chunks.map((Text) => ({ Engine: 'neural', LanguageCode: 'cmn-CN', VoiceId: 'Zhiyu', OutputFormat: 'mp3', SampleRate: '22050', TextType: 'ssml', Text })),
    );
    expect(engine).toMatchObject({ name: 'polly', voice: 'Zhiyu', takes: 'ssml', region: 'cn-northwest-1' });
  });

  it('calls Polly in the configured TTS region', async () => {
    polly.on(SynthesizeSpeechCommand).resolves(audio(0xff));
    await createPollyEngine({ region: 'cn-northwest-1' }).synthesize({ ssml: chunks.slice(0, 1) });
    const client = polly.commandCalls(SynthesizeSpeechCommand)[0]?.thisValue as PollyClient;
    expect(await client.config.region()).toBe('cn-northwest-1');
  });

  it('falls back to the standard engine where neural is not offered, and stays there', async () => {
    polly
      .on(SynthesizeSpeechCommand, { Engine: 'neural' })
      .rejects(new EngineNotSupportedException({ message: 'This engine is not compatible with the voice that you have designated', $metadata: {} }))
      .on(SynthesizeSpeechCommand, { Engine: 'standard' })
      .resolves(audio(0xf3));
    const engine = createPollyEngine({ region: 'ap-southeast-1' });
    await engine.synthesize({ ssml: chunks });
    expect(sent().map((input) => `${input.Engine}:${input.Text}`)).toEqual([
      `neural:${chunks[0]}`,
      `standard:${chunks[0]}`,
      `standard:${chunks[1]}`,
      `standard:${chunks[2]}`,
    ]);
    expect(engine.engine()).toBe('standard');
  });

  it('falls back on a validation error about the engine, but not on one about the text', async () => {
    const validation = (message: string) => Object.assign(new Error(message), { name: 'ValidationException', $metadata: {} });
    polly.on(SynthesizeSpeechCommand, { Engine: 'neural' }).rejects(validation('The selected engine is not supported in this region')).on(SynthesizeSpeechCommand, { Engine: 'standard' }).resolves(audio(1));
    expect([...(await createPollyEngine({ region: 'us-east-2' }).synthesize({ ssml: ['<speak>一</speak>'] }))]).toEqual([...frames(1)]);

    polly.reset();
    polly.on(SynthesizeSpeechCommand).rejects(Object.assign(new Error('Text too long'), { name: 'TextLengthExceededException', $metadata: {} }));
    await expect(createPollyEngine({ region: 'us-east-2' }).synthesize({ ssml: ['<speak>一</speak>'] })).rejects.toMatchObject({
      name: 'SpeechError',
      engine: 'polly',
      code: 'TextLengthExceededException',
      message: 'Polly: Text too long',
    });
    expect(sent().map((input) => input.Engine)).toEqual(['neural']);
  });

  it('starts with the standard engine when told to', async () => {
    polly.on(SynthesizeSpeechCommand).resolves(audio(1));
    await createPollyEngine({ region: 'cn-northwest-1', engine: 'standard' }).synthesize({ ssml: chunks.slice(0, 1) });
    expect(sent()[0]?.Engine).toBe('standard');
  });

  it('refuses pinyin and an empty list of chunks', async () => {
    const engine = createPollyEngine({ region: 'cn-northwest-1' });
    await expect(engine.synthesize({ pinyin: 'ni3 hao3' })).rejects.toThrow(/SSML chunks/);
    await expect(engine.synthesize({ ssml: [] })).rejects.toMatchObject({ code: 'EmptyInput' });
    expect(sent()).toEqual([]);
  });
});

describe('a broadcast read by Polly (recordScript, the SDK mocked)', () => {
  it('sends the normalised script as SSML with the lexicon’s phonemes, and keeps the joined MP3 under its key', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pufa-polly-'));
    try {
      polly.on(SynthesizeSpeechCommand).resolves(audio(7));
      const speech = { engine: createPollyEngine({ region: 'cn-northwest-1' }), audio: new FileAudioStore(folder, { secret: 's'.repeat(32) }) };
      const script = '银行行长提醒：2021年3月15日起，请拨打12315举报。';
      const first = await recordScript(speech, script, [{ word: '行长', pinyin: 'hang2 zhang3' }], new Date('2026-12-01T00:00:00Z'));
      const [ssml] = sent().map((input) => input.Text);
      expect(ssml).toBe('<speak>银行<phoneme alphabet="x-amazon-pinyin" ph="hang2-zhang3">行长</phoneme>提醒：二零二一年三月十五日起，请拨打一二三一五举报。</speak>');
      expect(first).toMatchObject({ made: true, audio: { engine: 'polly', voice: 'Zhiyu', bytes: 312, characters: Array.from(ssml?.replace(/<[^>]+>/g, '') ?? '').length } });
      // 3 frames of 576 samples at 22,050 Hz.
      expect(first.audio.durationSeconds).toBeCloseTo((3 * 576) / 22050, 5);
      const again = await recordScript(speech, script, [{ word: '行长', pinyin: 'hang2 zhang3' }], new Date());
      expect(again).toMatchObject({ made: false, audio: { key: first.audio.key, sha256: first.audio.sha256 } });
      expect(sent()).toHaveLength(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
