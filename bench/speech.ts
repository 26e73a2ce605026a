/**
 * @module bench/speech
 * Broadcast recordings with the local engine (espeak-ng | lame): how long a submit waits for a
 * script of 100, 500 and 2,000 characters to be read, how long the MP3 is and how big, and what a
 * kept recording costs the next submit of the same script (a lookup, no synthesis). Also the
 * first pinyin conversion in a process, which loads and warms pinyin-pro. Polly is not measured
 * here (no AWS account); its share of a submit is one SynthesizeSpeech per 3,000 characters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEspeakEngine } from '../functions/speech/espeak.js';
import { FileAudioStore } from '../functions/speech/file-audio-store.js';
import { recordScript } from '../functions/workflows/recordings.js';
import { median, note, quick, report } from './shared.js';

const SENTENCE = '遇到消费纠纷，请拨打12315投诉举报，也可以到司法所免费咨询。';
const SIZES = quick ? [100] : [100, 500, 2_000];
const RUNS = quick ? 2 : 5;

const scriptOf = (characters: number, salt: number) => {
  let text = `第${salt}期。`;
  while (Array.from(text).length < characters) text += SENTENCE;
  return Array.from(text).slice(0, characters).join('');
};

const folder = mkdtempSync(join(tmpdir(), 'pufa-bench-speech-'));
try {
  const speech = { engine: createEspeakEngine(), audio: new FileAudioStore(folder, { secret: 'bench-secret-'.repeat(3) }) };
  const warm = performance.now();
  await recordScript(speech, '你好。', [], new Date());
  report('speech.first-recording-in-process', performance.now() - warm, 'ms');
  note('(includes loading pinyin-pro and its first call)');
  for (const size of SIZES) {
    const made: number[] = [];
    const kept: number[] = [];
    let last: Awaited<ReturnType<typeof recordScript>> | undefined;
    for (let run = 0; run < RUNS; run += 1) {
      const script = scriptOf(size, run);
      let started = performance.now();
      last = await recordScript(speech, script, [], new Date());
      made.push(performance.now() - started);
      started = performance.now();
      await recordScript(speech, script, [], new Date());
      kept.push(performance.now() - started);
    }
    report(`speech.espeak.${size}-chars.made`, median(made), 'ms');
    report(`speech.espeak.${size}-chars.kept`, median(kept), 'ms');
    if (last) {
      report(`speech.espeak.${size}-chars.length`, last.audio.durationSeconds, 's');
      report(`speech.espeak.${size}-chars.mp3`, last.audio.bytes / 1024, 'KiB');
    }
  }
  note(`median of ${RUNS} runs per size; "kept" is a second submit of the same script`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
