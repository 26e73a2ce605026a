/**
 * @module domain/time-zone
 * Whether a string names an IANA time zone this runtime knows.
 */

/** The canonical zone names, read on first use. */
let canonicalZones: ReadonlySet<string> | undefined;

export function isKnownTimeZone(zone: string): boolean {
  // A canonical name is known without building a formatter: a process's first Intl.DateTimeFormat
  // loads ICU's date formatting data, tens of milliseconds of a cold start (config validates
  // PUFA_TIME_ZONE at import). Aliases (UTC, Asia/Chongqing) and other spellings Intl accepts
  // still go to the formatter, so the answer is the same.
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false; // Intl throws RangeError for an unknown zone: that is the answer, not a failure
  }
}
