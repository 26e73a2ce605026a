/**
 * @module speech/espeak
 * The local and test engine: espeak-ng's Mandarin voice reading tone-numbered pinyin, piped
 * through lame into an MP3. Both are Debian packages (`apt-get install espeak-ng lame`); no shell
 * is involved — the pinyin goes to espeak-ng on stdin, never on a command line.
 *
 *   espeak-ng -v cmn-latn-pinyin --stdin --stdout  |  lame --quiet -m m -b 48 - -
 *
 * Why mono at 48 kbit/s, constant bitrate: village loudspeakers are horn speakers on IP
 * broadcast boxes, one channel, little above 7 kHz; espeak-ng writes 22,050 Hz samples, so lame
 * makes MPEG-2 Layer III (the same family Polly returns at 22,050/24,000 Hz), which every MP3
 * decoder in such boxes plays. 48 kbit/s is clean for speech at that rate and keeps a 3-minute
 * notice near 1 MB for stations on 4G; constant bitrate keeps frames the same size, so length
 * and duration stay simple to read and chunks join cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SpeechError, wrongInput, type SpeechEngine, type SpeechInput } from './engine.js';

export const ESPEAK_VOICE = 'cmn-latn-pinyin';
/** lame's settings, as above. */
export const MP3_BITRATE_KBPS = 48;

/** A long notice takes about a second (83 characters of pinyin: 0.37 s); a stuck child is killed after this. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** Enough of a child's stderr to say why it failed, without holding a runaway stream. */
const STDERR_LIMIT = 8 * 1024;
/** More pinyin than any broadcast script (a 10-minute notice is ~3,000 syllables). */
const MAX_PINYIN_CHARACTERS = 100_000;

/** The Debian package each command comes in, for the error when one is missing. */
const DEBIAN_PACKAGE: Record<string, string> = { 'espeak-ng': 'espeak-ng', lame: 'lame' };

export interface EspeakOptions {
  /** Commands, looked up on PATH unless a path is given (default `espeak-ng` and `lame`). */
  espeakCommand?: string | undefined;
  lameCommand?: string | undefined;
  /** espeak-ng voice (default cmn-latn-pinyin). */
  voice?: string | undefined;
  /** Both children are killed when synthesis takes longer (default 60 s). */
  timeoutMs?: number | undefined;
}

/** How one child ended: its exit code or signal and the start of its stderr. */
interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export function createEspeakEngine(options: EspeakOptions = {}): SpeechEngine {
  const espeakCommand = options.espeakCommand ?? 'espeak-ng';
  const lameCommand = options.lameCommand ?? 'lame';
  const voice = options.voice ?? ESPEAK_VOICE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    name: 'espeak-ng',
    voice,
    takes: 'pinyin',
    synthesize: async function synthesizeWithEspeak(input: SpeechInput) {
      if (!('pinyin' in input)) throw wrongInput('espeak-ng', 'pinyin');
      const text = input.pinyin.trim();
      if (text === '') throw new SpeechError('espeak-ng', 'Nothing to say: the pinyin is empty', 'EmptyInput');
      if (text.length > MAX_PINYIN_CHARACTERS) throw new SpeechError('espeak-ng', `The pinyin is longer than ${MAX_PINYIN_CHARACTERS} characters`, 'InputTooLong');
      return pipeToMp3(text, { espeakCommand, lameCommand, voice, timeoutMs });
    },
  };
}

async function pipeToMp3(text: string, settings: { espeakCommand: string; lameCommand: string; voice: string; timeoutMs: number }): Promise<Uint8Array> {
  // -v: the pinyin voice; --stdin: read the text from stdin; --stdout: WAV to stdout.
  const espeak = spawn(settings.espeakCommand, ['-v', settings.voice, '--stdin', '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] });
  // --quiet: no progress on stderr (only errors); -m m: mono; -b: constant bitrate; - -: stdin to stdout.
  const lame = spawn(settings.lameCommand, ['--quiet', '-m', 'm', '-b', String(MP3_BITRATE_KBPS), '-', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });

  const chunks: Buffer[] = [];
  lame.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A child that died early closes its pipes: the other side's EPIPE is reported through its exit, not thrown.
  for (const stream of [espeak.stdin, espeak.stdout, lame.stdin, lame.stdout]) stream.on('error', () => undefined);
  espeak.stdout.pipe(lame.stdin);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    espeak.kill('SIGKILL');
    lame.kill('SIGKILL');
  }, settings.timeoutMs);

  const ended = Promise.all([endOf(espeak, settings.espeakCommand), endOf(lame, settings.lameCommand)]);
  espeak.stdin.end(text, 'utf8');
  let espeakEnd: Ended;
  let lameEnd: Ended;
  try {
    [espeakEnd, lameEnd] = await ended;
  } catch (error) {
    // One could not start: stop the other rather than leave it waiting on a pipe.
    espeak.kill('SIGKILL');
    lame.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }

  if (timedOut) throw new SpeechError('espeak-ng', `espeak-ng | lame took longer than ${settings.timeoutMs} ms and was killed`, 'Timeout');
  failIfUnsuccessful('espeak-ng', espeakEnd);
  failIfUnsuccessful('lame', lameEnd);
  const mp3 = Buffer.concat(chunks);
  if (mp3.length === 0) throw new SpeechError('espeak-ng', 'espeak-ng | lame produced no audio', 'NoAudio');
  return new Uint8Array(mp3.buffer, mp3.byteOffset, mp3.length);
}

/** Resolves when the child has exited and closed its streams; rejects when it could not be started. */
function endOf(child: ChildProcess, command: string): Promise<Ended> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8').slice(0, STDERR_LIMIT - stderr.length);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      const name = command.split('/').pop() ?? command;
      if (error.code === 'ENOENT') {
        const pkg = DEBIAN_PACKAGE[name] ?? name;
        reject(new SpeechError('espeak-ng', `${command} was not found on PATH: install the Debian package ${pkg} (apt-get install ${pkg}).`, 'MissingCommand', { cause: error }));
      } else {
        reject(new SpeechError('espeak-ng', `${command} could not be started: ${error.message}`, error.code ?? 'SpawnFailed', { cause: error }));
      }
    });
    child.once('close', (code, signal) => resolve({ code, signal, stderr: stderr.trim() }));
  });
}

function failIfUnsuccessful(command: string, end: Ended): void {
  if (end.code === 0) return;
  const how = end.signal ? `was killed by ${end.signal}` : `exited with ${String(end.code)}`;
  throw new SpeechError('espeak-ng', `${command} ${how}${end.stderr ? `: ${end.stderr}` : ' (nothing on stderr)'}`, 'CommandFailed');
}
