/**
 * @module domain/phone
 * Phone numbers are personal data: parsed and normalised to E.164 (+86 mobile by default) with
 * libphonenumber-js, shown masked to everyone but admins, and keyed by a hash so they never
 * appear in table keys, ids or URLs.
 */
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Mainland mobile numbers: 11 digits starting 13-19 (SMS to landlines does not arrive). */
const CN_MOBILE = /^1[3-9]\d{9}$/;

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

export function normalisePhone(input: string, defaultCountry: 'CN' = 'CN'): PhoneResult {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, reason: 'empty phone number' };
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: `"${trimmed}" is not a valid phone number` };
  if (parsed.countryCallingCode === '86' && !CN_MOBILE.test(parsed.nationalNumber)) {
    return { ok: false, reason: `"${trimmed}" is not a mainland mobile number (SMS needs 1xx xxxx xxxx)` };
  }
  return { ok: true, e164: parsed.number };
}

/** +86 138****5678: enough to recognise a number, not enough to call it. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return '****';
  const national = parsed.nationalNumber;
  const visible = national.length >= 7 ? `${national.slice(0, 3)}****${national.slice(-4)}` : `****${national.slice(-2)}`;
  return `+${parsed.countryCallingCode} ${visible}`;
}

/**
 * A stable key for a number, to keep numbers out of table keys, delivery ids and URLs. Not a
 * secret: mobile numbers are few enough to enumerate, so the number itself stays access-controlled.
 */
export function phoneKey(e164: string): string {
  return createHash('sha256').update(`pufa-phone:${e164}`).digest('base64url').slice(0, 22);
}

/** Masks anything that looks like a phone number inside free text (e.g. a provider's error message). */
export function maskPhonesIn(text: string): string {
  return text.replace(/\+?\d[\d -]{6,18}\d/g, (match) => {
    const digits = match.replace(/[^\d]/g, '');
    return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-2)}` : match;
  });
}
