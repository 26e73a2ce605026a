/**
 * @module domain/phone
 * Phone numbers are personal data: parsed and normalised to E.164 (+86 mobile by default) with
 * libphonenumber-js, shown masked (how much depends on who reads, see `maskPhone`), and keyed by
 * an HMAC under a per-deployment secret so they never appear in table keys, ids or URLs and a key
 * cannot be turned back into its number without the secret.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export { hmacPhoneKeys, legacyPhoneKey, PHONE_KEY_SECRET_MIN_LENGTH, type PhoneKeys } from './phone-key.js';

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

/**
 * How much of a number a reader sees:
 * - `admin`: `+86 138****5678` (the operator network and the last four: enough to tell two
 *   subscribers apart when managing the list); the full number only through an audited reveal;
 * - `restricted` (staff, reviewer, county, and whatever is written to the audit log or logs):
 *   `+86 *******5678`, the last four only — enough to recognise a number someone reads out.
 */
export type MaskLevel = 'admin' | 'restricted';

export function maskPhone(e164: string, level: MaskLevel = 'restricted'): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return '****';
  const national = parsed.nationalNumber;
  if (national.length < 7) return `+${parsed.countryCallingCode} ****${national.slice(-2)}`;
  const visible =
    level === 'admin' ? `${national.slice(0, 3)}****${national.slice(-4)}` : `${'*'.repeat(national.length - 4)}${national.slice(-4)}`;
  return `+${parsed.countryCallingCode} ${visible}`;
}

/** Masks anything that looks like a phone number inside free text (e.g. a provider's error message). */
export function maskPhonesIn(text: string): string {
  return text.replace(/\+?\d[\d -]{6,18}\d/g, (match) => {
    const digits = match.replace(/[^\d]/g, '');
    return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-2)}` : match;
  });
}
