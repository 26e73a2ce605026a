/**
 * @module domain/time-zone
 * Whether a string names an IANA time zone this runtime knows, and a moment as people in the
 * county read it.
 */
import { DateTime } from 'luxon';

export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false; // Intl throws RangeError for an unknown zone: that is the answer, not a failure
  }
}

/** A UTC instant in the county's zone, as a person reads it: 2021年6月20日 10:00:01. */
export function forPeople(utcIso: string, timeZone: string): string {
  const time = DateTime.fromISO(utcIso, { zone: 'UTC' }).setZone(timeZone);
  return time.isValid ? time.toFormat('yyyy年M月d日 HH:mm:ss') : utcIso;
}
