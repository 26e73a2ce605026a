/**
 * @module speech/engine
 * Text-to-speech behind one small interface: a broadcast notice's script goes in, already prepared
 * by the text side (functions/domain/speech-*.ts), and an MP3 comes out. Each engine takes the
 * input it can read: Amazon Polly takes SSML chunks (each within SynthesizeSpeech's 3,000 billed
 * characters), espeak-ng takes tone-numbered pinyin (its Mandarin voice cannot read Hanzi).
 */

/** SSML documents, each `<speak>…</speak>`, read in order: for Polly (speech/polly.ts). */
export interface SsmlInput {
  ssml: readonly string[];
}

/** Tone-numbered pinyin, e.g. `fa3 zhi4 xuan1 chuan2 .`: for espeak-ng (speech/espeak.ts). */
export interface PinyinInput {
  pinyin: string;
}

export type SpeechInput = SsmlInput | PinyinInput;

export type SpeechEngineName = 'polly' | 'espeak-ng';

export interface SpeechEngine {
  readonly name: SpeechEngineName;
  /** The voice as recorded beside the audio, e.g. `Zhiyu` or `cmn-latn-pinyin`. */
  readonly voice: string;
  /** The kind of input this engine reads; the caller prepares that one. */
  readonly takes: 'ssml' | 'pinyin';
  /** The whole script as one MP3 (MPEG-1/2 Layer III frames, maybe behind an ID3 tag). */
  synthesize(input: SpeechInput): Promise<Uint8Array>;
}

/** Synthesis failed: the engine's own words (exit code and stderr, or the service's error). */
export class SpeechError extends Error {
  override readonly name = 'SpeechError';
  constructor(
    readonly engine: SpeechEngineName,
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An engine was handed the input the other engine reads: a wiring mistake, said plainly. */
export function wrongInput(engine: SpeechEngineName, wanted: 'ssml' | 'pinyin'): SpeechError {
  return new SpeechError(engine, `${engine} reads ${wanted === 'ssml' ? 'SSML chunks ({ ssml: [...] })' : 'tone-numbered pinyin ({ pinyin })'}`, 'WrongInput');
}
