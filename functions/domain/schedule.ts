/**
 * @module domain/schedule
 * When a notice goes out. Plans speak in local wall-clock time in the county's IANA zone; this
 * module has the schedule's schemas (a fixed time, an offset from the key date, or an RFC 5545
 * RRULE in the campaign window), moves SMS out of quiet hours, and converts to UTC; expanding a
 * schedule into send times is domain/schedule-expand (apart, so code that only converts times
 * does not load rrule). Zones go through luxon: no hand-written offset arithmetic.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { HolidayNote, SkippedSend } from './holiday-policy.js';
import type { HolidayCalendar, HolidayPolicy } from './holidays.js';

const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm";

const isRealDate = (value: string) => DateTime.fromISO(value.slice(0, 10), { zone: 'UTC' }).isValid;

// `abort` so that text which is not a date at all gets one message, not also 'not a real date'.
export const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date like 2021-03-15', abort: true })
  .refine(isRealDate, 'not a real date');

export const localTimeSchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 07:30');

export const localDateTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d$/, {
    error: 'must be a local date and time like 2021-03-14T10:00',
    abort: true,
  })
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

/** Inclusive local dates. */
export interface CampaignWindow {
  start: string;
  end: string;
}

/** Local `HH:mm`; may wrap midnight (21:00-08:00); start === end means none. */
export interface QuietHours {
  start: string;
  end: string;
}

export const defaultQuietHours: QuietHours = { start: '21:00', end: '08:00' };

export interface ExpandContext {
  timeZone: string;
  window: CampaignWindow;
  /** Local date; needed by key-date schedules. */
  keyDate?: string | undefined;
  /** A schedule that yields more sends than this is refused. */
  maxSends: number;
  /** Only for SMS: broadcasts air when the station airs them. */
  quietHours?: QuietHours | undefined;
  /** Public holidays and make-up workdays; without it no day is special. */
  holidays?: HolidayCalendar | undefined;
  /** What a send on a holiday or make-up workday does (default keep). */
  onHoliday?: HolidayPolicy | undefined;
}

export interface Send {
  /** UTC, ISO-8601. */
  at: string;
  /** Local wall-clock time the send happens at, `YYYY-MM-DDTHH:mm`, after any move. */
  local: string;
  /** The planned local time, when quiet hours moved it. */
  movedFrom?: string;
  /** The holiday or make-up workday the send met, and whether it was kept or moved. */
  holiday?: HolidayNote;
}

export type ExpandProblem = { path: string; message: string };
export type ExpandResult = { ok: true; sends: Send[]; skipped: SkippedSend[] } | { ok: false; problems: ExpandProblem[] };

/** `YYYY-MM-DDTHH:mm` in the zone to UTC. Throws RangeError for a malformed time or unknown zone. */
export function localToUtc(local: string, timeZone: string): string {
  const time = DateTime.fromISO(local, { zone: timeZone });
  if (!time.isValid) throw new RangeError(`${local} is not a time in ${timeZone}: ${time.invalidExplanation ?? ''}`);
  return time.toUTC().toJSDate().toISOString();
}

/** UTC ISO-8601 to `YYYY-MM-DDTHH:mm` in the zone. Throws RangeError for a malformed time or unknown zone. */
export function utcToLocal(utcIso: string, timeZone: string): string {
  const time = DateTime.fromISO(utcIso, { zone: 'UTC' }).setZone(timeZone);
  if (!time.isValid) throw new RangeError(`${utcIso} has no local time in ${timeZone}: ${time.invalidExplanation ?? ''}`);
  return time.toFormat(LOCAL_FORMAT);
}

/** A UTC instant in the county's zone, as a person reads it: 2021年6月20日 10:00:01. */
export function forPeople(utcIso: string, timeZone: string): string {
  const time = DateTime.fromISO(utcIso, { zone: 'UTC' }).setZone(timeZone);
  return time.isValid ? time.toFormat('yyyy年M月d日 HH:mm:ss') : utcIso;
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
