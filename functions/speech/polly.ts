/**
 * @module speech/polly
 * The engine on AWS: Amazon Polly's Mandarin voice Zhiyu reading SSML, one SynthesizeSpeech call
 * per chunk, in order, the MP3s joined. The Polly client is imported on the first synthesis, so
 * the API's cold start does not load it (like the SNS subscriptions client).
 *
 * Facts this relies on (SDK docs of @aws-sdk/client-polly 3.1142, SynthesizeSpeechInput):
 * SynthesizeSpeech takes at most 3,000 billed characters of text (SSML tags not counted; 6,000
 * in all; TextLengthExceededException) — the text side cuts chunks to fit; MP3 comes at 8,000,
 * 16,000, 22,050, 24,000, 44,100 or 48,000 Hz, by default 22,050 for standard voices and 24,000 for
 * neural ones. We ask for 22,050 Hz from
 * both engines: loudspeakers gain nothing from the top of 24 kHz, and one rate for every chunk
 * and engine lets chunks (and a fallback mid-notice) join into one stream.
 *
 * Neural or standard: Zhiyu has both (AWS's "Available voices" table), but the neural engine is
 * not offered in every Polly region, and the region list we could read (the Neural TTS page) is
 * an old copy naming only three. So the engine is not looked up in a list: it asks for neural
 * and, when Polly answers that the engine is not supported (EngineNotSupportedException, or a
 * ValidationException about the engine), uses standard from then on in this process.
 */
import type { PollyClient, SynthesizeSpeechCommandOutput } from '@aws-sdk/client-polly';
import { joinMp3 } from '../domain/mp3.js';
import { onFirstUse } from '../on-first-use.js';
import { SpeechError, wrongInput, type SpeechEngine, type SpeechInput } from './engine.js';

export const POLLY_VOICE = 'Zhiyu';
export const POLLY_LANGUAGE = 'cmn-CN';
/** One rate for both engines (see above). */
export const POLLY_SAMPLE_RATE = '22050';

export type PollyEngine = 'neural' | 'standard';

export interface PollyEngineOptions {
  /** The region Polly is called in (PUFA_TTS_REGION, else the function's own). */
  region: string;
  /** A client to use instead of building one (tests; a shared client). */
  client?: PollyClient | undefined;
  /** Start with this engine (default neural; standard skips the first try). */
  engine?: PollyEngine | undefined;
}

/** The SDK module, imported on the first synthesis, and the client (built in the TTS region unless given). */
async function loadPolly(options: PollyEngineOptions) {
  const sdk = await import('@aws-sdk/client-polly');
  return { client: options.client ?? new sdk.PollyClient({ region: options.region }), SynthesizeSpeechCommand: sdk.SynthesizeSpeechCommand };
}

/** Whether Polly refused the engine itself (not the text, the voice or the caller). */
function engineRefused(error: unknown): boolean {
  const named = error as { name?: string; message?: string };
  if (named.name === 'EngineNotSupportedException') return true;
  return named.name === 'ValidationException' && /engine/i.test(named.message ?? '');
}

async function bytesOf(output: SynthesizeSpeechCommandOutput): Promise<Uint8Array> {
  if (!output.AudioStream) throw new SpeechError('polly', 'Polly returned no audio stream', 'NoAudio');
  return output.AudioStream.transformToByteArray();
}

export function createPollyEngine(options: PollyEngineOptions): SpeechEngine & { readonly engine: () => PollyEngine; readonly region: string } {
  const loaded = onFirstUse(() => loadPolly(options));
  let engine: PollyEngine = options.engine ?? 'neural';

  async function synthesizeChunk(ssml: string): Promise<Uint8Array> {
    const { client, SynthesizeSpeechCommand } = await loaded();
    const send = (withEngine: PollyEngine) =>
      client.send(
        new SynthesizeSpeechCommand({
          Engine: withEngine,
          LanguageCode: POLLY_LANGUAGE,
          VoiceId: POLLY_VOICE,
          OutputFormat: 'mp3',
          SampleRate: POLLY_SAMPLE_RATE,
          TextType: 'ssml',
          Text: ssml,
        }),
      );
    try {
      return await bytesOf(await send(engine));
    } catch (error) {
      if (engine === 'neural' && engineRefused(error)) {
        // Not offered here: standard for this chunk and every later one in this process.
        engine = 'standard';
        return bytesOf(await send(engine)).catch((retryError: unknown) => {
          throw toSpeechError(retryError);
        });
      }
      throw toSpeechError(error);
    }
  }

  return {
    name: 'polly',
    voice: POLLY_VOICE,
    takes: 'ssml',
    region: options.region,
    engine: () => engine,
    synthesize: async function synthesizeWithPolly(input: SpeechInput) {
      if (!('ssml' in input)) throw wrongInput('polly', 'ssml');
      if (input.ssml.length === 0) throw new SpeechError('polly', 'Nothing to say: no SSML chunks', 'EmptyInput');
      const parts: Uint8Array[] = [];
      // In order, one at a time: the chunks are parts of one recording, and Polly's
      // per-account rate is better spent on other notices than on racing one notice's chunks.
      for (const chunk of input.ssml) parts.push(await synthesizeChunk(chunk));
      // One MP3 of the chunks' frames (each part checked to be MP3, tags between them dropped).
      return joinMp3(parts);
    },
  };
}

function toSpeechError(error: unknown): SpeechError {
  if (error instanceof SpeechError) return error;
  const named = error as { name?: string; message?: string };
  return new SpeechError('polly', `Polly: ${named.message ?? String(error)}`, named.name ?? 'Unknown', { cause: error });
}
