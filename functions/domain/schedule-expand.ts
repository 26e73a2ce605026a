/**
 * @module domain/schedule-expand
 * Expands a schedule (domain/schedule) into send times inside the campaign window: a fixed time,
 * an offset from the key date, or an RFC 5545 RRULE through rrule; SMS moved out of quiet hours,
 * each send in UTC and as the local time it happens at.
 */
import { DateTime } from 'luxon';
import rrule from 'rrule';
import { applyHolidayPolicy, type SkippedSend } from './holiday-policy.js';
import {
  deferOutOfQuietHours,
  localToUtc,
  utcToLocal,
  type CampaignWindow,
  type ExpandContext,
  type ExpandProblem,
  type ExpandResult,
  type Schedule,
  type Send,
} from './schedule.js';

// rrule's `main` is a UMD build whose one export Node sees as the default; the Lambda bundle is
// pointed at the same file (infra/bundling.ts aliases it), so this default import works in both.
const { RRule } = rrule;
type RuleOptions = InstanceType<typeof RRule>['options'];

export function expandSchedule(schedule: Schedule, context: ExpandContext): ExpandResult {
  const planned = plannedLocalTimes(schedule, context);
  if (!planned.ok) return planned;

  const seen = new Set<string>();
  const sends: Send[] = [];
  const skipped: SkippedSend[] = [];
  for (const plannedLocal of planned.locals) {
    // The holiday policy first, on the planned day; quiet hours then apply to where it landed.
    const outcome = context.holidays ? applyHolidayPolicy(plannedLocal, context.onHoliday ?? 'keep', context.holidays, context.window) : { local: plannedLocal };
    if ('skipped' in outcome) {
      skipped.push(outcome.skipped);
      continue;
    }
    const local = outcome.local;
    const moved = context.quietHours ? deferOutOfQuietHours(local, context.quietHours) : local;
    const at = localToUtc(moved, context.timeZone);
    if (seen.has(at)) continue; // several night sends moved to the same morning go once
    seen.add(at);
    // Read back rather than copied: a time a daylight-saving change skips (02:30 on a
    // spring-forward night) goes at the next wall-clock time, and `local` should say so.
    sends.push({
      at,
      local: utcToLocal(at, context.timeZone),
      ...(moved !== local ? { movedFrom: local } : {}),
      ...(outcome.holiday ? { holiday: outcome.holiday } : {}),
    });
  }
  sends.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { ok: true, sends, skipped };
}

type Planned = { ok: true; locals: string[] } | { ok: false; problems: ExpandProblem[] };

const fail = (path: string, message: string): Planned => ({ ok: false, problems: [{ path, message }] });

function outsideWindow(local: string, window: CampaignWindow): string | undefined {
  const date = local.slice(0, 10);
  return date < window.start || date > window.end
    ? `lands on ${date}, outside the campaign window ${window.start} to ${window.end}`
    : undefined;
}

function plannedLocalTimes(schedule: Schedule, context: ExpandContext): Planned {
  switch (schedule.kind) {
    case 'fixed': {
      const problem = outsideWindow(schedule.at, context.window);
      return problem ? fail('at', problem) : { ok: true, locals: [schedule.at] };
    }
    case 'key-date': {
      if (!context.keyDate) return fail('kind', 'the campaign has no key date');
      const date = DateTime.fromISO(context.keyDate, { zone: 'UTC' }).plus({ days: schedule.days }).toISODate();
      const local = `${date}T${schedule.at}`;
      const problem = outsideWindow(local, context.window);
      return problem ? fail('days', problem) : { ok: true, locals: [local] };
    }
    case 'rrule':
      return expandRule(schedule.rule, schedule.at, context);
  }
}

// MINUTELY and SECONDLY are left out: sends are planned to the minute, and rrule 2.8 loops
// forever on some legal MINUTELY rules (a BYHOUR it cannot step onto after a skipped day).
const FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY'] as const;
type Frequency = (typeof FREQUENCIES)[number];
const isFrequency = (value: string): value is Frequency => FREQUENCIES.some((known) => known === value);
const PARTS = ['FREQ', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST'];
const WEEKDAY = /^(?:MO|TU|WE|TH|FR|SA|SU)$/;
const BYDAY_ENTRY = /^(?:([+-]?\d{1,2}))?(MO|TU|WE|TH|FR|SA|SU)$/;

/**
 * RFC 5545 ranges. A value outside them can never match, and rrule does not say so: it searches
 * on to the year 9999 (or, for an hour, wraps 25 to 01:00 the next day).
 */
const NUMBER_PARTS: Record<string, { min: number; max: number; negative?: boolean; single?: boolean }> = {
  INTERVAL: { min: 1, max: 1000, single: true },
  BYMINUTE: { min: 0, max: 59 },
  BYHOUR: { min: 0, max: 23 },
  BYMONTHDAY: { min: 1, max: 31, negative: true },
  BYYEARDAY: { min: 1, max: 366, negative: true },
  BYWEEKNO: { min: 1, max: 53, negative: true },
  BYMONTH: { min: 1, max: 12 },
  BYSETPOS: { min: 1, max: 366, negative: true },
};

type RuleParts = Map<string, string>;

const numbers = (value: string | undefined) => (value ?? '').split(',').map(Number);

/**
 * Reads and checks an RRULE body. rrule's own parser accepts nonsense quietly (FREQ=SOMETIMES
 * parses to nothing, lower-case BYDAY to undefined days), so every part is checked here first.
 */
function readRule(rule: string): { parts: RuleParts; freq: Frequency; text: string } | { problem: string } {
  const body = rule.trim().replace(/^RRULE:/i, '');
  const bound = /\b(DTSTART|UNTIL|COUNT)\b/i.exec(body)?.[1]?.toUpperCase();
  if (bound) return { problem: `${bound} is not allowed: the campaign window bounds the recurrence` };

  const parts: RuleParts = new Map();
  for (const part of body.split(';').filter((piece) => piece.trim() !== '')) {
    // Names and values are case-insensitive in RFC 5545; rrule's parser wants upper case.
    const [name = '', value = '', ...rest] = part.toUpperCase().split('=').map((piece) => piece.trim());
    if (!PARTS.includes(name) || rest.length > 0) return { problem: `"${part.trim()}" is not an RRULE part` };
    if (parts.has(name)) return { problem: `${name} is given twice` };
    if (!value) return { problem: `${name} has no value` };
    parts.set(name, value);
  }

  const freq = parts.get('FREQ');
  if (!freq) return { problem: 'needs FREQ, e.g. FREQ=WEEKLY;BYDAY=MO' };
  if (!isFrequency(freq)) return { problem: `FREQ must be one of ${FREQUENCIES.join(', ')}` };

  for (const [name, value] of parts) {
    const range = NUMBER_PARTS[name];
    if (range) {
      const list = value.split(',');
      const fits = (entry: string) => {
        if (!/^[+-]?\d{1,4}$/.test(entry)) return false;
        const size = Math.abs(Number(entry));
        return size >= range.min && size <= range.max && (range.negative || !entry.startsWith('-'));
      };
      if ((range.single && list.length > 1) || !list.every(fits)) {
        const span = `${range.min} to ${range.max}${range.negative ? `, or -${range.max} to -1 counting from the end` : ''}`;
        return { problem: `${name} takes ${range.single ? 'one whole number' : 'whole numbers'} from ${span}` };
      }
    }
  }
  if (parts.has('BYSECOND') && parts.get('BYSECOND') !== '0') return { problem: 'sends are planned to the minute: BYSECOND can only be 0' };
  if (parts.has('WKST') && !WEEKDAY.test(parts.get('WKST') ?? '')) return { problem: 'WKST takes one day such as MO' };

  const days = parts.has('BYDAY') ? (parts.get('BYDAY') ?? '').split(',').map((day) => BYDAY_ENTRY.exec(day)) : [];
  if (days.some((day) => !day || (day[1] !== undefined && (Number(day[1]) === 0 || Math.abs(Number(day[1])) > 53)))) {
    return { problem: 'BYDAY takes days such as MO,TH, or 1MO for the first Monday' };
  }
  // The combinations RFC 5545 rules out; rrule would quietly ignore or misread them.
  const numbered = days.some((day) => day?.[1] !== undefined);
  if (numbered && (!['MONTHLY', 'YEARLY'].includes(freq) || parts.has('BYWEEKNO'))) {
    return { problem: 'a numbered BYDAY such as 1MO works only with FREQ=MONTHLY or YEARLY, without BYWEEKNO' };
  }
  if (parts.has('BYWEEKNO') && freq !== 'YEARLY') return { problem: 'BYWEEKNO works only with FREQ=YEARLY' };
  if (parts.has('BYYEARDAY') && ['MONTHLY', 'WEEKLY', 'DAILY'].includes(freq)) return { problem: `BYYEARDAY does not work with FREQ=${freq}` };
  if (parts.has('BYMONTHDAY') && freq === 'WEEKLY') return { problem: 'BYMONTHDAY does not work with FREQ=WEEKLY' };
  if (parts.has('BYSETPOS') && ![...parts.keys()].some((name) => name.startsWith('BY') && name !== 'BYSETPOS')) {
    return { problem: 'BYSETPOS needs another BY part to pick from' };
  }
  // Rebuilt from the checked parts, so rrule parses exactly what was checked.
  return { parts, freq, text: [...parts].map(([name, value]) => `${name}=${value}`).join(';') };
}

const greatestCommonDivisor = (a: number, b: number): number => (b === 0 ? a : greatestCommonDivisor(b, a % b));

/**
 * rrule steps an HOURLY counter until it lands on a BYHOUR and never gives up, so a step that
 * cannot land (FREQ=HOURLY;INTERVAL=2;BYHOUR=3) would hang the function. Counting from midnight
 * (the window start), an INTERVAL of n reaches only the hours that are multiples of gcd(n, 24).
 */
function unreachableHour(freq: Frequency, interval: number, hours: number[]): string | undefined {
  if (freq !== 'HOURLY') return undefined;
  const step = greatestCommonDivisor(interval, 24);
  return hours.some((hour) => hour % step === 0)
    ? undefined
    : `with INTERVAL=${interval}, FREQ=HOURLY counted from midnight never reaches ${hours.length === 1 ? 'hour' : 'hours'} ${hours.join(', ')}`;
}

/**
 * rrule checks UNTIL only when a date matches, so a rule whose parts never meet
 * (BYMONTH=2;BYMONTHDAY=30) steps on to the year 9999: seconds of CPU for each check. Its loop
 * reads the options at every step, so counting the reads bounds the work without patching the
 * library. At 7 to 20 reads per day stepped, the budget covers 70 years or more (well under a
 * second), far more than any campaign window needs.
 */
const OPTION_READ_BUDGET = 500_000;

class WorkBudgetSpent extends Error {}

function withReadBudget(options: RuleOptions, budget: number): RuleOptions {
  let left = budget;
  return new Proxy(options, {
    get(target, key, receiver) {
      left -= 1;
      if (left < 0) throw new WorkBudgetSpent('the recurrence took too many steps');
      return Reflect.get(target, key, receiver);
    },
  });
}

// Floating wall-clock time: a Date whose UTC fields are the local time. The zone is applied
// afterwards, per send, by luxon, so a daylight-saving change never shifts the planned hour.
const floating = (date: string, hours: number, minutes: number, seconds: number) =>
  new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hours, minutes, seconds));

function expandRule(rule: string, at: string | undefined, context: ExpandContext): Planned {
  const read = readRule(rule);
  if ('problem' in read) return fail('rule', read.problem);
  const { parts, freq, text } = read;

  const ruleHours = parts.get('BYHOUR');
  if (ruleHours === undefined && !at) return fail('at', 'give a time with at or BYHOUR');
  // `at` stands in for BYHOUR/BYMINUTE only when the rule does not name an hour itself.
  const time = ruleHours === undefined && at ? { byhour: [Number(at.slice(0, 2))], byminute: [Number(at.slice(3, 5))], bysecond: [0] } : {};
  const unreachable = unreachableHour(freq, Number(parts.get('INTERVAL') ?? 1), time.byhour ?? numbers(ruleHours));
  if (unreachable) return fail('rule', unreachable);

  const dates: Date[] = [];
  try {
    const recurrence = new RRule({
      ...RRule.parseString(text),
      ...time,
      dtstart: floating(context.window.start, 0, 0, 0),
      until: floating(context.window.end, 23, 59, 59),
    });
    recurrence.options = withReadBudget(recurrence.options, OPTION_READ_BUDGET);
    // One past the maximum is enough to know the rule yields too many.
    recurrence.all((date) => {
      dates.push(date);
      return dates.length <= context.maxSends;
    });
  } catch (error) {
    // A spent budget means rrule was searching far past the window: what it found so far is all.
    if (!(error instanceof WorkBudgetSpent)) return fail('rule', `not a valid RRULE: ${(error as Error).message}`);
  }
  if (dates.length > context.maxSends) return fail('rule', `yields more than ${context.maxSends} sends`);
  if (dates.length === 0) return fail('rule', 'yields no send inside the campaign window');
  return { ok: true, locals: dates.map((date) => date.toISOString().slice(0, 16)) };
}
