/**
 * @module domain/schedule
 * When a notice goes out. Plans speak in local wall-clock time in the county's IANA zone; this
 * module expands a schedule (a fixed time, an offset from the key date, or an RFC 5545 RRULE in
 * the campaign window) into send times, moves SMS out of quiet hours, and converts to UTC.
 * Zones go through luxon and recurrences through rrule: no hand-written offset arithmetic.
 */
import { DateTime } from 'luxon';
import * as rruleModule from 'rrule';
import { z } from 'zod';

// rrule ships a UMD `main` (Node sees one default export) and an ESM `module` (the esbuild bundle
// sees named exports only); take RRule from whichever shape this runtime loaded.
const RRule = (rruleModule as typeof rruleModule & { default?: typeof rruleModule }).default?.RRule ?? rruleModule.RRule;


const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm";

const isRealDate = (value: string) => DateTime.fromISO(value.slice(0, 10), { zone: 'UTC' }).isValid;

export const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2021-03-15')
  .refine(isRealDate, 'not a real date');

export const localTimeSchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 07:30');

export const localDateTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a local date and time like 2021-03-14T10:00')
  .transform((value) => value.replace(' ', 'T'))
  .refine(isRealDate, 'not a real date');

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), at: localDateTimeSchema }).describe('once, at a local date and time'),
  z
    .object({ kind: z.literal('key-date'), days: z.number().int().min(-60).max(60), at: localTimeSchema })
    .describe('relative to the campaign’s key date: days -1 at 10:00 = the day before at 10:00'),
  z
    .object({ kind: z.literal('rrule'), rule: z.string().min(1).max(500), at: localTimeSchema.optional() })
    .describe('an RFC 5545 recurrence inside the campaign window, e.g. FREQ=WEEKLY;BYDAY=MO,TH'),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

export interface CampaignWindow {
  start: string;
  end: string;
}

export interface QuietHours {
  start: string;
  end: string;
}

export const defaultQuietHours: QuietHours = { start: '21:00', end: '08:00' };

export interface ExpandContext {
  timeZone: string;
  window: CampaignWindow;
  keyDate?: string | undefined;
  maxSends: number;
  /** Only for SMS: broadcasts air when the station airs them. */
  quietHours?: QuietHours | undefined;
}

export interface Send {
  /** UTC, ISO-8601. */
  at: string;
  /** Local wall-clock time after any move, `YYYY-MM-DDTHH:mm`. */
  local: string;
  /** The planned local time, when quiet hours moved it. */
  movedFrom?: string;
}

export type ExpandResult = { ok: true; sends: Send[] } | { ok: false; problems: { path: string; message: string }[] };

export function localToUtc(local: string, timeZone: string): string {
  const time = DateTime.fromISO(local, { zone: timeZone });
  if (!time.isValid) throw new RangeError(`${local} is not a time in ${timeZone}: ${time.invalidExplanation ?? ''}`);
  return time.toUTC().toJSDate().toISOString();
}

export function utcToLocal(utcIso: string, timeZone: string): string {
  return DateTime.fromISO(utcIso, { zone: 'UTC' }).setZone(timeZone).toFormat(LOCAL_FORMAT);
}

/** The same local time if it is outside quiet hours, else the moment they end. */
export function deferOutOfQuietHours(local: string, quiet: QuietHours): string {
  if (quiet.start === quiet.end) return local;
  const time = local.slice(11, 16);
  const wraps = quiet.start > quiet.end;
  const inside = wraps ? time >= quiet.start || time < quiet.end : time >= quiet.start && time < quiet.end;
  if (!inside) return local;
  const date = DateTime.fromISO(local.slice(0, 10), { zone: 'UTC' });
  // Past the evening start of a quiet period that runs over midnight: it ends tomorrow morning.
  const endDate = wraps && time >= quiet.start ? date.plus({ days: 1 }) : date;
  return `${endDate.toISODate()}T${quiet.end}`;
}

function outsideWindow(local: string, window: CampaignWindow): string | undefined {
  const date = local.slice(0, 10);
  return date < window.start || date > window.end
    ? `lands on ${date}, outside the campaign window ${window.start} to ${window.end}`
    : undefined;
}

export function expandSchedule(schedule: Schedule, context: ExpandContext): ExpandResult {
  const planned = plannedLocalTimes(schedule, context);
  if (!planned.ok) return planned;

  const seen = new Set<string>();
  const sends: Send[] = [];
  for (const local of planned.locals) {
    const moved = context.quietHours ? deferOutOfQuietHours(local, context.quietHours) : local;
    if (seen.has(moved)) continue; // several night sends moved to the same morning go once
    seen.add(moved);
    sends.push({ at: localToUtc(moved, context.timeZone), local: moved, ...(moved !== local ? { movedFrom: local } : {}) });
  }
  sends.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { ok: true, sends };
}

type Planned = { ok: true; locals: string[] } | { ok: false; problems: { path: string; message: string }[] };

function plannedLocalTimes(schedule: Schedule, context: ExpandContext): Planned {
  const fail = (path: string, message: string): Planned => ({ ok: false, problems: [{ path, message }] });
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

const RULE_PARTS = new Set(['FREQ', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST']);
const FREQUENCIES = new Set(['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY']);

/** rrule's own parser accepts nonsense quietly (FREQ=SOMETIMES parses to nothing), so check first. */
function ruleProblem(rule: string): string | undefined {
  const parts = rule.trim().replace(/^RRULE:/i, '').split(';').filter(Boolean);
  const names = new Set<string>();
  for (const part of parts) {
    const [name = '', value = ''] = part.split('=', 2).map((piece) => piece.trim().toUpperCase());
    if (['DTSTART', 'UNTIL', 'COUNT'].includes(name)) return `${name} is not allowed: the campaign window bounds the recurrence`;
    if (!RULE_PARTS.has(name)) return `"${part}" is not an RRULE part`;
    if (!value) return `${name} has no value`;
    if (name === 'FREQ' && !FREQUENCIES.has(value)) return `FREQ must be one of ${[...FREQUENCIES].join(', ')}`;
    if (name === 'BYDAY' && !value.split(',').every((day) => /^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$/.test(day))) {
      return `BYDAY takes days such as MO,TH`;
    }
    if (name !== 'FREQ' && name !== 'BYDAY' && name !== 'WKST' && !value.split(',').every((number) => /^[+-]?\d+$/.test(number))) {
      return `${name} takes numbers`;
    }
    names.add(name);
  }
  if (!names.has('FREQ')) return 'needs FREQ, e.g. FREQ=WEEKLY;BYDAY=MO';
  return undefined;
}

function expandRule(rule: string, at: string | undefined, context: ExpandContext): Planned {
  const fail = (path: string, message: string): Planned => ({ ok: false, problems: [{ path, message }] });
  const problem = ruleProblem(rule);
  if (problem) return fail('rule', problem);
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(rule.trim().replace(/^RRULE:/i, ''));
  } catch (error) {
    return fail('rule', `not a valid RRULE: ${(error as Error).message}`);
  }
  const time = options.byhour == null && at ? { byhour: [Number(at.slice(0, 2))], byminute: [Number(at.slice(3, 5))], bysecond: [0] } : {};
  if (options.byhour == null && !at) return fail('at', 'give a time with at or BYHOUR');

  // Expand in floating wall-clock time: Dates whose UTC fields are the local time. The zone is
  // applied afterwards, per send, by luxon.
  const floating = (date: string, hours: number, minutes: number, seconds: number) =>
    new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hours, minutes, seconds));
  let dates: Date[];
  try {
    const recurrence = new RRule({
      ...options,
      ...time,
      dtstart: floating(context.window.start, 0, 0, 0),
      until: floating(context.window.end, 23, 59, 59),
    });
    dates = recurrence.all((_date, index) => index <= context.maxSends);
  } catch (error) {
    return fail('rule', `not a valid RRULE: ${(error as Error).message}`);
  }
  if (dates.length > context.maxSends) return fail('rule', `yields more than ${context.maxSends} sends`);
  if (dates.length === 0) return fail('rule', 'yields no send inside the campaign window');
  return { ok: true, locals: dates.map((date) => date.toISOString().slice(0, 16)) };
}
