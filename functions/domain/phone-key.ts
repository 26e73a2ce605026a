/**
 * @module domain/phone-key
 * Phone numbers are keyed by an HMAC under a per-deployment secret, so they never appear in table
 * keys, ids or URLs (see domain/phone, which re-exports this). Apart from the parsing so that
 * building the keys at a Lambda's cold start does not load libphonenumber-js.
 */
import { createHash, createHmac } from 'node:crypto';

/** Turns a number into its key; built once per process from the deployment's secret. */
export interface PhoneKeys {
  keyOf(e164: string): string;
  /** A secret for another purpose (e.g. signing local audio links), derived from the same one: 43 characters. */
  derive(purpose: string): string;
}

/** Shortest secret accepted: 32 bytes' worth of base64 (256 bits). */
export const PHONE_KEY_SECRET_MIN_LENGTH = 43;

/**
 * Keys numbers with HMAC-SHA-256 under a per-deployment secret: deterministic (an opt-out is
 * found again by number, and the SNS opt-out list maps onto the same keys) but, without the
 * secret, no cheaper to reverse than guessing the secret. 22 base64url characters (132 bits):
 * URL-safe, and what `DELETE /subscribers/{key}` accepts.
 */
export function hmacPhoneKeys(secret: string): PhoneKeys {
  if (secret.length < PHONE_KEY_SECRET_MIN_LENGTH) throw new Error(`the phone key secret must be at least ${PHONE_KEY_SECRET_MIN_LENGTH} characters`);
  return {
    keyOf: (e164) => createHmac('sha256', secret).update(`pufa-phone:${e164}`).digest('base64url').slice(0, 22),
    derive: (purpose) => createHmac('sha256', secret).update(`pufa-derive:${purpose}`).digest('base64url'),
  };
}

/**
 * The key numbers had before keys were secret: an unkeyed SHA-256, reversed by trying the
 * 10,000 numbers a mask leaves open. Only the migration that re-keys old items uses it.
 */
export function legacyPhoneKey(e164: string): string {
  return createHash('sha256').update(`pufa-phone:${e164}`).digest('base64url').slice(0, 22);
}
