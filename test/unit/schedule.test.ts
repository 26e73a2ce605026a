/**
 * functions/domain/schedule.ts: the local date and time schemas, conversion to UTC, the expansion
 * of fixed, key-date and RRULE schedules inside a campaign window, and quiet hours.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultQuietHours,
  deferOutOfQuietHours,
  localDateSchema,
  localDateTimeSchema,
  localTimeSchema,
  localToUtc,
  scheduleSchema,
  utcToLocal,
  type ExpandContext,
  type ExpandResult,
  type Send,
} from '../../functions/domain/schedule.js';
import { expandSchedule } from '../../functions/domain/schedule-expand.js';

/** The 3·15 campaign of 2021: two weeks around the key date, in Tianquan (Asia/Shanghai). */
const march: ExpandContext = {
  timeZone: 'Asia/Shanghai',
  window: { start: '2021-03-08', end: '2021-03-21' },
  keyDate: '2021-03-15',
  maxSends: 40,
};
const quiet = defaultQuietHours;

const aContext = (overrides: Partial<ExpandContext> = {}): ExpandContext => ({ ...march, ...overrides });
const inWindow = (start: string, end: string, overrides: Partial<ExpandContext> = {}) => aContext({ window: { start, end }, ...overrides });

function expand(schedule: unknown, context: ExpandContext = march): ExpandResult {
  return expandSchedule(scheduleSchema.parse(schedule), context);
}

function sends(schedule: unknown, context: ExpandContext = march): Send[] {
  const result = expand(schedule, context);
  if (!result.ok) throw new Error(`expected sends, got ${JSON.stringify(result.problems)}`);
  return result.sends;
}

const locals = (schedule: unknown, context: ExpandContext = march) => sends(schedule, context).map((send) => send.local);

function problems(schedule: unknown, context: ExpandContext = march) {
  const result = expand(schedule, context);
  return result.ok ? [] : result.problems;
}

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((issue) => issue.message) ?? [];

describe('localDateSchema', () => {
  it('accepts only dates that exist, leap days included', () => {
    expect(localDateSchema.safeParse('2021-02-28').success).toBe(true);
    expect(localDateSchema.safeParse('2024-02-29').success).toBe(true);
    expect(localDateSchema.safeParse('2000-02-29').success).toBe(true);
    expect(messages(localDateSchema.safeParse('2021-02-29'))).toEqual(['not a real date']);
    expect(messages(localDateSchema.safeParse('2100-02-29'))).toEqual(['not a real date']);
    expect(messages(localDateSchema.safeParse('2021-02-30'))).toEqual(['not a real date']);
    expect(messages(localDateSchema.safeParse('2021-04-31'))).toEqual(['not a real date']);
    expect(messages(localDateSchema.safeParse('2021-13-01'))).toEqual(['not a real date']);
  });

  it('gives one message for text that is not shaped like a date at all', () => {
    expect(messages(localDateSchema.safeParse('2021-3-5'))).toEqual(['must be a date like 2021-03-15']);
    expect(messages(localDateSchema.safeParse('next Monday'))).toEqual(['must be a date like 2021-03-15']);
  });
});

describe('localTimeSchema', () => {
  it('takes times from 00:00 to 23:59 with two-digit hours', () => {
    expect(localTimeSchema.safeParse('00:00').success).toBe(true);
    expect(localTimeSchema.safeParse('23:59').success).toBe(true);
    for (const time of ['24:00', '7:30', '12:60', '07:30:00']) {
      expect(messages(localTimeSchema.safeParse(time)), time).toEqual(['must be a time like 07:30']);
    }
  });
});

describe('localDateTimeSchema', () => {
  it('accepts a space for the T, and normalises it', () => {
    expect(localDateTimeSchema.parse('2021-03-14 10:00')).toBe('2021-03-14T10:00');
    expect(localDateTimeSchema.parse('2021-03-14T10:00')).toBe('2021-03-14T10:00');
    expect(messages(localDateTimeSchema.safeParse('2021-02-30T10:00'))).toEqual(['not a real date']);
    expect(messages(localDateTimeSchema.safeParse('2021-03-14T24:00'))).toEqual([
      'must be a local date and time like 2021-03-14T10:00',
    ]);
    expect(localDateTimeSchema.safeParse('2021-03-14T10:00:00').success).toBe(false);
    expect(localDateTimeSchema.safeParse('2021-03-14T10:00+08:00').success).toBe(false);
  });
});

describe('scheduleSchema', () => {
  it('shapes schedules: a fixed time normalised, a key-date offset of at most 60 days, a bounded rule', () => {
    expect(scheduleSchema.parse({ kind: 'fixed', at: '2021-03-14 10:00' })).toEqual({ kind: 'fixed', at: '2021-03-14T10:00' });
    expect(scheduleSchema.safeParse({ kind: 'key-date', days: -60, at: '10:00' }).success).toBe(true);
    expect(scheduleSchema.safeParse({ kind: 'key-date', days: 61, at: '10:00' }).success).toBe(false);
    expect(scheduleSchema.safeParse({ kind: 'key-date', days: 1.5, at: '10:00' }).success).toBe(false);
    expect(scheduleSchema.safeParse({ kind: 'rrule', rule: '' }).success).toBe(false);
    expect(scheduleSchema.safeParse({ kind: 'rrule', rule: `FREQ=DAILY;${'BYHOUR=9;'.repeat(60)}` }).success).toBe(false);
    expect(scheduleSchema.safeParse({ kind: 'weekly', at: '10:00' }).success).toBe(false);
  });
});

describe('localToUtc and utcToLocal', () => {
  it('goes through the county’s zone, across the date line', () => {
    expect(localToUtc('2021-03-15T08:00', 'Asia/Shanghai')).toBe('2021-03-15T00:00:00.000Z');
    expect(localToUtc('2021-01-01T07:00', 'Asia/Shanghai')).toBe('2020-12-31T23:00:00.000Z');
    expect(utcToLocal('2020-12-31T23:00:00.000Z', 'Asia/Shanghai')).toBe('2021-01-01T07:00');
  });

  it('follows summer time where a zone has it', () => {
    expect(localToUtc('2021-01-15T09:00', 'Europe/Berlin')).toBe('2021-01-15T08:00:00.000Z');
    expect(localToUtc('2021-07-15T09:00', 'Europe/Berlin')).toBe('2021-07-15T07:00:00.000Z');
    expect(localToUtc('2021-07-04T09:00', 'America/New_York')).toBe('2021-07-04T13:00:00.000Z');
    expect(utcToLocal('2021-07-04T13:00:00.000Z', 'America/New_York')).toBe('2021-07-04T09:00');
  });

  it('refuses an unknown zone or a malformed time instead of guessing', () => {
    expect(() => localToUtc('2021-03-15T08:00', 'Asia/Tianquan')).toThrow(RangeError);
    expect(() => localToUtc('2021-02-30T08:00', 'Asia/Shanghai')).toThrow(RangeError);
    expect(() => utcToLocal('2021-03-15T00:00:00.000Z', 'Asia/Tianquan')).toThrow(RangeError);
    expect(() => utcToLocal('yesterday', 'Asia/Shanghai')).toThrow(RangeError);
  });
});

describe('expandSchedule', () => {
  describe('a fixed schedule', () => {
    it('sends once, at the local time converted to UTC', () => {
      expect(sends({ kind: 'fixed', at: '2021-03-14T10:00' })).toEqual([{ at: '2021-03-14T02:00:00.000Z', local: '2021-03-14T10:00' }]);
    });

    it('judges the window by the local date: midnight on the first day is in, though UTC still says the day before', () => {
      expect(sends({ kind: 'fixed', at: '2021-03-08T00:00' })).toEqual([{ at: '2021-03-07T16:00:00.000Z', local: '2021-03-08T00:00' }]);
      expect(locals({ kind: 'fixed', at: '2021-03-21T23:59' })).toEqual(['2021-03-21T23:59']);
    });

    it('refuses a time a minute outside either end of the window, naming the date and the window', () => {
      expect(problems({ kind: 'fixed', at: '2021-03-07T23:59' })).toEqual([
        { path: 'at', message: 'lands on 2021-03-07, outside the campaign window 2021-03-08 to 2021-03-21' },
      ]);
      expect(problems({ kind: 'fixed', at: '2021-03-22T00:00' })).toEqual([
        { path: 'at', message: 'lands on 2021-03-22, outside the campaign window 2021-03-08 to 2021-03-21' },
      ]);
    });
  });

  describe('a key-date schedule', () => {
    it('sends the day before the key date at 10:00', () => {
      expect(sends({ kind: 'key-date', days: -1, at: '10:00' })).toEqual([{ at: '2021-03-14T02:00:00.000Z', local: '2021-03-14T10:00' }]);
    });

    it('sends on the key date itself with days 0', () => {
      expect(locals({ kind: 'key-date', days: 0, at: '09:00' })).toEqual(['2021-03-15T09:00']);
    });

    it('reaches back over a year end: the day before 1 January is 31 December of the year before', () => {
      const newYear = inWindow('2020-12-25', '2021-01-05', { keyDate: '2021-01-01' });
      expect(sends({ kind: 'key-date', days: -1, at: '09:00' }, newYear)).toEqual([{ at: '2020-12-31T01:00:00.000Z', local: '2020-12-31T09:00' }]);
    });

    it('counts month ends and leap days correctly', () => {
      const monthEnd = inWindow('2021-01-20', '2021-02-10', { keyDate: '2021-01-31' });
      expect(locals({ kind: 'key-date', days: 1, at: '09:00' }, monthEnd)).toEqual(['2021-02-01T09:00']);
      expect(locals({ kind: 'key-date', days: 1, at: '09:00' }, inWindow('2021-02-20', '2021-03-05', { keyDate: '2021-02-28' }))).toEqual([
        '2021-03-01T09:00',
      ]);
      expect(locals({ kind: 'key-date', days: -1, at: '09:00' }, inWindow('2024-02-20', '2024-03-10', { keyDate: '2024-03-01' }))).toEqual([
        '2024-02-29T09:00',
      ]);
      expect(locals({ kind: 'key-date', days: -1, at: '09:00' }, inWindow('2023-02-20', '2023-03-10', { keyDate: '2023-03-01' }))).toEqual([
        '2023-02-28T09:00',
      ]);
    });

    it('may land on the first and last day of the window', () => {
      expect(locals({ kind: 'key-date', days: -7, at: '09:00' })).toEqual(['2021-03-08T09:00']);
      expect(locals({ kind: 'key-date', days: 6, at: '09:00' })).toEqual(['2021-03-21T09:00']);
    });

    it('refuses an offset that leaves the window, on days', () => {
      expect(problems({ kind: 'key-date', days: 7, at: '09:00' })).toEqual([
        { path: 'days', message: 'lands on 2021-03-22, outside the campaign window 2021-03-08 to 2021-03-21' },
      ]);
      expect(problems({ kind: 'key-date', days: -8, at: '09:00' })).toEqual([
        { path: 'days', message: 'lands on 2021-03-07, outside the campaign window 2021-03-08 to 2021-03-21' },
      ]);
    });

    it('refuses a campaign without a key date, on kind', () => {
      expect(problems({ kind: 'key-date', days: 0, at: '10:00' }, aContext({ keyDate: undefined }))).toEqual([
        { path: 'kind', message: 'the campaign has no key date' },
      ]);
    });
  });

  describe('an RRULE schedule', () => {
    const june = inWindow('2021-06-01', '2021-06-30');

    it('sends every Monday and Thursday at 07:30 in June', () => {
      const result = sends({ kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO,TH', at: '07:30' }, june);
      expect(result.map((send) => send.local)).toEqual([
        '2021-06-03T07:30', '2021-06-07T07:30', '2021-06-10T07:30', '2021-06-14T07:30',
        '2021-06-17T07:30', '2021-06-21T07:30', '2021-06-24T07:30', '2021-06-28T07:30',
      ]);
      expect(result[0]).toEqual({ at: '2021-06-02T23:30:00.000Z', local: '2021-06-03T07:30' });
    });

    it('reads lower case and an RRULE: prefix the same way', () => {
      expect(locals({ kind: 'rrule', rule: 'rrule:freq=weekly;byday=mo,th', at: '07:30' }, june)).toEqual(
        locals({ kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO,TH', at: '07:30' }, june),
      );
    });

    it('includes the first and the last day of the window', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=DAILY', at: '00:00' }, inWindow('2021-06-01', '2021-06-03'))).toEqual([
        '2021-06-01T00:00', '2021-06-02T00:00', '2021-06-03T00:00',
      ]);
      expect(locals({ kind: 'rrule', rule: 'FREQ=DAILY', at: '23:59' }, inWindow('2021-06-01', '2021-06-03'))).toEqual([
        '2021-06-01T23:59', '2021-06-02T23:59', '2021-06-03T23:59',
      ]);
    });

    it('runs on across a month end', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=SA', at: '09:00' }, inWindow('2021-01-25', '2021-02-10'))).toEqual([
        '2021-01-30T09:00',
        '2021-02-06T09:00',
      ]);
    });

    it('runs on across a year end, where New Year’s morning is still the old year in UTC', () => {
      const result = sends({ kind: 'rrule', rule: 'FREQ=DAILY', at: '07:00' }, inWindow('2021-12-30', '2022-01-02'));
      expect(result.map((send) => send.local)).toEqual(['2021-12-30T07:00', '2021-12-31T07:00', '2022-01-01T07:00', '2022-01-02T07:00']);
      expect(result[2]?.at).toBe('2021-12-31T23:00:00.000Z');
    });

    it('finds the last day of each month, 29 February included', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=MONTHLY;BYMONTHDAY=-1', at: '10:00' }, inWindow('2024-01-01', '2024-04-30'))).toEqual([
        '2024-01-31T10:00', '2024-02-29T10:00', '2024-03-31T10:00', '2024-04-30T10:00',
      ]);
    });

    it('understands numbered weekdays and BYSETPOS: the last Friday, the last working day', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=MONTHLY;BYDAY=-1FR', at: '16:00' }, inWindow('2021-01-01', '2021-03-31'))).toEqual([
        '2021-01-29T16:00', '2021-02-26T16:00', '2021-03-26T16:00',
      ]);
      expect(
        locals({ kind: 'rrule', rule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', at: '16:00' }, inWindow('2021-01-01', '2021-03-31')),
      ).toEqual(['2021-01-29T16:00', '2021-02-26T16:00', '2021-03-31T16:00']);
    });

    it('takes the time from BYHOUR and BYMINUTE when the rule gives them, and then ignores at', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=18;BYMINUTE=45' }, june)).toEqual([
        '2021-06-01T18:45',
        '2021-06-15T18:45',
      ]);
      expect(locals({ kind: 'rrule', rule: 'FREQ=DAILY;BYHOUR=9,15', at: '07:30' }, inWindow('2021-06-01', '2021-06-02'))).toEqual([
        '2021-06-01T09:00', '2021-06-01T15:00', '2021-06-02T09:00', '2021-06-02T15:00',
      ]);
    });

    it('lets at set both hour and minute when the rule has no BYHOUR', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=DAILY;BYMINUTE=15', at: '07:30' }, inWindow('2021-06-01', '2021-06-01'))).toEqual([
        '2021-06-01T07:30',
      ]);
    });

    it('counts an HOURLY interval from midnight on the first day: every 5 hours reaches 03:00 every fifth day', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=HOURLY;INTERVAL=5;BYHOUR=3' }, inWindow('2021-06-01', '2021-06-15'))).toEqual([
        '2021-06-04T03:00', '2021-06-09T03:00', '2021-06-14T03:00',
      ]);
    });

    it('asks for a time when neither at nor BYHOUR gives one', () => {
      expect(problems({ kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO' }, june)).toEqual([{ path: 'at', message: 'give a time with at or BYHOUR' }]);
    });

    it.each([
      ['an unknown frequency', 'FREQ=SOMETIMES', 'FREQ must be one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY'],
      ['a minute-by-minute rule', 'FREQ=MINUTELY;BYHOUR=9', 'FREQ must be one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY'],
      ['no frequency', 'BYDAY=MO', 'needs FREQ, e.g. FREQ=WEEKLY;BYDAY=MO'],
      ['a made-up day', 'FREQ=WEEKLY;BYDAY=XX', 'BYDAY takes days such as MO,TH, or 1MO for the first Monday'],
      ['a day list with a trailing comma', 'FREQ=WEEKLY;BYDAY=MO,', 'BYDAY takes days such as MO,TH, or 1MO for the first Monday'],
      ['a COUNT', 'FREQ=DAILY;COUNT=3', 'COUNT is not allowed: the campaign window bounds the recurrence'],
      ['an UNTIL', 'FREQ=DAILY;UNTIL=20210630T000000Z', 'UNTIL is not allowed: the campaign window bounds the recurrence'],
      ['a DTSTART line', 'DTSTART:20210601T000000Z\nRRULE:FREQ=DAILY', 'DTSTART is not allowed: the campaign window bounds the recurrence'],
      ['plain words', 'every Monday please', '"every Monday please" is not an RRULE part'],
      ['a part given twice', 'FREQ=DAILY;FREQ=WEEKLY', 'FREQ is given twice'],
      ['a part without a value', 'FREQ=DAILY;BYMONTH=', 'BYMONTH has no value'],
      ['hour 24', 'FREQ=DAILY;BYHOUR=24', 'BYHOUR takes whole numbers from 0 to 23'],
      ['minute 60', 'FREQ=DAILY;BYHOUR=9;BYMINUTE=60', 'BYMINUTE takes whole numbers from 0 to 59'],
      ['month 13', 'FREQ=YEARLY;BYMONTH=13', 'BYMONTH takes whole numbers from 1 to 12'],
      ['day 0 of the month', 'FREQ=MONTHLY;BYMONTHDAY=0', 'BYMONTHDAY takes whole numbers from 1 to 31, or -31 to -1 counting from the end'],
      ['day 32 of the month', 'FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY takes whole numbers from 1 to 31, or -31 to -1 counting from the end'],
      ['an interval of 0', 'FREQ=DAILY;INTERVAL=0', 'INTERVAL takes one whole number from 1 to 1000'],
      ['two intervals', 'FREQ=DAILY;INTERVAL=2,3', 'INTERVAL takes one whole number from 1 to 1000'],
      ['seconds', 'FREQ=DAILY;BYHOUR=9;BYSECOND=30', 'sends are planned to the minute: BYSECOND can only be 0'],
      ['a week start that is not a day', 'FREQ=WEEKLY;BYDAY=MO;WKST=XX', 'WKST takes one day such as MO'],
      ['a numbered day in a weekly rule', 'FREQ=WEEKLY;BYDAY=1MO', 'a numbered BYDAY such as 1MO works only with FREQ=MONTHLY or YEARLY, without BYWEEKNO'],
      ['week numbers in a monthly rule', 'FREQ=MONTHLY;BYWEEKNO=10', 'BYWEEKNO works only with FREQ=YEARLY'],
      ['a day of the month in a weekly rule', 'FREQ=WEEKLY;BYMONTHDAY=1', 'BYMONTHDAY does not work with FREQ=WEEKLY'],
      ['a day of the year in a daily rule', 'FREQ=DAILY;BYYEARDAY=100', 'BYYEARDAY does not work with FREQ=DAILY'],
      ['BYSETPOS with nothing to pick from', 'FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS needs another BY part to pick from'],
      ['an hourly step that can never land on its hour', 'FREQ=HOURLY;INTERVAL=2;BYHOUR=3', 'with INTERVAL=2, FREQ=HOURLY counted from midnight never reaches hour 3'],
    ])('refuses %s on rule', (_case, rule, message) => {
      expect(problems({ kind: 'rrule', rule, at: '07:30' }, june)).toEqual([{ path: 'rule', message }]);
    });

    it('refuses an hourly step that can never reach the hour at asks for', () => {
      expect(problems({ kind: 'rrule', rule: 'FREQ=HOURLY;INTERVAL=2', at: '07:30' }, june)).toEqual([
        { path: 'rule', message: 'with INTERVAL=2, FREQ=HOURLY counted from midnight never reaches hour 7' },
      ]);
    });

    it('allows exactly the maximum number of sends and refuses one more', () => {
      expect(sends({ kind: 'rrule', rule: 'FREQ=DAILY', at: '07:30' }, { ...june, maxSends: 30 })).toHaveLength(30);
      expect(problems({ kind: 'rrule', rule: 'FREQ=DAILY', at: '07:30' }, { ...june, maxSends: 29 })).toEqual([
        { path: 'rule', message: 'yields more than 29 sends' },
      ]);
    });

    it('refuses a rule that would flood a ten-year window without expanding all of it', () => {
      const decade = inWindow('2021-01-01', '2030-12-31', { maxSends: 500 });
      expect(problems({ kind: 'rrule', rule: 'FREQ=HOURLY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23' }, decade)).toEqual([
        { path: 'rule', message: 'yields more than 500 sends' },
      ]);
    });

    it('refuses a rule with no date inside the window', () => {
      expect(problems({ kind: 'rrule', rule: 'FREQ=YEARLY;BYMONTH=1', at: '07:30' }, june)).toEqual([
        { path: 'rule', message: 'yields no send inside the campaign window' },
      ]);
    });

    it('gives up quickly on parts that can never meet, such as 30 February, at any frequency', () => {
      // rrule alone searches such a rule day by day to the year 9999: several seconds
      for (const rule of ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 'FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31;BYHOUR=9', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30']) {
        const started = performance.now();
        expect(problems({ kind: 'rrule', rule, at: '07:30' }, june), rule).toEqual([
          { path: 'rule', message: 'yields no send inside the campaign window' },
        ]);
        expect(performance.now() - started, rule).toBeLessThan(2000);
      }
    });

    it('still finds a date that comes round only once in four years', () => {
      expect(locals({ kind: 'rrule', rule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29', at: '09:00' }, inWindow('2021-03-01', '2024-12-31'))).toEqual([
        '2024-02-29T09:00',
      ]);
    });
  });

  describe('in time zones other than Shanghai', () => {
    const berlin = (start: string, end: string): ExpandContext => ({ timeZone: 'Europe/Berlin', window: { start, end }, maxSends: 10 });

    it('keeps the wall-clock time across the spring change while UTC moves an hour', () => {
      const result = sends({ kind: 'rrule', rule: 'FREQ=DAILY', at: '09:00' }, berlin('2021-03-26', '2021-03-29'));
      expect(result.map((send) => send.local)).toEqual(['2021-03-26T09:00', '2021-03-27T09:00', '2021-03-28T09:00', '2021-03-29T09:00']);
      expect(result.map((send) => send.at)).toEqual([
        '2021-03-26T08:00:00.000Z', '2021-03-27T08:00:00.000Z', '2021-03-28T07:00:00.000Z', '2021-03-29T07:00:00.000Z',
      ]);
    });

    it('sends a time the spring change skips at the first time after it, and says so in local', () => {
      expect(sends({ kind: 'rrule', rule: 'FREQ=DAILY', at: '02:30' }, berlin('2021-03-27', '2021-03-29'))).toEqual([
        { at: '2021-03-27T01:30:00.000Z', local: '2021-03-27T02:30' },
        { at: '2021-03-28T01:30:00.000Z', local: '2021-03-28T03:30' },
        { at: '2021-03-29T00:30:00.000Z', local: '2021-03-29T02:30' },
      ]);
    });

    it('sends a time the autumn change repeats once, not twice', () => {
      expect(sends({ kind: 'rrule', rule: 'FREQ=DAILY', at: '02:30' }, berlin('2021-10-30', '2021-11-01'))).toEqual([
        { at: '2021-10-30T00:30:00.000Z', local: '2021-10-30T02:30' },
        { at: '2021-10-31T01:30:00.000Z', local: '2021-10-31T02:30' },
        { at: '2021-11-01T01:30:00.000Z', local: '2021-11-01T02:30' },
      ]);
    });

    it('puts the same plan at different instants in different zones', () => {
      const plan = { kind: 'fixed', at: '2021-03-14T10:00' };
      expect(sends(plan, aContext({ timeZone: 'Asia/Shanghai' }))[0]?.at).toBe('2021-03-14T02:00:00.000Z');
      expect(sends(plan, aContext({ timeZone: 'Europe/Berlin' }))[0]?.at).toBe('2021-03-14T09:00:00.000Z');
      // Los Angeles moved to summer time that very morning
      expect(sends(plan, aContext({ timeZone: 'America/Los_Angeles' }))[0]?.at).toBe('2021-03-14T17:00:00.000Z');
    });
  });

  describe('with quiet hours', () => {
    it('moves an SMS send out of them and shows the planned time beside it', () => {
      expect(sends({ kind: 'key-date', days: -1, at: '22:30' }, aContext({ quietHours: quiet }))).toEqual([
        { at: '2021-03-15T00:00:00.000Z', local: '2021-03-15T08:00', movedFrom: '2021-03-14T22:30' },
      ]);
    });

    it('leaves a send outside them as it is, with no movedFrom', () => {
      expect(sends({ kind: 'key-date', days: -1, at: '20:30' }, aContext({ quietHours: quiet }))).toEqual([
        { at: '2021-03-14T12:30:00.000Z', local: '2021-03-14T20:30' },
      ]);
    });

    it('does not move broadcasts, which are expanded without quiet hours', () => {
      expect(sends({ kind: 'key-date', days: -1, at: '22:30' })).toEqual([{ at: '2021-03-14T14:30:00.000Z', local: '2021-03-14T22:30' }]);
    });

    it('sends night sends moved to the same morning once, keeping the first, in time order, from a daily or an hourly rule', () => {
      const night = sends({ kind: 'rrule', rule: 'FREQ=DAILY;BYHOUR=21,22,23' }, inWindow('2021-03-10', '2021-03-11', { quietHours: quiet }));
      expect(night).toEqual([
        { at: '2021-03-11T00:00:00.000Z', local: '2021-03-11T08:00', movedFrom: '2021-03-10T21:00' },
        // the last evening of the window moves to the morning after it
        { at: '2021-03-12T00:00:00.000Z', local: '2021-03-12T08:00', movedFrom: '2021-03-11T21:00' },
      ]);
      const hourly = sends({ kind: 'rrule', rule: 'FREQ=HOURLY;BYHOUR=22,23' }, inWindow('2021-03-10', '2021-03-11', { quietHours: quiet }));
      expect(hourly).toEqual([
        { at: '2021-03-11T00:00:00.000Z', local: '2021-03-11T08:00', movedFrom: '2021-03-10T22:00' },
        { at: '2021-03-12T00:00:00.000Z', local: '2021-03-12T08:00', movedFrom: '2021-03-11T22:00' },
      ]);
    });

    it('drops a planned 08:00 send when an early one has been moved onto it', () => {
      expect(sends({ kind: 'rrule', rule: 'FREQ=DAILY;BYHOUR=6,8,12' }, inWindow('2021-03-10', '2021-03-10', { quietHours: quiet }))).toEqual([
        { at: '2021-03-10T00:00:00.000Z', local: '2021-03-10T08:00', movedFrom: '2021-03-10T06:00' },
        { at: '2021-03-10T04:00:00.000Z', local: '2021-03-10T12:00' },
      ]);
    });
  });
});

describe('deferOutOfQuietHours', () => {
  it('moves a 22:30 SMS to 08:00 the next morning', () => {
    expect(deferOutOfQuietHours('2021-03-14T22:30', quiet)).toBe('2021-03-15T08:00');
  });

  it('moves a 06:00 SMS to 08:00 the same morning, and one at midnight too', () => {
    expect(deferOutOfQuietHours('2021-03-14T06:00', quiet)).toBe('2021-03-14T08:00');
    expect(deferOutOfQuietHours('2021-03-14T00:00', quiet)).toBe('2021-03-14T08:00');
  });

  it('ends quiet hours at 08:00 sharp and begins them at 21:00 sharp', () => {
    expect(deferOutOfQuietHours('2021-03-14T07:59', quiet)).toBe('2021-03-14T08:00');
    expect(deferOutOfQuietHours('2021-03-14T08:00', quiet)).toBe('2021-03-14T08:00');
    expect(deferOutOfQuietHours('2021-03-14T20:59', quiet)).toBe('2021-03-14T20:59');
    expect(deferOutOfQuietHours('2021-03-14T21:00', quiet)).toBe('2021-03-15T08:00');
  });

  it('carries a late-evening SMS over month and year ends, leap day included', () => {
    expect(deferOutOfQuietHours('2021-12-31T23:00', quiet)).toBe('2022-01-01T08:00');
    expect(deferOutOfQuietHours('2021-02-28T21:30', quiet)).toBe('2021-03-01T08:00');
    expect(deferOutOfQuietHours('2024-02-28T21:30', quiet)).toBe('2024-02-29T08:00');
  });

  it('also works with quiet hours that do not cross midnight', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(deferOutOfQuietHours('2021-03-14T11:59', lunch)).toBe('2021-03-14T11:59');
    expect(deferOutOfQuietHours('2021-03-14T12:00', lunch)).toBe('2021-03-14T14:00');
    expect(deferOutOfQuietHours('2021-03-14T13:59', lunch)).toBe('2021-03-14T14:00');
    expect(deferOutOfQuietHours('2021-03-14T14:00', lunch)).toBe('2021-03-14T14:00');
  });

  it('does nothing when quiet hours start and end at the same time', () => {
    expect(deferOutOfQuietHours('2021-03-14T23:00', { start: '00:00', end: '00:00' })).toBe('2021-03-14T23:00');
  });
});
