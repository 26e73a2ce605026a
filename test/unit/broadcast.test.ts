import { describe, expect, it } from 'vitest';
import {
  airWindowSchema,
  defaultCharactersPerMinute,
  estimateBroadcast,
  formatDuration,
  type AirWindow,
} from '../../functions/domain/broadcast.js';

const morningNews: AirWindow = { from: '07:00', to: '07:05' };
const aScript = (characters: number) => '宪'.repeat(characters);
const anEstimate = (script: string, options: Partial<Parameters<typeof estimateBroadcast>[1]> = {}) =>
  estimateBroadcast(script, { charactersPerMinute: defaultCharactersPerMinute, repeats: 1, airWindows: [morningNews], ...options });

const issues = (value: unknown) =>
  airWindowSchema.safeParse(value).error?.issues.map((issue) => ({ path: issue.path, message: issue.message })) ?? [];

describe('an air window', () => {
  it('runs from one local time to a later one', () => {
    expect(airWindowSchema.parse({ from: '07:00', to: '07:05' })).toEqual({ from: '07:00', to: '07:05' });
    expect(issues({ from: '00:00', to: '23:59' })).toEqual([]);
  });

  it('must end after it starts, which rules out an empty window and one over midnight', () => {
    const notAfter = [{ path: ['to'], message: 'must end after it starts' }];
    expect(issues({ from: '07:00', to: '07:00' })).toEqual(notAfter);
    expect(issues({ from: '07:05', to: '07:00' })).toEqual(notAfter);
    expect(issues({ from: '23:00', to: '01:00' })).toEqual(notAfter);
  });

  it('reports a malformed time once, without also calling the window backwards', () => {
    expect(issues({ from: '7am', to: '06:00' })).toEqual([{ path: ['from'], message: 'must be a time like 07:30' }]);
  });
});

describe('estimateBroadcast', () => {
  it('reads at 200 characters a minute by default', () => {
    expect(defaultCharactersPerMinute).toBe(200);
    expect(anEstimate(aScript(200))).toEqual({ characters: 200, readingSeconds: 60, totalSeconds: 60, warnings: [], problems: [] });
  });

  it('counts what a listener hears: no spaces, tabs, line breaks or full-width spaces, but punctuation', () => {
    expect(anEstimate('宪法 是\n根本\t大法　！').characters).toBe(8);
  });

  it('counts an emoji sequence, a flag or a letter with a combining accent as one character each', () => {
    expect(anEstimate('👨‍👩‍👧🇨🇳e\u0301').characters).toBe(3);
  });

  it('rounds reading time up to the whole second', () => {
    expect(anEstimate('法').readingSeconds).toBe(1);
    expect(anEstimate(aScript(201)).readingSeconds).toBe(61);
  });

  it('does not add a second to a time that comes out exact', () => {
    // 93 / 180 * 60 is 31.000000000000004 in floating point
    expect(anEstimate(aScript(93), { charactersPerMinute: 180 }).readingSeconds).toBe(31);
  });

  it('follows a slower reading pace', () => {
    expect(anEstimate(aScript(300), { charactersPerMinute: 150 }).readingSeconds).toBe(120);
  });

  it('multiplies the reading time by the repeats', () => {
    expect(anEstimate(aScript(200), { repeats: 3, airWindows: [{ from: '06:00', to: '09:00' }] })).toMatchObject({
      readingSeconds: 60,
      totalSeconds: 180,
      warnings: [],
    });
  });

  it('warns when reading three times takes longer than the window', () => {
    const estimate = anEstimate(aScript(633), { repeats: 3 });
    expect(estimate).toMatchObject({ readingSeconds: 190, totalSeconds: 570, problems: [] });
    expect(estimate.warnings).toEqual(['朗读 3 遍需 9 分 30 秒，超过 07:00-07:05 播出时段']);
  });

  it('does not warn when the repeats fill the window exactly, but does two seconds over', () => {
    expect(anEstimate(aScript(500), { repeats: 2 })).toMatchObject({ totalSeconds: 300, warnings: [] });
    expect(anEstimate(aScript(501), { repeats: 2 }).warnings).toEqual([
      '朗读 2 遍需 5 分 2 秒，超过 07:00-07:05 播出时段',
    ]);
  });

  it('says 一遍 for a single reading', () => {
    expect(anEstimate(aScript(1001)).warnings).toEqual(['朗读一遍需 5 分 1 秒，超过 07:00-07:05 播出时段']);
  });

  it('words a warning of whole minutes without seconds', () => {
    const estimate = anEstimate(aScript(700), { repeats: 2, airWindows: [{ from: '06:00', to: '09:00' }, morningNews] });
    expect(estimate.totalSeconds).toBe(420);
    expect(estimate.warnings).toEqual(['朗读 2 遍需 7 分钟，超过 07:00-07:05 播出时段']);
  });

  it('measures against the shortest window, wherever it is listed', () => {
    const windows = [{ from: '06:00', to: '09:00' }, { from: '18:30', to: '18:40' }, morningNews];
    // 7 min 30 s fits the three hours and the ten minutes, not the five
    expect(anEstimate(aScript(500), { repeats: 3, airWindows: windows }).warnings).toEqual([
      '朗读 3 遍需 7 分 30 秒，超过 07:00-07:05 播出时段',
    ]);
    expect(anEstimate(aScript(500), { airWindows: windows }).warnings).toEqual([]);
  });

  it('refuses an empty or blank script', () => {
    expect(anEstimate('')).toMatchObject({ characters: 0, readingSeconds: 0, problems: ['must not be empty'] });
    expect(anEstimate(' \n\t　').problems).toEqual(['must not be empty']);
  });

  it('refuses a script with no air window, and names both problems when both apply', () => {
    expect(anEstimate(aScript(10), { airWindows: [] })).toMatchObject({ problems: ['needs at least one air window'], warnings: [] });
    expect(anEstimate('', { airWindows: [] }).problems).toEqual(['must not be empty', 'needs at least one air window']);
  });
});

describe('formatDuration', () => {
  it('says minutes and seconds the way the warnings read', () => {
    expect(formatDuration(0)).toBe('0 秒');
    expect(formatDuration(45)).toBe('45 秒');
    expect(formatDuration(60)).toBe('1 分钟');
    expect(formatDuration(570)).toBe('9 分 30 秒');
    expect(formatDuration(3600)).toBe('60 分钟');
  });
});
