/**
 * @module domain/broadcast
 * Village loudspeaker scripts (村村通普法广播): how long a script takes to read, read `repeats`
 * times, and whether that fits its air windows. Pure.
 */
import { z } from 'zod';
import { localTimeSchema } from './schedule.js';

export const airWindowSchema = z
  .object({ from: localTimeSchema, to: localTimeSchema })
  .refine((window) => window.to > window.from, {
    message: 'must end after it starts',
    path: ['to'],
    // Only two real times can be put in order; a malformed one already has its own message.
    when: (payload) => payload.issues.length === 0,
  });
export type AirWindow = z.infer<typeof airWindowSchema>;

/** A steady Mandarin broadcast reading pace, characters per minute. */
export const defaultCharactersPerMinute = 200;

export interface BroadcastEstimate {
  characters: number;
  readingSeconds: number;
  totalSeconds: number;
  warnings: string[];
  problems: string[];
}

/**
 * Made on first use: the first Intl.Segmenter a process makes loads ICU's break rules, tens of
 * milliseconds a cold start has no need to pay (bench/RESULTS.md, 2026-11-30 second pass).
 */
let graphemes: Intl.Segmenter | undefined;

function windowSeconds(window: AirWindow): number {
  const seconds = (time: string) => Number(time.slice(0, 2)) * 3600 + Number(time.slice(3, 5)) * 60;
  return seconds(window.to) - seconds(window.from);
}

/** 570 -> '9 min 30 s', as the warnings say it. */
export function formatDuration(totalSeconds: number): string {
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes} 分${seconds > 0 ? ` ${seconds} 秒` : '钟'}` : `${seconds} 秒`;
}

export function estimateBroadcast(
  script: string,
  options: { charactersPerMinute: number; repeats: number; airWindows: readonly AirWindow[] },
): BroadcastEstimate {
  // What a listener hears: user-perceived characters, not spaces or line breaks.
  const characters = Array.from((graphemes ??= new Intl.Segmenter('zh', { granularity: 'grapheme' })).segment(script)).filter((part) => !/^\s+$/u.test(part.segment)).length;
  // Multiply before dividing: 93 / 180 * 60 is 31.000000000000004 in floating point, and ceil
  // would make an exact 31 s read 32.
  const readingSeconds = Math.ceil((characters * 60) / options.charactersPerMinute);
  const totalSeconds = readingSeconds * options.repeats;
  const problems: string[] = [];
  const warnings: string[] = [];
  if (characters === 0) problems.push('must not be empty');
  if (options.airWindows.length === 0) problems.push('needs at least one air window');
  // A script read back to back in one sitting has to fit every window it may be given.
  const shortest = [...options.airWindows].sort((a, b) => windowSeconds(a) - windowSeconds(b))[0];
  if (shortest && totalSeconds > windowSeconds(shortest)) {
    const times = options.repeats === 1 ? '一遍' : ` ${options.repeats} 遍`;
    warnings.push(`朗读${times}需 ${formatDuration(totalSeconds)}，超过 ${shortest.from}-${shortest.to} 播出时段`);
  }
  return { characters, readingSeconds, totalSeconds, warnings, problems };
}

/**
 * The recording read `repeats` times back to back against the shortest air window: a problem
 * (not a warning, as the estimate's is) because the length is now known, not guessed.
 */
export function recordingProblem(durationSeconds: number, options: { repeats: number; airWindows: readonly AirWindow[] }): string | undefined {
  const total = Math.ceil(durationSeconds) * options.repeats;
  const shortest = [...options.airWindows].sort((a, b) => windowSeconds(a) - windowSeconds(b))[0];
  if (!shortest || total <= windowSeconds(shortest)) return undefined;
  const times = options.repeats === 1 ? '一遍' : ` ${options.repeats} 遍`;
  return `录音长 ${formatDuration(Math.ceil(durationSeconds))}，播放${times}需 ${formatDuration(total)}，超过 ${shortest.from}-${shortest.to} 播出时段：缩短稿件、减少遍数或放宽时段`;
}
