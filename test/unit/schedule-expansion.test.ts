import { describe, expect, it } from 'vitest';
import { estimateBroadcast } from '../../functions/domain/broadcast.js';
import {
  deferOutOfQuietHours,
  expandSchedule,
  localDateSchema,
  localDateTimeSchema,
  localToUtc,
  scheduleSchema,
  utcToLocal,
  type ExpandContext,
  type Schedule,
} from '../../functions/domain/schedule.js';

const march: ExpandContext = {
  timeZone: 'Asia/Shanghai',
  window: { start: '2021-03-08', end: '2021-03-21' },
  keyDate: '2021-03-15',
  maxSends: 40,
};
const quiet = { start: '21:00', end: '08:00' };
const schedule = (value: unknown): Schedule => scheduleSchema.parse(value);

function sends(value: unknown, context: ExpandContext = march) {
  const result = expandSchedule(schedule(value), context);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.sends;
}

function problems(value: unknown, context: ExpandContext = march) {
  const result = expandSchedule(schedule(value), context);
  return result.ok ? [] : result.problems;
}

describe('local dates and times', () => {
  it('refuse dates that do not exist', () => {
    expect(localDateSchema.safeParse('2021-02-28').success).toBe(true);
    expect(localDateSchema.safeParse('2021-02-29').success).toBe(false);
    expect(localDateSchema.safeParse('2024-02-29').success).toBe(true);
    expect(localDateSchema.safeParse('2021-02-30').error?.issues[0]?.message).toBe('not a real date');
    expect(localDateSchema.safeParse('2021-13-01').success).toBe(false);
  });
  it('accept a space for the T and normalise it', () => {
    expect(localDateTimeSchema.parse('2021-03-14 10:00')).toBe('2021-03-14T10:00');
    expect(localDateTimeSchema.safeParse('2021-03-14T24:00').success).toBe(false);
  });
  it('convert through the zone, not by hand', () => {
    expect(localToUtc('2021-03-15T08:00', 'Asia/Shanghai')).toBe('2021-03-15T00:00:00.000Z');
    expect(localToUtc('2021-01-01T07:00', 'Asia/Shanghai')).toBe('2020-12-31T23:00:00.000Z');
    expect(utcToLocal('2020-12-31T23:00:00.000Z', 'Asia/Shanghai')).toBe('2021-01-01T07:00');
  });
});

describe('a fixed schedule', () => {
  it('sends once at the local time, in UTC', () => {
    expect(sends({ kind: 'fixed', at: '2021-03-14T10:00' })).toEqual([{ at: '2021-03-14T02:00:00.000Z', local: '2021-03-14T10:00' }]);
  });
  it('refuses a time outside the window, naming it', () => {
    expect(problems({ kind: 'fixed', at: '2021-03-25T10:00' })).toEqual([
      { path: 'at', message: 'lands on 2021-03-25, outside the campaign window 2021-03-08 to 2021-03-21' },
    ]);
  });
});

describe('a key-date schedule', () => {
  it('sends the day before at 10:00', () => {
    expect(sends({ kind: 'key-date', days: -1, at: '10:00' })).toEqual([{ at: '2021-03-14T02:00:00.000Z', local: '2021-03-14T10:00' }]);
  });
  it('crosses month and year ends', () => {
    const newYear: ExpandContext = { ...march, window: { start: '2020-12-25', end: '2021-01-05' }, keyDate: '2021-01-01' };
    expect(sends({ kind: 'key-date', days: -1, at: '09:00' }, newYear)[0]?.local).toBe('2020-12-31T09:00');
    const monthEnd: ExpandContext = { ...march, window: { start: '2021-02-20', end: '2021-03-05' }, keyDate: '2021-02-28' };
    expect(sends({ kind: 'key-date', days: 1, at: '09:00' }, monthEnd)[0]?.local).toBe('2021-03-01T09:00');
  });
  it('refuses an offset that leaves the window, and a campaign without a key date', () => {
    expect(problems({ kind: 'key-date', days: 10, at: '10:00' })[0]).toMatchObject({ path: 'days', message: expect.stringContaining('2021-03-25') });
    expect(problems({ kind: 'key-date', days: 0, at: '10:00' }, { ...march, keyDate: undefined })).toEqual([
      { path: 'kind', message: 'the campaign has no key date' },
    ]);
  });
});

describe('an RRULE schedule', () => {
  const june: ExpandContext = { ...march, window: { start: '2021-06-01', end: '2021-06-30' } };

  it('expands every Monday and Thursday at 07:30 in June', () => {
    const result = sends({ kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO,TH', at: '07:30' }, june);
    expect(result.map((send) => send.local)).toEqual([
      '2021-06-03T07:30', '2021-06-07T07:30', '2021-06-10T07:30', '2021-06-14T07:30',
      '2021-06-17T07:30', '2021-06-21T07:30', '2021-06-24T07:30', '2021-06-28T07:30',
    ]);
    expect(result[0]?.at).toBe('2021-06-02T23:30:00.000Z');
  });

  it('takes the time from BYHOUR/BYMINUTE when the rule gives one', () => {
    expect(sends({ kind: 'rrule', rule: 'FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=18;BYMINUTE=45' }, june).map((send) => send.local)).toEqual([
      '2021-06-01T18:45',
      '2021-06-15T18:45',
    ]);
  });

  it.each([
    ['an unknown frequency', 'FREQ=SOMETIMES', /FREQ must be one of/],
    ['no frequency', 'BYDAY=MO', /needs FREQ/],
    ['a bad day', 'FREQ=WEEKLY;BYDAY=XX', /BYDAY takes days/],
    ['a COUNT', 'FREQ=DAILY;COUNT=3', /COUNT is not allowed/],
    ['an UNTIL', 'FREQ=DAILY;UNTIL=20210630T000000Z', /UNTIL is not allowed/],
    ['garbage', 'every monday please', /is not an RRULE part/],
  ])('refuses %s on the rule', (_case, rule, message) => {
    expect(problems({ kind: 'rrule', rule, at: '07:30' }, june)).toEqual([{ path: 'rule', message: expect.stringMatching(message) }]);
  });

  it('refuses more sends than the maximum, and none at all', () => {
    expect(problems({ kind: 'rrule', rule: 'FREQ=DAILY', at: '07:30' }, { ...june, maxSends: 29 })).toEqual([
      { path: 'rule', message: 'yields more than 29 sends' },
    ]);
    expect(sends({ kind: 'rrule', rule: 'FREQ=DAILY', at: '07:30' }, { ...june, maxSends: 30 })).toHaveLength(30);
    expect(problems({ kind: 'rrule', rule: 'FREQ=YEARLY;BYMONTH=1', at: '07:30' }, june)).toEqual([
      { path: 'rule', message: 'yields no send inside the campaign window' },
    ]);
  });

  it('wants a time', () => {
    expect(problems({ kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO' }, june)).toEqual([{ path: 'at', message: 'give a time with at or BYHOUR' }]);
  });

  it('keeps wall-clock time across a daylight-saving change in another zone', () => {
    const berlin: ExpandContext = { timeZone: 'Europe/Berlin', window: { start: '2021-03-26', end: '2021-03-29' }, maxSends: 10 };
    const result = sends({ kind: 'rrule', rule: 'FREQ=DAILY', at: '09:00' }, berlin);
    expect(result.map((send) => send.local)).toEqual(['2021-03-26T09:00', '2021-03-27T09:00', '2021-03-28T09:00', '2021-03-29T09:00']);
    expect(result.map((send) => send.at)).toEqual([
      '2021-03-26T08:00:00.000Z', '2021-03-27T08:00:00.000Z', '2021-03-28T07:00:00.000Z', '2021-03-29T07:00:00.000Z',
    ]);
  });
});

describe('quiet hours', () => {
  it('move a 22:30 SMS to 08:00 the next morning and a 06:00 one to 08:00 the same day', () => {
    expect(deferOutOfQuietHours('2021-03-14T22:30', quiet)).toBe('2021-03-15T08:00');
    expect(deferOutOfQuietHours('2021-03-14T06:00', quiet)).toBe('2021-03-14T08:00');
    expect(deferOutOfQuietHours('2021-12-31T23:00', quiet)).toBe('2022-01-01T08:00');
  });
  it('end at 08:00 sharp and begin at 21:00 sharp', () => {
    expect(deferOutOfQuietHours('2021-03-14T08:00', quiet)).toBe('2021-03-14T08:00');
    expect(deferOutOfQuietHours('2021-03-14T20:59', quiet)).toBe('2021-03-14T20:59');
    expect(deferOutOfQuietHours('2021-03-14T21:00', quiet)).toBe('2021-03-15T08:00');
  });
  it('also work when they do not cross midnight, and not at all when empty', () => {
    expect(deferOutOfQuietHours('2021-03-14T12:30', { start: '12:00', end: '14:00' })).toBe('2021-03-14T14:00');
    expect(deferOutOfQuietHours('2021-03-14T23:00', { start: '00:00', end: '00:00' })).toBe('2021-03-14T23:00');
  });
  it('show the planned time beside the moved one, and send moved duplicates once', () => {
    const night = sends({ kind: 'rrule', rule: 'FREQ=HOURLY;BYHOUR=22,23', at: undefined }, {
      ...march,
      window: { start: '2021-03-10', end: '2021-03-11' },
      quietHours: quiet,
    });
    expect(night).toEqual([
      { at: '2021-03-11T00:00:00.000Z', local: '2021-03-11T08:00', movedFrom: '2021-03-10T22:00' },
      { at: '2021-03-12T00:00:00.000Z', local: '2021-03-12T08:00', movedFrom: '2021-03-11T22:00' },
    ]);
  });
});

describe('estimateBroadcast', () => {
  const window = { from: '07:00', to: '07:05' };
  it('reads 200 characters a minute, ignoring spaces and line breaks', () => {
    const estimate = estimateBroadcast(`${'宪'.repeat(100)}\n  ${'法'.repeat(100)}`, { charactersPerMinute: 200, repeats: 3, airWindows: [window] });
    expect(estimate).toMatchObject({ characters: 200, readingSeconds: 60, totalSeconds: 180, warnings: [], problems: [] });
  });
  it('warns when the repeats do not fit the shortest window', () => {
    const estimate = estimateBroadcast('宪'.repeat(700), { charactersPerMinute: 200, repeats: 2, airWindows: [{ from: '06:00', to: '09:00' }, window] });
    expect(estimate.totalSeconds).toBe(420);
    expect(estimate.warnings).toEqual(['朗读 2 遍需 7 分钟，超过 07:00-07:05 播出时段']);
  });
  it('refuses an empty script and a script with no window', () => {
    expect(estimateBroadcast(' \n ', { charactersPerMinute: 200, repeats: 1, airWindows: [] }).problems).toEqual([
      'must not be empty',
      'needs at least one air window',
    ]);
  });
});
