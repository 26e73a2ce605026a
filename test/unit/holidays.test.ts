/**
 * functions/domain/holidays.ts, holiday-policy.ts and holiday-data.ts: China's public holidays
 * and make-up workdays (法定节假日与调休), the plan's own days laid over the library's, and what
 * each policy does to a send that falls on one — through expandSchedule and evaluateNotice, the
 * function the plan check, the API and the preview share.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holidaySource } from '../../functions/domain/holiday-data.js';
import {
  holidayCalendar,
  holidayPolicies,
  isOrdinaryWorkday,
  marksOfMonth,
  nearestWorkday,
  type HolidayCalendar,
  type HolidayPolicy,
} from '../../functions/domain/holidays.js';
import { evaluateNotice, holidayPolicyOf, type NoticeContext } from '../../functions/domain/notice-check.js';
import { checkPlan, planHolidays, resolveSettings } from '../../functions/domain/plan.js';
import { noticeInputSchema, type NoticeInput } from '../../functions/domain/planning.js';
import { defaultQuietHours, type ExpandContext } from '../../functions/domain/schedule.js';
import { expandSchedule } from '../../functions/domain/schedule-expand.js';
import { aPlan } from '../support/planning.js';

const calendar = holidayCalendar(holidaySource());

/** 清明 2021: Saturday 3 April to Monday 5 April; a weekly Monday broadcast meets it on the 5th. */
const qingmingWindow = { start: '2021-03-29', end: '2021-04-18' };
const mondayBroadcast = { kind: 'rrule' as const, rule: 'FREQ=WEEKLY;BYDAY=MO', at: '07:30' };

function expandWith(policy: HolidayPolicy, overrides: Partial<ExpandContext> = {}) {
  const result = expandSchedule(mondayBroadcast, {
    timeZone: 'Asia/Shanghai',
    window: qingmingWindow,
    maxSends: 20,
    holidays: calendar,
    onHoliday: policy,
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

const aBroadcast = (overrides: Partial<NoticeInput> = {}): NoticeInput =>
  noticeInputSchema.parse({
    channel: 'broadcast',
    audience: { all: true },
    schedule: mondayBroadcast,
    broadcast: { script: '清明时节，文明祭扫，防范山火。', airWindows: [{ from: '07:00', to: '08:00' }] },
    ...overrides,
  });

const aContext = (holidays: HolidayCalendar = calendar, onHoliday?: HolidayPolicy): NoticeContext => ({
  timeZone: 'Asia/Shanghai',
  settings: { ...resolveSettings(undefined), ...(onHoliday ? { onHoliday } : {}) },
  templates: [],
  holidays,
});

describe('the holiday data (chinese-days)', () => {
  it('knows 清明 2021 as a holiday, a Sunday make-up workday, and an ordinary Tuesday', () => {
    expect(calendar.mark('2021-04-05')).toEqual({ kind: 'holiday', name: '清明节' });
    expect(calendar.mark('2021-09-26')).toEqual({ kind: 'workday', name: '国庆节' });
    expect(calendar.mark('2021-04-06')).toBeUndefined();
    expect(isOrdinaryWorkday(calendar, '2021-04-06')).toBe(true);
  });

  it('covers the years up to 2026 and not the years the State Council has not published', () => {
    expect(calendar.knowsYear(2004)).toBe(true);
    expect(calendar.knowsYear(2026)).toBe(true);
    expect(calendar.knowsYear(2031)).toBe(false);
  });

  it('lets the plan add a year and correct a day: a plan entry wins over the library', () => {
    const corrected = holidayCalendar(holidaySource(), {
      holidays: [{ date: '2031-04-05', name: '清明节' }],
      workdays: [{ date: '2021-04-05', name: '试运行' }],
    });
    expect(corrected.knowsYear(2031)).toBe(true);
    expect(corrected.mark('2031-04-05')).toEqual({ kind: 'holiday', name: '清明节' });
    expect(corrected.mark('2021-04-05')).toEqual({ kind: 'workday', name: '试运行' });
  });

  it('lists a month’s marked days for the calendar', () => {
    expect(marksOfMonth(calendar, '2021-10').map((day) => `${day.date} ${day.kind}`)).toEqual([
      '2021-10-01 holiday',
      '2021-10-02 holiday',
      '2021-10-03 holiday',
      '2021-10-04 holiday',
      '2021-10-05 holiday',
      '2021-10-06 holiday',
      '2021-10-07 holiday',
      '2021-10-09 workday',
    ]);
  });

  it('a moved day is always an ordinary workday on the right side (any date, 2005–2026)', () => {
    const day = fc.integer({ min: Date.UTC(2005, 0, 1), max: Date.UTC(2026, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.constantFrom(1 as const, -1 as const), (date, direction) => {
        const target = nearestWorkday(calendar, date, direction);
        expect(target).toBeDefined();
        expect(isOrdinaryWorkday(calendar, target ?? '')).toBe(true);
        expect(direction === 1 ? (target ?? '') > date : (target ?? '') < date).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a Monday broadcast on 清明 (2021-04-05) under each policy', () => {
  it('keep: it airs on the holiday, and the check warns with the date and the holiday', () => {
    const result = expandWith('keep');
    expect(result.sends.map((send) => send.local)).toEqual(['2021-03-29T07:30', '2021-04-05T07:30', '2021-04-12T07:30']);
    expect(result.sends[1]?.holiday).toEqual({ kind: 'holiday', name: '清明节', action: 'kept' });
    const evaluation = evaluateNotice(aBroadcast({ onHoliday: 'keep' }), { window: qingmingWindow }, aContext());
    expect(evaluation.warnings).toContain('2021-04-05 是 清明节：这次发送照常进行（onHoliday: keep）');
  });

  it('next-workday: it airs on Tuesday the 6th at the same time, and says why', () => {
    const result = expandWith('next-workday');
    expect(result.sends.map((send) => send.local)).toEqual(['2021-03-29T07:30', '2021-04-06T07:30', '2021-04-12T07:30']);
    expect(result.sends[1]?.holiday).toEqual({ kind: 'holiday', name: '清明节', action: 'moved', from: '2021-04-05T07:30' });
    const evaluation = evaluateNotice(aBroadcast({ onHoliday: 'next-workday' }), { window: qingmingWindow }, aContext());
    expect(evaluation.holidayNotes).toEqual(['原定 2021-04-05 07:30，移至 2021-04-06，因 清明节']);
    // The move is shown wherever warnings are (composer, review queue), not as a kept-on-holiday warning.
    expect(evaluation.warnings).toContain('原定 2021-04-05 07:30，移至 2021-04-06，因 清明节');
    expect(evaluation.warnings.join()).not.toContain('照常发送');
  });

  it('previous-workday: it airs on Friday the 2nd (the weekend and the holiday are passed over)', () => {
    const result = expandWith('previous-workday');
    expect(result.sends.map((send) => send.local)).toEqual(['2021-03-29T07:30', '2021-04-02T07:30', '2021-04-12T07:30']);
  });

  it('skip: it does not air that week, and the skip is listed with its reason', () => {
    const result = expandWith('skip');
    expect(result.sends.map((send) => send.local)).toEqual(['2021-03-29T07:30', '2021-04-12T07:30']);
    expect(result.skipped).toEqual([{ local: '2021-04-05T07:30', kind: 'holiday', name: '清明节', reason: '跳过 2021-04-05，因 清明节' }]);
  });

  it('a move that would leave the campaign window is a skip, so every send stays inside it', () => {
    const result = expandWith('next-workday', { window: { start: '2021-03-29', end: '2021-04-05' } });
    expect(result.sends.map((send) => send.local)).toEqual(['2021-03-29T07:30']);
    expect(result.skipped[0]?.reason).toContain('超出活动期');
  });

  it('quiet hours still apply after the move: a 22:00 SMS moved off 清明 waits for 08:00', () => {
    const result = expandWith('next-workday', { quietHours: defaultQuietHours });
    const moved = expandSchedule({ ...mondayBroadcast, at: '22:00' }, {
      timeZone: 'Asia/Shanghai',
      window: qingmingWindow,
      maxSends: 20,
      holidays: calendar,
      onHoliday: 'next-workday',
      quietHours: defaultQuietHours,
    });
    expect(result.ok).toBe(true);
    expect(moved.ok && moved.sends[1]).toMatchObject({
      local: '2021-04-07T08:00',
      movedFrom: '2021-04-06T22:00',
      holiday: { action: 'moved', from: '2021-04-05T22:00', name: '清明节' },
    });
  });

  it('the plan’s default applies to RRULE sends, and the notice’s own choice wins', () => {
    expect(holidayPolicyOf(aBroadcast(), { onHoliday: 'skip' })).toBe('skip');
    expect(holidayPolicyOf(aBroadcast({ onHoliday: 'keep' }), { onHoliday: 'skip' })).toBe('keep');
    expect(holidayPolicyOf(aBroadcast(), {})).toBe('keep');
    const evaluation = evaluateNotice(aBroadcast(), { window: qingmingWindow }, aContext(calendar, 'skip'));
    expect(evaluation.sends).toHaveLength(2);
    expect(evaluation.holidayNotes).toEqual(['跳过 2021-04-05，因 清明节']);
  });
});

describe('a Sunday make-up workday (调休上班)', () => {
  // 2021-09-26 is a Sunday people work (for 国庆节); 2021-10-03, a Sunday inside the holiday.
  const window = { start: '2021-09-20', end: '2021-10-17' };
  const sundaySms = (onHoliday?: HolidayPolicy) =>
    noticeInputSchema.parse({
      channel: 'sms',
      audience: { all: true },
      schedule: { kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=SU', at: '10:00' },
      sms: { body: '周末普法课堂欢迎参加。' },
      ...(onHoliday ? { onHoliday } : {}),
    });

  it('keep: the make-up Sunday is warned about as a working day, the holiday Sunday as the holiday', () => {
    const evaluation = evaluateNotice(sundaySms('keep'), { window }, aContext());
    expect(evaluation.warnings).toEqual(
      expect.arrayContaining([
        '2021-09-26 是 国庆节调休上班日：这次发送照常进行（onHoliday: keep）',
        '2021-10-03 是 国庆节：这次发送照常进行（onHoliday: keep）',
      ]),
    );
  });

  it('next-workday: the make-up Sunday goes to Monday, the holiday Sunday to the first workday after 国庆', () => {
    const evaluation = evaluateNotice(sundaySms('next-workday'), { window }, aContext());
    expect(evaluation.sends.map((send) => send.local)).toEqual([
      '2021-09-27T10:00',
      '2021-10-08T10:00',
      '2021-10-10T10:00',
      '2021-10-17T10:00',
    ]);
    expect(evaluation.holidayNotes).toEqual([
      '原定 2021-09-26 10:00，移至 2021-09-27，因 国庆节调休上班日',
      '原定 2021-10-03 10:00，移至 2021-10-08，因 国庆节',
    ]);
  });
});

describe('a year without holiday data', () => {
  it('is a warning on every check of a notice in it, until the plan gives its days', () => {
    const plan = aPlan();
    const [campaign] = plan.campaigns;
    const notice = campaign?.notices[1];
    if (!campaign || !notice) throw new Error('the sample plan has a campaign with two notices');
    const without = evaluateNotice(notice, { window: campaign.window, keyDate: '2031-03-15' }, aContext(planHolidays(plan)));
    expect(without.warnings.some((warning) => warning.startsWith('2031 年没有法定节假日与调休数据'))).toBe(true);

    const withDays = aPlan({ holidays: [{ date: '2031-03-10', name: '测试假日' }], workdays: [] });
    const evaluation = evaluateNotice({ ...notice, onHoliday: 'skip' }, { window: campaign.window, keyDate: '2031-03-15' }, aContext(planHolidays(withDays)));
    expect(evaluation.warnings.join()).not.toContain('没有法定节假日');
    expect(evaluation.holidayNotes).toEqual(['跳过 2031-03-10，因 测试假日']);
  });

  it('the plan check refuses a day listed twice or as both a holiday and a workday', () => {
    const plan = aPlan({
      holidays: [
        { date: '2031-04-05', name: '清明节' },
        { date: '2031-04-05', name: '清明节' },
      ],
      workdays: [{ date: '2031-04-05', name: '清明节' }],
    });
    const paths = checkPlan(plan, { timeZone: 'Asia/Shanghai' }).map((problem) => problem.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['holidays.1.date', 'workdays.0.date']));
  });
});

describe('a key date on a weekend', () => {
  // 国家宪法日 2021-12-04 is a Saturday: a weekend is not a holiday, and a key-date send keeps its day.
  const window = { start: '2021-11-29', end: '2021-12-10' };
  const keyDateSms = noticeInputSchema.parse({
    channel: 'sms',
    audience: { all: true },
    schedule: { kind: 'key-date', days: 0, at: '09:00' },
    sms: { body: '今天是国家宪法日。' },
  });

  it('goes out on the Saturday, without a holiday warning, even when the plan moves other sends', () => {
    const evaluation = evaluateNotice(keyDateSms, { window, keyDate: '2021-12-04' }, aContext(calendar, 'next-workday'));
    expect(evaluation.sends.map((send) => send.local)).toEqual(['2021-12-04T09:00']);
    expect(evaluation.warnings.join()).not.toMatch(/节|调休/);
    expect(evaluation.holidayNotes).toEqual([]);
  });

  it('on a holiday it is kept by default and warned about; the notice may still choose to move it', () => {
    const onHoliday = holidayCalendar(holidaySource(), { holidays: [{ date: '2021-12-04', name: '测试假日' }] });
    const kept = evaluateNotice(keyDateSms, { window, keyDate: '2021-12-04' }, aContext(onHoliday, 'next-workday'));
    expect(kept.sends.map((send) => send.local)).toEqual(['2021-12-04T09:00']);
    expect(kept.warnings).toContain('2021-12-04 是 测试假日：这次发送照常进行（onHoliday: keep）');
    const moved = evaluateNotice({ ...keyDateSms, onHoliday: 'next-workday' }, { window, keyDate: '2021-12-04' }, aContext(onHoliday));
    expect(moved.sends.map((send) => send.local)).toEqual(['2021-12-06T09:00']);
  });
});

describe('policies', () => {
  it('are the four the plan file documents', () => {
    expect(holidayPolicies).toEqual(['keep', 'next-workday', 'previous-workday', 'skip']);
  });
});
